package org.checkpointgateway.cri;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.common.ServiceMethod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.checkpointgateway.error.RuntimeCallFailedException;
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
 * CRI over vertx-grpc-client on a unix socket. Every call goes through {@link #call}, which owns
 * the deadline (a Vert.x timer plus {@code grpc-timeout}) and cancellation (a stream reset, so
 * the runtime sees it), the way a grpc-go client's context does.
 */
final class GrpcCriClient implements CriClient {

  /** Metadata calls (lookups, stats, version) are cheap; a runtime slower than this is unwell. */
  static final Duration METADATA_CALL_TIMEOUT = Duration.ofSeconds(10);
  /** HTTP/2 connections to the runtime; each carries the server's stream limit (often 100). */
  static final int CONNECTIONS = 16;

  private static final String CRI_API_VERSION = "v1";

  private final Vertx vertx;
  private final SocketAddress address;
  private final GrpcClient grpc;
  private final GatewayMetrics metrics;

  GrpcCriClient(Vertx vertx, CriEndpoint endpoint, GatewayMetrics metrics) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.address = endpoint.socketAddress();
    HttpClientOptions http = new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false);
    this.grpc = GrpcClient.client(vertx, new LocalhostAuthorityHttpClient(vertx.httpClientBuilder()
        .with(http)
        .with(new PoolOptions().setHttp2MaxSize(CONNECTIONS))
        .build()));
  }

  @Override
  public Future<VersionResponse> version() {
    return metadataCall(RuntimeServiceGrpcClient.Version,
        VersionRequest.newBuilder().setVersion(CRI_API_VERSION).build());
  }

  @Override
  public Future<List<PodSandbox>> listReadySandboxes(Map<String, String> labels) {
    PodSandboxFilter filter = PodSandboxFilter.newBuilder()
        .setState(PodSandboxStateValue.newBuilder().setState(PodSandboxState.SANDBOX_READY))
        .putAllLabelSelector(labels)
        .build();
    return metadataCall(RuntimeServiceGrpcClient.ListPodSandbox,
        ListPodSandboxRequest.newBuilder().setFilter(filter).build())
        // Runtimes may ignore parts of a filter; keep only what was asked for.
        .map(response -> response.getItemsList().stream()
            .filter(sandbox -> sandbox.getState() == PodSandboxState.SANDBOX_READY)
            .filter(sandbox -> sandbox.getLabelsMap().entrySet().containsAll(labels.entrySet()))
            .toList());
  }

  @Override
  public Future<List<Container>> listRunningContainers(String sandboxId, Map<String, String> labels) {
    ContainerFilter filter = ContainerFilter.newBuilder()
        .setPodSandboxId(sandboxId)
        .setState(ContainerStateValue.newBuilder().setState(ContainerState.CONTAINER_RUNNING))
        .putAllLabelSelector(labels)
        .build();
    return metadataCall(RuntimeServiceGrpcClient.ListContainers,
        ListContainersRequest.newBuilder().setFilter(filter).build())
        .map(response -> response.getContainersList().stream()
            .filter(container -> container.getState() == ContainerState.CONTAINER_RUNNING)
            .filter(container -> container.getPodSandboxId().equals(sandboxId))
            .filter(container -> container.getLabelsMap().entrySet().containsAll(labels.entrySet()))
            .toList());
  }

  @Override
  public Future<Long> memoryWorkingSet(String containerId) {
    return metadataCall(RuntimeServiceGrpcClient.ContainerStats,
        ContainerStatsRequest.newBuilder().setContainerId(containerId).build())
        .map(response -> response.getStats().getMemory().getWorkingSetBytes().getValue());
  }

  @Override
  public Future<Void> checkpointContainer(String containerId, String location, Duration timeout,
      Future<Void> abandon) {
    CheckpointContainerRequest request = CheckpointContainerRequest.newBuilder()
        .setContainerId(containerId)
        .setLocation(location)
        // The CRI field is in whole seconds; round up so the runtime never gets less than asked.
        .setTimeout((timeout.toMillis() + 999) / 1000)
        .build();
    return call(RuntimeServiceGrpcClient.CheckpointContainer, request, timeout, abandon)
        .mapEmpty();
  }

  @Override
  public Future<Void> close() {
    return grpc.close();
  }

  private <Req, Resp> Future<Resp> metadataCall(ServiceMethod<Resp, Req> method, Req message) {
    return call(method, message, METADATA_CALL_TIMEOUT, Promise.<Void>promise().future());
  }

  private <Req, Resp> Future<Resp> call(ServiceMethod<Resp, Req> method, Req message,
      Duration timeout, Future<Void> abandon) {
    if (Vertx.currentContext() == null) {
      // Called from a plain thread (start-up, tests): run the call on a context, so that the
      // response is read on the thread that receives it. Vert.x 5.0.7's client can lose the end
      // of a response read from another thread (eclipse-vertx/vert.x#6038).
      Promise<Resp> result = Promise.promise();
      vertx.getOrCreateContext().runOnContext(ignored ->
          call(method, message, timeout, abandon).onComplete(result));
      return result.future();
    }
    Promise<Resp> result = Promise.promise();
    long millis = Math.max(1, timeout.toMillis());
    long deadline = vertx.setTimer(millis, id -> result.tryFail(
        new RuntimeCallFailedException("DeadlineExceeded", "context deadline exceeded")));
    abandon.onComplete(ignored -> result.tryFail(
        new RuntimeCallFailedException("Canceled", "context canceled")));
    long begun = System.nanoTime();
    result.future().onComplete(done -> {
      vertx.cancelTimer(deadline);
      metrics.criCall(method.methodName(), done.succeeded() ? "OK"
              : ((RuntimeCallFailedException) done.cause()).code(),
          Duration.ofNanos(System.nanoTime() - begun));
    });

    grpc.request(address, method).onComplete(created -> {
      if (created.failed()) {
        result.tryFail(GrpcStatusTranslator.fromTransport(created.cause()));
        return;
      }
      GrpcClientRequest<Req, Resp> request = created.result();
      // Whoever settles the result first wins; if that was the deadline or the caller, reset
      // the stream so the runtime stops working on a call nobody waits for any more.
      result.future().onFailure(ignored -> request.cancel());
      if (result.future().isComplete()) {
        return;
      }
      request.timeout(millis, TimeUnit.MILLISECONDS);
      request.end(message);
      request.response()
          .compose(response -> response.last().recover(failure ->
              Future.failedFuture(GrpcStatusTranslator.fromResponse(response, failure))))
          .onComplete(answer -> {
            if (answer.succeeded()) {
              result.tryComplete(answer.result());
            } else {
              result.tryFail(GrpcStatusTranslator.fromTransport(answer.cause()));
            }
          });
    });
    return result.future();
  }
}
