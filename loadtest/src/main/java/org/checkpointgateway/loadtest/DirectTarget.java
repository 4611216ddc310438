package org.checkpointgateway.loadtest;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import org.checkpointgateway.archive.ArchiveDirectory;
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.cri.CriClient;
import org.checkpointgateway.cri.CriEndpoint;
import org.checkpointgateway.metrics.GatewayMetrics;

/**
 * The floor: the simulated runtime's CRI called straight over its unix socket with the gateway's
 * own CRI client (same connections, same deadline handling), no HTTP and no gateway in between.
 */
final class DirectTarget {

  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  private final CriClient cri;

  DirectTarget(Vertx vertx, Path socket) {
    this.cri = CriClient.create(vertx, new CriEndpoint(socket), GatewayMetrics.none());
  }

  /**
   * CheckpointContainer alone: what the kubelet sends the runtime for one checkpoint, a fresh
   * archive in {@code archives} each time (named as the gateway names them), as the gateway and
   * the limit ask it: one fixed location cost the runtime less than a new file per checkpoint.
   */
  Call checkpointOnly(String containerId, ArchiveDirectory archives, String namespace, String pod,
      String container) {
    return () -> cri.checkpointContainer(containerId,
            archives.newArchivePath(namespace, pod, container).toString(),
            RequestContext.withTimeout(TIMEOUT))
        .recover(DirectTarget::failure);
  }

  Future<Void> close() {
    return cri.close();
  }

  private static Future<Void> failure(Throwable t) {
    return Future.failedFuture(new Call.Failure("CRI " + Call.describe(t)));
  }
}
