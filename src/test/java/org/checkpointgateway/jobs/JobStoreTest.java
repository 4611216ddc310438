package org.checkpointgateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.checkpointgateway.checkpoint.CheckpointEvent;
import org.checkpointgateway.checkpoint.CheckpointResult;
import org.checkpointgateway.checkpoint.CheckpointService;
import org.checkpointgateway.checkpoint.CheckpointTarget;
import org.checkpointgateway.checkpoint.PreparedCheckpoint;
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.outcome.CheckpointFailedException;
import org.checkpointgateway.outcome.ConflictException;
import org.checkpointgateway.outcome.NotFoundException;
import org.checkpointgateway.outcome.RuntimeCallFailedException;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.StrictVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The job store on its own, over a checkpoint service the test drives: idempotent submission,
 * a job's life and its events, cancellation, the bounded history, and answers on the caller's
 * context.
 */
class JobStoreTest {

  static final JobRequest APP = new JobRequest("default", "demo", Optional.of("app"),
      Duration.ofMinutes(2));
  static final List<PreparedCheckpoint> PREPARED = List.of(
      new PreparedCheckpoint(new CheckpointTarget("default", "demo", "app"), "c1", 64));

  /** One checkpoint the store started: the test ends it and sends its events. */
  record Started(PreparedCheckpoint checkpoint, RequestContext request,
      Consumer<CheckpointEvent> events, Context context, Promise<CheckpointResult> result) {

    void send(CheckpointEvent event) {
      context.runOnContext(ignored -> events.accept(event));
    }

    void succeed(String item) {
      context.runOnContext(ignored -> result.complete(
          new CheckpointResult(List.of(item), 1024, Duration.ofMillis(5))));
    }
  }

  /** The seam the store runs checkpoints through, recording every run it is asked for. */
  static final class DrivenCheckpoints implements CheckpointService {
    final List<Started> started = new CopyOnWriteArrayList<>();

    @Override
    public Future<PreparedCheckpoint> prepare(CheckpointTarget target, RequestContext context) {
      throw new UnsupportedOperationException("the store runs prepared checkpoints only");
    }

    @Override
    public Future<List<PreparedCheckpoint>> preparePod(String namespace, String pod,
        RequestContext context) {
      throw new UnsupportedOperationException("the store runs prepared checkpoints only");
    }

    @Override
    public Future<CheckpointResult> run(PreparedCheckpoint checkpoint, RequestContext context,
        Consumer<CheckpointEvent> events) {
      Promise<CheckpointResult> result = Promise.promise();
      started.add(new Started(checkpoint, context, events, Vertx.currentContext(), result));
      context.onCancel(() -> result.tryFail(new CheckpointFailedException(
          "default/demo/app", new RuntimeCallFailedException("Canceled", "context canceled"))));
      return result.future();
    }

    @Override
    public Future<CheckpointResult> runPod(List<PreparedCheckpoint> checkpoints,
        RequestContext context, Consumer<CheckpointEvent> events) {
      return run(checkpoints.get(0), context, events);
    }
  }

  Vertx vertx;
  Context storeContext;
  final DrivenCheckpoints checkpoints = new DrivenCheckpoints();
  JobStore store;

  @BeforeEach
  void start() {
    vertx = StrictVertx.create();
    storeContext = vertx.getOrCreateContext();
    store = JobStore.create(vertx, storeContext, checkpoints, 2, Duration.ofHours(1));
  }

  @AfterEach
  void stop() {
    store.close();
    Await.result(vertx.close());
    StrictVertx.assertNeverBlocked(vertx);
  }

  JobView submit(String owner, JobRequest request, String key) {
    return Await.result(store.submit(owner, request, PREPARED, Optional.ofNullable(key),
        arrived(request))).job();
  }

  /** The context the route makes when a submission arrives. */
  static RequestContext arrived(JobRequest request) {
    return RequestContext.cancellable(request.timeout());
  }

  JobView awaitState(String id, JobState state) {
    return Await.until("job " + id + " to be " + state, () -> store.get(id),
        job -> job.state() == state);
  }

