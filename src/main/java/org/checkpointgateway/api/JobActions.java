package org.checkpointgateway.api;

import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;
import org.checkpointgateway.auth.Caller;
import org.checkpointgateway.auth.CheckpointPermissions;
import org.checkpointgateway.checkpoint.CheckpointService;
import org.checkpointgateway.checkpoint.CheckpointTarget;
import org.checkpointgateway.checkpoint.PreparedCheckpoint;
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.outcome.CheckpointFailedException;
import org.checkpointgateway.outcome.NotFoundException;
import org.checkpointgateway.jobs.JobRequest;
import org.checkpointgateway.jobs.JobStore;
import org.checkpointgateway.jobs.JobView;

/**
 * What a caller may do with this member's checkpoint jobs, checked the same way whether the
 * request came in here or through another fleet member ({@code FleetJobs}). A caller sees only
 * jobs of namespaces it may checkpoint; a job of another namespace is "not found", never
 * "forbidden", so that ids do not reveal what other tenants do.
 */
public final class JobActions {

  private final CheckpointService checkpoints;
  private final JobStore jobs;

  public JobActions(CheckpointService checkpoints, JobStore jobs) {
    this.checkpoints = checkpoints;
    this.jobs = jobs;
  }

  /**
   * Starts a job of a pod this member runs, or answers the job an earlier submission with the
   * same idempotency key made; {@code pod does not exist} when this member does not run it.
   *
   * @param context the submission's, made when it arrived: the lookup and the job count against
   *     its deadline, as the kubelet route's do
   */
  public Future<JobStore.Submitted> submit(Caller caller, JobRequest request,
      Optional<String> idempotencyKey, RequestContext context) {
    return CheckpointPermissions.requireCheckpoint(caller, request.namespace())
        .compose(allowed -> idempotencyKey.isPresent()
            ? jobs.replay(caller.subject(), idempotencyKey.get(), request)
            : Future.succeededFuture(Optional.<JobView>empty()))
        .compose(earlier -> earlier.isPresent()
            ? Future.succeededFuture(new JobStore.Submitted(earlier.get(), false))
            : prepare(request, context).compose(prepared ->
                jobs.submit(caller.subject(), request, prepared, idempotencyKey, context)));
  }

  private Future<List<PreparedCheckpoint>> prepare(JobRequest request, RequestContext context) {
    return request.container().isPresent()
        ? checkpoints.prepare(new CheckpointTarget(request.namespace(), request.pod(),
            request.container().get()), context).map(List::of)
            // The kubelet's 500 for it stays on the kubelet's route: here the caller's mistake.
            .recover(failure -> Future.failedFuture(failure instanceof CheckpointFailedException
                && ((CheckpointFailedException) failure).reason()
                    .equals(CheckpointService.CONTAINER_NOT_RUNNING)
                ? new NotFoundException("container " + request.container().get() + " is not running")
                : failure))
        : checkpoints.preparePod(request.namespace(), request.pod(), context);
  }

  /** Up to {@code limit} jobs, newest first, of namespaces the caller may checkpoint. */
  public Future<List<JobView>> list(Caller caller, Optional<String> namespace, int limit) {
    return jobs.list(ns -> namespace.map(ns::equals).orElse(true) && mayCheckpoint(caller, ns),
        limit);
  }

  /** The job, if the caller may checkpoint its namespace (else the same 404 as a missing one). */
  public Future<JobView> get(Caller caller, String id) {
    return jobs.get(id).compose(job -> mayCheckpoint(caller, job.request().namespace())
        ? Future.succeededFuture(job)
        : Future.failedFuture(new NotFoundException("no checkpoint job " + id)));
  }

  /**
   * Watches the job, if the caller may see it: its events so far, then new ones until it
   * finishes (see {@link JobStore#watch}); the Future holds the handle that stops watching.
   */
  public Future<Runnable> watch(Caller caller, String id,
      java.util.function.Consumer<org.checkpointgateway.checkpoint.CheckpointEvent> events,
      Runnable finished) {
    return get(caller, id).compose(job -> jobs.watch(job.id(), events, finished));
  }

  public Future<JobView> cancel(Caller caller, String id) {
    return get(caller, id).compose(job -> jobs.cancel(job.id()));
  }

  /** Whether the caller may see jobs of {@code namespace}: it may checkpoint there. */
  public static boolean mayCheckpoint(Caller caller, String namespace) {
    return CheckpointPermissions.mayCheckpoint(caller, namespace);
  }

  /** A job as the jobs API shows it; {@code node} when its id names one (a fleet's job). */
  public static io.vertx.core.json.JsonObject json(JobView job) {
    return JobRoutes.json(job);
  }
}
