package org.checkpointgateway.containerd;

import com.google.protobuf.Any;
import containerd.runc.v1.CheckpointOptions;
import containerd.services.containers.v1.Container;
import containerd.services.containers.v1.ContainersGrpcClient;
import containerd.services.containers.v1.GetContainerRequest;
import containerd.services.tasks.v1.CheckpointTaskRequest;
import containerd.services.tasks.v1.TasksGrpcClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.ServiceMethod;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.cri.CriEndpoint;
import org.checkpointgateway.cri.GrpcUnaryCall;
import runtime.v1.ContainerStatus;
import runtime.v1.ContainerStatusRequest;
import runtime.v1.RuntimeServiceGrpcClient;

/**
 * containerd's own gRPC API on the CRI socket: the calls a task checkpoint needs. Each runs under
 * the request's {@link RequestContext} as in the CRI client: a Vert.x timer plus
 * {@code grpc-timeout}, and a stream reset when it is cancelled, so containerd's context is too.
 */
final class ContainerdClient {

  /** The containerd namespace of the CRI plugin (fixed in containerd 1.x). */
  static final String K8S_NAMESPACE = "k8s.io";
  static final String NAMESPACE_HEADER = "containerd-namespace";
  /**
   * The Any type URL of runc's checkpoint options. containerd's typeurl registry knows proto
   * messages by their full name, without the {@code type.googleapis.com/} prefix Java would add.
   */
  static final String RUNC_CHECKPOINT_OPTIONS = "containerd.runc.v1.CheckpointOptions";
  static final Duration METADATA_CALL_TIMEOUT = Duration.ofSeconds(10);

  private final Vertx vertx;
  private final SocketAddress address;
  private final GrpcClient grpc;

  ContainerdClient(Vertx vertx, CriEndpoint endpoint) {
    this.vertx = vertx;
    this.address = endpoint.socketAddress();
    this.grpc = GrpcUnaryCall.client(vertx, 1);
  }

  /** The container's metadata: OCI spec, runtime, creation time. */
  Future<Container> container(String id, RequestContext context) {
    return call(ContainersGrpcClient.Get, GetContainerRequest.newBuilder().setId(id).build(),
        context.within(METADATA_CALL_TIMEOUT))
        .map(response -> response.getContainer());
  }

  /** CRI {@code ContainerStatus}, for the archive's status.dump and the container log. */
  Future<ContainerStatus> containerStatus(String id, RequestContext context) {
    return call(RuntimeServiceGrpcClient.ContainerStatus,
        ContainerStatusRequest.newBuilder().setContainerId(id).build(),
        context.within(METADATA_CALL_TIMEOUT))
        .map(response -> response.getStatus());
  }

  /**
   * {@code Tasks.Checkpoint} leaving the container running, with CRIU's images written to
   * {@code images} and its dump.log and stats-dump to {@code work}. With an image path containerd
   * makes no checkpoint image in its content store ({@code services/tasks/local.go}), and with a
   * work path the shim keeps CRIU's work files instead of removing them.
   */
  Future<Void> checkpointTask(String id, Path images, Path work, RequestContext context) {
    CheckpointOptions options = CheckpointOptions.newBuilder()
        .setExit(false)
        .setImagePath(images.toString())
        .setWorkPath(work.toString())
        .build();
    CheckpointTaskRequest request = CheckpointTaskRequest.newBuilder()
        .setContainerId(id)
        .setOptions(Any.newBuilder().setTypeUrl(RUNC_CHECKPOINT_OPTIONS)
            .setValue(options.toByteString()))
        .build();
    return call(TasksGrpcClient.Checkpoint, request, context).mapEmpty();
  }

  Future<Void> close() {
    return grpc.close();
  }

  private <Req, Resp> Future<Resp> call(ServiceMethod<Resp, Req> method, Req message,
      RequestContext context) {
    return GrpcUnaryCall.call(vertx, grpc, address, method, message, context,
        Map.of(NAMESPACE_HEADER, K8S_NAMESPACE));
  }
}
