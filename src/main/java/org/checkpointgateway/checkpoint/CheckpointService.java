package org.checkpointgateway.checkpoint;

import io.vertx.core.Future;
import java.time.Duration;
import org.checkpointgateway.archive.ArchiveDirectory;
import org.checkpointgateway.cri.CriClient;

/**
 * What the HTTP layer may ask of the node, and nothing more (the kubelet's narrow
 * {@code HostInterface}, for the same reason: the routes can be tested against any runtime).
 */
public interface CheckpointService {

  static CheckpointService create(CriClient cri, ContainerCheckpointer checkpointer,
      ArchiveDirectory archives) {
    return new RuntimeCheckpointService(cri, checkpointer, archives);
  }

  /**
   * Checkpoints one running container.
   *
   * @param timeout how long the caller is willing to wait, from now; when it passes, the runtime
   *     call is cancelled and the Future fails with a {@code DeadlineExceeded} checkpoint failure
   * @param callerGone completes when the caller goes away; the runtime call is then cancelled
   * @return the archive's path, or a failed Future: {@code NotFoundException} for an unknown pod
   *     or container, {@code CheckpointFailedException} when the runtime fails
   */
  Future<CheckpointResult> checkpoint(CheckpointTarget target, Duration timeout, Future<Void> callerGone);

  /**
   * Checks that the pod and its container exist and run, without checkpointing: the kubelet
   * answers for those before it reads a request's options.
   */
  Future<Void> lookup(CheckpointTarget target);
}
