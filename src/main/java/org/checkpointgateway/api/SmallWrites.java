package org.checkpointgateway.api;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.PromiseNotifier;

/**
 * Joins the small buffers an HTTP/1.x connection writes between two flushes into one, just
 * before the socket: an answer's head and its short body then leave in one {@code send}, not a
 * {@code writev} of two. Netty's HTTP encoder joins them itself only for bodies of at most 128
 * bytes, and a checkpoint's answer names its archive, whose path is often longer. Two buffers
 * also cost a copy of the body from heap to direct memory, a second entry in the outbound buffer
 * and a promise for each: about 1.5 us of CPU per answer at 256 in flight, in profiles of the
 * answer's write (docs/performance.md).
 *
 * <p>The bytes and their order are unchanged, and the joined write completes the promise of
 * every write it holds. Only buffers written by this connection's own handlers pass here, on its
 * event loop; what is held is written before a flush, a close, a larger message or the
 * handler's removal. Under TLS it is not installed: Netty's SslHandler joins what is written
 * before a flush into one record itself.
 */
final class SmallWrites extends ChannelOutboundHandlerAdapter {

  static final String NAME = "checkpoint-gateway-small-writes";
  /**
   * The most bytes held and joined: an answer's head and a JSON body fit; a download's chunks
   * do not, and pass as they are (copying them would cost more than their own write).
   */
  static final int MAX_JOINED_BYTES = 4096;
  /** {@code \r\n} and a chunk size line: what a chunked stream writes after an event's data. */
  private static final int CHUNK_FRAMING_BYTES = 16;

  /** The bytes held since the last flush, or null. */
  private ByteBuf held;
  /** Whether {@link #held} was allocated here (and may be written to), not written by a handler. */
  private boolean heldIsOurs;
  /** Completed when {@link #held} is written: every joined write's promise follows it. */
  private ChannelPromise heldPromise;

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf buffer && buffer.readableBytes() <= MAX_JOINED_BYTES) {
      if (!promise.setUncancellable()) {
        // Cancelled before it was written: dropped, as the outbound buffer would drop it. Held
        // or joined, it can no longer be cancelled (a cancelled carrier would drop them all).
        buffer.release();
        return;
      }
      if (held != null && held.readableBytes() + buffer.readableBytes() > MAX_JOINED_BYTES) {
        writeHeld(ctx);
      }
      if (held == null) {
        held = buffer;
        heldIsOurs = false;
        heldPromise = promise;
        return;
      }
      if (join(ctx, buffer)) {
        if (heldPromise.isVoid()) {
          heldPromise = promise;
        } else if (!promise.isVoid()) {
          heldPromise.addListener(new PromiseNotifier<>(promise));
        }
        return;
      }
      // Not joined (no memory for the joined buffer): both go as they are, in order.
    }
    writeHeld(ctx);
    ctx.write(msg, promise);
  }

  /** Joins {@code buffer} to what is held; false (and nothing changed) if that failed. */
  private boolean join(ChannelHandlerContext ctx, ByteBuf buffer) {
    if (buffer.readableBytes() == 0) {
      buffer.release(); // an encoder's empty last content: only its promise counts
      return true;
    }
    if (held.readableBytes() == 0 && !heldIsOurs) {
      held.release();
      held = buffer;
      return true;
    }
    ByteBuf joined = null;
    try {
      if (heldIsOurs) {
        held.writeBytes(buffer);
      } else {
        // Never written into: a handler's buffer may be a view of memory that is not its own.
        // Room for a chunk's closing CRLF and the next size line, which come as more writes.
        int size = held.readableBytes() + buffer.readableBytes();
        joined = ctx.alloc().ioBuffer(Math.min(size + CHUNK_FRAMING_BYTES, MAX_JOINED_BYTES));
        joined.writeBytes(held).writeBytes(buffer);
        held.release();
        held = joined;
        heldIsOurs = true;
      }
    } catch (RuntimeException | OutOfMemoryError failure) {
      // Netty's direct memory ran out (OutOfDirectMemoryError): no joining, nothing lost.
      if (joined != null) {
        joined.release();
      }
      return false;
    }
    buffer.release();
    return true;
  }

  private void writeHeld(ChannelHandlerContext ctx) {
    if (held != null) {
      ByteBuf buffer = held;
      ChannelPromise promise = heldPromise;
      held = null;
      heldPromise = null;
      ctx.write(buffer, promise);
    }
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    writeHeld(ctx);
    ctx.flush();
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    // Written unflushed: the channel's close then fails and releases it, as it would have.
    writeHeld(ctx);
    ctx.close(promise);
  }

  @Override
  public void disconnect(ChannelHandlerContext ctx, ChannelPromise promise) {
    writeHeld(ctx);
    ctx.disconnect(promise);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    // Passed on, in order: a closed channel's head fails and releases it, a live one sends it.
    writeHeld(ctx);
  }
}
