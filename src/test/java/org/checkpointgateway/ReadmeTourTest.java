package org.checkpointgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.Transcript;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the README's five-minute tour as a reader would: the gateway started as the quick start
 * starts it (its own JVM, the embedded simulator, no JWT key), then every {@code ```sh} block of
 * the tour through bash with a real curl, and each output compared with the {@code ```text} block
 * shown after it ({@link Transcript} says how). So the README cannot drift from what the gateway
 * answers. The only substitutions: an ephemeral port for 10250, the printed dev token for the one
 * line where the reader pastes it, this test's classpath for {@code target/checkpoint-gateway.jar}
 * (not built yet when tests run), and a private {@code java.io.tmpdir}, whose
 * {@code checkpoint-gateway/checkpoints} is the default archive directory, for {@code /tmp}.
 */
class ReadmeTourTest {

  static final String HEADING = "## A five-minute tour";
  private static final Pattern SERVING = Pattern.compile("serving the Kubelet Checkpoint API on http://127\\.0\\.0\\.1:(\\d+)");
  private static final Pattern TOKEN_LINE = Pattern.compile("^eyJ[\\w-]+\\.[\\w-]+\\.[\\w-]+$");
  private static final Pattern STEP = Pattern.compile("^@@step (\\d+)$");
  /** Runs {@code java -jar target/checkpoint-gateway.jar ...} from this test's classpath. */
  private static final String JAVA_SHIM = """
      java() {
        if [ "$1" = -jar ] && [ "$2" = target/checkpoint-gateway.jar ]; then
          shift 2; set -- -cp "$CG_CLASSPATH" org.checkpointgateway.Main "$@"
        fi
        "$CG_JAVA" "$@"
      }
      command -v curl >/dev/null || { echo "the tour runs curl, which is not installed (.ci/run installs it)"; exit 1; }
      set -eo pipefail
      """;

