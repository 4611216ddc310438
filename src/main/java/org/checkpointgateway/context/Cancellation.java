package org.checkpointgateway.context;

import io.vertx.core.Future;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A cancellation signal whose listeners can be taken back. A wait that ends before its request
 * must not stay registered for the rest of the request's life: a listener holds what it would
 * fail, and a request held for minutes kept every answer it had waited for (the node's whole
 * container picture among them) until it ended. Safe from any thread; each listener runs at most
 * once, on the thread that fires the signal (or registers after it fired).
 */
final class Cancellation {

  private final Set<Runnable> listeners = ConcurrentHashMap.newKeySet();
  private volatile boolean fired;

  private Cancellation() {
  }

  /** Fires when {@code signal} completes, however it completes. */
  static Cancellation of(Future<?> signal) {
    Cancellation cancellation = new Cancellation();
    signal.onComplete(ignored -> cancellation.fire());
    return cancellation;
  }

  boolean fired() {
    return fired;
  }

  /** Runs {@code action} once when fired (at once if it has); the returned action takes it back. */
  Runnable listen(Runnable action) {
    // Each registration is its own object, so one action registered twice is two listeners.
    Runnable once = action::run;
    listeners.add(once);
    if (fired && listeners.remove(once)) {
      once.run();
    }
    return () -> listeners.remove(once);
  }

  private void fire() {
    fired = true;
    for (Runnable listener : listeners) {
      if (listeners.remove(listener)) {
        listener.run();
      }
    }
  }
}
