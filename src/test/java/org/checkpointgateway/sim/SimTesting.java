package org.checkpointgateway.sim;

import org.checkpointgateway.support.StrictVertx;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/** Shared pieces of the simulator tests: a Vert.x that shows a blocked loop, raw CRI calls, polling. */
final class SimTesting {

  static final Duration WAIT = Duration.ofSeconds(10);

  private SimTesting() {
  }

  static Vertx vertx() {
    return StrictVertx.create();
  }

  /** Waits on the test thread (never an event loop) for a future. */
  static <T> T await(Future<T> future) throws Exception {
    return future.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** An answer as the client saw it: status, message and the response, if OK. */
  record Answer<T>(GrpcStatus status, String message, T body) {
  }

  static <Req, Resp> Future<Answer<Resp>> call(GrpcClient client, Path socket, ServiceMethod<Resp, Req> method,
                                               Req message) {
    return call(client, socket, method, message, request -> { });
  }

  /** A raw unary call, so that tests can set a timeout and read the status message. */
  static <Req, Resp> Future<Answer<Resp>> call(GrpcClient client, Path socket, ServiceMethod<Resp, Req> method,
                                               Req message, Consumer<GrpcClientRequest<Req, Resp>> before) {
    return client.request(SocketAddress.domainSocketAddress(socket.toString()), method)
        .compose(request -> {
          before.accept(request);
          request.end(message);
          // Handlers set in the callback that received the response, on its event loop: set
          // from a later listener they could miss a message or an end already handled.
          return request.response().compose(response -> {
            Promise<Resp> body = Promise.promise();
            response.handler(body::tryComplete);
            return response.end().transform(ended -> Future.succeededFuture(
                new Answer<>(response.status(), response.statusMessage(), body.future().result())));
          });
        });
  }

  /** Completes once {@code condition} holds, checking every 10 ms; fails after {@link #WAIT}. */
  static Future<Void> eventually(Vertx vertx, BooleanSupplier condition) {
    Promise<Void> promise = Promise.promise();
    long giveUp = System.nanoTime() + WAIT.toNanos();
    vertx.setPeriodic(10, id -> {
      if (condition.getAsBoolean()) {
        vertx.cancelTimer(id);
        promise.tryComplete();
      } else if (System.nanoTime() > giveUp) {
        vertx.cancelTimer(id);
        promise.tryFail("condition not met within " + WAIT);
      }
    });
    return promise.future();
  }
}
