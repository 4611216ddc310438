package org.checkpointgateway.api;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;
import org.checkpointgateway.auth.Caller;
import org.checkpointgateway.jobs.JobRequest;

/**
 * The jobs API's view of the other fleet members (docs/fleet.md, "Jobs across the fleet"). A
 * job's id names the member that runs it ({@code UUID@node}); every call carries the caller,
 * and the member running the job checks it again with its own {@link JobActions}.
 */
public interface FleetJobs {

  /** A job another member made or replayed, as its JSON. */
  record Submitted(JsonObject job, boolean created) {
  }

  /** The other members' jobs (newest first, each with {@code node}), and who was silent. */
  record Listing(JsonArray items, List<String> unavailable) {
  }

  /** Whether the job of {@code id} belongs to another member (it names one that is not this). */
  boolean elsewhere(String id);

  /** Submits the job to the member that runs the pod; a 404 when no member runs it. */
  Future<Submitted> submit(Caller caller, JobRequest request, Optional<String> idempotencyKey);

  Future<JsonObject> get(Caller caller, String id);

  Future<JsonObject> cancel(Caller caller, String id);

  /**
   * Watches another member's job: its events so far, then new ones until it finishes, handed to
   * {@code events} and {@code finished} on the caller's context. The Future succeeds once that
   * member accepted the caller (events may come before it) and holds the handle that stops.
   */
  Future<Runnable> watch(Caller caller, String id,
      java.util.function.Consumer<org.checkpointgateway.checkpoint.CheckpointEvent> events,
      Runnable finished);

  /** Up to {@code limit} jobs of the other members the caller may see. */
  Future<Listing> list(Caller caller, Optional<String> namespace, int limit);
}
