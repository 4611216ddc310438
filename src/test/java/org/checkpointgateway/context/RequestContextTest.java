package org.checkpointgateway.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.checkpointgateway.outcome.RuntimeCallFailedException;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.StrictVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One request's deadline and cancellation: how waits end with it, and the words they end with. */
class RequestContextTest {

  Vertx vertx;

  @BeforeEach
  void start() {
    vertx = StrictVertx.create();
  }

  @AfterEach
  void stop() {
    Await.result(vertx.close());
    StrictVertx.assertNeverBlocked(vertx);
  }

  /** Runs {@code wait} on a context of its own; its outcome as "ok:value" or the failure text. */
  Future<String> on(Context context, java.util.function.Supplier<Future<String>> wait) {
    Promise<String> outcome = Promise.promise();
    context.runOnContext(ignored -> wait.get().onComplete(done -> outcome.complete(
        done.succeeded() ? "ok:" + done.result() : done.cause().getMessage())));
    return outcome.future();
  }

  @Test
  void theFailuresSayWhatGrpcGoSays() {
    assertThat(RequestContext.deadlineExceeded("").getMessage())
        .isEqualTo("rpc error: code = DeadlineExceeded desc = context deadline exceeded");
    assertThat(RequestContext.canceled(" while queued").getMessage())
        .isEqualTo("rpc error: code = Canceled desc = context canceled while queued");
    assertThat(RequestContext.canceled("").code()).isEqualTo("Canceled");
  }

  @Test
  void aWaitEndsAtTheDeadlineWithWhatWasWaitedFor() {
    RequestContext context = RequestContext.cancellable(Duration.ofMillis(150));
    long begun = System.nanoTime();
    String outcome = Await.result(on(vertx.getOrCreateContext(), () -> context.bound(vertx,
        Promise.<String>promise().future(), " while checking the archive")));
    assertThat(outcome).isEqualTo("rpc error: code = DeadlineExceeded desc = context deadline "
        + "exceeded while checking the archive");
    assertThat((System.nanoTime() - begun) / 1e6).isGreaterThanOrEqualTo(140);
    assertThat(context.expired()).isTrue();
    assertThat(context.remainingMillis()).isZero();
  }

  @Test
  void aCancelFromAnotherContextEndsTheWaitOnTheWaitersContext() {
    RequestContext context = RequestContext.cancellable(Duration.ofMinutes(5));
    Context waiter = vertx.getOrCreateContext();
    Promise<Context> answeredOn = Promise.promise();
    Future<String> outcome = on(waiter, () -> context.bound(vertx,
        Promise.<String>promise().future(), "").onComplete(ignored ->
            answeredOn.complete(Vertx.currentContext())));
    vertx.getOrCreateContext().runOnContext(ignored -> context.cancel());
    assertThat(Await.result(outcome))
        .isEqualTo("rpc error: code = Canceled desc = context canceled");
    assertThat(Await.result(answeredOn.future())).isSameAs(waiter);
    assertThat(context.isCancelled()).isTrue();
  }

  @Test
  void workThatEndsFirstIsTheAnswer() {
    RequestContext context = RequestContext.withTimeout(Duration.ofMinutes(5));
    Promise<String> work = Promise.promise();
    Future<String> outcome = on(vertx.getOrCreateContext(), () -> context.bound(vertx, work.future()));
    vertx.setTimer(20, id -> work.complete("archive"));
    assertThat(Await.result(outcome)).isEqualTo("ok:archive");
  }

  @Test
  void workEndingOnTheWaitersContextIsAnsweredWithoutAHop() {
    RequestContext context = RequestContext.withTimeout(Duration.ofMinutes(5));
    Context waiter = vertx.getOrCreateContext();
    Promise<String> seen = Promise.promise();
    waiter.runOnContext(ignored -> {
      Promise<String> work = Promise.promise();
      Future<String> answer = context.bound(vertx, work.future(), " while checking the archive");
      work.complete("archive");
      // Settled in the same task, as a file-system read's answer is: no extra task per wait.
      seen.complete(answer.isComplete() ? answer.result() : "not yet");
    });
    assertThat(Await.result(seen.future())).isEqualTo("archive");
  }

