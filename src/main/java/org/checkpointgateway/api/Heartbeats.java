package org.checkpointgateway.api;

import io.vertx.core.Context;
import io.vertx.core.internal.ContextInternal;

/**
 * The heartbeat of every event stream of one event loop, from one periodic timer on that loop.
 * A timer per stream cost about 220 bytes for the stream's whole life (Vert.x's timer handler,
 * Netty's scheduled task, the timer map's entry): 1 MB for the 5,000 streams of {@code hold}.
 * Each stream is a link in a list threaded through the streams themselves, so that joining and
 * leaving cost nothing but two references. A stream hears its first beat within one interval
 * of joining, and one each interval after, as with a timer of its own.
 *
 * <p>Confined to its context's event loop: streams join and leave there (an HTTP verticle's
 * streams are written on its event loop), and the beats run there.
 */
final class Heartbeats {

  /** What beats: a stream that writes its keep-alive when it may. */
  abstract static class Beating {
    // The links of the list of a Heartbeats; both null when not in one (or alone in it).
    private Beating previous;
    private Beating next;
    private Heartbeats in;

    /** Called every interval while joined. */
    abstract void beat();
  }

  private final Context context;
  private final long timer;
  private Beating first;

  /** Beats every {@code intervalMillis} on {@code context} until {@link #close}. */
  Heartbeats(Context context, long intervalMillis) {
    this.context = context;
    // Bound to the verticle's context whoever calls, not to a request's.
    this.timer = ((ContextInternal) context).setPeriodic(intervalMillis, id -> beatAll());
  }

  /** {@code stream} beats from now on, until it {@link #leave}s. */
  void join(Beating stream) {
    if (stream.in != null) {
      return;
    }
    stream.in = this;
    stream.next = first;
    if (first != null) {
      first.previous = stream;
    }
    first = stream;
  }

  /** {@code stream} beats no more; nothing if it is not in. */
  void leave(Beating stream) {
    if (stream.in != this) {
      return;
    }
    if (stream.previous != null) {
      stream.previous.next = stream.next;
    } else {
      first = stream.next;
    }
    if (stream.next != null) {
      stream.next.previous = stream.previous;
    }
    stream.previous = null;
    stream.next = null;
    stream.in = null;
  }

  void close() {
    context.owner().cancelTimer(timer);
  }

  private void beatAll() {
    Beating stream = first;
    while (stream != null) {
      // Taken first: a beat may end its stream (a write that finds the connection gone).
      Beating next = stream.next;
      stream.beat();
      stream = next;
    }
  }
}
