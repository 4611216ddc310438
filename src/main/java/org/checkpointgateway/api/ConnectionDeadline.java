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
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamVisitor;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.HttpConnection;
import java.util.concurrent.TimeUnit;

/**
 * The deadline of one connection, in its Netty pipeline, on its event loop (no locks):
 * <ul>
 *   <li>a request arriving (its first byte here, not yet all its headers and body; or a new
 *       connection): the header timeout, counted from that first byte (from the opening), so a
 *       caller trickling a body is cut as one trickling headers is;</li>
 *   <li>a request in flight (arrived whole, response not yet sent to the last byte): none, so
 *       a kubelet-style POST that waits silently for its checkpoint, or an event stream, is
 *       never cut;</li>
 *   <li>nothing in flight: the idle timeout, counted from the end of the last response.</li>
 * </ul>
 * Vert.x's own idle timeout cannot do this: it closes a connection whatever is in flight.
 *
 * <p>HTTP/1.x is watched between Vert.x's decoder and its connection: requests going in,
 * the last part of each response going out. HTTP/2 by its streams: a stream opens once its
 * headers are whole; it is arriving until the caller ends it (END_STREAM), then in flight until
 * the answer ends it on our side. A stream we have answered but the caller never ends does not
 * keep the connection: counted as in flight, it would hold the connection open for ever.
 */
final class ConnectionDeadline extends ChannelDuplexHandler {

  static final String NAME = "checkpoint-gateway-deadline";

  private final HttpConnection connection;
  private final long headerNanos;
  private final long idleNanos;
  private Http2Connection http2;
  private Http2Connection.PropertyKey streamOpenedAt;
  private int inFlight;
  /** HTTP/1.x: a request's headers are here, not yet the last part of its body. */
  private boolean arriving;
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

  /** The connection speaks HTTP/2: its streams are its requests, arriving or in flight. */
  void watchStreams(Http2Connection streams) {
    this.http2 = streams;
    this.headerSince = -1;
    Http2Connection.PropertyKey openedAt = streams.newKey();
    this.streamOpenedAt = openedAt;
    streams.addListener(new Http2ConnectionAdapter() {
      @Override
      public void onStreamAdded(Http2Stream stream) {
        stream.setProperty(openedAt, System.nanoTime());
        arm();
      }

      @Override
      public void onStreamHalfClosed(Http2Stream stream) {
        streamChanged();
      }

      @Override
      public void onStreamClosed(Http2Stream stream) {
        streamChanged();
      }
    });
  }

  /** A stream arrived whole, was answered or closed: the connection may have become idle. */
  private void streamChanged() {
    if (!busy()) {
      becameIdle();
    } else {
      arm();
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
    if (http2 == null) {
      if (msg instanceof HttpRequest) {
        inFlight++;
        arriving = true;
      }
      // Its body's last part: the request has arrived whole.
      if (msg instanceof LastHttpContent) {
        arriving = false;
        headerSince = -1;
      }
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    // Bytes arrived with nothing in flight (a request has begun), or a request's headers arrived
    // without all its body: it is on the clock until it has arrived whole.
    if (http2 == null && (inFlight == 0 || arriving) && headerSince < 0) {
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

  /** A request in flight: arrived whole, its answer not yet ended. */
  private boolean busy() {
    if (http2 == null) {
      return inFlight > 0;
    }
    return firstStream(stream -> stream.state() != Http2Stream.State.HALF_CLOSED_REMOTE) != null;
  }

  /** When the earliest request still arriving must have arrived; -1 when none is arriving. */
  private long arrivalDeadline() {
    if (http2 == null) {
      return headerSince >= 0 ? headerSince + headerNanos : -1;
    }
    long[] earliest = {-1};
    firstStream(stream -> {
      Long openedAt = stream.getProperty(streamOpenedAt);
      if (stream.state().remoteSideOpen() && openedAt != null
          && (earliest[0] < 0 || openedAt + headerNanos - earliest[0] < 0)) {
        earliest[0] = openedAt + headerNanos;
      }
      return true;
    });
    return earliest[0];
  }

  /** The first open stream the visitor stops at (returns false for); null when none. */
  private Http2Stream firstStream(Http2StreamVisitor visitor) {
    try {
      return http2.forEachActiveStream(visitor);
    } catch (Http2Exception impossible) {
      // Only a visitor throws it, and these do not.
      throw new IllegalStateException(impossible);
    }
  }

  private long deadline() {
    long arrival = arrivalDeadline();
    if (arrival >= 0) {
      return arrival;
    }
    return busy() ? Long.MAX_VALUE : idleSince + idleNanos;
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
