package org.checkpointgateway.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code checkpoint NS/POD[/CONTAINER]}: asks the gateway for a checkpoint with
 * {@code Accept: text/event-stream}. A gateway that streams progress answers with events
 * (queued, started, progress, completed, failed), shown as a progress bar on a terminal and as
 * plain lines elsewhere; one that does not answers the kubelet's JSON at the end. Either way the
 * archive paths go to stdout, one per line, and any failure exits 1 with the server's message.
 */
@Command(name = "checkpoint", mixinStandardHelpOptions = true,
    description = "Checkpoint a container (NS/POD/CONTAINER) or every container of a pod (NS/POD); "
        + "print the archive paths.")
public final class CheckpointCommand implements Callable<Integer> {

  @Parameters(paramLabel = "NS/POD[/CONTAINER]", description = "what to checkpoint")
  String target;

  @Option(names = "--timeout", paramLabel = "SECONDS",
      description = "how long the checkpoint may take (default: the gateway's)")
  Long timeoutSeconds;

  @Mixin
  ClientOptions client;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      List<String> archives = run(err);
      archives.forEach(out::println);
      out.flush();
      return 0;
    } catch (CliException e) {
      err.println("checkpoint: " + e.getMessage());
      err.flush();
      return e.exitCode();
    }
  }

  private List<String> run(PrintWriter err) throws CliException {
    String[] parts = target.split("/", -1);
    if (parts.length < 2 || parts.length > 3 || List.of(parts).stream().anyMatch(String::isBlank)) {
      throw new CliException("'" + target + "': expected NAMESPACE/POD or NAMESPACE/POD/CONTAINER", 2);
    }
    if (timeoutSeconds != null && timeoutSeconds < 1) {
      throw new CliException("--timeout must be at least 1 second", 2);
    }
    String path = "/checkpoint/" + String.join("/", parts)
        + (timeoutSeconds != null ? "?timeout=" + timeoutSeconds : "");
    GatewayClient gateway = GatewayClient.from(client);
    HttpRequest.Builder request = gateway.request(path)
        .POST(HttpRequest.BodyPublishers.noBody())
        .header("Accept", "text/event-stream, application/json;q=0.5");
    if (timeoutSeconds != null) {
      // Only for the plain answer, which arrives when the checkpoint ends; a stream answers at once.
      request.timeout(Duration.ofSeconds(timeoutSeconds + 30));
    }
    HttpResponse<InputStream> response = gateway.send(request.build(),
        HttpResponse.BodyHandlers.ofInputStream());
    if (response.statusCode() != 200) {
      throw gateway.failure(response);
    }
    String type = response.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
    try (InputStream body = response.body()) {
      if (type.startsWith("text/event-stream")) {
        return new Progress(new ProgressBar(err, client.terminal()), client.progressLines(err))
            .follow(body);
      }
      return items(new String(body.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new CliException("reading the answer: " + e.getMessage());
    }
  }

  private static List<String> items(String body) throws CliException {
    try {
      JsonArray items = new JsonObject(body).getJsonArray("items");
      List<String> paths = new ArrayList<>();
      items.forEach(item -> paths.add(String.valueOf(item)));
      return paths;
    } catch (DecodeException | ClassCastException | NullPointerException e) {
      throw new CliException("the gateway answered something else than {\"items\":[...]}: " + body);
    }
  }

  /** Follows one event stream to its end. */
  static final class Progress {
    private final ProgressBar bar;
    private final PrintWriter err;
    private final Set<String> open = new LinkedHashSet<>();
    private final List<String> archives = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private int lastQuarter = -1;

    Progress(ProgressBar bar, PrintWriter err) {
      this.bar = bar;
      this.err = err;
    }

    List<String> follow(InputStream body) throws IOException, CliException {
      SseReader.read(body, event -> {
        handle(event.name(), parse(event.data()));
        return true;
      });
      bar.clear();
      if (!failures.isEmpty()) {
        throw new CliException(String.join("; ", failures));
      }
      if (!open.isEmpty() || archives.isEmpty()) {
        throw new CliException("the event stream ended before the checkpoint finished"
            + (open.isEmpty() ? "" : " (" + String.join(", ", open) + ")"));
      }
      return archives;
    }

    private static JsonObject parse(String data) throws CliException {
      try {
        return new JsonObject(data);
      } catch (DecodeException e) {
        throw new CliException("an event that is not JSON: " + data);
      }
    }

    private void handle(String name, JsonObject data) {
      String container = data.getString("container", "?");
      switch (name) {
        case "queued" -> {
          open.add(container);
          line(container + ": queued at position " + data.getValue("position") + " ("
              + ProgressBar.bytes(data.getLong("bytesAhead", 0L)) + " ahead)");
        }
        case "started" -> {
          open.add(container);
          lastQuarter = -1;
          line(container + ": started (" + ProgressBar.bytes(data.getLong("weightBytes", 0L))
              + " of memory, about " + seconds(data.getValue("estimatedSeconds")) + ")");
        }
        case "progress" -> {
          double fraction = data.getDouble("estimatedFraction", 0.0);
          String detail = ProgressBar.bytes(data.getLong("archiveBytes", 0L)) + " written, "
              + seconds(data.getValue("elapsedSeconds"));
          if (bar.terminal()) {
            bar.show(container, fraction, detail);
          } else {
            int quarter = (int) Math.floor(Math.min(1, fraction) * 4);
            if (quarter > lastQuarter && quarter > 0) {
              lastQuarter = quarter;
              err.println(container + ": " + quarter * 25 + "% (" + detail + ")");
            }
          }
        }
        case "completed" -> {
          open.remove(container);
          JsonArray items = data.getJsonArray("items", new JsonArray());
          items.forEach(item -> archives.add(String.valueOf(item)));
          line(container + ": completed in " + seconds(data.getValue("durationSeconds")) + " ("
              + ProgressBar.bytes(data.getLong("archiveBytes", 0L)) + ")");
        }
        case "failed" -> {
          open.remove(container);
          String message = data.getString("message", "failed");
          failures.add(message);
          line(container + ": failed: " + message);
        }
        default -> {
          // An event this client does not know: newer gateways may send more.
        }
      }
    }

    private void line(String text) {
      bar.clear();
      err.println(text);
      err.flush();
    }

    private static String seconds(Object value) {
      return value instanceof Number n ? String.format(Locale.ROOT, "%.1fs", n.doubleValue()) : "?";
    }
  }
}
