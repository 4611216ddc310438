package org.checkpointgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.StreamResetException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.checkpointgateway.config.Settings;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.GatewayTestBase;
import org.checkpointgateway.support.HttpAnswer;
import org.checkpointgateway.support.RawHttp;
import org.junit.jupiter.api.Test;

/**
 * Connections a caller holds open: the headers of a request have a deadline, an idle connection
 * is closed, a connection waiting for its checkpoint is not, and beyond the limit a connection
 * gets a 503 it can read while the others go on.
 */
class ConnectionLimitsTest extends GatewayTestBase {

  private static final String HEALTHZ = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";

  private Settings limits(String headerTimeout, String idleTimeout, String maxConnections) {
    return fixture.settings()
        .override("http.headerTimeout", headerTimeout, "--http-header-timeout")
        .override("http.idleTimeout", idleTimeout, "--http-idle-timeout")
        .override("http.maxConnections", maxConnections, "--max-connections");
  }

  @Test
  void headersSentByteByByteAreCutAtTheHeaderTimeout() {
    fixture.startGateway(limits("1s", "60s", "100"));
    assertSlowlorisCut();
  }

  /** With h2c Vert.x hands a connection over only after its first request: timed from the accept. */
  @Test
  void withH2cTheFirstHeadersAreCutAtTheHeaderTimeoutToo() {
    fixture.startGateway(limits("1s", "60s", "100").override("http.h2c", "true", "--http-h2c"));
    assertSlowlorisCut();
  }

  private void assertSlowlorisCut() {
    try (RawHttp slowloris = RawHttp.connect(fixture.gateway.port())) {
      long begun = System.nanoTime();
      slowloris.send("GET /healthz HTTP/1.1\r\nHost: x\r\n");
      String header = "X-Slow: " + "a".repeat(100);
      // A byte every 100 ms keeps any read-idle timer from firing; the deadline still does.
      boolean open = true;
      for (int i = 0; i < header.length() && open; i++) {
        open = slowloris.trySend(header.substring(i, i + 1));
        sleepPollInterval();
      }
      Duration held = Duration.ofNanos(System.nanoTime() - begun).plus(slowloris.awaitClosed());
      assertThat(held).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
    }
  }

  @Test
  void aConnectionThatSendsNothingIsClosedAtTheHeaderTimeout() {
    fixture.startGateway(limits("1s", "60s", "100"));
    try (RawHttp silent = RawHttp.connect(fixture.gateway.port())) {
      assertThat(silent.awaitClosed()).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
    }
  }

  @Test
  void anIdleKeptAliveConnectionIsClosedAtTheIdleTimeout() {
    fixture.startGateway(limits("10s", "1s", "100"));
    try (RawHttp http = RawHttp.connect(fixture.gateway.port())) {
      assertThat(http.send(HEALTHZ).read().status()).isEqualTo(200);
      assertThat(http.send(HEALTHZ).read().status()).isEqualTo(200);
      assertThat(http.awaitClosed()).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
    }
  }

  @Test
  void aConnectionWaitingForItsCheckpointIsNeverIdle() {
    fixture.startGateway(limits("1s", "1s", "100"));
    try (RawHttp http = RawHttp.connect(fixture.gateway.port())) {
      long begun = System.nanoTime();
      // A plain kubelet POST: nothing moves on the connection until the answer, at 3 s.
      RawHttp.Response answer = http.send("POST /checkpoint/default/demo/slow?timeout=3 HTTP/1.1\r\n"
          + "Host: x\r\nAuthorization: Bearer " + fixture.adminToken() + "\r\n\r\n").read();
      assertThat(Duration.ofNanos(System.nanoTime() - begun)).isGreaterThan(Duration.ofMillis(2900));
      assertThat(answer.status()).isEqualTo(500);
      assertThat(answer.body()).startsWith(
          "checkpointing of default/demo/slow failed (rpc error: code = DeadlineExceeded");
      // Kept alive after its answer, then idle like any other.
      assertThat(http.send(HEALTHZ).read().status()).isEqualTo(200);
      assertThat(http.awaitClosed()).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
    }
  }

