package org.checkpointgateway.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jobs ls|show|create|cancel|watch}: the jobs API ({@code /api/v1/checkpoints}) from the
 * command line. Against a fleet member every member's jobs are listed, and a job of any member
 * is shown, cancelled and watched through any member.
 */
@Command(name = "jobs", mixinStandardHelpOptions = true,
    description = "List, show, create, cancel and watch checkpoint jobs.",
    subcommands = {JobsCommand.Ls.class, JobsCommand.Show.class, JobsCommand.Create.class,
        JobsCommand.Cancel.class, JobsCommand.Watch.class})
public final class JobsCommand implements Callable<Integer> {

  static final String API = "/api/v1/checkpoints";

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  /** What every sub-command shares (ClientSubcommand). */
  abstract static class Sub extends ClientSubcommand {
  }

  /** A sub-command with an {@code -o} switch. */
  abstract static class Formatted extends Sub {
    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
        description = "text or json (the API's answer)")
    String format;

    boolean json() throws CliException {
      return switch (format) {
        case "json" -> true;
        case "text", "table" -> false;
        default -> throw new CliException("--output " + format + ": use text or json", 2);
      };
    }
  }

  @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true,
      description = "List the jobs you may see, newest first (in a fleet: every member's).")
  static final class Ls extends Formatted {
    @Option(names = "--namespace", paramLabel = "NS", description = "only this namespace's jobs")
    String namespace;
    @Option(names = "--limit", paramLabel = "N",
        description = "at most N jobs (default: the gateway's, 100)")
    Integer limit;

    @Override
    void run(GatewayClient gateway, PrintWriter out, PrintWriter err) throws CliException {
      boolean json = json();
      if (limit != null && limit < 1) {
        throw new CliException("--limit must be at least 1", 2);
      }
      StringBuilder query = new StringBuilder();
      if (namespace != null) {
        query.append("?namespace=").append(URLEncoder.encode(namespace, StandardCharsets.UTF_8));
      }
      if (limit != null) {
        query.append(query.length() == 0 ? '?' : '&').append("limit=").append(limit);
      }
      JsonObject answer = gateway.json("GET", API + query);
      if (json) {
        out.println(answer.encodePrettily());
      } else {
        JsonArray items = answer.getJsonArray("items", new JsonArray());
        // A fleet member's jobs each name their node: then a NODE column.
        boolean fleet = items.stream().anyMatch(item -> ((JsonObject) item).containsKey("node"));
        List<String[]> rows = new ArrayList<>();
        rows.add(fleet
            ? new String[] {"ID", "NODE", "NAMESPACE/POD/CONTAINER", "STATE", "AGE", "TOOK", "RESULT"}
            : new String[] {"ID", "NAMESPACE/POD/CONTAINER", "STATE", "AGE", "TOOK", "RESULT"});
        Instant now = Instant.now();
        for (Object item : items) {
          JsonObject job = (JsonObject) item;
          List<String> row = new ArrayList<>(List.of(job.getString("id")));
          if (fleet) {
            row.add(ArchivesCommand.dash(job.getString("node")));
          }
          row.addAll(List.of(target(job), job.getString("state", "-"),
              age(instant(job, "createdAt"), now), took(job), result(job)));
          rows.add(row.toArray(String[]::new));
        }
        ArchivesCommand.table(out, rows);
      }
      if (answer.containsKey("unavailable")) {
        err.println("no answer from node " + String.join(", node ",
            answer.getJsonArray("unavailable").getList())
            + ": its jobs are shown as last recorded");
      }
    }
  }

  @Command(name = "show", aliases = "get", mixinStandardHelpOptions = true,
      description = "Show one job.")
  static final class Show extends Formatted {
    @Parameters(paramLabel = "ID") String id;

    @Override
    void run(GatewayClient gateway, PrintWriter out, PrintWriter err) throws CliException {
      boolean json = json();
      JsonObject job = gateway.json("GET", path(id));
      if (json) {
        out.println(job.encodePrettily());
        return;
      }
      Instant now = Instant.now();
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"ID", job.getString("id")});
      if (job.containsKey("node")) {
        rows.add(new String[] {"Node", job.getString("node")});
      }
      rows.add(new String[] {"Target", target(job)
          + (job.containsKey("container") ? "" : " (every container)")});
      rows.add(new String[] {"State", job.getString("state", "-")});
      rows.add(new String[] {"Created", ArchivesCommand.dash(job.getString("createdAt"))
          + " (" + age(instant(job, "createdAt"), now) + " ago)"});
      rows.add(new String[] {"Started", ArchivesCommand.dash(job.getString("startedAt"))});
      rows.add(new String[] {"Finished", job.containsKey("finishedAt")
          ? job.getString("finishedAt") + " (took " + took(job) + ")" : "-"});
      rows.add(new String[] {"Timeout", job.getValue("timeoutSeconds", "-") + " s"});
      JsonArray items = job.getJsonArray("items", new JsonArray());
      for (int i = 0; i < Math.max(1, items.size()); i++) {
        rows.add(new String[] {i == 0 ? "Archives" : "", items.isEmpty() ? "none"
            : String.valueOf(items.getValue(i))});
      }
      JsonObject error = job.getJsonObject("error");
      if (error != null) {
        rows.add(new String[] {"Error", error.getString("message", "-") + " (HTTP "
            + error.getValue("status", "?") + " " + error.getString("reason", "") + ")"});
      }
      ArchivesCommand.table(out, rows);
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Start a job for a container (NS/POD/CONTAINER) or every container of a pod "
          + "(NS/POD); print its id.")
  static final class Create extends Formatted {
    @Parameters(paramLabel = "NS/POD[/CONTAINER]") String target;
    @Option(names = "--timeout", paramLabel = "SECONDS",
        description = "how long the job may take (default: the gateway's)")
    Long timeoutSeconds;
    @Option(names = "--idempotency-key", paramLabel = "KEY",
        description = "a repeated create with the same key and target answers the same job")
    String idempotencyKey;
    @Option(names = "--watch", description = "then follow its events as `jobs watch` does")
    boolean watch;

    @Override
    void run(GatewayClient gateway, PrintWriter out, PrintWriter err) throws CliException {
      boolean json = json();
      String[] parts = target.split("/", -1);
      if (parts.length < 2 || parts.length > 3 || List.of(parts).stream().anyMatch(String::isBlank)) {
        throw new CliException("'" + target + "': expected NAMESPACE/POD or NAMESPACE/POD/CONTAINER", 2);
      }
      if (timeoutSeconds != null && timeoutSeconds < 1) {
        throw new CliException("--timeout must be at least 1 second", 2);
      }
      JsonObject body = new JsonObject().put("namespace", parts[0]).put("pod", parts[1]);
      if (parts.length == 3) {
        body.put("container", parts[2]);
      }
      if (timeoutSeconds != null) {
        body.put("timeoutSeconds", timeoutSeconds);
      }
      HttpRequest.Builder request = gateway.request(API)
          .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
          .header("Content-Type", "application/json");
      if (idempotencyKey != null) {
        request.header("Idempotency-Key", idempotencyKey);
      }
      JsonObject job = gateway.json(request);
      String id = job.getString("id");
      if (!watch) {
        out.println(json ? job.encodePrettily() : id);
        return;
      }
      client.progressLines(err).println("job " + id);
      follow(gateway, client, id, json, out, err);
    }
  }

  @Command(name = "cancel", mixinStandardHelpOptions = true,
      description = "Cancel a queued or running job (its partial archive is removed).")
  static final class Cancel extends Sub {
    @Parameters(paramLabel = "ID") String id;

    @Override
    void run(GatewayClient gateway, PrintWriter out, PrintWriter err) throws CliException {
      JsonObject job = gateway.json("DELETE", path(id));
      out.println("cancelled " + id + " (it was " + job.getString("state", "?") + ")");
    }
  }

  @Command(name = "watch", mixinStandardHelpOptions = true,
      description = "Follow a job's events until it ends; print its archives. Exit 0 when it "
          + "succeeded, 1 when it failed or was cancelled.")
  static final class Watch extends Sub {
    @Parameters(paramLabel = "ID") String id;
    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
        description = "text (the archive paths) or json (the job as it ended)")
    String format;

    @Override
    void run(GatewayClient gateway, PrintWriter out, PrintWriter err) throws CliException {
      if (!format.equals("text") && !format.equals("json")) {
        throw new CliException("--output " + format + ": use text or json", 2);
      }
      follow(gateway, client, id, format.equals("json"), out, err);
    }
  }

  /**
   * Shows the job's events (past ones replayed, then live) as the checkpoint command shows its
   * own, then reads the job: its final state, not the stream, says how it ended (a stream that
   * breaks says nothing about the job).
   */
  static void follow(GatewayClient gateway, ClientOptions client, String id, boolean json,
      PrintWriter out, PrintWriter err) throws CliException {
    HttpResponse<InputStream> response = gateway.send(gateway.request(path(id) + "/events")
            .GET().header("Accept", "text/event-stream").build(),
        HttpResponse.BodyHandlers.ofInputStream());
    if (response.statusCode() != 200) {
      throw gateway.failure(response);
    }
    CheckpointCommand.Progress progress = new CheckpointCommand.Progress(
        new ProgressBar(err, client.terminal()), client.progressLines(err));
    try (InputStream body = response.body()) {
      progress.follow(body);
    } catch (CliException | IOException reported) {
      // A failure was shown as its event; a broken stream: the job's state tells what is known.
    }
    JsonObject job = gateway.json("GET", path(id));
    String state = job.getString("state", "?");
    if (json) {
      out.println(job.encodePrettily());
    } else if (state.equals("succeeded")) {
      job.getJsonArray("items", new JsonArray()).forEach(out::println);
    }
    JsonObject error = job.getJsonObject("error");
    switch (state) {
      case "succeeded" -> {
      }
      case "failed", "cancelled" -> throw new CliException(error != null
          ? error.getString("message", "job " + id + " " + state)
          : "job " + id + " " + (state.equals("failed") ? "failed" : "was cancelled"));
      default -> throw new CliException("the event stream ended before job " + id
          + " finished (it is " + state + "); watch it again");
    }
  }

  /** A job's path; an id with characters no job id has is a usage error. */
  static String path(String id) throws CliException {
    if (id.isEmpty() || !id.matches("[A-Za-z0-9@._-]+")) {
      throw new CliException("'" + id + "' is not a job id", 2);
    }
    return API + "/" + id;
  }

  private static String target(JsonObject job) {
    return job.getString("namespace", "?") + "/" + job.getString("pod", "?")
        + (job.containsKey("container") ? "/" + job.getString("container") : "");
  }

  /** The outcome in a few words: the archives made, or the failure's message. */
  private static String result(JsonObject job) {
    JsonObject error = job.getJsonObject("error");
    if (error != null) {
      return error.getString("message", "-");
    }
    int archives = job.getJsonArray("items", new JsonArray()).size();
    return archives == 0 ? "-" : archives + (archives == 1 ? " archive" : " archives");
  }

  private static Instant instant(JsonObject job, String key) {
    try {
      return job.containsKey(key) ? Instant.parse(job.getString(key)) : null;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** How long a finished job took (from its start, else its creation); "-" until it ends. */
  private static String took(JsonObject job) {
    Instant from = instant(job, "startedAt") != null ? instant(job, "startedAt")
        : instant(job, "createdAt");
    Instant to = instant(job, "finishedAt");
    if (from == null || to == null) {
      return "-";
    }
    return String.format(Locale.ROOT, "%.1fs", Duration.between(from, to).toMillis() / 1000.0);
  }

  /** The time since {@code at} as people read it: 42s, 5m, 3h, 2d. */
  static String age(Instant at, Instant now) {
    if (at == null) {
      return "-";
    }
    long seconds = Math.max(0, Duration.between(at, now).toSeconds());
    if (seconds < 120) {
      return seconds + "s";
    }
    if (seconds < 120 * 60) {
      return seconds / 60 + "m";
    }
    if (seconds < 48 * 3600) {
      return seconds / 3600 + "h";
    }
    return seconds / 86400 + "d";
  }
}