  @Test
  void workEndingOnAnotherContextIsAnsweredOnTheWaitersContext() {
    RequestContext context = RequestContext.withTimeout(Duration.ofMinutes(5));
    Context waiter = vertx.getOrCreateContext();
    Promise<String> work = Promise.promise();
    Promise<Context> answeredOn = Promise.promise();
    Context other = vertx.getOrCreateContext();
    Future<String> outcome = on(waiter, () -> {
      Future<String> answer = context.bound(vertx, work.future())
          .onComplete(ignored -> answeredOn.complete(Vertx.currentContext()));
      other.runOnContext(ignored -> work.complete("archive")); // once the wait is set up
      return answer;
    });
    assertThat(Await.result(outcome)).isEqualTo("ok:archive");
    assertThat(Await.result(answeredOn.future())).isSameAs(waiter);
  }

  @Test
  void derivedContextsKeepTheDeadlineAndTheCancellation() {
    RequestContext request = RequestContext.cancellable(Duration.ofSeconds(10));
    // A step with a shorter limit of its own ends at that limit...
    assertThat(request.within(Duration.ofSeconds(1)).remainingMillis()).isBetween(1L, 1000L);
    // ...but never later than the request.
    assertThat(request.within(Duration.ofSeconds(60)).deadlineNanos())
        .isEqualTo(request.deadlineNanos());
    RequestContext step = request.within(Duration.ofSeconds(1));
    Promise<Void> stopping = Promise.promise();
    RequestContext run = request.withCancel(stopping.future());
    assertThat(run.deadlineNanos()).isEqualTo(request.deadlineNanos());

    request.cancel();
    assertThat(step.isCancelled()).isTrue();
    assertThat(run.isCancelled()).as("its own signal decides").isFalse();
    stopping.complete();
    assertThat(run.isCancelled()).isTrue();
    assertThatThrownBy(run::cancel).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aContextNobodyCancelsEndsOnlyByTheClock() {
    RequestContext probe = RequestContext.withTimeout(Duration.ofMillis(100));
    Promise<String> answer = Promise.promise();
    vertx.runOnContext(ignored -> probe.failWhenDone(vertx, answer, () -> ""));
    Throwable failure = Await.failure(answer.future());
    assertThat(((RuntimeCallFailedException) failure).code()).isEqualTo("DeadlineExceeded");
    assertThat(probe.isCancelled()).isFalse();
  }

  @Test
  void sharedWorkHasNoDeadlineButItsCancellation() {
    Promise<Void> unwanted = Promise.promise();
    RequestContext shared = RequestContext.until(unwanted.future());
    assertThat(shared.remaining()).isGreaterThan(RequestContext.NO_DEADLINE.minusMinutes(1));
    Promise<String> answer = Promise.promise();
    vertx.runOnContext(ignored -> shared.failWhenDone(vertx, answer, () -> ""));
    unwanted.complete();
    assertThat(Await.failure(answer.future()).getMessage())
        .isEqualTo("rpc error: code = Canceled desc = context canceled");
  }

  @Test
  void aWaitThatEndedKeepsNothingForTheRestOfItsRequest() {
    // A request held for minutes waits on many things (the node's picture among them): once a
    // wait ends, what it waited for must not stay reachable through the request's cancellation.
    RequestContext request = RequestContext.cancellable(Duration.ofMinutes(5));
    // The work is dropped once done: only the request could still reach its value.
    java.util.concurrent.atomic.AtomicReference<Promise<byte[]>> work =
        new java.util.concurrent.atomic.AtomicReference<>(Promise.promise());
    Future<String> waited = on(vertx.getOrCreateContext(), () -> request.bound(vertx,
        work.get().future(), "").map(bytes -> "" + bytes.length));
    java.lang.ref.WeakReference<byte[]> value = new java.lang.ref.WeakReference<>(new byte[8 << 20]);
    vertx.runOnContext(ignored -> work.getAndSet(null).complete(value.get()));
    assertThat(Await.result(waited)).isEqualTo("ok:" + (8 << 20));
    Await.until("the answered value is unreachable while its request goes on", () -> {
      System.gc();
      return value.get() == null;
    });
    assertThat(request.isCancelled()).isFalse();
  }

  @Test
  void aCancelListenerTakenBackDoesNotRun() {
    RequestContext request = RequestContext.cancellable(Duration.ofMinutes(5));
    java.util.concurrent.atomic.AtomicInteger ran = new java.util.concurrent.atomic.AtomicInteger();
    Runnable takeBack = request.onCancel(ran::incrementAndGet);
    request.onCancel(ran::incrementAndGet);
    takeBack.run();
    request.cancel();
    assertThat(ran.get()).isEqualTo(1);
    // Registered after the cancel: runs at once, once.
    request.onCancel(ran::incrementAndGet);
    assertThat(ran.get()).isEqualTo(2);
  }
}
