package org.checkpointgateway.cri;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Exception;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Keeps an HTTP/2 connection open when one of its streams fails. When a stream is reset while its
 * answer still waits for flow control (a caller gives up just as the runtime answers: a burst of
 * both after a runtime was frozen), Netty resets that one stream and also reports the error to the
 * pipeline; Vert.x 5.0.7's HTTP/2 handler then closes the whole connection, failing every other
 * call on it (an in-flight checkpoint ends with "Broken pipe", and the Vert.x client completes
 * responses it had already failed: "Result is already complete"). This handler, first in the
 * pipeline, takes such stream errors before Vert.x sees them; connection errors pass. Seen in the
 * simulator's server after a freeze (RuntimeFaultTest); the gateway's runtime connections run the
 * same Vert.x handler, so they carry the guard too.
 */
@Sharable
public final class StreamErrorGuard extends ChannelInboundHandlerAdapter {

  private static final StreamErrorGuard INSTANCE = new StreamErrorGuard();

  private StreamErrorGuard() {
  }

  /** Installs the guard on a Vert.x HTTP/2 connection (client or server side). */
  public static void install(HttpConnection connection) {
    if (connection instanceof ConnectionBase base) {
      base.channel().pipeline().addFirst("stream-error-guard", INSTANCE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof Http2Exception.StreamException) {
      return; // Netty has already reset the stream; the others go on
    }
    ctx.fireExceptionCaught(cause);
  }
}
