package org.checkpointgateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.spi.metrics.TCPMetrics;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.RawHttp;
import org.checkpointgateway.support.StrictVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A connection Vert.x accepted before its server's metrics existed has no connection metric
 * (the start-up race of issue 10); its requests must still be answered, and the open connections
 * counted right. The connection handler below makes that state on purpose, as the race made it
 * by chance.
 */
class ConnectionMetricTest {

  private Vertx vertx;

  @BeforeEach
  void createVertx() {
    vertx = StrictVertx.create();
  }

  @AfterEach
  void closeVertx() {
    Await.result(vertx.close());
    StrictVertx.assertNeverBlocked(vertx);
  }

  @Test
  void aConnectionWithoutItsMetricGetsOneAndItsAnswer() {
    int port = serve(connection -> {
      uncount(connection);
      GatewayMetrics.ensureConnectionMetric(connection);
    });
    try (RawHttp connection = RawHttp.connect(port)) {
      assertThat(connection.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().body())
          .isEqualTo("ok");
      assertThat(activeConnections()).isEqualTo(1);
    }
    Await.until("the closed connection to be uncounted", () -> activeConnections() == 0);
    assertThat(StrictVertx.registry(vertx).get("vertx.http.server.requests").counter().count())
        .isEqualTo(1);
  }

  /**
   * Without the repair such a connection is still answered (vertx-micrometer's metrics threw and
   * never answered it), but it is not among the open connections, and its close takes nothing
   * off them: the gauge never goes below the connections that were counted.
   */
  @Test
  void withoutItsMetricAConnectionIsAnsweredAndNotCounted() {
    Promise<Void> closed = Promise.promise();
    AtomicBoolean first = new AtomicBoolean(true);
    int port = serve(connection -> {
      // Only the first: the second is an ordinary connection, counted.
      if (first.getAndSet(false)) {
        uncount(connection);
        connection.closeHandler(closed::tryComplete);
      }
    });
    try (RawHttp connection = RawHttp.connect(port)) {
      assertThat(connection.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().body())
          .isEqualTo("ok");
      assertThat(activeConnections()).isZero();
    }
    Await.result(closed.future());
    try (RawHttp connection = RawHttp.connect(port)) {
      assertThat(connection.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().body())
          .isEqualTo("ok");
      assertThat(activeConnections()).isEqualTo(1);
    }
    assertThat(StrictVertx.registry(vertx).get("vertx.http.server.requests").counter().count())
        .isEqualTo(2);
  }

  /** The state the race leaves: the server's metrics never saw this connection. */
  @SuppressWarnings("unchecked")
  private static void uncount(HttpConnection connection) {
    ConnectionBase base = (ConnectionBase) connection;
    ((TCPMetrics<Object>) base.metrics()).disconnected(base.metric(), base.remoteAddress());
    base.metric(null);
  }

  private double activeConnections() {
    return StrictVertx.registry(vertx).get("vertx.http.server.active.connections").gauge().value();
  }

  private int serve(Consumer<HttpConnection> onConnection) {
    HttpServer server = vertx.createHttpServer()
        .connectionHandler(onConnection::accept)
        .requestHandler(request -> request.response().end("ok"));
    return Await.result(server.listen(0, "127.0.0.1")).actualPort();
  }
}
