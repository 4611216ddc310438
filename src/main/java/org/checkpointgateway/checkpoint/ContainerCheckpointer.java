package org.checkpointgateway.checkpoint;

import io.vertx.core.Future;
import java.nio.file.Path;
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.cri.CriClient;

/**
 * The mechanism that makes one archive of one running container. The CRI's
 * {@code CheckpointContainer} is the standard one; runtimes that lack it may be served by another
 * (containerd's task API).
 */
public interface ContainerCheckpointer {

  /** Through the CRI: the runtime writes the archive itself. */
  static ContainerCheckpointer cri(CriClient cri) {
    return (containerId, archive, context) ->
        cri.checkpointContainer(containerId, archive.toString(), context);
  }

  /**
   * Writes the archive of the running container {@code containerId} at {@code archive}.
   *
   * @param context the request's: when its deadline passes the work stops and the Future fails
   *     with a {@code DeadlineExceeded}
   *     {@link org.checkpointgateway.outcome.RuntimeCallFailedException}, when it is cancelled with
   *     {@code Canceled}
   * @return a Future failed with a {@link org.checkpointgateway.outcome.RuntimeCallFailedException}
   *     when the runtime fails; the caller removes whatever is left at {@code archive}
   */
  Future<Void> checkpoint(String containerId, Path archive, RequestContext context);
}
