package org.checkpointgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.StreamResetException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.checkpointgateway.sim.CheckpointObservation;
import org.checkpointgateway.sim.CheckpointObservation.Outcome;
import org.checkpointgateway.sim.SimulatorSeed;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.GatewayTestBase;
import org.checkpointgateway.support.HttpAnswer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Event streams to clients that do not read (the attack: 200 such clients grew the gateway's RSS
 * by 540 MB and made /healthz time out). The clients here are raw sockets with a tiny receive
 * buffer, or an HTTP/2 client that pauses its response. Loopback lets the kernel take about 2 MB
 * of a stalled socket's data before the gateway sees a full stream, so the raw-socket tests
 * stream a pod of 8 containers with progress every 2 ms (about 0.7 MB/s).
 */
class StreamBackpressureTest extends GatewayTestBase {

  static final long BUFFER = 4096;
  static final int CONTAINERS = 8;
  /**
   * Beyond the limit: the event that crossed it, and the started and terminal event of each
   * container, written whatever the stream holds (a few hundred bytes each).
   */
  static final long SLACK = 512 + CONTAINERS * 512;

  String token;

  @BeforeEach
  void addPods() {
    Await.result(fixture.runtime.addPods(SimulatorSeed.parse(pod("stalled", 120) + pod("burst", 10)
        + """
          - namespace: streams
            name: single
            containers:
              - {name: long, memoryBytes: 1048576, checkpointSeconds: 120}
        """, "stream pods")));
  }

  static String pod(String name, int checkpointSeconds) {
    StringBuilder yaml = new StringBuilder(name.equals("stalled") ? "pods:\n" : "")
        .append("  - namespace: streams\n    name: ").append(name).append("\n    containers:\n");
    for (int i = 1; i <= CONTAINERS; i++) {
      yaml.append("      - {name: c").append(i).append(", memoryBytes: 1048576, checkpointSeconds: ")
          .append(checkpointSeconds).append("}\n");
    }
    return yaml.toString();
  }

  void startGateway(String stallTimeout) {
    fixture.startGateway(fixture.settings()
        .override("maxConcurrent", "16", "--max-concurrent")
        .override("progressInterval", "2ms", "--progress-interval")
        .override("heartbeatInterval", "50ms", "--heartbeat-interval")
        .override("shutdownGrace", "0", "--shutdown-grace")
        .override("streams.bufferBytes", String.valueOf(BUFFER), "--stream-buffer-bytes")
        .override("streams.stallTimeout", stallTimeout, "--stream-stall-timeout")
        // The HTTP/2 case speaks h2c with prior knowledge, which the plain port offers on request.
        .override("http.h2c", "true", "--http-h2c"));
    token = fixture.adminToken();
  }

  @Test
  void aClientThatDoesNotReadCostsABoundedBufferAndStillGetsItsEnd() throws Exception {
    startGateway("60s");
    try (Socket client = stalledClient("POST", "/checkpoint/streams/burst")) {
      long[] most = {0};
      Await.until("progress to be dropped", () -> {
        most[0] = Math.max(most[0], (long) fixture.metric("event.stream.buffered"));
        return fixture.metric("event.stream.events.dropped") > 0;
      });
      // Meanwhile the gateway answers everyone else at once.
      assertHealthzAnswersQuickly();
      // Until the checkpoints end, what the gateway holds for this client stays under the limit.
      while (fixture.runtime.checkpointsCompleted() < CONTAINERS) {
        most[0] = Math.max(most[0], (long) fixture.metric("event.stream.buffered"));
        Thread.sleep(20); // the sampling interval, not a wait for a condition
      }
      assertThat(most[0]).isPositive().isLessThanOrEqualTo(BUFFER + SLACK);
      assertThat(fixture.runtime.checkpointsCancelled()).isZero();

      // The client reads at last: no terminal event was dropped, and the stream ended.
      String text = readToEnd(client);
      assertThat(text).startsWith("HTTP/1.1 200 OK").endsWith("\r\n0\r\n\r\n");
      for (int i = 1; i <= CONTAINERS; i++) {
        String container = "\"container\":\"c" + i + "\"";
        assertThat(text).contains("\"event\":\"started\"," + container)
            .contains("\"event\":\"completed\"," + container);
      }
      String lastEvent = text.substring(text.lastIndexOf("event: "));
      assertThat(lastEvent).startsWith("event: completed");
      // 10 s of progress every 2 ms for 8 containers is ~40,000 events; most were dropped.
      long progress = text.split("event: progress", -1).length - 1;
      assertThat(progress).isLessThan(30_000);
      assertThat(fixture.metric("event.stream.events.dropped")).isGreaterThan(10_000);
      assertThat(fixture.metric("event.stream.stalled")).isZero();
    }
    Await.until("nothing to be held", () -> fixture.metric("event.stream.buffered") == 0);
  }

  @Test
  void aClientThatNeverReadsIsClosedAfterTheStallTimeoutAndItsCheckpointCancelled() throws Exception {
    startGateway("1s");
    try (Socket client = stalledClient("POST", "/checkpoint/streams/stalled")) {
      Await.until("the stream to be given up on", () -> fixture.metric("event.stream.stalled") == 1);
      assertHealthzAnswersQuickly();
      Await.until("every checkpoint of the stream to be cancelled",
          () -> fixture.runtime.checkpointsCancelled() == CONTAINERS);
      assertThat(fixture.runtime.checkpointsCompleted()).isZero();
      // The connection is closed: what the kernel had taken arrives, then the end of the stream.
      String text = readToEnd(client);
      assertThat(text).startsWith("HTTP/1.1 200 OK").contains("event: started")
          .doesNotContain("event: completed");
    }
    Await.until("nothing to be held", () -> fixture.metric("event.stream.buffered") == 0);
    Await.until("the partial archive to go", () -> fixture.archives().isEmpty());
  }

