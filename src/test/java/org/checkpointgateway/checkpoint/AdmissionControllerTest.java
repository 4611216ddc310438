package org.checkpointgateway.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.checkpoint.AdmissionController.Limits;
import org.checkpointgateway.checkpoint.AdmissionController.Permit;
import org.checkpointgateway.outcome.OverloadedException;
import org.checkpointgateway.outcome.RuntimeCallFailedException;
import org.checkpointgateway.outcome.UnavailableException;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.StrictVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admission rules, on a real Vert.x context, callers on another context. */
class AdmissionControllerTest {

  static final long GIB = 1L << 30;
  static final RequestContext LATER = RequestContext.withTimeout(Duration.ofMinutes(5));

  Vertx vertx;
  Context callers;
  final List<String> admitted = new CopyOnWriteArrayList<>();
  final Promise<Void> never = Promise.promise();

  @BeforeEach
  void start() {
    vertx = StrictVertx.create();
    callers = vertx.getOrCreateContext();
  }

  @AfterEach
  void stop() {
    Await.result(vertx.close());
    StrictVertx.assertNeverBlocked(vertx);
  }

  AdmissionController controller(int concurrent, long bytes, int queued) {
    // Its own context, as in the gateway: callers' answers must hop back to theirs.
    Context own = vertx.getOrCreateContext();
    return new AdmissionController(own, new Limits(concurrent, bytes, queued),
        new ThroughputEstimator());
  }

  /** Asks for admission from the callers' context, recording the order of admissions. */
  Future<Permit> admit(AdmissionController admission, String namespace, String name, long weight,
      RequestContext deadline, Future<Void> cancel, List<String> positions) {
    Promise<Permit> permit = Promise.promise();
    callers.runOnContext(ignored -> admission.admit(namespace, weight, deadline.withCancel(cancel),
            (position, ahead) -> positions.add(name + "@" + position + "+" + ahead))
        .onSuccess(granted -> {
          assertThat(Vertx.currentContext()).isSameAs(callers);
          admitted.add(name);
        })
        .onComplete(permit));
    return permit.future();
  }

  Future<Permit> admit(AdmissionController admission, String namespace, String name, long weight) {
    return admit(admission, namespace, name, weight, LATER, never.future(), new ArrayList<>());
  }

  @Test
  void concurrencyLimitHoldsAndReleaseLetsTheNextIn() {
    AdmissionController admission = controller(2, 100 * GIB, 100);
    Permit a = Await.result(admit(admission, "ns", "a", GIB));
    Permit b = Await.result(admit(admission, "ns", "b", GIB));
    Future<Permit> c = admit(admission, "ns", "c", GIB);
    Await.until("c to be queued", () -> admission.queued() == 1);
    assertThat(admission.running()).isEqualTo(2);
    assertThat(c.isComplete()).isFalse();

    a.release();
    Await.result(c);
    assertThat(admission.running()).isEqualTo(2);
    b.release();
    Await.result(c).release();
    Await.until("all released", () -> admission.running() == 0 && admission.bytesInFlight() == 0);
  }

  @Test
  void byteBudgetHoldsAndAHeavierThanBudgetCheckpointRunsAlone() {
    AdmissionController admission = controller(10, 4 * GIB, 100);
    Permit three = Await.result(admit(admission, "ns", "three", 3 * GIB));
    Future<Permit> two = admit(admission, "ns", "two", 2 * GIB);
    Future<Permit> huge = admit(admission, "ns", "huge", 9 * GIB);
    Await.until("two to be queued", () -> admission.queued() == 2);
    assertThat(admission.bytesInFlight()).isEqualTo(3 * GIB);

    three.release();
    Permit twoPermit = Await.result(two);
    // 9 GiB cannot share the budget with anything, and nothing may overtake it.
    assertThat(huge.isComplete()).isFalse();
    twoPermit.release();
    Await.result(huge);
    assertThat(admission.bytesInFlight()).isEqualTo(9 * GIB);
    assertThat(admission.running()).isEqualTo(1);
  }