  @Test
  void anHttp2ConnectionIsIdleOnlyWithNoStreamOpen() {
    fixture.startGateway(limits("1s", "1s", "100").override("http.h2c", "true", "--http-h2c"));
    HttpClient h2c = vertx.createHttpClient(new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
    String token = fixture.adminToken();
    Promise<HttpConnection> connection = Promise.promise();
    HttpAnswer answer = Await.result(fixture.onClientContext(() -> h2c.request(HttpMethod.POST,
            fixture.gateway.port(), "127.0.0.1", "/checkpoint/default/demo/slow?timeout=3")
        .compose(request -> {
          connection.tryComplete(request.connection());
          return request.putHeader("Authorization", "Bearer " + token).send();
        })
        .compose(HttpAnswer::read)));
    assertThat(answer.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(answer.body()).contains("DeadlineExceeded");
    Promise<Void> closed = Promise.promise();
    long answered = System.nanoTime();
    connection.future().result().closeHandler(closed::tryComplete);
    Await.result(closed.future());
    assertThat(Duration.ofNanos(System.nanoTime() - answered)).isLessThan(Duration.ofSeconds(5));
  }

  /**
   * A body trickled after whole headers gets 408 at the header timeout, and a caller that keeps
   * sending is cut one header timeout later: it held the connection for as long as it sent.
   */
  @Test
  void aBodySentByteByByteIsAnswered408AtTheHeaderTimeout() {
    fixture.startGateway(limits("1s", "60s", "100"));
    try (RawHttp trickle = RawHttp.connect(fixture.gateway.port())) {
      long begun = System.nanoTime();
      String body = "{\"namespace\":\"default\",\"pod\":\"demo\"}" + " ".repeat(200);
      trickle.send("POST /api/v1/checkpoints HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
          + fixture.token("reader", "checkpoint:read:default")
          + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
          + "\r\n\r\n");
      boolean open = true;
      for (int i = 0; i < body.length() && open; i++) {
        open = trickle.trySend(body.substring(i, i + 1));
        sleepPollInterval();
      }
      RawHttp.Response answer = trickle.read();
      assertThat(answer.status()).isEqualTo(408);
      assertThat(new io.vertx.core.json.JsonObject(answer.body()).getString("message"))
          .isEqualTo("the request's body did not arrive within 1s (--http-header-timeout)");
      Duration held = Duration.ofNanos(System.nanoTime() - begun).plus(trickle.awaitClosed());
      assertThat(held).isBetween(Duration.ofMillis(1800), Duration.ofSeconds(6));
    }
  }

  /**
   * An HTTP/2 stream the gateway has answered but the caller never ends (no END_STREAM) is reset
   * with NO_ERROR (RFC 9113 8.1) and is no request in flight: counted as one, it kept the
   * connection, and its slot, for ever.
   */
  @Test
  void anHttp2StreamAnsweredButNeverEndedIsResetAndDoesNotHoldTheConnection() {
    fixture.startGateway(limits("10s", "3s", "100").override("http.h2c", "true", "--http-h2c"));
    HttpClient h2c = vertx.createHttpClient(new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
    Promise<Void> closed = Promise.promise();
    Promise<Throwable> reset = Promise.promise();
    int status = Await.result(fixture.onClientContext(() -> h2c.request(HttpMethod.GET,
            fixture.gateway.port(), "127.0.0.1", "/healthz")
        .compose(request -> {
          request.connection().closeHandler(closed::tryComplete);
          request.exceptionHandler(reset::tryComplete);
          // Headers only: the request stays open on the caller's side.
          return request.setChunked(true).sendHead().compose(sent -> request.response());
        })
        .map(response -> response.statusCode())));
    assertThat(status).isEqualTo(200);
    long answered = System.nanoTime();
    assertThat(Await.result(reset.future())).isInstanceOfSatisfying(StreamResetException.class,
        e -> assertThat(e.getCode()).isZero());
    assertThat(closed.future().isComplete()).as("closed before the idle timeout").isFalse();
    Await.result(closed.future());
    assertThat(Duration.ofNanos(System.nanoTime() - answered))
        .isBetween(Duration.ofMillis(2400), Duration.ofSeconds(8));
  }

  @Test
  void beyondTheLimitAConnectionGets503AndTheOthersGoOn() {
    fixture.startGateway(limits("10s", "60s", "3"));
    int port = fixture.gateway.port();
    List<RawHttp> held = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        RawHttp http = RawHttp.connect(port);
        held.add(http);
        assertThat(http.send(HEALTHZ).read().status()).isEqualTo(200);
      }
      String refused = RawHttp.exchange(port, "POST /checkpoint/default/demo/app HTTP/1.1\r\n"
          + "Host: x\r\nAuthorization: Bearer " + fixture.adminToken() + "\r\n\r\n");
      assertThat(refused).startsWith("HTTP/1.1 503 Service Unavailable\r\n")
          .endsWith("\r\n\r\ntoo many connections: this gateway serves at most 3 at once; "
              + "try again later");
      String api = RawHttp.exchange(port, "GET /api/v1/archives HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(api).startsWith("HTTP/1.1 503 ").contains("\"reason\":\"Unavailable\"");
      assertThat(fixture.archives()).as("the refused checkpoint never ran").isEmpty();
      for (RawHttp http : held) {
        assertThat(http.send(HEALTHZ).read().status()).isEqualTo(200);
      }
      // A place freed is a place taken.
      held.remove(0).close();
      Await.until("a new connection to be served", () ->
          RawHttp.exchange(port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
              .startsWith("HTTP/1.1 200 "));
    } finally {
      held.forEach(RawHttp::close);
    }
  }

  private static void sleepPollInterval() {
    try {
      Thread.sleep(100); // the attacker's pace, not a wait for the gateway
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
