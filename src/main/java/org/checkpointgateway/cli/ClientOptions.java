package org.checkpointgateway.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How the client commands reach a gateway: {@code --server}, {@code --token-file}, {@code --progress}. */
final class ClientOptions {

  static final String SERVER_ENV = "CHECKPOINT_GATEWAY_SERVER";
  static final String TOKEN_ENV = "CHECKPOINT_GATEWAY_TOKEN";

  @Option(names = "--server", paramLabel = "URL",
      description = "the gateway, e.g. http://127.0.0.1:10250 (default: $" + SERVER_ENV
          + ", else http://127.0.0.1:10250)")
  String server;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "file holding the bearer token (default: $" + TOKEN_ENV + ")")
  Path tokenFile;

  @Option(names = "--progress", paramLabel = "WHEN", defaultValue = "auto",
      description = "progress on stderr: auto (a bar on a terminal, else plain lines), always (a bar), "
          + "plain (lines), never (only the results)")
  String progress;

  URI serverUri() throws CliException {
    String value = server != null ? server : System.getenv().getOrDefault(SERVER_ENV,
        "http://127.0.0.1:10250");
    try {
      URI uri = URI.create(value.endsWith("/") ? value.substring(0, value.length() - 1) : value);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
        throw new IllegalArgumentException("not an http(s) URL");
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new CliException("--server " + value + ": " + e.getMessage(), 2);
    }
  }

  /** The token, or null to send none. */
  String token() throws CliException {
    if (tokenFile != null) {
      try {
        return Files.readString(tokenFile).trim();
      } catch (IOException e) {
        throw new CliException("--token-file " + tokenFile + ": cannot read (" + e.getMessage() + ")", 2);
      }
    }
    String token = System.getenv(TOKEN_ENV);
    return token == null || token.isBlank() ? null : token.trim();
  }

  /** Where {@link #token} comes from, as the user would name it. */
  String tokenSource() {
    return tokenFile != null ? "--token-file " + tokenFile : "$" + TOKEN_ENV;
  }

  /** Whether progress is a bar redrawn in place. */
  boolean terminal() throws CliException {
    return switch (progress) {
      case "always" -> true;
      case "never", "plain" -> false;
      case "auto" -> System.console() != null;
      default -> throw new CliException("--progress " + progress
          + ": use auto, always, plain or never", 2);
    };
  }

  /** Where progress lines go: {@code err}, or nowhere with {@code --progress never}. */
  PrintWriter progressLines(PrintWriter err) throws CliException {
    terminal(); // checks the value
    return progress.equals("never") ? new PrintWriter(Writer.nullWriter()) : err;
  }
}
