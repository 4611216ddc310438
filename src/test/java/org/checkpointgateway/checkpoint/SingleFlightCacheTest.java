package org.checkpointgateway.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.StrictVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Fetches shared by concurrent askers, on real Vert.x contexts. */
class SingleFlightCacheTest {

  Vertx vertx;
  Context fetcherContext;
  /** The fetches started, in order; the test completes them. */
  final List<Promise<String>> started = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    vertx = StrictVertx.create();
    fetcherContext = vertx.getOrCreateContext();
  }

  @AfterEach
  void stop() {
    Await.result(vertx.close());
    StrictVertx.assertNeverBlocked(vertx);
  }

  /** Whether each started fetch was abandoned by all its askers, in order. */
  final List<RequestContext> unwanted = new CopyOnWriteArrayList<>();
  static final RequestContext LATER = RequestContext.withTimeout(Duration.ofMinutes(5));

  SingleFlightCache<String, String> fetches(Duration maxAge) {
    return new SingleFlightCache<>(vertx, maxAge, (key, abandoned) -> {
      // The answer arrives on the fetcher's context, as a runtime call's would.
      Promise<String> answer = Promise.promise();
      started.add(answer);
      unwanted.add(abandoned);
      return answer.future();
    });
  }

  /** Runs {@code ask} on a context of its own and records which thread saw the answer. */
  <T> Future<String> askOnOwnContext(Supplier<Future<T>> ask) {
    Context asker = vertx.getOrCreateContext();
    Promise<String> seenOn = Promise.promise();
    asker.runOnContext(ignored -> {
      Thread askerThread = Thread.currentThread();
      ask.get().onComplete(done -> seenOn.complete(
          (Thread.currentThread() == askerThread ? "own:" : "other:")
              + (done.succeeded() ? done.result() : "failed " + done.cause().getMessage())));
    });
    return seenOn.future();
  }

  void answer(int fetch, String value) {
    fetcherContext.runOnContext(ignored -> started.get(fetch).complete(value));
  }

  @Test
  void concurrentAskersShareOneFetchAndAreAnsweredOnTheirOwnContexts() {
    SingleFlightCache<String, String> shared = fetches(Duration.ofMinutes(1));
    List<Future<String>> askers = List.of(
        askOnOwnContext(() -> shared.recent("node", LATER)),
        askOnOwnContext(() -> shared.recent("node", LATER)),
        askOnOwnContext(() -> shared.recent("node", LATER)));
    Await.until("the first fetch to start", () -> started.size() == 1);
    answer(0, "picture-1");

    assertThat(askers).extracting(Await::result).containsOnly("own:picture-1");
    assertThat(started).hasSize(1);
    // Later askers within the age are answered from the same fetch.
    assertThat(Await.result(askOnOwnContext(() -> shared.recent("node", LATER)))).isEqualTo("own:picture-1");
    assertThat(started).hasSize(1);
  }

  @Test
  void eachKeyHasItsOwnFetch() {
    SingleFlightCache<String, String> shared = fetches(Duration.ofMinutes(1));
    Future<String> a = askOnOwnContext(() -> shared.recent("a", LATER));
    Future<String> b = askOnOwnContext(() -> shared.recent("b", LATER));
    Await.until("two fetches to start", () -> started.size() == 2);
    answer(0, "first");
    answer(1, "second");

    assertThat(List.of(Await.result(a), Await.result(b)))
        .containsExactlyInAnyOrder("own:first", "own:second");
  }

  @Test
  void anAnswerOlderThanTheAgeIsFetchedAgain() {
    SingleFlightCache<String, String> shared = fetches(Duration.ZERO);
    Future<String> first = askOnOwnContext(() -> shared.recent("node", LATER));
    Await.until("the first fetch", () -> started.size() == 1);
    answer(0, "old");
    assertThat(Await.result(first)).isEqualTo("own:old");

    Future<String> second = askOnOwnContext(() -> shared.recent("node", LATER));
    Await.until("a second fetch", () -> started.size() == 2);
    answer(1, "new");
    assertThat(Await.result(second)).isEqualTo("own:new");
  }

  @Test
  void fetchedSinceNeverAnswersFromAFetchBegunBefore() {
    SingleFlightCache<String, String> shared = fetches(Duration.ofMinutes(1));
    Future<String> early = askOnOwnContext(() -> shared.recent("node", LATER));
    Await.until("the first fetch", () -> started.size() == 1);
    long asked = System.nanoTime();

    // The first fetch is still under way, but it began before `asked`: a new one starts.
    Future<String> fresh = askOnOwnContext(() -> shared.fetchedSince("node", asked, LATER));
    Await.until("a fetch begun since", () -> started.size() == 2);
    // A second asker since then shares that newer fetch.
    Future<String> alsoFresh = askOnOwnContext(() -> shared.fetchedSince("node", asked, LATER));
    answer(0, "before");
    answer(1, "since");

    assertThat(Await.result(early)).isEqualTo("own:before");
    assertThat(Await.result(fresh)).isEqualTo("own:since");
    assertThat(Await.result(alsoFresh)).isEqualTo("own:since");
    assertThat(started).hasSize(2);
  }

  @Test
  void aFailedFetchIsSharedByItsWaitersButNeverReused() {
    SingleFlightCache<String, String> shared = fetches(Duration.ofMinutes(1));
    Future<String> a = askOnOwnContext(() -> shared.recent("node", LATER));
    Future<String> b = askOnOwnContext(() -> shared.recent("node", LATER));
    Await.until("the fetch", () -> started.size() == 1);
    fetcherContext.runOnContext(ignored -> started.get(0).fail("runtime down"));
    assertThat(List.of(Await.result(a), Await.result(b))).containsOnly("own:failed runtime down");

    Future<String> retry = askOnOwnContext(() -> shared.recent("node", LATER));
    Await.until("a new fetch after the failure", () -> started.size() == 2);
    answer(1, "back");
    assertThat(Await.result(retry)).isEqualTo("own:back");
  }

  @Test
  void eachAskerWaitsWithinItsOwnDeadlineNotTheFetchs() {
    SingleFlightCache<String, String> shared = fetches(Duration.ofMinutes(1));
    Future<String> hurried = askOnOwnContext(() -> shared.recent("node",
        RequestContext.withTimeout(Duration.ofMillis(300))));
    Future<String> patient = askOnOwnContext(() -> shared.recent("node", LATER));
    Await.until("the fetch", () -> started.size() == 1);

    // The hurried asker gives up at its deadline, as a grpc-go context would say; the fetch goes
    // on for the patient one, who gets the answer that comes later.
    assertThat(Await.result(hurried)).isEqualTo(
        "own:failed rpc error: code = DeadlineExceeded desc = context deadline exceeded");
    assertThat(unwanted.get(0).isCancelled()).isFalse();
    answer(0, "late picture");
    assertThat(Await.result(patient)).isEqualTo("own:late picture");
    assertThat(started).hasSize(1);
  }

  @Test
  void aFetchNobodyWaitsForAnyMoreIsAbandonedAndNeverJoined() {
    SingleFlightCache<String, String> shared = fetches(Duration.ofMinutes(1));
    Future<String> a = askOnOwnContext(() -> shared.recent("node",
        RequestContext.withTimeout(Duration.ofMillis(200))));
    Future<String> b = askOnOwnContext(() -> shared.recent("node",
        RequestContext.withTimeout(Duration.ofMillis(300))));
    Await.until("the fetch", () -> started.size() == 1);
    assertThat(Await.result(a)).contains("DeadlineExceeded");
    assertThat(unwanted.get(0).isCancelled()).as("abandoned while someone waits").isFalse();
    assertThat(Await.result(b)).contains("DeadlineExceeded");
    // Its runtime call is reset: a frozen runtime does not collect calls nobody waits for.
    Await.until("the fetch to be abandoned", () -> unwanted.get(0).isCancelled());

    Future<String> later = askOnOwnContext(() -> shared.recent("node", LATER));
    Await.until("a new fetch", () -> started.size() == 2);
    answer(1, "fresh");
    assertThat(Await.result(later)).isEqualTo("own:fresh");
  }

  @Test
  void anAskerWhoseRequestIsCancelledStopsWaitingAndTheLastOneAbandonsTheFetch() {
    SingleFlightCache<String, String> shared = fetches(Duration.ofMinutes(1));
    RequestContext gone = RequestContext.cancellable(Duration.ofMinutes(5));
    RequestContext staying = RequestContext.cancellable(Duration.ofMinutes(5));
    // Both join the one fetch before anyone leaves (recent() joins before it returns).
    java.util.concurrent.atomic.AtomicInteger joined = new java.util.concurrent.atomic.AtomicInteger();
    Future<String> first = askOnOwnContext(() -> {
      Future<String> answer = shared.recent("node", gone);
      joined.incrementAndGet();
      return answer;
    });
    Future<String> second = askOnOwnContext(() -> {
      Future<String> answer = shared.recent("node", staying);
      joined.incrementAndGet();
      return answer;
    });
    Await.until("both askers to join the fetch", () -> joined.get() == 2);
    assertThat(started).hasSize(1);

    // The caller went away during its lookup: its wait ends as a grpc-go context's would.
    gone.cancel();
    assertThat(Await.result(first)).isEqualTo(
        "own:failed rpc error: code = Canceled desc = context canceled");
    assertThat(unwanted.get(0).isCancelled()).as("someone still waits").isFalse();
    staying.cancel();
    assertThat(Await.result(second)).contains("Canceled");
    Await.until("the fetch to be abandoned", () -> unwanted.get(0).isCancelled());
  }
}
