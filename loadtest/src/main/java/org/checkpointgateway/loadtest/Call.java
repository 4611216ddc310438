package org.checkpointgateway.loadtest;

import io.vertx.core.Future;

/**
 * One request of a load: it completes with nothing when the answer was the expected one, and
 * fails with a {@link Failure} naming what came back instead ("HTTP 500", "connection closed" ...).
 * Called on an event loop; it must never block.
 */
@FunctionalInterface
interface Call {

  Future<Void> send();

  /** An unexpected answer, named so that failures group by kind in the report. */
  final class Failure extends RuntimeException {
    Failure(String what) {
      super(what, null, false, false);
    }
  }

  /** The report's name for a failure: a Failure's text, else the exception's class and message. */
  static String describe(Throwable t) {
    if (t instanceof Failure) {
      return t.getMessage();
    }
    String message = String.valueOf(t.getMessage());
    return t.getClass().getSimpleName() + ": " + (message.length() > 120 ? message.substring(0, 120) : message);
  }
}
