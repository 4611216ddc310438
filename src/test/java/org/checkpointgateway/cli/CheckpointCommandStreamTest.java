package org.checkpointgateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.StrictVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The checkpoint command against a small real server that streams progress the way the gateway's
 * streaming route is specified to (event: name, data: one-line JSON, ':' heartbeats), so the
 * client is proven before that route lands.
 */
class CheckpointCommandStreamTest {

  Vertx vertx;
  HttpServer server;
  final List<String> accepts = new CopyOnWriteArrayList<>();
  volatile List<String[]> script = List.of();

  @BeforeEach
  void start() {
    vertx = StrictVertx.create();
    Router router = Router.router(vertx);
    router.post("/checkpoint/:namespace/:pod/:container").handler(ctx -> stream(ctx.request().getHeader("Accept"), ctx.response()));
    router.post("/checkpoint/:namespace/:pod").handler(ctx -> stream(ctx.request().getHeader("Accept"), ctx.response()));
    server = Await.result(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
  }

  @AfterEach
  void stop() {
    Await.result(vertx.close());
    StrictVertx.assertNeverBlocked(vertx);
  }

  /** Writes the script's events one by one, 10 ms apart, with a heartbeat first. */
  void stream(String accept, HttpServerResponse response) {
    accepts.add(String.valueOf(accept));
    response.setChunked(true).putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache");
    response.write(":\n\n");
    List<String[]> events = script;
    writeFrom(response, events, 0);
  }

  void writeFrom(HttpServerResponse response, List<String[]> events, int i) {
    if (i == events.size()) {
      response.end();
      return;
    }
    vertx.setTimer(10, id -> {
      response.write("event: " + events.get(i)[0] + "\ndata: " + events.get(i)[1] + "\n\n");
      writeFrom(response, events, i + 1);
    });
  }

  static final String[] QUEUED = {"queued", "{\"container\":\"app\",\"position\":3,\"bytesAhead\":123456}"};
  static final String[] STARTED = {"started", "{\"container\":\"app\",\"containerId\":\"abc\",\"weightBytes\":67108864,\"estimatedSeconds\":1.5}"};
  static String[] progress(double fraction, long bytes) {
    return new String[] {"progress", "{\"container\":\"app\",\"elapsedSeconds\":0.8,\"estimatedFraction\":" + fraction
        + ",\"archiveBytes\":" + bytes + ",\"estimate\":true}"};
  }
  static final String[] COMPLETED = {"completed", "{\"container\":\"app\",\"items\":[\"/var/lib/kubelet/checkpoints/a.tar\"],\"archiveBytes\":1050000,\"durationSeconds\":1.6}"};

  @Test
  void followsTheStreamToTheArchivePath() {
    script = List.of(QUEUED, STARTED, progress(0.3, 300000), progress(0.53, 1048576),
        progress(0.9, 2000000), COMPLETED);
    CommandRun run = run("default/demo/app");

    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo("/var/lib/kubelet/checkpoints/a.tar\n");
    assertThat(run.err()).isEqualTo("""
        app: queued at position 3 (120.6 KiB ahead)
        app: started (64.0 MiB of memory, about 1.5s)
        app: 25% (293.0 KiB written, 0.8s)
        app: 50% (1.0 MiB written, 0.8s)
        app: 75% (1.9 MiB written, 0.8s)
        app: completed in 1.6s (1.0 MiB)
        """);
    assertThat(accepts).singleElement().asString().startsWith("text/event-stream");
  }

  @Test
  void aFailedEventExitsOneWithTheServersMessage() {
    script = List.of(STARTED, progress(0.2, 1000), new String[] {"failed",
        "{\"container\":\"app\",\"status\":500,\"message\":\"checkpointing of default/demo/app failed (rpc error: code = Unknown desc = CRIU dump failed)\"}"});
    CommandRun run = run("default/demo/app");

    assertThat(run.code()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).endsWith("checkpoint: checkpointing of default/demo/app failed "
        + "(rpc error: code = Unknown desc = CRIU dump failed)\n");
  }

  @Test
  void aStreamThatEndsEarlyIsAFailure() {
    script = List.of(QUEUED, STARTED, progress(0.5, 1000));
    CommandRun run = run("default/demo/app");
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).contains("the event stream ended before the checkpoint finished (app)");
  }

  @Test
  void everyContainerOfAPod() {
    script = List.of(
        new String[] {"started", "{\"container\":\"app\",\"weightBytes\":1,\"estimatedSeconds\":0.1}"},
        new String[] {"queued", "{\"container\":\"sidecar\",\"position\":1,\"bytesAhead\":1}"},
        new String[] {"completed", "{\"container\":\"app\",\"items\":[\"/a.tar\"],\"archiveBytes\":1,\"durationSeconds\":0.1}"},
        new String[] {"started", "{\"container\":\"sidecar\",\"weightBytes\":1,\"estimatedSeconds\":0.1}"},
        new String[] {"completed", "{\"container\":\"sidecar\",\"items\":[\"/b.tar\"],\"archiveBytes\":1,\"durationSeconds\":0.1}"});
    CommandRun run = run("default/demo");
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo("/a.tar\n/b.tar\n");
  }

  @Test
  void onATerminalTheProgressIsABarRedrawnInPlace() {
    script = List.of(STARTED, progress(0.5, 1048576), COMPLETED);
    CommandRun run = run("default/demo/app", "--progress=always");
    assertThat(run.code()).isZero();
    assertThat(run.err()).contains("\rapp [###############               ]  50% 1.0 MiB written, 0.8s");
    assertThat(run.err()).contains("app: completed in 1.6s");
  }

  CommandRun run(String target, String... more) {
    String[] args = new String[2 + more.length];
    args[0] = target;
    args[1] = "--server=http://127.0.0.1:" + server.actualPort();
    System.arraycopy(more, 0, args, 2, more.length);
    return CommandRun.of(new CommandLine(new CheckpointCommand()), args);
  }
}
