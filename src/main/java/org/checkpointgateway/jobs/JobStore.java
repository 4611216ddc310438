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
import org.checkpointgateway.checkpoint.Deadline;
import org.checkpointgateway.checkpoint.PreparedCheckpoint;
import org.checkpointgateway.context.Confined;
import org.checkpointgateway.error.ConflictException;
import org.checkpointgateway.error.NotFoundException;
import org.checkpointgateway.error.PodCheckpointFailedException;

/**
 * Checkpoint jobs for automation: they outlive the connection that made them, can be watched,
 * listed and cancelled, and are remembered for a bounded time and number. All state lives on one
 * context; answers return to the caller's context.
 */
public final class JobStore {

  /** How often finished jobs past their age are forgotten. */
  static final long SWEEP_MILLIS = 10_000;

  /**
   * Told of each job's changes of state (made, started, finished) and of each job forgotten, on
   * the store's context: how a fleet keeps its members' jobs visible to the others.
   */
  public interface Observer {
    Observer NONE = new Observer() {
      @Override
      public void changed(JobView job) {
      }

      @Override
      public void forgotten(String id) {
      }
    };

    void changed(JobView job);

    void forgotten(String id);
  }

  /** A submitted job, and whether this submission created it (false: an idempotent replay). */
  public record Submitted(JobView job, boolean created) {
  }

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

  public JobStore(Vertx vertx, Context context, CheckpointService checkpoints, int historyMax,
      Duration historyAge) {
    this.vertx = vertx;
    this.state = Confined.to(context);
    this.checkpoints = checkpoints;
    this.historyMax = historyMax;
    this.historyAge = historyAge;
    this.sweeper = vertx.setPeriodic(SWEEP_MILLIS, id -> state.run(this::forget));
  }

  /**
   * Ids of jobs made from now on end in {@code @node}, so that they are unique in a fleet and
   * name the member that runs them; {@code observer} hears of their changes. Called once, by a
   * fleet member before it serves.
   */
  public void joinFleet(String node, Observer observer) {
    this.idSuffix = "@" + node;
    this.observer = observer;
  }

  /** The job an idempotency key of this owner made, if it is still remembered. */
  public Future<Optional<JobView>> byIdempotencyKey(String owner, String key) {
    return state.call(() -> Optional.ofNullable(idempotencyKeys.get(owner + "\n" + key))
        .map(jobs::get).map(Job::view));
  }

  /**
   * Starts a job for checkpoints already prepared (looked up), or returns the job an earlier
   * submission with the same idempotency key made.
   *
   * @throws ConflictException (in the Future) when the key was used for another request
   */
  public Future<Submitted> submit(String owner, JobRequest request, List<PreparedCheckpoint> prepared,
      Optional<String> idempotencyKey) {
    Deadline deadline = Deadline.in(request.timeout());
    return state.call(() -> {
      Optional<Job> earlier = idempotencyKey.map(key -> idempotencyKeys.get(owner + "\n" + key))
          .map(jobs::get);
      if (earlier.isPresent()) {
        if (!earlier.get().request.equals(request)) {
          throw new ConflictException("Idempotency-Key " + idempotencyKey.get()
              + " was used for another request (job " + earlier.get().id + ")");
        }
        return new Submitted(earlier.get().view(), false);
      }
      if (prepared.isEmpty()) {
        throw new ConflictException("the job of Idempotency-Key " + idempotencyKey.orElse("")
            + " is no longer remembered; submit again with a new key");
      }
      Job job = new Job(UUID.randomUUID() + idSuffix, owner, request);
      jobs.put(job.id, job);
      idempotencyKey.ifPresent(key -> idempotencyKeys.put(owner + "\n" + key, job.id));
      start(job, prepared, deadline);
      observer.changed(job.view());
      forget();
      return new Submitted(job.view(), true);
    });
  }

  private void start(Job job, List<PreparedCheckpoint> prepared, Deadline deadline) {
    Consumer<CheckpointEvent> record = event -> {
      JobState before = job.state;
      job.record(event);
      if (job.state != before) {
        observer.changed(job.view());
      }
    };
    Future<CheckpointResult> run = job.request.container().isPresent()
        ? checkpoints.run(prepared.get(0), deadline, job.cancel.future(), record)
        : checkpoints.runPod(prepared, deadline, job.cancel.future(), record);
    run.onComplete(done -> {
      if (done.succeeded()) {
        job.finish(JobState.SUCCEEDED, done.result().items(), null);
      } else {
        List<String> made = done.cause() instanceof PodCheckpointFailedException pod
            ? pod.items() : List.of();
        job.finish(job.cancel.future().isComplete() ? JobState.CANCELLED : JobState.FAILED, made,
            done.cause());
      }
      observer.changed(job.view());
    });
  }

  public Future<JobView> get(String id) {
    return state.call(() -> find(id).view());
  }

  /** Recent jobs, newest first, of the namespaces {@code visible} accepts. */
  public Future<List<JobView>> list(Predicate<String> visible, int limit) {
    return state.call(() -> jobs.values().stream()
        .filter(job -> visible.test(job.request.namespace()))
        .sorted(Comparator.comparing((Job job) -> job.createdAt).reversed())
        .limit(limit)
        .map(Job::view)
        .toList());
  }

  /** Cancels a job that has not finished: its runtime calls are reset. */
  public Future<JobView> cancel(String id) {
    return state.call(() -> {
      Job job = find(id);
      if (job.state.isFinal()) {
        throw new ConflictException("job " + id + " has already " + job.state);
      }
      job.cancel.tryComplete();
      return job.view();
    });
  }

  /**
   * Replays the job's events so far, then passes on new ones until it finishes. The Future
   * holds a handle that stops the subscription (call it when the watcher goes away).
   */
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