  @Test
  void aReplayedIdempotencyKeyAnswersTheSameJobAndAnotherRequestConflicts() {
    JobStore.Submitted first = Await.result(store.submit("alice", APP, PREPARED, Optional.of("k1"), arrived(APP)));
    JobStore.Submitted again = Await.result(store.submit("alice", APP, PREPARED, Optional.of("k1"), arrived(APP)));

    assertThat(first.created()).isTrue();
    assertThat(again.created()).isFalse();
    assertThat(again.job().id()).isEqualTo(first.job().id());
    assertThat(checkpoints.started).hasSize(1);
    assertThat(Await.result(store.replay("alice", "k1", APP)).map(JobView::id))
        .contains(first.job().id());
    assertThat(Await.result(store.replay("alice", "k2", APP))).isEmpty();

    JobRequest other = new JobRequest("default", "demo", Optional.of("sidecar"), APP.timeout());
    assertThat(Await.failure(store.submit("alice", other, PREPARED, Optional.of("k1"), arrived(other))))
        .isInstanceOf(ConflictException.class).hasMessageContaining("k1");
    // A replay of another request is told so before anything is looked up.
    assertThat(Await.failure(store.replay("alice", "k1", other)))
        .isInstanceOf(ConflictException.class)
        .hasMessage("Idempotency-Key k1 was used for another request (job " + first.job().id() + ")");
    // Nothing prepared is a caller's bug, not a conflict: no list stands for "replay only".
    assertThatThrownBy(() -> store.submit("alice", other, List.of(), Optional.of("k1"), arrived(other)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(checkpoints.started).hasSize(1);
    // Keys are per owner: bob's k1 is a new job.
    assertThat(submit("bob", APP, "k1").id()).isNotEqualTo(first.job().id());
  }

  @Test
  void aJobRunsToItsResultAndALateWatcherGetsItsEventsCollapsed() {
    JobView job = submit("alice", APP, null);
    assertThat(job.state()).isEqualTo(JobState.QUEUED);
    Started run = checkpoints.started.get(0);

    CheckpointEvent started = new CheckpointEvent.Started("app", "c1", 64, Duration.ofSeconds(1));
    CheckpointEvent lastProgress =
        new CheckpointEvent.Progress("app", Duration.ofSeconds(3), 0.9, 300);
    run.send(started);
    run.send(new CheckpointEvent.Progress("app", Duration.ofSeconds(1), 0.3, 100));
    run.send(new CheckpointEvent.Progress("app", Duration.ofSeconds(2), 0.6, 200));
    run.send(lastProgress);
    awaitState(job.id(), JobState.RUNNING);
    run.succeed("/checkpoints/a.tar");
    JobView done = awaitState(job.id(), JobState.SUCCEEDED);
    assertThat(done.items()).containsExactly("/checkpoints/a.tar");
    assertThat(done.startedAt()).isPresent();
    assertThat(done.finishedAt()).isPresent();

    List<CheckpointEvent> seen = new CopyOnWriteArrayList<>();
    Promise<Void> finished = Promise.promise();
    // Watchers are routes: they watch from a context of their own.
    vertx.getOrCreateContext().runOnContext(ignored ->
        store.watch(job.id(), seen::add, finished::complete));
    Await.result(finished.future());
    // Repeated progress is kept as its latest: a long checkpoint stays a few events.
    assertThat(seen).containsExactly(started, lastProgress);
  }

  @Test
  void cancellingAJobResetsItsRunAndAFinishedJobCannotBeCancelled() {
    JobView job = submit("alice", APP, null);
    Started run = checkpoints.started.get(0);

    Await.result(store.cancel(job.id()));

    assertThat(run.request().isCancelled()).isTrue();
    assertThat(awaitState(job.id(), JobState.CANCELLED).failure()).isPresent();
    assertThat(Await.failure(store.cancel(job.id()))).isInstanceOf(ConflictException.class)
        .hasMessage("job " + job.id() + " has already cancelled");
    assertThat(Await.failure(store.cancel("no-such-job"))).isInstanceOf(NotFoundException.class);
  }

  @Test
  void finishedJobsBeyondTheHistoryAreForgottenOldestFirstAndRunningOnesKept() {
    JobView running = submit("alice", APP, "running");
    JobView first = submit("alice", APP, "first");
    checkpoints.started.get(1).succeed("/a.tar");
    awaitState(first.id(), JobState.SUCCEEDED);

    // A third job with a history of 2: the finished one goes, the older running one stays.
    JobView second = submit("alice", APP, "second");

    assertThat(Await.failure(store.get(first.id()))).isInstanceOf(NotFoundException.class);
    assertThat(Await.result(store.replay("alice", "first", APP))).isEmpty();
    assertThat(Await.result(store.list(namespace -> true, 10))).extracting(JobView::id)
        .containsExactlyInAnyOrder(running.id(), second.id());
    assertThat(Await.result(store.list(namespace -> false, 10))).isEmpty();
  }

  @Test
  void answersComeBackOnTheCallersContextAndTheStateStaysOnTheStores() {
    Context caller = vertx.getOrCreateContext();
    assertThat(caller).isNotSameAs(storeContext);
    Promise<List<Context>> contexts = Promise.promise();
    caller.runOnContext(ignored -> store.submit("alice", APP, PREPARED, Optional.empty(), arrived(APP))
        .onComplete(submitted -> contexts.complete(List.of(Vertx.currentContext(),
            checkpoints.started.get(0).context()))));

    assertThat(Await.result(contexts.future())).containsExactly(caller, storeContext);
  }
}
