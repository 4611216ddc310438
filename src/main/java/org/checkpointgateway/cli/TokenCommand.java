package org.checkpointgateway.cli;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.checkpointgateway.auth.TokenIssuer;
import org.checkpointgateway.units.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code token}: prints an HS256 token that a gateway with the same secret accepts. For development and tests. */
@Command(name = "token", mixinStandardHelpOptions = true,
    description = "Print an HS256 token for a gateway started with --jwt-secret-file.")
public final class TokenCommand implements Callable<Integer> {

  static final Duration DEFAULT_TTL = Duration.ofHours(1);

  @Option(names = "--secret-file", required = true, paramLabel = "FILE",
      description = "the gateway's --jwt-secret-file (its text, trimmed, is the key)")
  Path secretFile;
  @Option(names = "--sub", required = true, paramLabel = "SUBJECT", description = "the sub claim")
  String subject;
  @Option(names = "--permission", required = true, paramLabel = "P",
      description = "a permission, e.g. archives:read:default; may repeat")
  List<String> permissions;
  @Option(names = "--ttl", paramLabel = "DURATION", description = "lifetime: 30m, 12h, 7d (default 1h)")
  String ttl;
  @Option(names = "--issuer", paramLabel = "S", description = "iss claim (for --jwt-issuer)")
  String issuer;
  @Option(names = "--audience", paramLabel = "S", description = "aud claim (for --jwt-audience)")
  String audience;
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Duration lifetime;
    String secret;
    try {
      lifetime = ttl == null ? DEFAULT_TTL : Durations.parse(ttl);
      secret = Files.readString(secretFile).trim();
      // The gateway refuses such a key too: say so now rather than print a token it refuses.
      if (TokenIssuer.weakSecret(secret).isPresent()) {
        err.println("token: --secret-file " + secretFile + ": "
            + TokenIssuer.weakSecret(secret).get());
        return 2;
      }
    } catch (IllegalArgumentException e) {
      err.println("token: --ttl: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("token: --secret-file " + secretFile + ": cannot read (" + e.getMessage() + ")");
      return 2;
    }
    Vertx vertx = Vertx.vertx();
    try {
      out.println(TokenIssuer.hs256(vertx, secret).issue(subject, permissions, lifetime,
          Optional.ofNullable(issuer), Optional.ofNullable(audience)));
      return 0;
    } catch (IllegalArgumentException e) {
      err.println("token: " + e.getMessage());
      return 2;
    } finally {
      out.flush();
      err.flush();
      vertx.close();
    }
  }
}
