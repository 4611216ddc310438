package org.checkpointgateway.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs one checkpoint through a throwaway gateway and simulated runtime, once per test JVM, on a
 * Vertx without the strict check. The first request through a cold JVM loads and links
 * thousands of classes (Netty's epoll channels, protobuf, gRPC, lambdas) on whichever event loop
 * gets there first; that is the JVM starting, not our code blocking, and the strict check in
 * {@link StrictVertx} is there to catch the latter.
 */
final class JvmWarmUp {

  private static boolean done;

  private JvmWarmUp() {
  }

  static synchronized void ensure() {
    if (done) {
      return;
    }
    done = true;
    try {
      // The first TLS engine loads the JDK's and Netty's TLS classes and providers.
      javax.net.ssl.SSLEngine engine = io.netty.handler.ssl.SslContextBuilder.forClient().build()
          .newEngine(io.netty.buffer.ByteBufAllocator.DEFAULT);
      // BouncyCastle is on the test class path (TestCertificates): Netty then loads its
      // providers on the first ALPN engine, a second of class loading on an event loop. The
      // gateway's jar has no BouncyCastle, so this is the tests' cost alone: pay it here.
      io.netty.handler.ssl.util.BouncyCastleUtil.isBcJsseInUse(engine);
    } catch (javax.net.ssl.SSLException e) {
      throw new IllegalStateException(e);
    }
    Vertx vertx = Vertx.vertx();
    Path dir;
    try {
      dir = Files.createTempDirectory("checkpoint-gateway-warm-up");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    GatewayFixture fixture = GatewayFixture.withRuntime(vertx, dir, null).startGateway();
    try {
      fixture.post("/checkpoint/default/demo/app", fixture.adminToken());
      Await.result(fixture.request(HttpMethod.POST, "/checkpoint/default/demo/app",
          fixture.adminToken(), java.util.Map.of("Accept", "text/event-stream")));
    } finally {
      fixture.close();
      Await.result(vertx.fileSystem().deleteRecursive(dir.toString()));
      Await.result(vertx.close());
    }
  }
}
