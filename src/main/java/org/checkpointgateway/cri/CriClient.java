package org.checkpointgateway.cri;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.metrics.GatewayMetrics;
import runtime.v1.Container;
import runtime.v1.PodSandbox;
import runtime.v1.VersionResponse;

/**
 * The container runtime as checkpoint-gateway sees it: the few CRI calls it needs, over gRPC.
 * Every failure arrives as a failed Future holding a
 * {@link org.checkpointgateway.outcome.RuntimeCallFailedException} whose code is spelled as grpc-go
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

  /** CRI {@code Version}: the runtime's name and version, within the context's deadline. */
  Future<VersionResponse> version(RequestContext context);

  /**
   * The node's READY pod sandboxes. Like every call here, the call runs under {@code context} as
   * a grpc-go client's does: the time left travels as {@code grpc-timeout} and, when it passes,
   * the call fails with {@code DeadlineExceeded}; when the context is cancelled the call is reset
   * and fails with {@code Canceled}.
   */
  Future<List<PodSandbox>> listReadySandboxes(RequestContext context);

  /** The node's RUNNING containers, of every sandbox. */
  Future<List<Container>> listRunningContainers(RequestContext context);

  /** Every container of the node in any state (created, running, exited, unknown). */
  Future<List<Container>> listAllContainers(RequestContext context);

  /** Containers of one sandbox in any state (created, running, exited, unknown). */
  Future<List<Container>> listContainers(String sandboxId, RequestContext context);

  /** The container's memory working set in bytes, from CRI {@code ContainerStats}. */
  Future<Long> memoryWorkingSet(String containerId, RequestContext context);

  /**
   * CRI {@code CheckpointContainer}: the runtime writes the archive to {@code location}. The time
   * left also travels in the request's {@code timeout} field; a cancel resets the stream so that
   * the runtime stops working.
   */
  Future<Void> checkpointContainer(String containerId, String location, RequestContext context);

  /**
   * Retires the connections made so far: calls under way on them finish, later calls connect
   * anew from every event loop. For when the socket went away: a connection made before then
   * may lead to a runtime that nobody can reach any more.
   */
  void dropConnections();

  /** Closes the connections. */
  Future<Void> close();
}