  @TempDir
  Path dir;
  private Process gateway;
  private final List<String> gatewayOutput = java.util.Collections.synchronizedList(new ArrayList<>());

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      gateway.destroy(); // SIGTERM, as a reader's Ctrl-C
      if (!gateway.waitFor(60, TimeUnit.SECONDS)) {
        gateway.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void theTourRunsAsTheReadmeShowsIt() throws Exception {
    List<Transcript.Step> steps = Transcript.steps(Files.readString(Path.of("README.md")), HEADING);
    assertThat(steps).as("the tour's shell blocks").hasSizeGreaterThanOrEqualTo(8);
    // Every step shows its output, but the line where the reader pastes the printed token.
    assertThat(steps).filteredOn(step -> step.expected() == null)
        .extracting(Transcript.Step::commands).allMatch(commands -> commands.startsWith("TOKEN="));

    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    Path work = Files.createDirectories(dir.resolve("work"));
    startGateway(tmp);
    int port = port();
    String token = token();
    awaitReady(port);

    String output = runTour(steps, port, token, work)
        .replace(tmp.resolve("checkpoint-gateway").resolve("checkpoints").toString(),
            "/tmp/checkpoint-gateway/checkpoints")
        .replace("127.0.0.1:" + port, "127.0.0.1:10250");
    Map<Integer, List<String>> outputs = byStep(output);
    for (int i = 0; i < steps.size(); i++) {
      Transcript.Step step = steps.get(i);
      if (step.expected() == null) {
        continue;
      }
      List<String> actual = outputs.get(i);
      assertThat(actual).as("output of step %d:%n%s%nwhole run:%n%s", i, step.commands(), output).isNotNull();
      String difference = Transcript.difference(step.expected(), actual);
      assertThat(difference).as("README.md, %s, step %d:%n%s%n--- shown:%n%s%n--- printed:%n%s%n",
          HEADING, i, step.commands(), String.join("\n", step.expected()), String.join("\n", actual))
          .isNull();
    }
  }

  private void startGateway(Path tmp) throws IOException {
    // As `java -jar target/checkpoint-gateway.jar`, on any free port.
    gateway = new ProcessBuilder(javaBinary(), "-Djava.io.tmpdir=" + tmp,
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--port", "0")
        .redirectErrorStream(true).start();
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(
          new InputStreamReader(gateway.getInputStream(), StandardCharsets.UTF_8))) {
        lines.lines().forEach(gatewayOutput::add);
      } catch (IOException | java.io.UncheckedIOException ended) {
        // the process ended
      }
    }, "readme-tour-gateway-output");
    reader.setDaemon(true);
    reader.start();
  }

  private int port() {
    Await.until("the gateway to say where it serves " + gatewayOutput, Duration.ofSeconds(60),
        () -> found(SERVING) != null || !gateway.isAlive());
    Matcher serving = found(SERVING);
    assertThat(serving).as("the gateway's output: %s", gatewayOutput).isNotNull();
    return Integer.parseInt(serving.group(1));
  }

  private String token() {
    Await.until("the printed token", () -> found(TOKEN_LINE) != null);
    return found(TOKEN_LINE).group();
  }

  private Matcher found(Pattern pattern) {
    synchronized (gatewayOutput) {
      return gatewayOutput.stream().map(pattern::matcher).filter(Matcher::find).findFirst().orElse(null);
    }
  }

  /** A reader starts the tour once the gateway has said it serves; the runtime may take a moment longer. */
  private static void awaitReady(int port) {
    HttpClient client = HttpClient.newHttpClient();
    HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build();
    Await.until("/readyz to answer 200", Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
      try {
        return client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    });
  }

  /** The whole tour in one bash, as one terminal: variables set by one step serve the next. */
  private String runTour(List<Transcript.Step> steps, int port, String token, Path work) throws Exception {
    StringBuilder script = new StringBuilder(JAVA_SHIM);
    for (int i = 0; i < steps.size(); i++) {
      String commands = steps.get(i).commands().lines()
          .filter(line -> !line.startsWith("TOKEN="))
          .map(line -> line.replace("127.0.0.1:10250", "127.0.0.1:" + port))
          .reduce("", (all, line) -> all + line + "\n");
      script.append("printf '\\n@@step ").append(i).append("\\n'\n").append(commands);
    }
    script.append("printf '\\n@@end\\n'\n");
    Path file = work.resolve("tour.sh");
    Files.writeString(file, script);
    Path out = dir.resolve("tour.out");
    ProcessBuilder bash = new ProcessBuilder("bash", file.toString()).directory(work.toFile())
        .redirectErrorStream(true).redirectOutput(out.toFile());
    bash.environment().remove("CHECKPOINT_GATEWAY_TOKEN");
    bash.environment().putAll(Map.of(
        "TOKEN", token,
        // The client's default is 10250; here the gateway listens elsewhere.
        "CHECKPOINT_GATEWAY_SERVER", "http://127.0.0.1:" + port,
        "CG_JAVA", javaBinary(),
        "CG_CLASSPATH", System.getProperty("java.class.path")));
    Process tour = bash.start();
    tour.getOutputStream().close();
    boolean ended = tour.waitFor(120, TimeUnit.SECONDS);
    if (!ended) {
      tour.descendants().forEach(ProcessHandle::destroy);
      tour.destroy();
    }
    String output = Files.readString(out);
    assertThat(ended).as("the tour ended within 2 minutes; so far:%n%s", output).isTrue();
    assertThat(output).as("every command of the tour succeeded (exit 0); the run:%n%s", output)
        .contains("\n@@end\n");
    assertThat(tour.exitValue()).isZero();
    return output;
  }

  private static Map<Integer, List<String>> byStep(String output) {
    Map<Integer, List<String>> steps = new java.util.HashMap<>();
    List<String> current = null;
    for (String line : output.lines().toList()) {
      Matcher step = STEP.matcher(line);
      if (step.matches()) {
        current = new ArrayList<>();
        steps.put(Integer.parseInt(step.group(1)), current);
      } else if (line.equals("@@end")) {
        current = null;
      } else if (current != null) {
        current.add(line);
      }
    }
    return steps;
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
