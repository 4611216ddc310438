package org.checkpointgateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.impl.ConnectionBase;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.RawHttp;
import org.checkpointgateway.support.StrictVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A connection Vert.x accepted before its server's metrics existed has no connection metric
 * (the start-up race of issue 10); its requests must still be answered. The connection handler
 * below makes that state on purpose, as the race made it by chance.
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
      ((ConnectionBase) connection).metric(null);
      GatewayMetrics.ensureConnectionMetric(connection);
    });
    assertThat(RawHttp.exchange(port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        .startsWith("HTTP/1.1 200 OK\r\n").endsWith("ok");
    assertThat(StrictVertx.registry(vertx).get("vertx.http.server.requests").counter().count())
        .isEqualTo(1);
  }

  /** What the repair is for: in Vert.x 5.0.7 such a request is never answered. */
  @Test
  void withoutItsMetricAConnectionsRequestHangs() throws IOException {
    int port = serve(connection -> ((ConnectionBase) connection).metric(null));
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port));
      socket.setSoTimeout(2000);
      socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      assertThat(readOrTimeOut(in)).as("an answer or a close within 2 s").isEqualTo("timed out");
    }
  }

  private static String readOrTimeOut(InputStream in) throws IOException {
    try {
      int b = in.read();
      return b < 0 ? "closed" : "answered";
    } catch (SocketTimeoutException e) {
      return "timed out";
    }
  }

  private int serve(Consumer<HttpConnection> onConnection) {
    HttpServer server = vertx.createHttpServer()
        .connectionHandler(onConnection::accept)
        .requestHandler(request -> request.response().end("ok"));
    return Await.result(server.listen(0, "127.0.0.1")).actualPort();
  }
}
