package org.checkpointgateway.cri;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
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

  /**
   * The timeout of a call that ends when its callers stop waiting (its {@code abandon}) rather
   * than at a time of its own, such as a lookup shared by requests with different deadlines: a
   * year, the longest a request may ask for.
   */
  Duration NO_DEADLINE = Duration.ofDays(365);

  /** CRI {@code Version}: the runtime's name and version, within {@code timeout}. */
  Future<VersionResponse> version(Duration timeout);

  /**
   * The node's READY pod sandboxes. Like every call here: {@code timeout} travels as
   * {@code grpc-timeout} and fails the call with {@code DeadlineExceeded}; when {@code abandon}
   * completes the call is reset and fails with {@code Canceled}.
   */
  Future<List<PodSandbox>> listReadySandboxes(Duration timeout, Future<Void> abandon);

  /** The node's RUNNING containers, of every sandbox. */
  Future<List<Container>> listRunningContainers(Duration timeout, Future<Void> abandon);

  /** Every container of the node in any state (created, running, exited, unknown). */
  Future<List<Container>> listAllContainers(Duration timeout, Future<Void> abandon);

  /** Containers of one sandbox in any state (created, running, exited, unknown). */
  Future<List<Container>> listContainers(String sandboxId, Duration timeout, Future<Void> abandon);

  /** The container's memory working set in bytes, from CRI {@code ContainerStats}. */
  Future<Long> memoryWorkingSet(String containerId, Duration timeout, Future<Void> abandon);

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

  /**
   * Retires the connections made so far: calls under way on them finish, later calls connect
   * anew from every event loop. For when the socket went away: a connection made before then
   * may lead to a runtime that nobody can reach any more.
   */
  void dropConnections();

  /** Closes the connections. */
  Future<Void> close();
}
