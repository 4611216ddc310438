package org.checkpointgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.checkpointgateway.config.GatewayOptions;
import org.checkpointgateway.cri.RuntimeProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** A wrong flag, a missing file or a bad value: one line naming it, exit code 2. */
class MainTest {

  @TempDir
  Path dir;

  record Outcome(int code, String err) {
  }

  Outcome run(String... args) {
    StringWriter err = new StringWriter();
    CommandLine commandLine = Main.commandLine();
    commandLine.setErr(new PrintWriter(err, true));
    commandLine.setOut(new PrintWriter(new StringWriter(), true));
    int code = commandLine.execute(args);
    return new Outcome(code, err.toString());
  }

  /** The options Main makes of these arguments, without starting anything. */
  static GatewayOptions options(String... args) {
    CommandLine commandLine = Main.commandLine();
    commandLine.parseArgs(args);
    return commandLine.<Main>getCommand().options();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "--no-such-flag                               | --no-such-flag",
      "--port abc                                   | --port",
      "--port 70000                                 | --port",
      "--default-timeout 0                          | --default-timeout",
      "--default-timeout 2m                         | --default-timeout",
      "--cri-endpoint tcp://127.0.0.1:1             | --cri-endpoint",
      "--checkpoint-dir                             | --checkpoint-dir",
      "--jwt-secret-file /no/such/file              | --jwt-secret-file",
      "--jwt-public-key /no/such.pem                | --jwt-public-key",
      "--jwt-jwks-file /no/such.json                | --jwt-jwks-file",
      "--tls-cert /no/such.crt                      | --tls-cert",
      "--feature-gates Checkpointing=true           | unrecognized feature gate: Checkpointing",
      "--feature-gates ContainerCheckpoint=maybe    | --feature-gates",
      "--config /no/such.yaml                       | --config /no/such.yaml",
      "--max-inflight-bytes lots                    | --max-inflight-bytes: must be a size",
      "--max-concurrent 0                           | --max-concurrent",
      "--progress-interval 0                        | --progress-interval: must be more than 0",
      "--shutdown-grace soon                        | --shutdown-grace: must be a duration",
      "--job-history-age 1w                         | --job-history-age",
      "simulate                                     | --socket",
      "--retain-max-age 7                           | --retain-max-age",
      "--retain-max-age 0s                          | --retain-max-age",
      "--retain-per-container 0                     | --retain-per-container",
      "--retain-max-bytes 10GB                      | --retain-max-bytes",
      "simulate --socket /tmp/x.sock --pods /no/such.yaml | /no/such.yaml",
      "--jwt-max-lifetime 3600                      | --jwt-max-lifetime",
      "--jwt-max-lifetime 0s                        | --jwt-max-lifetime",
      "--audit-log-buffer 10                        | --audit-log-buffer: must be at least 1Ki",
      "--audit-log-buffer lots                      | --audit-log-buffer",
      "--cluster-name f --cluster-tls-cert pom.xml  | --cluster-tls-cert, --cluster-tls-key and --cluster-tls-ca: give all three or none",
      "--cluster-name f --cluster-tls-ca /no/ca.crt | --cluster-tls-ca",
  })
  void badInputStopsWithOneLineAndExitCode2(String args, String named) {
    Outcome outcome = run(args.trim().split("\\s+"));
    assertThat(outcome.code()).as(outcome.err()).isEqualTo(2);
    assertThat(outcome.err().strip().lines()).hasSize(1);
    assertThat(outcome.err()).contains(named.trim());
  }

  @Test
  void aKeySetHoldingASymmetricKeyStopsStartUp() throws IOException {
    Path jwks = Files.writeString(dir.resolve("jwks.json"),
        "{\"keys\":[{\"kty\":\"oct\",\"alg\":\"HS256\",\"k\":\"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0\"}]}");
    // The key set is read when the gateway starts, which reports on System.err.
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream standardErr = System.err;
    Outcome outcome;
    System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      outcome = run("--port", "0", "--checkpoint-dir", dir.resolve("cp").toString(),
          "--jwt-jwks-file", jwks.toString());
    } finally {
      System.setErr(standardErr);
    }
    String printed = err.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(outcome.code()).as(printed).isEqualTo(2);
    assertThat(printed).contains("checkpoint-gateway: cannot start: --jwt-jwks-file " + jwks
        + ": key 0: a symmetric (\"kty\": \"oct\") key");
  }

  @Test
  void anHs256SecretShorterThan32BytesStopsStartUp() throws IOException {
    // RFC 7518 asks for a key as long as the hash; 31 characters of text are 31 bytes.
    Path secret = Files.writeString(dir.resolve("hs256.key"), "  0123456789abcdef0123456789abcde\n");
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream standardErr = System.err;
    Outcome outcome;
    System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      outcome = run("--port", "0", "--checkpoint-dir", dir.resolve("cp").toString(),
          "--jwt-secret-file", secret.toString());
    } finally {
      System.setErr(standardErr);
    }
    String printed = err.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(outcome.code()).as(printed).isEqualTo(2);
    assertThat(printed).contains("checkpoint-gateway: cannot start: --jwt-secret-file " + secret
        + ": the HS256 secret is 31 bytes; it must have at least 32 (RFC 7518); make one with: "
        + "head -c 32 /dev/urandom | base64 > hs256.key");
  }

  @Test
  void tlsNeedsBothFiles() throws IOException {
    Path cert = Files.writeString(dir.resolve("tls.crt"), "x");
    Outcome outcome = run("--tls-cert", cert.toString());
    assertThat(outcome.code()).isEqualTo(2);
    assertThat(outcome.err()).contains("--tls-cert and --tls-key");
  }

  @Test
  void configFileKeysAreValidatedAndNamed() throws IOException {
    Path config = Files.writeString(dir.resolve("gateway.yaml"), "port: 10250\nprot: 1\n");
    Outcome typo = run("--config", config.toString());
    assertThat(typo.code()).isEqualTo(2);
    assertThat(typo.err().strip()).isEqualTo("checkpoint-gateway: gateway.yaml: prot: unknown setting");

    Files.writeString(config, "port: lots\n");
    Outcome bad = run("--config", config.toString());
    assertThat(bad.err().strip()).isEqualTo(
        "checkpoint-gateway: gateway.yaml: port: must be a whole number, got lots");

    Files.writeString(config, "port: [1\n");
    assertThat(run("--config", config.toString()).err()).contains("not valid YAML");
  }

  @Test
  void shippedConfigurationIsValid() {
    // conf/gateway.yaml documents the defaults: it must load and mean exactly the defaults.
    var parsed = options("--config", "conf/gateway.yaml");
    assertThat(parsed.port()).isEqualTo(10250);
    assertThat(parsed.host()).isEqualTo("127.0.0.1");
    assertThat(parsed.defaultTimeout()).hasSeconds(120);
    assertThat(parsed.containerCheckpointGate()).isTrue();
    assertThat(parsed.embeddedSimulator()).isTrue();
    assertThat(parsed.jwt().hasKeys()).isFalse();
    assertThat(parsed.lookupMaxAge()).isEqualTo(GatewayOptions.DEFAULT_LOOKUP_MAX_AGE);
    assertThat(parsed.runtimeProbe()).isEqualTo(RuntimeProbe.DEFAULT);
  }

  @Test
  void lookupMaxAgeTakesDurationsAndZero() {
    assertThat(options("--lookup-max-age", "250ms").lookupMaxAge()).hasMillis(250);
    assertThat(options("--lookup-max-age", "0").lookupMaxAge()).isZero();
    Outcome bad = run("--lookup-max-age", "soon");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err().strip()).startsWith("checkpoint-gateway: --lookup-max-age: must be a duration");
  }

  @Test
  void flagsOverrideTheFile() throws IOException {
    Path config = Files.writeString(dir.resolve("gateway.yaml"),
        "port: 9000\nfeatureGates:\n  ContainerCheckpoint: false\n");
    GatewayOptions options = options("--config", config.toString(), "--port", "9100");
    assertThat(options.port()).isEqualTo(9100);
    assertThat(options.containerCheckpointGate()).isFalse();
  }

  @Test
  void runtimeProbeTakesPositiveDurations() {
    assertThat(options("--runtime-probe-interval", "250ms", "--runtime-probe-timeout", "2s")
        .runtimeProbe())
        .isEqualTo(new RuntimeProbe(Duration.ofMillis(250), Duration.ofSeconds(2)));
    Outcome zero = run("--runtime-probe-timeout", "0");
    assertThat(zero.code()).isEqualTo(2);
    assertThat(zero.err().strip()).isEqualTo(
        "checkpoint-gateway: --runtime-probe-timeout: must be more than 0");
  }
}
