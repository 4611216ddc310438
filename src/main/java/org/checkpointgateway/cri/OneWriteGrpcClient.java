package org.checkpointgateway.cri;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.Address;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.impl.GrpcClientImpl;
import io.vertx.grpc.client.impl.GrpcClientRequestImpl;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.impl.GrpcMessageImpl;

/**
 * vertx-grpc's client, but a call's last message goes out with the end of its stream: one
 * HTTP/2 write and one system call per unary call. vertx-grpc 5.0 writes the message, flushes,
 * then writes an empty DATA frame that ends the stream and flushes again: two {@code writev}s
 * for the gateway and two reads for the runtime, per checkpoint. grpc-go sends both frames in
 * one write too. A stream of several messages sends all but the last as vertx-grpc does.
 */
final class OneWriteGrpcClient extends GrpcClientImpl {

  private final HttpClient transport;
  // The options vertx-grpc keeps to itself, read once for the requests made here.
  private final long maxMessageSize;
  private final boolean scheduleDeadline;

  /** Over {@code transport}, which it closes when it closes. */
  OneWriteGrpcClient(Vertx vertx, GrpcClientOptions options, HttpClient transport) {
    super(vertx, options, transport, true);
    this.transport = transport;
    this.maxMessageSize = options.getMaxMessageSize();
    this.scheduleDeadline = options.getScheduleDeadlineAutomatically();
  }

  @Override
  public <Req, Resp> Future<GrpcClientRequest<Req, Resp>> request(Address server,
      ServiceMethod<Resp, Req> method) {
    // The host given here spares LocalhostAuthorityHttpClient a copy of the options per call.
    // No default timeout to configure: GrpcUnaryCall sets each call's own (vertx-grpc's default,
    // 0, sends no grpc-timeout).
    return transport.request(new RequestOptions().setMethod(HttpMethod.POST).setServer(server)
            .setHost(LocalhostAuthorityHttpClient.HOST))
        .map(http -> {
          OneWriteRequest<Req, Resp> call =
              new OneWriteRequest<>(http, maxMessageSize, scheduleDeadline, method);
          call.init();
          call.serviceName(method.serviceName());
          call.methodName(method.methodName());
          return call;
        });
  }

  private static final class OneWriteRequest<Req, Resp> extends GrpcClientRequestImpl<Req, Resp> {

    private final HttpClientRequest http;
    // The framed last message, held from the moment vertx-grpc hands it over until it ends the
    // stream (the very next step of the same call to end()).
    private Buffer last;

    OneWriteRequest(HttpClientRequest http, long maxMessageSize, boolean scheduleDeadline,
        ServiceMethod<Resp, Req> method) {
      super(http, maxMessageSize, scheduleDeadline, method.encoder(), method.decoder());
      this.http = http;
    }

    @Override
    protected Future<Void> sendMessage(Buffer message, boolean compressed) {
      if (isTrailersSent()) {
        // end(message): vertx-grpc marks the stream ended, then sends the message, then the end.
        last = GrpcMessageImpl.encode(message, compressed, false);
        return Future.succeededFuture();
      }
      return super.sendMessage(message, compressed);
    }

    @Override
    protected Future<Void> sendEnd() {
      Buffer message = last;
      last = null;
      return message == null ? super.sendEnd() : http.end(message);
    }
  }
}
