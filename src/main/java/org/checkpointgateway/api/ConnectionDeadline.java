package org.checkpointgateway.api;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.HttpConnection;
import java.util.concurrent.TimeUnit;

/**
 * The deadline of one connection, in its Netty pipeline, on its event loop (no locks):
 * <ul>
 *   <li>a request in flight (headers arrived, response not yet sent to the last byte): none, so
 *       a kubelet-style POST that waits silently for its checkpoint, or an event stream, is
 *       never cut;</li>
 *   <li>bytes of a request arrived but not all its headers (or a new connection): the header
 *       timeout, counted from the first byte (from the opening);</li>
 *   <li>nothing in flight: the idle timeout, counted from the end of the last response.</li>
 * </ul>
 * Vert.x's own idle timeout cannot do this: it closes a connection whatever is in flight.
 *
 * <p>HTTP/1.x is watched between Vert.x's decoder and its connection: requests going in,
 * the last part of each response going out. HTTP/2 by its streams: a stream the caller has ended
 * and we have not yet answered to the end is a request in flight, and only the idle timeout
 * applies (a stream opens once its headers are whole). A stream we have answered but the caller
 * never ends is none: counted as one, it held the connection open for ever. A body still
 * arriving is not timed here but by the route that reads it ({@link HttpConnections#bodyDeadline}):
 * cutting the connection would cut the other requests on it.
 */
final class ConnectionDeadline extends ChannelDuplexHandler {

  static final String NAME = "checkpoint-gateway-deadline";

  private final HttpConnection connection;
  private final long headerNanos;
  private final long idleNanos;
  private Http2Connection http2;
  private int inFlight;
  /** When the first byte of a request (or the connection) arrived; -1 when none is arriving. */
  private long headerSince;
  private long idleSince;
  private ScheduledFuture<?> timer;
  private long timerAt;
  private ChannelHandlerContext ctx;

  ConnectionDeadline(HttpConnection connection, long headerNanos, long idleNanos) {
    this.connection = connection;
    this.headerNanos = headerNanos;
    this.idleNanos = idleNanos;
    long now = System.nanoTime();
    this.headerSince = now;
    this.idleSince = now;
  }

  /** The connection speaks HTTP/2: its streams waiting for their answers are its requests. */
  void watchStreams(Http2ConnectionHandler handler) {
    Http2Connection streams = handler.connection();
    this.http2 = streams;
    this.headerSince = -1;
    streams.addListener(new Http2ConnectionAdapter() {
      @Override
      public void onStreamAdded(Http2Stream stream) {
        // A request has begun: the idle clock restarts, so its body has the whole idle time to
        // arrive, as an HTTP/1.1 request's headers would.
        idleSince = System.nanoTime();
      }

      @Override
      public void onStreamHalfClosed(Http2Stream stream) {
        if (stream.state() == Http2Stream.State.HALF_CLOSED_LOCAL) {
          // Answered in full (the END_STREAM frame is written) before the caller ended its
          // request: ask it to stop sending (RFC 9113 8.1), so the stream and what its request
          // holds go now, not with the connection. Outside the listener, which Netty is in.
          resetLater(handler, stream.id());
        }
        streamChanged();
      }

      @Override
      public void onStreamClosed(Http2Stream stream) {
        streamChanged();
      }
    });
  }

  /** Resets stream {@code id} with NO_ERROR if it is answered and still open on the caller's side. */
  private void resetLater(Http2ConnectionHandler handler, int id) {
    ChannelHandlerContext at = ctx == null ? null : ctx.pipeline().context(handler);
    if (at == null) {
      return;
    }
    at.executor().execute(() -> {
      Http2Stream stream = http2.stream(id);
      if (stream != null && stream.state() == Http2Stream.State.HALF_CLOSED_LOCAL) {
        handler.resetStream(at, id, Http2Error.NO_ERROR.code(), at.newPromise());
        at.flush();
      }
    });
  }

  /** A stream was answered, or ended by the caller, or closed. */
  private void streamChanged() {
    if (!busy()) {
      becameIdle();
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    arm();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancel();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancel();
    super.channelInactive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (http2 == null && msg instanceof HttpRequest) {
      inFlight++;
      headerSince = -1;
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    // Bytes arrived with nothing in flight: a request has begun, its headers are on the clock.
    if (http2 == null && inFlight == 0 && headerSince < 0) {
      headerSince = System.nanoTime();
      arm();
    }
    super.channelReadComplete(ctx);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    if (http2 == null && msg instanceof LastHttpContent && !informational(msg)) {
      // Ended once written to the socket: a slow reader of a large download is still served.
      ChannelPromise written = promise.unvoid();
      written.addListener(ignored -> responseEnded());
      super.write(ctx, msg, written);
    } else {
      super.write(ctx, msg, promise);
    }
  }

  /** A {@code 100 Continue} is whole but the request's answer is still to come. */
  private static boolean informational(Object msg) {
    return msg instanceof HttpResponse response
        && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
  }

  private void responseEnded() {
    if (inFlight > 0 && --inFlight == 0) {
      becameIdle();
    }
  }

  private void becameIdle() {
    idleSince = System.nanoTime();
    arm();
  }

  private boolean busy() {
    if (http2 == null) {
      return inFlight > 0;
    }
    try {
      // Stops at (returns) a stream the caller has ended and we have not answered to the end.
      return http2.forEachActiveStream(
          stream -> stream.state() != Http2Stream.State.HALF_CLOSED_REMOTE) != null;
    } catch (Http2Exception impossible) {
      // Only a visitor throws it, and this one does not.
      throw new IllegalStateException(impossible);
    }
  }

  private long deadline() {
    if (busy()) {
      return Long.MAX_VALUE;
    }
    return headerSince >= 0 ? headerSince + headerNanos : idleSince + idleNanos;
  }

  /** Makes sure a timer fires no later than the current deadline. */
  private void arm() {
    long deadline = deadline();
    if (ctx == null || deadline == Long.MAX_VALUE) {
      return;
    }
    if (timer != null && timerAt - deadline <= 0) {
      return;
    }
    cancel();
    timerAt = deadline;
    timer = ctx.executor().schedule(this::fire, Math.max(0, deadline - System.nanoTime()),
        TimeUnit.NANOSECONDS);
  }

  private void fire() {
    timer = null;
    long deadline = deadline();
    if (deadline == Long.MAX_VALUE) {
      return;
    }
    if (System.nanoTime() - deadline >= 0) {
      // Vert.x's close: an HTTP/2 peer gets a GOAWAY first.
      connection.close();
    } else {
      arm();
    }
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