  @Test
  void fifoWithinANamespaceRoundRobinAcrossNamespaces() {
    AdmissionController admission = controller(1, 100 * GIB, 100);
    Permit first = Await.result(admit(admission, "a", "a0", 1));
    Map<String, Future<Permit>> waiting = new HashMap<>();
    for (int i = 1; i <= 4; i++) {
      waiting.put("a" + i, admit(admission, "a", "a" + i, 1));
    }
    Await.until("a's burst to be queued", () -> admission.queued() == 4);
    for (int i = 1; i <= 2; i++) {
      waiting.put("b" + i, admit(admission, "b", "b" + i, 1));
    }
    Await.until("b's to be queued", () -> admission.queued() == 6);

    first.release();
    for (int done = 2; done <= 7; done++) {
      int expected = done;
      Await.until("admission number " + expected, () -> admitted.size() == expected);
      Await.result(waiting.get(admitted.get(expected - 1))).release();
    }
    // b arrived after a's burst, yet is served every other turn.
    assertThat(admitted).containsExactly("a0", "a1", "b1", "a2", "b2", "a3", "a4");
  }

  @Test
  void queuedCallersLearnTheirPositionAndBytesAhead() {
    AdmissionController admission = controller(1, 100 * GIB, 100);
    Permit running = Await.result(admit(admission, "a", "run", 10));
    List<String> positions = new CopyOnWriteArrayList<>();
    Future<Permit> first = admit(admission, "a", "x", 100, LATER, never.future(), positions);
    admit(admission, "a", "y", 1000, LATER, never.future(), positions);
    Await.until("both told", () -> positions.contains("x@1+10") && positions.contains("y@2+110"));

    running.release();
    Await.result(first);
    Await.until("y to move up", () -> positions.contains("y@1+100"));
  }

  @Test
  void fullQueueIsOverloadedWithRetryAfter() {
    AdmissionController admission = controller(1, 100 * GIB, 1);
    Await.result(admit(admission, "ns", "running", GIB));
    admit(admission, "ns", "queued", GIB);
    Await.until("one queued", () -> admission.queued() == 1);

    Throwable refused = Await.failure(admit(admission, "ns", "refused", GIB));
    assertThat(refused).isInstanceOf(OverloadedException.class)
        .hasMessageContaining("1 queued, the limit is 1");
    assertThat(((OverloadedException) refused).retryAfterSeconds()).isBetween(1L, 300L);
  }

  @Test
  void deadlinePassingInTheQueueFailsWithoutEverRunning() {
    AdmissionController admission = controller(1, 100 * GIB, 10);
    Permit running = Await.result(admit(admission, "ns", "running", 1));
    Throwable expired = Await.failure(admit(admission, "ns", "late", 1,
        RequestContext.withTimeout(Duration.ofMillis(200)), never.future(), new ArrayList<>()));

    assertThat(expired).isInstanceOf(RuntimeCallFailedException.class);
    assertThat(((RuntimeCallFailedException) expired).code()).isEqualTo("DeadlineExceeded");
    assertThat(expired.getMessage()).contains("while queued");
    assertThat(admission.queued()).isZero();
    running.release();
    Await.until("idle", () -> admission.running() == 0);
    assertThat(admitted).containsExactly("running");
  }

  @Test
  void cancelInTheQueueLeavesTheLineAndLetsOthersMoveUp() {
    AdmissionController admission = controller(1, 100 * GIB, 10);
    Permit running = Await.result(admit(admission, "ns", "running", 1));
    Promise<Void> cancel = Promise.promise();
    Future<Permit> cancelled = admit(admission, "ns", "cancelled", 1, LATER, cancel.future(),
        new ArrayList<>());
    Future<Permit> after = admit(admission, "ns", "after", 1);
    Await.until("two queued", () -> admission.queued() == 2);

    cancel.complete();
    assertThat(((RuntimeCallFailedException) Await.failure(cancelled)).code()).isEqualTo("Canceled");
    running.release();
    Await.result(after);
    assertThat(admitted).containsExactly("running", "after");
  }

