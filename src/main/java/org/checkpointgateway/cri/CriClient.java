package org.checkpointgateway.cri;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.checkpointgateway.metrics.GatewayMetrics;
import runtime.v1.Container;
import runtime.v1.PodSandbox;
import runtime.v1.VersionResponse;

/**
 * The container runtime as checkpoint-gateway sees it: the few CRI calls it needs, over gRPC.
 * Every failure arrives as a failed Future holding a
 * {@link org.checkpointgateway.error.RuntimeCallFailedException} whose code is spelled as grpc-go
 * spells it.
 */
public interface CriClient {

  /**
   * A client for the runtime at {@code endpoint}, a {@code unix:///path} address as the kubelet's
   * {@code --container-runtime-endpoint} takes it.
   */
  static CriClient create(Vertx vertx, CriEndpoint endpoint, GatewayMetrics metrics) {
    return new GrpcCriClient(vertx, endpoint, metrics);
  }

  /** CRI {@code Version}: the runtime's name and version. */
  Future<VersionResponse> version();

  /** READY pod sandboxes carrying all the given labels. */
  Future<List<PodSandbox>> listReadySandboxes(Map<String, String> labels);

  /** RUNNING containers of one sandbox (of every sandbox if empty) carrying all the given labels. */
  Future<List<Container>> listRunningContainers(String sandboxId, Map<String, String> labels);

  /** The container's memory working set in bytes, from CRI {@code ContainerStats}. */
  Future<Long> memoryWorkingSet(String containerId);

  /**
   * CRI {@code CheckpointContainer}: the runtime writes the archive to {@code location}.
   *
   * @param timeout sent to the runtime as {@code grpc-timeout} and in the request's
   *     {@code timeout} field; the caller enforces it (see {@code checkpoint})
   * @param abandon when this completes, the call is cancelled with a stream reset so the runtime
   *     stops working, and the returned Future fails with the abandon Future's failure (or a
   *     {@code Canceled} runtime failure)
   */
  Future<Void> checkpointContainer(String containerId, String location, Duration timeout,
      Future<Void> abandon);

  /** Closes the connections. */
  Future<Void> close();
}
