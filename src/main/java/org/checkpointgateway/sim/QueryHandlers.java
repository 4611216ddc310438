package org.checkpointgateway.sim;

import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.StatusException;
import java.util.function.Function;
import runtime.v1.ContainerStatsResponse;
import runtime.v1.ContainerStatusResponse;
import runtime.v1.ListContainerStatsResponse;
import runtime.v1.ListContainersResponse;
import runtime.v1.ListPodSandboxResponse;
import runtime.v1.RuntimeServiceGrpcService;
import runtime.v1.VersionResponse;

/** The read-only CRI calls: Version, the listings, ContainerStatus and the stats. */
final class QueryHandlers {

  private final SimulatorSeed seed;
  private final SimulatedPods pods;
  private final CheckpointLedger ledger;

  QueryHandlers(SimulatorSeed seed, SimulatedPods pods, CheckpointLedger ledger) {
    this.seed = seed;
    this.pods = pods;
    this.ledger = ledger;
  }

  void bind(GrpcServer server) {
    unary(server, RuntimeServiceGrpcService.Version, request -> VersionResponse.newBuilder()
        .setVersion("0.1.0")
        .setRuntimeName(seed.runtimeName())
        .setRuntimeVersion(seed.runtimeVersion())
        .setRuntimeApiVersion("v1")
        .build());
    unary(server, RuntimeServiceGrpcService.ListPodSandbox, request -> ListPodSandboxResponse.newBuilder()
        .addAllItems(pods.sandboxes(request.getFilter()))
        .build());
    unary(server, RuntimeServiceGrpcService.ListContainers, request -> ListContainersResponse.newBuilder()
        .addAllContainers(pods.containers(request.getFilter()))
        .build());
    unary(server, RuntimeServiceGrpcService.ContainerStatus, request -> ContainerStatusResponse.newBuilder()
        .setStatus(pods.status(find(request.getContainerId())))
        .build());
    unary(server, RuntimeServiceGrpcService.ContainerStats, request -> ContainerStatsResponse.newBuilder()
        .setStats(pods.stats(find(request.getContainerId()), nowNanos()))
        .build());
    unary(server, RuntimeServiceGrpcService.ListContainerStats, request -> ListContainerStatsResponse.newBuilder()
        .addAllStats(pods.stats(request.getFilter(), nowNanos()))
        .build());
  }

  private SimulatedPods.Entry find(String containerId) {
    return pods.find(containerId).orElseThrow(() -> notFound(containerId));
  }

  /** NOT_FOUND worded like containerd's. */
  static StatusException notFound(String containerId) {
    return new StatusException(GrpcStatus.NOT_FOUND,
        "an error occurred when try to find container \"" + containerId + "\": not found");
  }

  private <Req, Resp> void unary(GrpcServer server, ServiceMethod<Req, Resp> method, Function<Req, Resp> answer) {
    server.callHandler(method, request -> {
      ledger.countCall(method.methodName());
      // A StatusException thrown by answer becomes that status (GrpcServerRequestImpl.handler).
      request.handler(message -> request.response().end(answer.apply(message)));
    });
  }

  private static long nowNanos() {
    return System.currentTimeMillis() * 1_000_000L;
  }
}