  @Test
  void closingFailsTheQueueAndEveryLaterRequest() {
    AdmissionController admission = controller(1, 100 * GIB, 10);
    Await.result(admit(admission, "ns", "running", 1));
    Future<Permit> queued = admit(admission, "ns", "queued", 1);
    Await.until("one queued", () -> admission.queued() == 1);

    Await.result(admission.close(new UnavailableException("the gateway is stopping")));
    assertThat(Await.failure(queued)).isInstanceOf(UnavailableException.class);
    assertThat(Await.failure(admit(admission, "ns", "later", 1)))
        .isInstanceOf(UnavailableException.class);
  }

  @Test
  void roomAndNobodyWaitingAdmitsAtOnceOnTheCallersThread() {
    AdmissionController admission = controller(2, 100 * GIB, 10);
    Promise<Boolean> completeAtOnce = Promise.promise();
    callers.runOnContext(ignored -> completeAtOnce.complete(
        admission.admit("ns", GIB, LATER, (p, a) -> { }).isComplete()));
    // No hop to the admission context and back: the answer is there when admit returns.
    assertThat(Await.result(completeAtOnce.future())).isTrue();
    assertThat(admission.running()).isEqualTo(1);
    assertThat(admission.bytesInFlight()).isEqualTo(GIB);
  }

  @Test
  void aWaiterIsNeverOvertakenByANewcomerThatWouldFit() {
    // 3 GiB runs; 2 GiB waits for the 4 GiB budget; 1 GiB would fit beside 3 but must queue.
    AdmissionController admission = controller(10, 4 * GIB, 100);
    Permit three = Await.result(admit(admission, "ns", "three", 3 * GIB));
    Future<Permit> two = admit(admission, "ns", "two", 2 * GIB);
    Await.until("two to be queued", () -> admission.queued() == 1);
    Future<Permit> one = admit(admission, "other", "one", GIB);
    Await.until("one to be queued", () -> admission.queued() == 2);

    three.release();
    Await.result(two);
    Await.result(one);
    assertThat(admitted).containsExactly("three", "two", "one");
  }

  @Test
  void underContentionFromManyThreadsTheBudgetAndTheCountHold() throws Exception {
    int concurrent = 3;
    long budget = 10;
    AdmissionController admission = controller(concurrent, budget, 100_000);
    java.util.concurrent.atomic.AtomicLong held = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicInteger holders = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicReference<String> broken = new java.util.concurrent.atomic.AtomicReference<>();
    int perLoop = 2_000;
    List<Future<Void>> loops = new ArrayList<>();
    for (int loop = 0; loop < 4; loop++) {
      Context caller = vertx.getOrCreateContext();
      Promise<Void> done = Promise.promise();
      loops.add(done.future());
      java.util.concurrent.atomic.AtomicInteger left = new java.util.concurrent.atomic.AtomicInteger(perLoop);
      int seed = loop;
      caller.runOnContext(ignored -> {
        for (int i = 0; i < perLoop; i++) {
          long weight = 1 + (i * 7L + seed) % 6;
          admission.admit("ns" + (i % 3), weight, LATER, (p, a) -> { })
              .onSuccess(permit -> {
                long now = held.addAndGet(weight);
                int count = holders.incrementAndGet();
                // Alone, a checkpoint may be heavier than the budget; never more than that.
                if (count > concurrent || count > 1 && now > budget) {
                  broken.compareAndSet(null, count + " running, " + now + " bytes");
                }
                // Released a turn later, from the caller's loop, while others arrive.
                caller.runOnContext(nothing -> {
                  holders.decrementAndGet();
                  held.addAndGet(-weight);
                  permit.release();
                  if (left.decrementAndGet() == 0) {
                    done.complete();
                  }
                });
              });
        }
      });
    }
    Await.result(Future.all(loops));
    assertThat(broken.get()).isNull();
    Await.until("all released", () -> admission.running() == 0 && admission.bytesInFlight() == 0
        && admission.queued() == 0);
  }
}
