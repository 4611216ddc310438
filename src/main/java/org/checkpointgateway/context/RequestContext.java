package org.checkpointgateway.context;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.checkpointgateway.outcome.RuntimeCallFailedException;

/**
 * One request's deadline and cancellation as one value, carried from the route to the runtime
 * call as grpc-go carries a {@code context.Context}: admission, lookup, the CRI call, containerd's
 * task API and a fleet owner all read the same deadline and listen to the same signal, and the
 * failures for "deadline passed" and "cancelled" are made here only, in grpc-go's words (the
 * kubelet embeds them in its answers, and callers match on them).
 *
 * <p>Immutable but for {@link #cancel} of a {@link #cancellable} one (or a
 * {@link #cancellableChild}). A context costs one object
 * (plus its cancellation signal when cancellable): no timer of its own; a wait that must end
 * with it is listed with its event loop's deadlines ({@link #failWhenDone}), as grpc-go's
 * {@code select} on {@code ctx.Done()} does.
 */
public final class RequestContext {

  /** The deadline of work that only its cancellation ends: a year, the longest a request may ask. */
  public static final Duration NO_DEADLINE = Duration.ofDays(365);

  private final long deadlineNanos;
  // Whether cancel() may fire {@code cancelled}: only a request's own context, or a run's child.
  private final boolean cancellable;
  // Fires when the context is cancelled; null when only the clock ends it.
  private final Cancellation cancelled;

  private RequestContext(long deadlineNanos, boolean cancellable, Cancellation cancelled) {
    this.deadlineNanos = deadlineNanos;
    this.cancellable = cancellable;
    this.cancelled = cancelled;
  }

  /** Ends {@code timeout} from now; nobody cancels it (probes, background refreshes). */
  public static RequestContext withTimeout(Duration timeout) {
    return new RequestContext(System.nanoTime() + timeout.toNanos(), false, null);
  }

  /**
   * A request's own context: its time starts now, and {@link #cancel} ends it (the caller went
   * away, the job was cancelled, the front asked its owner to stop).
   */
  public static RequestContext cancellable(Duration timeout) {
    return new RequestContext(System.nanoTime() + timeout.toNanos(), true, new Cancellation());
  }

  /**
   * Ended only when {@code cancelled} completes: for work that callers with deadlines of their
   * own share, abandoned once none of them waits (its calls carry {@link #NO_DEADLINE}).
   */
  public static RequestContext until(Future<Void> cancelled) {
    return new RequestContext(System.nanoTime() + NO_DEADLINE.toNanos(), false,
        Cancellation.of(cancelled));
  }

  /**
   * The same deadline, ended by {@code cancelled} instead: a signal that completes when this
   * context is cancelled and on other occasions too (the gateway stopping, a step's end).
   */
  public RequestContext withCancel(Future<Void> cancelled) {
    return new RequestContext(deadlineNanos, false, Cancellation.of(cancelled));
  }

  /**
   * The same deadline with a cancellation of its own: {@link #cancel} ends it, and this context's
   * cancel ends it only once linked ({@code onCancel(child::cancel)}). A run the gateway's stop
   * may end as well as its request, without a promise and a listener per run.
   */
  public RequestContext cancellableChild() {
    return new RequestContext(deadlineNanos, true, new Cancellation());
  }

  /** The earlier of this deadline and {@code timeout} from now, cancelled with this one. */
  public RequestContext within(Duration timeout) {
    long own = System.nanoTime() + timeout.toNanos();
    return own - deadlineNanos < 0 ? new RequestContext(own, false, cancelled) : this;
  }

  /**
   * Cancels a context made by {@link #cancellable} or {@link #cancellableChild}; waits on it fail
   * with {@code Canceled}.
   */
  public void cancel() {
    if (!cancellable) {
      throw new IllegalStateException("only a cancellable request context can be cancelled");
    }
    cancelled.fire();
  }

  /** The deadline on {@link System#nanoTime()}'s clock. */
  public long deadlineNanos() {
    return deadlineNanos;
  }

  /** Time left, never negative. */
  public Duration remaining() {
    return Duration.ofNanos(remainingNanos());
  }

  public long remainingNanos() {
    return Math.max(0, deadlineNanos - System.nanoTime());
  }

  /** Time left in whole milliseconds, never negative (what {@code grpc-timeout} and timers take). */
  public long remainingMillis() {
    return remainingNanos() / 1_000_000;
  }

  public boolean expired() {
    return System.nanoTime() - deadlineNanos >= 0;
  }

  public boolean isCancelled() {
    return cancelled != null && cancelled.fired();
  }

  /**
   * Runs {@code action} once when the context is cancelled (at once if it is); never if it cannot
   * be. The returned action takes it back: call it when whatever {@code action} would stop has
   * ended, so that a long request does not keep it (and all it refers to) to its end.
   */
  public Runnable onCancel(Runnable action) {
    return cancelled != null ? cancelled.listen(action) : NOTHING;
  }

  private static final Runnable NOTHING = () -> { };

  /**
   * The failure of a wait whose deadline passed, in grpc-go's words.
   *
   * @param waitingFor what was waited for, appended to the message ("" when the runtime was)
   */
  public static RuntimeCallFailedException deadlineExceeded(String waitingFor) {
    return new RuntimeCallFailedException("DeadlineExceeded", "context deadline exceeded" + waitingFor);
  }

