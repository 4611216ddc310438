package org.checkpointgateway.cri;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.ServiceMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.outcome.RuntimeCallFailedException;
import org.checkpointgateway.metrics.GatewayMetrics;
import runtime.v1.CheckpointContainerRequest;
import runtime.v1.Container;
import runtime.v1.ContainerFilter;
import runtime.v1.ContainerState;
import runtime.v1.ContainerStateValue;
import runtime.v1.ContainerStatsRequest;
import runtime.v1.ListContainersRequest;
import runtime.v1.ListPodSandboxRequest;
import runtime.v1.PodSandbox;
import runtime.v1.PodSandboxFilter;
import runtime.v1.PodSandboxState;
import runtime.v1.PodSandboxStateValue;
import runtime.v1.RuntimeServiceGrpcClient;
import runtime.v1.VersionRequest;
import runtime.v1.VersionResponse;

/**
 * CRI over vertx-grpc-client on a unix socket. Every call goes through {@link #call}, under the
 * request's {@link RequestContext}: its deadline (a Vert.x timer plus {@code grpc-timeout}) and
 * its cancellation (a stream reset, so the runtime sees it), the way a grpc-go client's does.
 */
final class GrpcCriClient implements CriClient {

  /**
   * HTTP/2 connections to the runtime from each event loop; each carries the server's stream
   * limit (100 in the simulator by default, unlimited in grpc-go servers such as containerd).
   */
  static final int CONNECTIONS_PER_EVENT_LOOP = 4;

  private static final String CRI_API_VERSION = "v1";

  /** A gRPC client and the connections under it. */
  private record Client(HttpClient transport, GrpcClient grpc) {
  }

  private final Vertx vertx;
  private final SocketAddress address;
  // One client per event loop, whose connections live on that loop: a call made there reaches
  // the runtime and comes back without crossing threads (two hand-offs a call otherwise).
  private final Map<Thread, Client> perEventLoop = new ConcurrentHashMap<>();
  // For calls from other threads (start-up, tests, workers).
  private volatile Client shared;
  // Dropped clients whose calls are still under way; closed with the rest.
  private final Set<Client> retiring = ConcurrentHashMap.newKeySet();
  private final GatewayMetrics metrics;

  GrpcCriClient(Vertx vertx, CriEndpoint endpoint, GatewayMetrics metrics) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.address = endpoint.socketAddress();
    this.shared = newClient();
  }

  @Override
  public Future<VersionResponse> version(RequestContext context) {
    return call(RuntimeServiceGrpcClient.Version,
        VersionRequest.newBuilder().setVersion(CRI_API_VERSION).build(), context);
  }

  @Override
  public Future<List<PodSandbox>> listReadySandboxes(RequestContext context) {
    PodSandboxFilter filter = PodSandboxFilter.newBuilder()
        .setState(PodSandboxStateValue.newBuilder().setState(PodSandboxState.SANDBOX_READY))
        .build();
    return call(RuntimeServiceGrpcClient.ListPodSandbox,
        ListPodSandboxRequest.newBuilder().setFilter(filter).build(), context)
        // Runtimes may ignore parts of a filter; keep only what was asked for.
        .map(response -> response.getItemsList().stream()
            .filter(sandbox -> sandbox.getState() == PodSandboxState.SANDBOX_READY)
            .toList());
  }

  @Override
  public Future<List<Container>> listRunningContainers(RequestContext context) {
    ContainerFilter filter = ContainerFilter.newBuilder()
        .setState(ContainerStateValue.newBuilder().setState(ContainerState.CONTAINER_RUNNING))
        .build();
    return call(RuntimeServiceGrpcClient.ListContainers,
        ListContainersRequest.newBuilder().setFilter(filter).build(), context)
        .map(response -> response.getContainersList().stream()
            .filter(container -> container.getState() == ContainerState.CONTAINER_RUNNING)
            .toList());
  }

  @Override
  public Future<List<Container>> listAllContainers(RequestContext context) {
    return call(RuntimeServiceGrpcClient.ListContainers, ListContainersRequest.getDefaultInstance(),
        context).map(response -> response.getContainersList());
  }

  @Override
  public Future<List<Container>> listContainers(String sandboxId, RequestContext context) {
    ContainerFilter filter = ContainerFilter.newBuilder().setPodSandboxId(sandboxId).build();
    return call(RuntimeServiceGrpcClient.ListContainers,
        ListContainersRequest.newBuilder().setFilter(filter).build(), context)
        // A runtime may ignore the filter: only this sandbox's containers count.
        .map(response -> response.getContainersList().stream()
            .filter(container -> container.getPodSandboxId().equals(sandboxId))
            .toList());
  }

  @Override
  public Future<Long> memoryWorkingSet(String containerId, RequestContext context) {
    return call(RuntimeServiceGrpcClient.ContainerStats,
        ContainerStatsRequest.newBuilder().setContainerId(containerId).build(), context)
        .map(response -> response.getStats().getMemory().getWorkingSetBytes().getValue());
  }

  @Override
  public Future<Void> checkpointContainer(String containerId, String location,
      RequestContext context) {
    CheckpointContainerRequest request = CheckpointContainerRequest.newBuilder()
        .setContainerId(containerId)
        .setLocation(location)
        // The CRI field is in whole seconds; round up so the runtime never gets less than asked.
        .setTimeout((context.remainingMillis() + 999) / 1000)
        .build();
    return call(RuntimeServiceGrpcClient.CheckpointContainer, request, context)
        .mapEmpty();
  }

  @Override
  public void dropConnections() {
    List<Client> old = new ArrayList<>(perEventLoop.values());
    perEventLoop.clear();
    old.add(shared);
    shared = newClient();
    for (Client client : old) {
      retiring.add(client);
      // New calls are refused at once, calls under way keep their own deadlines.
      client.transport().shutdown(RequestContext.NO_DEADLINE.toSeconds(), TimeUnit.SECONDS)
          .onComplete(ignored -> retiring.remove(client));
    }
  }

  @Override
  public Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    closing.add(shared.grpc().close());
    perEventLoop.values().forEach(client -> closing.add(client.grpc().close()));
    retiring.forEach(client -> closing.add(client.grpc().close()));
    return Future.join(closing).mapEmpty();
  }

  private Client newClient() {
    HttpClient transport = GrpcUnaryCall.transport(vertx, CONNECTIONS_PER_EVENT_LOOP);
    return new Client(transport, GrpcUnaryCall.client(vertx, transport));
  }

  private GrpcClient grpc() {
    Context context = Vertx.currentContext();
    if (context == null || !context.isEventLoopContext()) {
      return shared.grpc();
    }
    return perEventLoop.computeIfAbsent(Thread.currentThread(), loop -> newClient()).grpc();
  }

  private <Req, Resp> Future<Resp> call(ServiceMethod<Resp, Req> method, Req message,
      RequestContext context) {
    long begun = System.nanoTime();
    return GrpcUnaryCall.call(vertx, grpc(), address, method, message, context, Map.of())
        .onComplete(done -> metrics.criCall(method.methodName(), done.succeeded() ? "OK"
                : ((RuntimeCallFailedException) done.cause()).code(),
            System.nanoTime() - begun));
  }
}
