package org.checkpointgateway.context;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.StrictVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The waits of one event loop behind one timer: each ends at its own deadline, never before. */
class LoopDeadlinesTest {

  Vertx vertx;
  ContextInternal loop;

  @BeforeEach
  void start() {
    vertx = StrictVertx.create();
    loop = (ContextInternal) vertx.getOrCreateContext();
  }

  @AfterEach
  void stop() {
    Await.result(vertx.close());
    StrictVertx.assertNeverBlocked(vertx);
  }

  /** A wait on the loop for work that never ends; completes with when it failed, and how. */
  Future<Ended> waitFor(RequestContext context) {
    Promise<Ended> ended = Promise.promise();
    loop.runOnContext(ignored -> context.bound(vertx, Promise.<String>promise().future(), " for nothing")
        .onComplete(done -> ended.complete(new Ended(System.nanoTime(), Vertx.currentContext(),
            done.cause().getMessage()))));
    return ended.future();
  }

  record Ended(long atNanos, Context on, String message) {
  }

  int listed() {
    Promise<Integer> size = Promise.promise();
    loop.runOnContext(ignored -> size.complete(LoopDeadlines.of(loop.nettyEventLoop()).size()));
    return Await.result(size.future());
  }

  @Test
  void waitsOnOneLoopEndEachAtItsOwnDeadlineInOrder() {
    List<RequestContext> contexts = new ArrayList<>();
    List<Future<Ended>> waits = new ArrayList<>();
    for (int millis : new int[] {60, 120, 180, 180}) {
      RequestContext context = RequestContext.withTimeout(Duration.ofMillis(millis));
      contexts.add(context);
      waits.add(waitFor(context));
    }
    for (int i = 0; i < waits.size(); i++) {
      Ended ended = Await.result(waits.get(i));
      assertThat(ended.atNanos() - contexts.get(i).deadlineNanos()).as("wait %d ended at or after its deadline", i)
          .isGreaterThanOrEqualTo(0);
      assertThat(ended.on()).isSameAs(loop);
      assertThat(ended.message()).isEqualTo(
          "rpc error: code = DeadlineExceeded desc = context deadline exceeded for nothing");
    }
    assertThat(listed()).isZero();
  }

  @Test
  void aWaitDueBeforeTheLastListedEndsAtItsOwnDeadline() {
    RequestContext later = RequestContext.withTimeout(Duration.ofSeconds(30));
    Future<Ended> laterWait = waitFor(later);
    RequestContext sooner = RequestContext.withTimeout(Duration.ofMillis(80));
    Ended ended = Await.result(waitFor(sooner));
    assertThat(ended.atNanos() - sooner.deadlineNanos()).isGreaterThanOrEqualTo(0);
    assertThat(laterWait.isComplete()).isFalse();
    assertThat(listed()).as("only the later one is listed").isEqualTo(1);
  }

  @Test
  void theTimerOfAWaitThatEndedServesTheNextOne() {
    // The first wait arms the loop's timer and ends at once; the second, due later, must not be
    // failed when that timer fires, only at its own deadline.
    RequestContext first = RequestContext.withTimeout(Duration.ofMillis(50));
    Promise<String> firstWork = Promise.promise();
    Promise<String> firstAnswer = Promise.promise();
    loop.runOnContext(ignored -> bound(first, firstWork, firstAnswer));
    assertThat(listed()).as("the first wait is listed").isEqualTo(1);
    loop.runOnContext(ignored -> firstWork.complete("archive"));
    assertThat(Await.result(firstAnswer.future())).isEqualTo("archive");
    assertThat(listed()).isZero();
    RequestContext second = RequestContext.withTimeout(Duration.ofMillis(250));
    Ended ended = Await.result(waitFor(second));
    assertThat(ended.atNanos() - second.deadlineNanos()).isGreaterThanOrEqualTo(0);
  }

  @Test
  void aSoonerWaitAfterALaterOneEndedIsNotLeftToTheLaterTimer() {
    // The timer stays armed for a long wait that ended; a wait due sooner, alone in the list,
    // must have it armed again for its own deadline.
    Promise<String> longWork = Promise.promise();
    Promise<String> longAnswer = Promise.promise();
    loop.runOnContext(ignored -> bound(RequestContext.withTimeout(Duration.ofSeconds(30)), longWork,
        longAnswer));
    assertThat(listed()).isEqualTo(1);
    loop.runOnContext(ignored -> longWork.complete("done"));
    Await.result(longAnswer.future());
    RequestContext sooner = RequestContext.withTimeout(Duration.ofMillis(80));
    Ended ended = Await.result(waitFor(sooner));
    assertThat(ended.atNanos() - sooner.deadlineNanos()).isGreaterThanOrEqualTo(0);
    assertThat((ended.atNanos() - sooner.deadlineNanos()) / 1e6).as("ms after its deadline")
        .isLessThan(5_000);
  }

  void bound(RequestContext context, Promise<String> work, Promise<String> answer) {
    context.bound(vertx, work.future(), "").onComplete(answer);
  }

  @Test
  void waitsThatEndedAreNoLongerListed() {
    RequestContext request = RequestContext.cancellable(Duration.ofMinutes(5));
    List<Promise<String>> works = new ArrayList<>();
    List<Future<String>> answers = new ArrayList<>();
    Promise<Void> made = Promise.promise();
    loop.runOnContext(ignored -> {
      for (int i = 0; i < 1000; i++) {
        Promise<String> work = Promise.promise();
        works.add(work);
        answers.add(request.bound(vertx, work.future(), ""));
      }
      made.complete();
    });
    Await.result(made.future());
    assertThat(listed()).isEqualTo(1000);
    // Ended out of order: every other one, then the rest.
    loop.runOnContext(ignored -> {
      for (int i = 0; i < works.size(); i += 2) {
        works.get(i).complete("done");
      }
    });
    Await.until("half the waits are taken out", () -> listed() == 500);
    loop.runOnContext(ignored -> {
      for (int i = 1; i < works.size(); i += 2) {
        works.get(i).complete("done");
      }
    });
    Await.result(Future.all(answers));
    assertThat(listed()).isZero();
  }
}
