package org.checkpointgateway.context;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The deadlines of the waits made on one event loop, in deadline order, behind one timer of
 * that loop. A wait costs a node linked in and unlinked, not a task scheduled in Netty's
 * priority queue and cancelled again: nearly every wait ends long before its deadline, and one
 * task per CRI call was about 1% of the gateway's CPU at 256 in flight.
 *
 * <p>A request's waits on the kubelet route (its CRI call, the archive check) end at the
 * request's deadline, and requests with the same timeout arrive in that order: a new wait is
 * put at the end. One that would have to go before the last (a shorter {@code ?timeout=}, a
 * containerd call given its grace beyond the request's deadline, a shared fetch's year-long
 * wait while it runs) is refused, and its caller schedules a task of its own as before, so no
 * insertion ever walks the list. The timer is armed for the first deadline and left alone when
 * that wait ends: it fires once per deadline length at most, finds the next wait not yet due
 * and is armed for it. Only the loop's own thread touches an instance.
 */
final class LoopDeadlines {

  private static final FastThreadLocal<LoopDeadlines> OF_THIS_THREAD = new FastThreadLocal<>();

  /** A wait in the list; {@link #expired} runs on the loop once its deadline has passed. */
  abstract static class Entry {
    final long deadlineNanos;
    private Entry previous;
    private Entry next;
    private LoopDeadlines in;

    Entry(long deadlineNanos) {
      this.deadlineNanos = deadlineNanos;
    }

    abstract void expired();

    /** Takes the wait out (it ended); nothing once it is out. On the loop's thread. */
    final void remove() {
      if (in != null) {
        in.unlink(this);
      }
    }
  }

  private final EventLoop loop;
  private final Runnable fire = this::fire;
  private Entry first;
  private Entry last;
  private ScheduledFuture<?> timer;
  private long timerAt;

  private LoopDeadlines(EventLoop loop) {
    this.loop = loop;
  }

  /** The deadlines of {@code loop}, when called on its thread; null on any other thread. */
  static LoopDeadlines of(EventLoop loop) {
    if (!loop.inEventLoop()) {
      return null;
    }
    LoopDeadlines deadlines = OF_THIS_THREAD.get();
    if (deadlines == null || deadlines.loop != loop) {
      deadlines = new LoopDeadlines(loop);
      OF_THIS_THREAD.set(deadlines);
    }
    return deadlines;
  }

  /** Whether a wait due at {@code deadlineNanos} can be put last (none listed is due later). */
  boolean accepts(long deadlineNanos) {
    return last == null || deadlineNanos - last.deadlineNanos >= 0;
  }

  /** Puts {@code entry} last; false, and nothing done, when it is not {@link #accepts accepted}. */
  boolean append(Entry entry) {
    if (!accepts(entry.deadlineNanos)) {
      return false;
    }
    if (first == null) {
      armFor(entry.deadlineNanos); // before linking: a loop shutting down refuses the timer
    }
    entry.in = this;
    entry.previous = last;
    if (last == null) {
      first = entry;
    } else {
      last.next = entry;
    }
    last = entry;
    return true;
  }

  private void unlink(Entry entry) {
    if (entry.previous == null) {
      first = entry.next;
    } else {
      entry.previous.next = entry.next;
    }
    if (entry.next == null) {
      last = entry.previous;
    } else {
      entry.next.previous = entry.previous;
    }
    entry.previous = null;
    entry.next = null;
    entry.in = null;
  }

  /** The timer fires no later than {@code at} (a timer already due sooner is kept). */
  private void armFor(long at) {
    if (timer != null) {
      if (timerAt - at <= 0) {
        return;
      }
      timer.cancel(false);
      timer = null;
    }
    timer = loop.schedule(fire, Math.max(0, at - System.nanoTime()), TimeUnit.NANOSECONDS);
    timerAt = at;
  }

  private void fire() {
    timer = null;
    long now = System.nanoTime();
    // Never before a deadline: a timer that fired early only arms again.
    while (first != null && now - first.deadlineNanos >= 0) {
      Entry due = first;
      unlink(due);
      due.expired();
    }
    if (first != null) {
      armFor(first.deadlineNanos);
    }
  }

  /** How many waits are in the list (for tests). */
  int size() {
    int size = 0;
    for (Entry entry = first; entry != null; entry = entry.next) {
      size++;
    }
    return size;
  }
}
