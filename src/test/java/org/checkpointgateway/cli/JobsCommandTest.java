package org.checkpointgateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.checkpointgateway.MainAccess;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.GatewayFixture;
import org.checkpointgateway.support.StrictVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jobs ls|show|create|cancel|watch} against a running gateway (in process, real sockets). */
class JobsCommandTest {

  @TempDir
  Path dir;
  @TempDir
  Path work;
  Vertx vertx;
  GatewayFixture fixture;
  Path adminToken;

  @BeforeEach
  void start() throws IOException {
    vertx = StrictVertx.create();
    fixture = GatewayFixture.withRuntime(vertx, dir).startGateway();
    adminToken = tokenFile("admin", fixture.token("admin", "checkpoint:*"));
  }

  @AfterEach
  void stop() {
    fixture.close();
    Await.result(vertx.close());
    StrictVertx.assertNeverBlocked(vertx);
  }

  Path tokenFile(String name, String token) throws IOException {
    return Files.writeString(work.resolve(name + ".token"), token + "\n");
  }

  CommandRun cli(Path token, String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.add("--server=http://127.0.0.1:" + fixture.gateway.port());
    if (token != null) {
      all.add("--token-file=" + token);
    }
    return CommandRun.of(MainAccess.commandLine(), all.toArray(String[]::new));
  }

  String create(String target) {
    CommandRun run = cli(adminToken, "jobs", "create", target);
    assertThat(run.code()).as(run.err()).isZero();
    return run.out().strip();
  }

  String state(String id) {
    CommandRun show = cli(adminToken, "jobs", "show", id, "-o", "json");
    assertThat(show.code()).as(show.err()).isZero();
    return new JsonObject(show.out()).getString("state");
  }

  @Test
  void aJobIsCreatedWatchedToItsArchivesShownAndListed() {
    String id = create("default/demo/app");
    assertThat(id).matches("[0-9a-f-]{36}");

    CommandRun watch = cli(adminToken, "jobs", "watch", id, "--progress", "plain");
    assertThat(watch.code()).as(watch.err()).isZero();
    assertThat(watch.out().strip().lines()).singleElement().asString()
        .startsWith(fixture.checkpointDir.toAbsolutePath() + "/checkpoint-demo_default-app-");
    assertThat(watch.err()).startsWith("app: started (").contains("app: completed in ");
    String archive = watch.out().strip();

    CommandRun show = cli(adminToken, "jobs", "show", id);
    assertThat(show.code()).as(show.err()).isZero();
    assertThat(show.out()).contains("ID        " + id)
        .contains("Target    default/demo/app\n")
        .contains("State     succeeded")
        .contains("Archives  " + archive)
        .containsPattern("Created   \\S+Z \\(\\d+s ago\\)")
        .containsPattern("Finished  \\S+Z \\(took \\d+\\.\\ds\\)")
        .doesNotContain("Node", "Error");

    String whole = create("default/mixed");
    CommandRun failed = cli(adminToken, "jobs", "watch", whole, "--progress", "never");
    assertThat(failed.code()).isEqualTo(1);

    CommandRun ls = cli(adminToken, "jobs", "ls");
    assertThat(ls.code()).as(ls.err()).isZero();
    List<String> lines = ls.out().lines().toList();
    assertThat(lines.get(0)).isEqualTo(String.format("%-38s%-25s%-11s%-5s%-6s%s", "ID",
        "NAMESPACE/POD/CONTAINER", "STATE", "AGE", "TOOK", "RESULT"));
    // Newest first: the whole pod's job, failed for one container, then the container's.
    assertThat(lines.get(1)).startsWith(whole + "  default/mixed            failed     ")
        .contains("CRIU dump failed");
    assertThat(lines.get(2)).startsWith(id + "  default/demo/app         succeeded  ")
        .endsWith("1 archive");
    assertThat(lines).hasSize(3);

    CommandRun json = cli(adminToken, "jobs", "ls", "--namespace", "default", "--limit", "1",
        "-o", "json");
    assertThat(json.code()).as(json.err()).isZero();
    assertThat(new JsonObject(json.out()).getJsonArray("items")).singleElement()
        .satisfies(job -> assertThat(((JsonObject) job).getString("id")).isEqualTo(whole));
    assertThat(cli(adminToken, "jobs", "ls", "--namespace", "team-a").out().lines()).hasSize(1);
  }

  @Test
  void aFailedJobExitsOneWithItsMessage() {
    String id = create("default/demo/broken");
    CommandRun watch = cli(adminToken, "jobs", "watch", id, "--progress", "plain");
    assertThat(watch.code()).isEqualTo(1);
    assertThat(watch.out()).isEmpty();
    assertThat(watch.err()).startsWith("broken: started")
        .endsWith("jobs watch: checkpointing of default/demo/broken failed (rpc error: "
            + "code = Unknown desc = CRIU dump failed)\n");
    CommandRun show = cli(adminToken, "jobs", "show", id);
    assertThat(show.out()).contains("State     failed")
        .contains("Error     checkpointing of default/demo/broken failed (rpc error: code = "
            + "Unknown desc = CRIU dump failed) (HTTP 500 ");
  }

  @Test
  void aRunningJobIsCancelledAndItsWatcherExitsOne() {
    String id = create("default/demo/slow");
    // Watched from the start: the watcher sees it start, then end cancelled.
    java.util.concurrent.CompletableFuture<CommandRun> watching =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> cli(adminToken, "jobs", "watch",
            id, "--progress", "plain"));
    Await.until("the job running", Duration.ofSeconds(20), Duration.ofMillis(50),
        () -> state(id).equals("running"));
    CommandRun cancel = cli(adminToken, "jobs", "cancel", id);
    assertThat(cancel.code()).as(cancel.err()).isZero();
    assertThat(cancel.out()).isEqualTo("cancelled " + id + " (it was running)\n");

