package org.checkpointgateway.jobs;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.checkpointgateway.checkpoint.CheckpointEvent;
import org.checkpointgateway.checkpoint.CheckpointResult;
import org.checkpointgateway.checkpoint.CheckpointService;
import org.checkpointgateway.checkpoint.PreparedCheckpoint;
import org.checkpointgateway.context.Confined;
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.outcome.ConflictException;
import org.checkpointgateway.outcome.NotFoundException;
import org.checkpointgateway.outcome.PodCheckpointFailedException;

/**
 * The job store of one gateway, in its memory: all state lives on one context; answers return
 * to the caller's context.
 */
final class LocalJobStore implements JobStore {

  /** How often finished jobs past their age are forgotten. */
  static final long SWEEP_MILLIS = 10_000;

  private final Vertx vertx;
  private final Confined state;
  private final CheckpointService checkpoints;
  private final int historyMax;
  private final Duration historyAge;
  // Insertion order is age order: the oldest job comes first.
  private final Map<String, Job> jobs = new LinkedHashMap<>();
  private final Map<String, String> idempotencyKeys = new HashMap<>();
  private final long sweeper;
  private volatile String idSuffix = "";
  private volatile Observer observer = Observer.NONE;

  LocalJobStore(Vertx vertx, Context context, CheckpointService checkpoints, int historyMax,
      Duration historyAge) {
    this.vertx = vertx;
    this.state = Confined.to(context);
    this.checkpoints = checkpoints;
    this.historyMax = historyMax;
    this.historyAge = historyAge;
    this.sweeper = vertx.setPeriodic(SWEEP_MILLIS, id -> state.run(this::forget));
  }

  @Override
  public Future<Optional<JobView>> replay(String owner, String key, JobRequest request) {
    return state.call(() -> earlier(owner, Optional.of(key), request).map(Job::view));
  }

  @Override
  public Future<Submitted> submit(String owner, JobRequest request, List<PreparedCheckpoint> prepared,
      Optional<String> idempotencyKey, RequestContext context) {
    if (prepared.isEmpty()) {
      throw new IllegalArgumentException("a job needs at least one prepared checkpoint");
    }
    return state.call(() -> {
      Optional<Job> earlier = earlier(owner, idempotencyKey, request);
      if (earlier.isPresent()) {
        return new Submitted(earlier.get().view(), false);
      }
      Job job = new Job(UUID.randomUUID() + idSuffix, owner, request, context);
      jobs.put(job.id, job);
      idempotencyKey.ifPresent(key -> idempotencyKeys.put(owner + "\n" + key, job.id));
      // The answer is the job as accepted: admitted at once, it may be running before start returns.
      JobView accepted = job.view();
      start(job, prepared);
      observer.changed(job.view());
      forget();
      return new Submitted(accepted, true);
    });
  }

  /** The job this owner's key made, if remembered; a ConflictException if it was for another request. */
  private Optional<Job> earlier(String owner, Optional<String> key, JobRequest request) {
    Optional<Job> earlier = key.map(k -> idempotencyKeys.get(owner + "\n" + k)).map(jobs::get);
    if (earlier.isPresent() && !earlier.get().request.equals(request)) {
      throw new ConflictException("Idempotency-Key " + key.get()
          + " was used for another request (job " + earlier.get().id + ")");
    }
    return earlier;
  }

  private void start(Job job, List<PreparedCheckpoint> prepared) {
    Consumer<CheckpointEvent> record = event -> {
      JobState before = job.state;
      job.record(event);
      if (job.state != before) {
        observer.changed(job.view());
      }
    };
    Future<CheckpointResult> run = job.request.container().isPresent()
        ? checkpoints.run(prepared.get(0), job.context, record)
        : checkpoints.runPod(prepared, job.context, record);
    run.onComplete(done -> {
      if (done.succeeded()) {
        job.finish(JobState.SUCCEEDED, done.result().items(), null);
      } else {
        List<String> made = done.cause() instanceof PodCheckpointFailedException pod
            ? pod.items() : List.of();
        job.finish(job.context.isCancelled() ? JobState.CANCELLED : JobState.FAILED, made,
            done.cause());
      }
      observer.changed(job.view());
    });
  }

  @Override
  public void joinFleet(String node, Observer observer) {
    this.idSuffix = "@" + node;
    this.observer = observer;
  }

  @Override
  public Future<JobView> get(String id) {
    return state.call(() -> find(id).view());
  }

  @Override
  public Future<List<JobView>> list(Predicate<String> visible, int limit) {
    return state.call(() -> jobs.values().stream()
        .filter(job -> visible.test(job.request.namespace()))
        .sorted(Comparator.comparing((Job job) -> job.createdAt).reversed())
        .limit(limit)
        .map(Job::view)
        .toList());
  }

  @Override
  public Future<JobView> cancel(String id) {
    return state.call(() -> {
      Job job = find(id);
      if (job.state.isFinal()) {
        throw new ConflictException("job " + id + " has already " + job.state);
      }
      // The job as the cancel found it: cancelling may end it at once or a moment later, and
      // the answer must not depend on which (the CLI says "it was running").
      JobView found = job.view();
      job.context.cancel();
      return found;
    });
  }

  @Override
  public Future<Runnable> watch(String id, Consumer<CheckpointEvent> events, Runnable finished) {
    Executor caller = Confined.replyToCaller();
    Consumer<CheckpointEvent> onCaller = event -> caller.execute(() -> events.accept(event));
    Runnable finishedOnCaller = () -> caller.execute(finished);
    return state.call(() -> {
      Job job = find(id);
      job.events.forEach(onCaller);
      if (job.state.isFinal()) {
        finishedOnCaller.run();
        return () -> { };
      }
      Job.Subscriber subscriber = new Job.Subscriber(onCaller, finishedOnCaller);
      job.subscribers.add(subscriber);
      return () -> state.run(() -> job.subscribers.remove(subscriber));
    });
  }

  @Override
  public void close() {
    vertx.cancelTimer(sweeper);
  }

  private Job find(String id) {
    Job job = jobs.get(id);
    if (job == null) {
      throw new NotFoundException("no checkpoint job " + id);
    }
    return job;
  }

  /** Forgets finished jobs past their age, then the oldest finished ones beyond the count. */
  private void forget() {
    Instant cutoff = Instant.now().minus(historyAge);
    int excess = jobs.size() - historyMax;
    var iterator = jobs.values().iterator();
    while (iterator.hasNext()) {
      Job job = iterator.next();
      if (job.state.isFinal() && (excess > 0 || job.finishedAt.isBefore(cutoff))) {
        iterator.remove();
        excess--;
        idempotencyKeys.values().remove(job.id);
        observer.forgotten(job.id);
      }
    }
  }
}