  @Test
  void aJobWatcherThatNeverReadsIsClosedButTheJobRunsOn() throws Exception {
    startGateway("1s");
    HttpAnswer created = Await.result(fixture.requestJson(HttpMethod.POST, "/api/v1/checkpoints",
        token, "{\"namespace\":\"streams\",\"pod\":\"stalled\"}", Map.of()));
    assertThat(created.status()).isEqualTo(202);
    String job = "/api/v1/checkpoints/" + new JsonObject(created.body()).getString("id");
    try (Socket client = stalledClient("GET", job + "/events")) {
      Await.until("the watcher to be given up on", () -> fixture.metric("event.stream.stalled") == 1);
      assertThat(readToEnd(client)).contains("event: started").doesNotContain("event: failed");
    }
    // A job outlives its watchers: only DELETE cancels it.
    assertThat(new JsonObject(fixture.send(HttpMethod.GET, job, token).body()).getString("state"))
        .isEqualTo("running");
    assertThat(fixture.runtime.activeCheckpoints()).isEqualTo(CONTAINERS);
    assertThat(fixture.runtime.checkpointsCancelled()).isZero();
    assertThat(fixture.send(HttpMethod.DELETE, job, token).status()).isEqualTo(202);
    Await.until("the job's checkpoints to be cancelled",
        () -> fixture.runtime.checkpointsCancelled() == CONTAINERS);
    Await.until("nothing to be held", () -> fixture.metric("event.stream.buffered") == 0);
  }

  @Test
  void anHttp2StreamThatIsNotReadIsResetAloneAndItsCheckpointCancelled() {
    startGateway("1s");
    // h2c with prior knowledge; a paused response gives the server no flow-control credit back.
    HttpClient h2 = vertx.createHttpClient(new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false)
        .setDefaultHost("127.0.0.1").setDefaultPort(fixture.gateway.port()));
    Future<CheckpointObservation> ended = fixture.runtime.nextCheckpointEnded();
    Promise<Throwable> reset = Promise.promise();
    HttpClientResponse response = Await.result(fixture.onClientContext(() -> h2.request(
            new RequestOptions().setMethod(HttpMethod.POST).setURI("/checkpoint/streams/single/long")
                .putHeader("Authorization", "Bearer " + token).putHeader("Accept", "text/event-stream"))
        .compose(request -> request.send())
        .map(answer -> {
          answer.pause();
          answer.exceptionHandler(reset::tryComplete);
          return answer;
        })));
    assertThat(response.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(response.statusCode()).isEqualTo(200);

    Await.until("the stream to be given up on", () -> fixture.metric("event.stream.stalled") == 1);
    assertThat(fixture.metric("event.stream.events.dropped")).isPositive();
    assertThat(Await.result(ended).outcome()).isEqualTo(Outcome.CANCELLED);
    assertThat(Await.result(reset.future())).isInstanceOf(StreamResetException.class);
    // Only that stream was reset: the connection carries the next request.
    HttpAnswer health = Await.result(fixture.onClientContext(() -> h2.request(HttpMethod.GET, "/healthz")
        .compose(request -> request.send()).compose(HttpAnswer::read)));
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.version()).isEqualTo(HttpVersion.HTTP_2);
    Await.until("nothing to be held", () -> fixture.metric("event.stream.buffered") == 0);
    Await.result(h2.close());
  }

  /**
   * Sends one request with {@code Accept: text/event-stream} over a socket whose receive buffer
   * is as small as the kernel allows, and reads nothing.
   */
  Socket stalledClient(String method, String uri) throws IOException {
    Socket socket = new Socket();
    // Before connecting, so that the window the client offers is small from the start.
    socket.setReceiveBufferSize(1024);
    socket.connect(new InetSocketAddress("127.0.0.1", fixture.gateway.port()));
    socket.getOutputStream().write((method + " " + uri + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Authorization: Bearer " + token + "\r\nAccept: text/event-stream\r\n"
        + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    return socket;
  }

  /** Everything until the stream's last chunk, or until the gateway closes the connection. */
  static String readToEnd(Socket socket) throws IOException {
    socket.setSoTimeout((int) Await.DEFAULT.toMillis());
    InputStream in = socket.getInputStream();
    StringBuilder text = new StringBuilder();
    byte[] chunk = new byte[8192];
    try {
      for (int n; (n = in.read(chunk)) >= 0; ) {
        text.append(new String(chunk, 0, n, StandardCharsets.UTF_8));
        if (text.toString().endsWith("\r\n0\r\n\r\n")) {
          break;
        }
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the stream neither ended nor closed: " + tail(text), e);
    } catch (SocketException reset) {
      // closed with unread bytes on our side: a reset is an end too
    }
    return text.toString();
  }

  private static String tail(StringBuilder text) {
    return text.substring(Math.max(0, text.length() - 300));
  }

  void assertHealthzAnswersQuickly() {
    AtomicLong took = new AtomicLong();
    for (int i = 0; i < 5; i++) {
      long start = System.nanoTime();
      assertThat(fixture.send(HttpMethod.GET, "/healthz", null).status()).isEqualTo(200);
      took.set(Math.max(took.get(), System.nanoTime() - start));
    }
    // Stalled streams never free a loop that they block; seconds of slack for a loaded machine.
    assertThat(took.get() / 1_000_000).as("slowest /healthz, ms").isLessThan(3000);
  }
}