    CommandRun watch = watching.orTimeout(20, java.util.concurrent.TimeUnit.SECONDS).join();
    assertThat(watch.code()).isEqualTo(1);
    assertThat(watch.err()).startsWith("slow: started").contains("slow: failed: ")
        .containsPattern("jobs watch: .*context canceled");
    assertThat(state(id)).isEqualTo("cancelled");

    CommandRun again = cli(adminToken, "jobs", "cancel", id);
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err()).isEqualTo("jobs cancel: job " + id + " has already cancelled (HTTP 409)\n");
  }

  @Test
  void createOptionsReachTheJob() {
    CommandRun first = cli(adminToken, "jobs", "create", "default/demo/app", "--timeout", "17",
        "--idempotency-key", "k-1", "-o", "json");
    assertThat(first.code()).as(first.err()).isZero();
    JsonObject job = new JsonObject(first.out());
    assertThat(job.getLong("timeoutSeconds")).isEqualTo(17);
    // The same key and body: the same job.
    assertThat(create("default/demo/app")).isNotEqualTo(job.getString("id"));
    CommandRun repeated = cli(adminToken, "jobs", "create", "default/demo/app", "--timeout", "17",
        "--idempotency-key", "k-1");
    assertThat(repeated.out().strip()).isEqualTo(job.getString("id"));

    CommandRun watched = cli(adminToken, "jobs", "create", "default/demo/sidecar", "--watch",
        "--progress", "never");
    assertThat(watched.code()).as(watched.err()).isZero();
    assertThat(watched.err()).isEmpty();
    assertThat(watched.out().strip()).contains("checkpoint-demo_default-sidecar-");
  }

  @Test
  void aMissingJobOrABadIdIsOneLineNeverAStackTrace() throws IOException {
    String missing = "0b6d2a63-8f0e-4a57-9d4e-3c7e1b0d9a11";
    for (String sub : List.of("show", "cancel", "watch")) {
      CommandRun run = cli(adminToken, "jobs", sub, missing);
      assertThat(run.code()).as(sub).isEqualTo(1);
      assertThat(run.err()).isEqualTo("jobs " + sub + ": no checkpoint job " + missing
          + " (HTTP 404)\n");
      assertThat(run.out()).isEmpty();
    }
    // Another tenant's job does not exist for this caller.
    String id = create("default/demo/app");
    Path tenant = tokenFile("tenant", fixture.token("tenant", "checkpoint:create:team-a"));
    assertThat(cli(tenant, "jobs", "show", id).err())
        .isEqualTo("jobs show: no checkpoint job " + id + " (HTTP 404)\n");
    assertThat(cli(tenant, "jobs", "ls").out()).doesNotContain(id);

    CommandRun bad = cli(adminToken, "jobs", "show", "../archives");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).isEqualTo("jobs show: '../archives' is not a job id\n");
    assertThat(cli(adminToken, "jobs", "create", "just-a-name").code()).isEqualTo(2);
    assertThat(cli(adminToken, "jobs", "ls", "-o", "yaml").err())
        .isEqualTo("jobs ls: --output yaml: use text or json\n");

    CommandRun anonymous = cli(null, "jobs", "ls");
    assertThat(anonymous.code()).isEqualTo(1);
    assertThat(anonymous.err()).isEqualTo("jobs ls: Unauthorized (HTTP 401): no token was "
        + "sent; pass one with --token-file FILE or in $CHECKPOINT_GATEWAY_TOKEN\n");
    CommandRun nobody = CommandRun.of(MainAccess.commandLine(), "jobs", "ls",
        "--server=http://127.0.0.1:1");
    assertThat(nobody.code()).isEqualTo(1);
    assertThat(nobody.err()).startsWith("jobs ls: cannot connect to http://127.0.0.1:1")
        .doesNotContain("Exception");
  }

  /** A fleet member that could not ask every other one: the listing names them on stderr. */
  @Test
  void membersThatDidNotAnswerAreNamedOnStderr() throws IOException {
    Instant created = Instant.now().minusSeconds(300);
    String listing = new JsonObject().put("items", new io.vertx.core.json.JsonArray().add(
            new JsonObject().put("id", "3f0c5a1e-1111-4222-8333-944445555666@n2").put("node", "n2")
                .put("namespace", "ns").put("pod", "web").put("state", "running")
                .put("createdAt", created.toString()).put("startedAt", created.toString())
                .put("items", new io.vertx.core.json.JsonArray())))
        .put("unavailable", new io.vertx.core.json.JsonArray().add("n3").add("n4")).encode();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/api/v1/checkpoints", exchange -> {
      byte[] body = listing.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    try {
      CommandRun run = CommandRun.of(MainAccess.commandLine(), "jobs", "ls",
          "--server=http://127.0.0.1:" + server.getAddress().getPort());
      assertThat(run.code()).as(run.err()).isZero();
      String columns = "%-41s%-6s%-25s%-9s%-5s%-6s%s";
      assertThat(run.out().lines().toList()).containsExactly(
          String.format(columns, "ID", "NODE", "NAMESPACE/POD/CONTAINER", "STATE", "AGE", "TOOK",
              "RESULT"),
          String.format(columns, "3f0c5a1e-1111-4222-8333-944445555666@n2", "n2", "ns/web",
              "running", "5m", "-", "-"));
      assertThat(run.err()).isEqualTo(
          "no answer from node n3, node n4: its jobs are shown as last recorded\n");
    } finally {
      server.stop(0);
    }
  }
}
