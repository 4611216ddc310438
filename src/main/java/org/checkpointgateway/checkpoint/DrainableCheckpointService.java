package org.checkpointgateway.checkpoint;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.checkpointgateway.archive.ArchiveDirectory;
import org.checkpointgateway.cri.CriClient;
import org.checkpointgateway.cri.RuntimeWatch;
import org.checkpointgateway.metrics.GatewayMetrics;

/** The checkpoint service as the process that owns it sees it: it can also be drained. */
public interface DrainableCheckpointService extends CheckpointService {

  static DrainableCheckpointService create(Vertx vertx, CriClient cri, RuntimeWatch runtime,
      ContainerCheckpointer checkpointer, ArchiveDirectory archives, AdmissionController admission,
      ThroughputEstimator throughput, GatewayMetrics metrics, CheckpointSettings settings) {
    return new RuntimeCheckpointService(vertx, cri, runtime, checkpointer, archives, admission,
        throughput, metrics, settings);
  }

  /**
   * Stops taking checkpoints: new ones fail with {@code UnavailableException}, queued ones
   * fail at once, running ones get {@code grace} to finish and are then cancelled (their partial
   * archives removed). Completes when nothing runs any more.
   */
  Future<Void> drain(Duration grace);
}
