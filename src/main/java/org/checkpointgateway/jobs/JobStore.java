package org.checkpointgateway.jobs;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.checkpointgateway.checkpoint.CheckpointEvent;
import org.checkpointgateway.checkpoint.CheckpointService;
import org.checkpointgateway.checkpoint.PreparedCheckpoint;
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.outcome.ConflictException;

/**
 * Checkpoint jobs for automation: they outlive the connection that made them, can be watched,
 * listed and cancelled, and are remembered for a bounded time and number. What the job routes
 * see of them; every answer comes back on the caller's context.
 */
public interface JobStore {

  /**
   * Told of each job's changes of state (made, started, finished) and of each job forgotten, on
   * the store's context: how a fleet keeps its members' jobs visible to the others.
   */
  interface Observer {
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
  record Submitted(JobView job, boolean created) {
  }

  /**
   * Jobs in this gateway's memory, their state on {@code context}: at most {@code historyMax}
   * finished ones, each for at most {@code historyAge}.
   */
  static JobStore create(Vertx vertx, Context context, CheckpointService checkpoints,
      int historyMax, Duration historyAge) {
    return new LocalJobStore(vertx, context, checkpoints, historyMax, historyAge);
  }

  /**
   * The job an earlier submission of this owner with this idempotency key made, if it is still
   * remembered: a repeated submission answers with it, even if its pod is gone by now.
   *
   * @throws ConflictException (in the Future) when the key was used for another request
   */
  Future<Optional<JobView>> replay(String owner, String key, JobRequest request);

  /**
   * Starts a job for checkpoints already prepared (looked up, at least one), or returns the job
   * an earlier submission with the same idempotency key made: the key is checked again here, so
   * that two first submissions racing still make one job.
   *
   * @param context the submission's, made when it arrived: the job runs within its deadline, and
   *     {@link #cancel} cancels it
   * @throws ConflictException (in the Future) when the key was used for another request
   */
  Future<Submitted> submit(String owner, JobRequest request, List<PreparedCheckpoint> prepared,
      Optional<String> idempotencyKey, RequestContext context);

  /**
   * Ids of jobs made from now on end in {@code @node}, so that they are unique in a fleet and
   * name the member that runs them; {@code observer} hears of their changes. Called once, by a
   * fleet member before it serves.
   */
  void joinFleet(String node, Observer observer);

  /** The job, or a NotFoundException. */
  Future<JobView> get(String id);

  /** Recent jobs, newest first, of the namespaces {@code visible} accepts. */
  Future<List<JobView>> list(Predicate<String> visible, int limit);

  /** Cancels a job that has not finished (its runtime calls are reset); the job as it found it. */
  Future<JobView> cancel(String id);

  /**
   * Replays the job's events so far, then passes on new ones until it finishes. The Future
   * holds a handle that stops the subscription (call it when the watcher goes away).
   */
  Future<Runnable> watch(String id, Consumer<CheckpointEvent> events, Runnable finished);

  /** Stops forgetting old jobs on a timer (the gateway is stopping). */
  void close();
}
