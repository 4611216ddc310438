package org.checkpointgateway.checkpoint;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.checkpointgateway.error.RuntimeCallFailedException;

/** A point on the monotonic clock by which a caller wants an answer. */
public record Deadline(long nanoTime) {

  public static Deadline in(Duration timeout) {
    return new Deadline(System.nanoTime() + timeout.toNanos());
  }

  /** Time left, never negative. */
  public Duration remaining() {
    return Duration.ofNanos(Math.max(0, nanoTime - System.nanoTime()));
  }

  public boolean passed() {
    return System.nanoTime() - nanoTime >= 0;
  }

  /**
   * Waits for {@code work} no longer than this deadline: its outcome, answered on the calling
   * context; or, if the deadline passes first, a {@code DeadlineExceeded} runtime failure, or if
   * {@code cancel} completes first, a {@code Canceled} one, as grpc-go words a context's end.
   * The work itself goes on (its owner decides whether anyone still wants it).
   *
   * @param waitingFor what was waited for, appended to the message ("" when the runtime was)
   */
  public <T> Future<T> bound(Vertx vertx, Future<T> work, Future<Void> cancel, String waitingFor) {
    return bound(vertx, work, () -> waitingFor, cancel);
  }

  /** As above, with what was waited for told when the wait ends (it may change meanwhile). */
  public <T> Future<T> bound(Vertx vertx, Future<T> work, Future<Void> cancel,
      java.util.function.Supplier<String> waitingFor) {
    return bound(vertx, work, waitingFor, cancel);
  }

  /** As {@link #bound(Vertx, Future, Future, String)}, for a wait nobody cancels but the clock. */
  public <T> Future<T> bound(Vertx vertx, Future<T> work) {
    return bound(vertx, work, () -> "", null);
  }

  private <T> Future<T> bound(Vertx vertx, Future<T> work,
      java.util.function.Supplier<String> waitingFor, Future<Void> cancel) {
    if (work.isComplete()) {
      return work.succeeded() ? Future.succeededFuture(work.result())
          : Future.failedFuture(work.cause());
    }
    Context caller = vertx.getOrCreateContext();
    Promise<T> answer = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, remaining().toMillis()), id -> answer.tryFail(
        new RuntimeCallFailedException("DeadlineExceeded", "context deadline exceeded" + waitingFor.get())));
    if (cancel != null) {
      cancel.onComplete(ignored -> caller.runOnContext(nothing -> answer.tryFail(
          new RuntimeCallFailedException("Canceled", "context canceled" + waitingFor.get()))));
    }
    work.onComplete(done -> caller.runOnContext(ignored -> {
      if (done.succeeded()) {
        answer.tryComplete(done.result());
      } else {
        answer.tryFail(done.cause());
      }
    }));
    answer.future().onComplete(ignored -> vertx.cancelTimer(timer));
    return answer.future();
  }
}
