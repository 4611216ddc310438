package org.checkpointgateway.cri;

import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.MessageSizeOverflowException;
import io.vertx.grpc.common.ServiceMethod;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.outcome.RuntimeCallFailedException;

/**
 * One unary gRPC call to the runtime's socket, the way a grpc-go client runs one under its
 * context: the request's deadline is a timer on the caller's event loop and travels as
 * {@code grpc-timeout}; when it passes, or the request is cancelled, the stream is reset so that
 * the runtime stops working;
 * every failure is a {@link RuntimeCallFailedException}. Shared by the CRI client and
 * containerd's own API.
 */
public final class GrpcUnaryCall {

  private static final Logger LOG = Logger.getLogger(GrpcUnaryCall.class.getName());

  private GrpcUnaryCall() {
  }

  /**
   * The largest answer taken, as the kubelet takes from its runtime: a busy node's container list
   * (labels and annotations included) outgrows gRPC's 256 KB default.
   */
  public static final long MAX_MESSAGE_BYTES = 16L << 20;

  /** A gRPC client for a unix socket: HTTP/2 with prior knowledge, {@code :authority: localhost}. */
  public static GrpcClient client(Vertx vertx, int connections) {
    return client(vertx, transport(vertx, connections));
  }

  /**
   * The HTTP/2 connections under a {@link #client}: {@code shutdown} on it lets calls under way
   * finish while new ones go elsewhere.
   */
  static HttpClient transport(Vertx vertx, int connections) {
    return new LocalhostAuthorityHttpClient(vertx.httpClientBuilder()
        .with(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
            .setHttp2ClearTextUpgrade(false))
        .with(new PoolOptions().setHttp2MaxSize(connections))
        .withConnectHandler(connection -> {
          StreamErrorGuard.install(connection);
          if (connection instanceof ConnectionBase base) {
            // The calls made in one turn of the event loop (a checkpoint for each request read
            // in it) leave in one write, not a write each: under load the runtime is woken once
            // per turn, and the gateway makes one system call where it made dozens. What waits
            // is flushed at the end of the turn, so a lone call waits for nothing.
            base.channel().pipeline().addFirst("flush-consolidation", new FlushConsolidationHandler(
                FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
          }
          // A runtime that dies breaks every connection at once; the runtime watch says so in
          // one line, so no stack trace per connection (Vert.x logs them as SEVERE otherwise).
          connection.exceptionHandler(failure -> LOG.fine(() -> "connection to the runtime: "
              + failure));
        })
        .build());
  }

  /** A gRPC client over {@code transport}, which it closes when it closes. */
  static GrpcClient client(Vertx vertx, HttpClient transport) {
    // vertx-grpc 5.0 takes client options only along with a transport it builds itself, which
    // can carry neither pool options nor our authority; its implementation's constructor takes
    // both (and closes the transport when the client closes).
    return new OneWriteGrpcClient(vertx,
        new GrpcClientOptions().setMaxMessageSize(MAX_MESSAGE_BYTES), transport);
  }

  /**
   * @param context the request's deadline and cancellation, which end the call
   * @param headers extra request headers (containerd's namespace, for one)
   * @return the answer, or a failed Future with a {@link RuntimeCallFailedException}:
   *     {@code DeadlineExceeded} or {@code Canceled} when the call was given up
   */
  public static <Req, Resp> Future<Resp> call(Vertx vertx, GrpcClient grpc, SocketAddress address,
      ServiceMethod<Resp, Req> method, Req message, RequestContext context,
      Map<String, String> headers) {
    if (Vertx.currentContext() == null) {
      // Called from a plain thread (start-up, tests): run the call on a context, so that the
      // response is read on the thread that receives it. Vert.x 5.0.7's client can lose the end
      // of a response read from another thread (eclipse-vertx/vert.x#6038).
      Promise<Resp> result = Promise.promise();
      vertx.getOrCreateContext().runOnContext(ignored -> call(vertx, grpc, address, method,
          message, context, headers).onComplete(result));
      return result.future();
    }
    Promise<Resp> result = Promise.promise();
    long millis = Math.max(1, context.remainingMillis());
    // Our own timer, not vertx-grpc's (GrpcClientOptions.setScheduleDeadlineAutomatically): its
    // is a timer per call too, armed only once the stream exists (not while the connection is
    // made), it ends the call as CANCELLED, and it knows nothing of the request's cancellation.
    // A frozen runtime never answers, grpc-timeout or not: the deadline must be kept here.
    context.failWhenDone(vertx, result, () -> "");

    grpc.request(address, method).onComplete(created -> {
      if (created.failed()) {
        // No stream: the call never reached the runtime.
        result.tryFail(GrpcStatusTranslator.fromDial(address, created.cause()));
        return;
      }
      GrpcClientRequest<Req, Resp> request = created.result();
      // Whoever settles the result first wins; if that was the deadline or the caller, reset
      // the stream so the runtime stops working on a call nobody waits for any more.
      result.future().onFailure(ignored -> request.cancel());
      if (result.future().isComplete()) {
        return;
      }
      headers.forEach((name, value) -> request.headers().set(name, value));
      request.timeout(millis, TimeUnit.MILLISECONDS);
      request.end(message);
      // Listeners rather than compose/recover: a call is two of them, not six futures.
      request.response().onComplete(responded -> {
        if (responded.failed()) {
          result.tryFail(ourDeadline(GrpcStatusTranslator.fromTransport(responded.cause())));
          return;
        }
        GrpcClientResponse<Req, Resp> response = responded.result();
        response.invalidMessageHandler(invalid -> result.tryFail(
            new RuntimeCallFailedException("ResourceExhausted", String.format(
                "grpc: received message larger than max (%d vs. %d)",
                invalid instanceof MessageSizeOverflowException overflow
                    ? overflow.messageSize() : -1, MAX_MESSAGE_BYTES))));
        response.last().onComplete(answer -> {
          if (answer.succeeded()) {
            result.tryComplete(answer.result());
          } else {
            result.tryFail(ourDeadline(GrpcStatusTranslator.fromTransport(
                GrpcStatusTranslator.fromResponse(response, answer.cause()))));
          }
        });
      });
    });
    return result.future();
  }

  /**
   * The runtime's context runs out when ours does (it got our deadline as {@code grpc-timeout}),
   * and containerd may answer before our timer fires, as {@code Unknown: context deadline exceeded:
   * unknown}. That is our deadline passing, whichever side saw it first: say so alike.
   */
  private static Throwable ourDeadline(Throwable failure) {
    return failure instanceof RuntimeCallFailedException runtime
        && !runtime.code().equals("DeadlineExceeded")
        && runtime.description().startsWith("context deadline exceeded")
        ? RequestContext.deadlineExceeded("")
        : failure;
  }
}
