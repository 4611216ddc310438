package org.checkpointgateway.loadtest;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;

/**
 * The ceiling: a bare Vert.x HTTP server answering every request with a fixed body the size of a
 * gateway's answer, one verticle per event loop like the gateway. Run as its own process by the
 * harness with its own class path (the product jar and the harness jar):
 * {@code java -cp checkpoint-gateway.jar:checkpoint-gateway-loadtest.jar org.checkpointgateway.loadtest.BareServer PORT}.
 */
public final class BareServer extends VerticleBase {

  static final String BODY = "{\"items\":[\"/var/lib/kubelet/checkpoints/checkpoint-bench_default-app-"
      + "2026-11-27T19:20:31.118732410Z.tar\"]}";

  private final int port;

  BareServer(int port) {
    this.port = port;
  }

  @Override
  public Future<?> start() {
    Buffer body = Buffer.buffer(BODY);
    return vertx.createHttpServer(BareServer.options(port))
        .requestHandler(request -> request.body().onComplete(ignored -> request.response()
            .putHeader("Content-Type", "application/json").end(body)))
        .listen();
  }

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    vertx.deployVerticle(() -> new BareServer(port),
        new DeploymentOptions().setInstances(VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE)).await();
    System.out.println("bare server on 127.0.0.1:" + port + " (transport "
        + (vertx.isNativeTransportEnabled() ? "epoll" : "NIO") + ")");
  }

  /**
   * The HTTP server options the gateway's own server has that cost nothing to have: every
   * answer written on its connection's event loop (strict thread mode: no outbound queue per
   * connection) and no WebSocket compression offered (no extension handler per connection).
   * The comparison servers take them too, so that the gateway is not measured against servers
   * that pay for what it does not.
   */
  static HttpServerOptions options(int port) {
    return new HttpServerOptions().setHost("127.0.0.1").setPort(port).setStrictThreadMode(true)
        .setPerFrameWebSocketCompressionSupported(false)
        .setPerMessageWebSocketCompressionSupported(false);
  }
}
