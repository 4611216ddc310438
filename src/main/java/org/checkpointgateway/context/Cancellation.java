package org.checkpointgateway.context;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * A cancellation signal whose listeners can be taken back. A wait that ends before its request
 * must not stay registered for the rest of the request's life: a listener holds what it would
 * fail, and a request held for minutes kept every answer it had waited for (the node's whole
 * container picture among them) until it ended. Safe from any thread; each listener runs at most
 * once, on the thread that fires the signal (or registers after it fired).
 *
 * <p>A request has a handful of listeners at a time, so a small list under this object's monitor
 * (held for a list operation, never while a listener runs) costs less memory than a concurrent
 * set per request: ten thousand held requests have ten thousand of these.
 */
final class Cancellation {

  // A request's signal nearly always has one listener at a time (rarely two): the first in a
  // field, a list only beyond it (ten thousand held requests have three signals each).
  private Runnable first;
  private List<Runnable> more;
  private boolean fired;

  /** Fired by {@link #fire} only. */
  Cancellation() {
  }

  /** Fires when {@code signal} completes, however it completes. */
  static Cancellation of(Future<?> signal) {
    Cancellation cancellation = new Cancellation();
    signal.onComplete(ignored -> cancellation.fire());
    return cancellation;
  }

  synchronized boolean fired() {
    return fired;
  }

  /**
   * Runs {@code action} once when fired (at once if it has); the returned action takes it back
   * (one taken back as the signal fires may still run: listeners only end what is still going).
   */
  Runnable listen(Runnable action) {
    // Each registration is its own object, so one action registered twice is two listeners.
    Runnable once = action::run;
    synchronized (this) {
      if (!fired) {
        if (first == null) {
          first = once;
        } else {
          if (more == null) {
            more = new ArrayList<>(2);
          }
          more.add(once);
        }
        return () -> takeBack(once);
      }
    }
    once.run();
    return () -> { };
  }

  private synchronized void takeBack(Runnable listener) {
    if (first == listener) {
      first = null;
    } else if (more != null) {
      more.remove(listener);
    }
  }

  /** Fires: every listener runs, on this thread; later ones run as they register. */
  void fire() {
    Runnable firstToRun;
    List<Runnable> moreToRun;
    synchronized (this) {
      if (fired) {
        return;
      }
      fired = true;
      firstToRun = first;
      moreToRun = more;
      first = null;
      more = null;
    }
    if (firstToRun != null) {
      firstToRun.run();
    }
    if (moreToRun != null) {
      moreToRun.forEach(Runnable::run);
    }
  }
}
