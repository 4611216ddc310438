package org.checkpointgateway.checkpoint;

import io.vertx.core.Future;
import java.util.List;
import java.util.function.Consumer;
import org.checkpointgateway.context.RequestContext;

/**
 * What the HTTP layer and the job store may ask of the node, and nothing more (the kubelet's
 * narrow {@code HostInterface}, for the same reason: callers can be tested against any runtime).
 * Checkpoints happen in two steps so that a caller can answer lookup failures (404) before it
 * commits to a streamed answer.
 */
public interface CheckpointService {

  /** For callers that want only the outcome: no progress is watched for them. */
  Consumer<CheckpointEvent> NO_EVENTS = event -> { };

  /**
   * The reason of the {@code CheckpointFailedException} of {@link #prepare} for a container that
   * the runtime knows in that pod but that does not run (the kubelet's 500
   * {@code container <name> not found}).
   */
  String CONTAINER_NOT_RUNNING = "ContainerNotRunning";

  /**
   * Finds a running container and weighs it, within the request's context.
   *
   * @return a failed Future with {@code NotFoundException} ({@code pod does not exist},
   *     {@code container <name> does not exist}), a {@code CheckpointFailedException} for a
   *     container that does not run ({@link #CONTAINER_NOT_RUNNING}), or one when the runtime
   *     cannot be asked: at once while nobody can connect to it, with
   *     {@code DeadlineExceeded} when it does not answer by the context's deadline, with
   *     {@code Canceled} when the context is cancelled first
   */
  Future<PreparedCheckpoint> prepare(CheckpointTarget target, RequestContext context);

  /** Finds every running container of a pod; {@code NotFoundException} when there is none. */
  Future<List<PreparedCheckpoint>> preparePod(String namespace, String pod,
      RequestContext context);

  /**
   * Checkpoints one prepared container through admission control.
   *
   * @param context the request's, the same one {@link #prepare} had: its deadline is when the
   *     caller stops waiting (time in the queue counts, and so does time waiting for a runtime
   *     that went away after the request was accepted: it runs when the runtime returns); when
   *     it passes, the runtime call is cancelled and the Future fails with a
   *     {@code DeadlineExceeded} checkpoint failure; when it is cancelled (the caller went away
   *     or cancelled) the runtime call is reset and the Future fails with {@code Canceled}
   * @param events every event of this checkpoint, terminal one included, on the caller's context
   * @return the archive, checked to be a regular file; or a failed Future:
   *     {@code CheckpointFailedException} (runtime failure, deadline, cancel, no archive after
   *     the runtime's success), {@code OverloadedException} (queue full),
   *     {@code InsufficientStorageException} (no room beside the checkpoints already running),
   *     {@code UnavailableException} (stopping)
   */
  Future<CheckpointResult> run(PreparedCheckpoint checkpoint, RequestContext context,
      Consumer<CheckpointEvent> events);

  /**
   * Checkpoints several containers of one pod concurrently, each through admission. Succeeds
   * with every archive when all succeed; otherwise fails with a
   * {@code PodCheckpointFailedException} naming each failure and the archives that were made.
   */
  Future<CheckpointResult> runPod(List<PreparedCheckpoint> checkpoints, RequestContext context,
      Consumer<CheckpointEvent> events);
}