  /** The failure of a wait given up by its caller, in grpc-go's words. */
  public static RuntimeCallFailedException canceled(String waitingFor) {
    return new RuntimeCallFailedException("Canceled", "context canceled" + waitingFor);
  }

  /**
   * Fails {@code answer} when this context ends first: {@link #deadlineExceeded} when the
   * deadline passes, {@link #canceled} when it is cancelled (on the calling context, if there
   * was one). Nothing of the wait stays once {@code answer} completes.
   */
  public <T> void failWhenDone(Vertx vertx, Promise<T> answer, Supplier<String> waitingFor) {
    Context caller = Vertx.currentContext();
    // Taken back when the wait ends, with its timer.
    Runnable stopListening = onCancel(() -> {
      if (caller == null || Vertx.currentContext() == caller) {
        answer.tryFail(canceled(waitingFor.get()));
      } else {
        caller.runOnContext(ignored -> answer.tryFail(canceled(waitingFor.get())));
      }
    });
    if (caller instanceof ContextInternal internal) {
      LoopDeadlines deadlines = LoopDeadlines.of(internal.nettyEventLoop());
      if (deadlines != null && deadlines.accepts(deadlineNanos)) {
        DeadlineWait<T> wait = new DeadlineWait<>(deadlineNanos, internal, answer, waitingFor,
            stopListening);
        deadlines.append(wait);
        answer.future().onComplete(wait);
        return;
      }
      // Not on the caller's event loop, or due before the waits already listed there: a task on
      // the caller's event loop rather than a Vert.x timer (no timer id, no entry in its map).
      long delayMillis = delayMillis();
      ScheduledFuture<?> timer = internal.nettyEventLoop().schedule(() -> internal.runOnContext(
          ignored -> answer.tryFail(deadlineExceeded(waitingFor.get()))),
          delayMillis, TimeUnit.MILLISECONDS);
      answer.future().onComplete(ignored -> {
        timer.cancel(false);
        stopListening.run();
      });
    } else {
      long timer = vertx.setTimer(delayMillis(),
          id -> answer.tryFail(deadlineExceeded(waitingFor.get())));
      answer.future().onComplete(ignored -> {
        vertx.cancelTimer(timer);
        stopListening.run();
      });
    }
  }

  /**
   * Time left in milliseconds for a timer, rounded up: one that fired a fraction of a millisecond
   * early would report a deadline that has not passed yet.
   */
  private long delayMillis() {
    return Math.max(1, (remainingNanos() + 999_999) / 1_000_000);
  }

  /** A wait in its event loop's {@link LoopDeadlines}: taken out when it ends, failed when due. */
  private static final class DeadlineWait<T> extends LoopDeadlines.Entry
      implements Handler<AsyncResult<T>> {
    private final ContextInternal caller;
    private final Promise<T> answer;
    private final Supplier<String> waitingFor;
    private final Runnable stopListening;

    DeadlineWait(long deadlineNanos, ContextInternal caller, Promise<T> answer,
        Supplier<String> waitingFor, Runnable stopListening) {
      super(deadlineNanos);
      this.caller = caller;
      this.answer = answer;
      this.waitingFor = waitingFor;
      this.stopListening = stopListening;
    }

    @Override
    void expired() {
      caller.runOnContext(ignored -> answer.tryFail(deadlineExceeded(waitingFor.get())));
    }

    @Override
    public void handle(AsyncResult<T> ended) {
      stopListening.run();
      if (caller.nettyEventLoop().inEventLoop()) {
        remove();
      } else {
        // Answered on another thread: the list is its loop's alone.
        caller.nettyEventLoop().execute(this::remove);
      }
    }
  }

  /**
   * Waits for {@code work} no longer than this context: its outcome, answered on the calling
   * context; or a {@code DeadlineExceeded} or {@code Canceled} runtime failure when the context
   * ends first. The work itself goes on (its owner decides whether anyone still wants it).
   */
  public <T> Future<T> bound(Vertx vertx, Future<T> work, Supplier<String> waitingFor) {
    if (work.isComplete()) {
      return work.succeeded() ? Future.succeededFuture(work.result())
          : Future.failedFuture(work.cause());
    }
    Context caller = vertx.getOrCreateContext();
    Promise<T> answer = Promise.promise();
    failWhenDone(vertx, answer, waitingFor);
    // Work that ends on the caller's context (a file-system read, for one) is answered at once.
    Confined.handleOn(caller, work, done -> settle(answer, done));
    return answer.future();
  }

  private static <T> void settle(Promise<T> answer, AsyncResult<T> done) {
    if (done.succeeded()) {
      answer.tryComplete(done.result());
    } else {
      answer.tryFail(done.cause());
    }
  }

  /** As {@link #bound(Vertx, Future, Supplier)}, with a fixed text of what was waited for. */
  public <T> Future<T> bound(Vertx vertx, Future<T> work, String waitingFor) {
    return bound(vertx, work, () -> waitingFor);
  }

  /** As {@link #bound(Vertx, Future, Supplier)}, for a wait on the runtime itself. */
  public <T> Future<T> bound(Vertx vertx, Future<T> work) {
    return bound(vertx, work, () -> "");
  }
}
