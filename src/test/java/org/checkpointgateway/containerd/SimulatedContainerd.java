package org.checkpointgateway.containerd;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import containerd.runc.v1.CheckpointOptions;
import containerd.services.containers.v1.Container;
import containerd.services.containers.v1.ContainersGrpcService;
import containerd.services.containers.v1.GetContainerResponse;
import containerd.services.tasks.v1.CheckpointTaskResponse;
import containerd.services.tasks.v1.TasksGrpcService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.common.GrpcHeaderNames;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.checkpointgateway.cri.CriEndpoint;
import org.checkpointgateway.cri.StreamErrorGuard;
import runtime.v1.CheckpointContainerRequest;
import runtime.v1.CheckpointContainerResponse;
import runtime.v1.ContainerMetadata;
import runtime.v1.ContainerState;
import runtime.v1.ContainerStatus;
import runtime.v1.ContainerStatusResponse;
import runtime.v1.ImageSpec;
import runtime.v1.RuntimeServiceGrpcService;
import runtime.v1.VersionResponse;

/**
 * A simulated containerd for the task-API checkpointer's tests: a real gRPC server on a unix
 * socket answering the calls {@link ContainerdAwareCheckpointer} makes (CRI Version,
 * ContainerStatus and CheckpointContainer, Containers.Get, Tasks.Checkpoint), so that its deadline
 * and cancellation paths run in every build without a real containerd. Every call, and every call
 * the client reset, is written to {@link #events()} in the order the server saw them.
 */
final class SimulatedContainerd {

  /** What the simulated containerd is: 1.6 lacks CRI CheckpointContainer, 2.x has it. */
  enum Version { V1_6, V2 }

  /** What Tasks.Checkpoint does. */
  enum TaskCheckpoint {
    /** Writes CRIU's images and work files where the options say, then answers OK. */
    WRITE_IMAGES,
    /** Never answers: only a deadline or the caller's reset ends it. */
    HANG,
    /**
     * Answers as containerd does when the context that our {@code grpc-timeout} gave it runs out
     * first: UNKNOWN "context deadline exceeded: unknown", a little before the caller's timer.
     */
    EXPIRE_FIRST
  }

  static final String CONTAINER_ID = "4f2b8c1d9e";
  static final String POD = "web";
  static final String NAMESPACE = "team-a";

  private final Version version;
  private final Path socket;
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final Map<String, List<Long>> grpcTimeouts = new ConcurrentHashMap<>();
  // CRI CheckpointContainer calls held on 2.x until released.
  private final List<Runnable> heldCriCheckpoints = new CopyOnWriteArrayList<>();
  private volatile TaskCheckpoint taskCheckpoint = TaskCheckpoint.WRITE_IMAGES;
  private HttpServer server;

  private SimulatedContainerd(Version version, Path socket) {
    this.version = version;
    this.socket = socket;
  }

  static Future<SimulatedContainerd> start(Vertx vertx, Version version, Path socket) {
    SimulatedContainerd containerd = new SimulatedContainerd(version, socket);
    return containerd.listen(vertx).map(containerd);
  }

  CriEndpoint endpoint() {
    return CriEndpoint.parse("unix://" + socket);
  }

  void taskCheckpoint(TaskCheckpoint behaviour) {
    this.taskCheckpoint = behaviour;
  }

  /** The calls seen, {@code "Service.Method"}, and {@code "Service.Method reset"} per reset. */
  List<String> events() {
    return List.copyOf(events);
  }

  /** The {@code grpc-timeout} of every {@code call} that carried one, in milliseconds, in order. */
  List<Long> grpcTimeouts(String call) {
    return List.copyOf(grpcTimeouts.getOrDefault(call, List.of()));
  }

  /** Lets every held CRI CheckpointContainer (2.x) write its archive and answer OK. */
  void releaseCriCheckpoints() {
    List<Runnable> held = List.copyOf(heldCriCheckpoints);
    heldCriCheckpoints.removeAll(held);
    held.forEach(Runnable::run);
  }

  Future<Void> close() {
    return server.close();
  }

  private Future<HttpServer> listen(Vertx vertx) {
    GrpcServer grpc = GrpcServer.server(vertx);
    grpc.callHandler(RuntimeServiceGrpcService.Version, request -> {
      seen(request, "Version");
      request.handler(message -> request.response().end(VersionResponse.newBuilder()
          .setVersion("0.1.0").setRuntimeName(ContainerdAwareCheckpointer.CONTAINERD)
          .setRuntimeVersion(version == Version.V1_6 ? "v1.6.38" : "v2.1.5")
          .setRuntimeApiVersion("v1").build()));
    });
    grpc.callHandler(RuntimeServiceGrpcService.ContainerStatus, request -> {
      seen(request, "ContainerStatus");
      request.handler(message -> request.response().end(
          ContainerStatusResponse.newBuilder().setStatus(status()).build()));
    });
    grpc.callHandler(ContainersGrpcService.Get, request -> {
      seen(request, "Containers.Get");
      request.handler(message -> request.response().end(
          GetContainerResponse.newBuilder().setContainer(container()).build()));
    });
    grpc.callHandler(RuntimeServiceGrpcService.CheckpointContainer, request -> {
      seen(request, "CheckpointContainer");
      request.handler(message -> criCheckpoint(vertx, request, message));
    });
    grpc.callHandler(TasksGrpcService.Checkpoint, request -> {
      seen(request, "Tasks.Checkpoint");
      request.handler(message -> {
        if (taskCheckpoint == TaskCheckpoint.HANG) {
          return;
        }
        if (taskCheckpoint == TaskCheckpoint.EXPIRE_FIRST) {
          vertx.setTimer(Math.max(1, request.timeout() - 100), id -> request.response()
              .status(GrpcStatus.UNKNOWN).statusMessage("context deadline exceeded: unknown").end());
          return;
        }
        vertx.executeBlocking(() -> {
          CheckpointOptions options = options(message.getOptions());
          Path images = Files.createDirectories(Path.of(options.getImagePath()));
          Files.write(images.resolve("inventory.img"), new byte[] {1, 2, 3});
          Files.write(images.resolve("pages-1.img"), new byte[4096]);
          Path work = Files.createDirectories(Path.of(options.getWorkPath()));
          Files.writeString(work.resolve("dump.log"), "Dumping finished successfully\n");
          Files.write(work.resolve("stats-dump"), new byte[] {0});
          return null;
        }, false).onComplete(written -> {
          if (written.succeeded()) {
            request.response().end(CheckpointTaskResponse.getDefaultInstance());
          } else {
            request.response().status(GrpcStatus.UNKNOWN)
                .statusMessage(written.cause().getMessage()).end();
          }
        });
      });
    });
    server = vertx.createHttpServer()
        .connectionHandler(StreamErrorGuard::install)
        .requestHandler(grpc);
    return server.listen(SocketAddress.domainSocketAddress(socket.toString()));
  }

  /** 1.6: UNIMPLEMENTED. 2.x: held until released, then the archive is written and OK. */
  private void criCheckpoint(Vertx vertx,
      GrpcServerRequest<CheckpointContainerRequest, CheckpointContainerResponse> request,
      CheckpointContainerRequest message) {
    if (version == Version.V1_6) {
      request.response().status(GrpcStatus.UNIMPLEMENTED)
          .statusMessage("unknown method CheckpointContainer for service runtime.v1.RuntimeService")
          .end();
      return;
    }
    heldCriCheckpoints.add(() -> vertx.fileSystem()
        .writeFile(message.getLocation(), io.vertx.core.buffer.Buffer.buffer("archive"))
        .onComplete(written -> request.response().end(CheckpointContainerResponse.getDefaultInstance())));
  }

  private void seen(GrpcServerRequest<?, ?> request, String call) {
    events.add(call);
    if (request.headers().contains(GrpcHeaderNames.GRPC_TIMEOUT)) {
      grpcTimeouts.computeIfAbsent(call, any -> new CopyOnWriteArrayList<>()).add(request.timeout());
    }
    // A client's reset arrives as CANCELLED on the error handler.
    request.errorHandler(error -> events.add(call + " reset"));
  }

  private static CheckpointOptions options(Any any) throws InvalidProtocolBufferException {
    if (!any.getTypeUrl().equals(ContainerdClient.RUNC_CHECKPOINT_OPTIONS)) {
      throw new IllegalArgumentException("unexpected options type " + any.getTypeUrl());
    }
    return CheckpointOptions.parseFrom(any.getValue());
  }

  private static ContainerStatus status() {
    return ContainerStatus.newBuilder()
        .setId(CONTAINER_ID)
        .setMetadata(ContainerMetadata.newBuilder().setName("app"))
        .setState(ContainerState.CONTAINER_RUNNING)
        .setImage(ImageSpec.newBuilder().setImage("docker.io/library/nginx:1.27"))
        .setImageRef("sha256:0123")
        .putLabels(CheckpointMetadata.POD_NAME, POD)
        .putLabels(CheckpointMetadata.POD_NAMESPACE, NAMESPACE)
        .putLabels(CheckpointMetadata.POD_UID, "6b1c")
        .build();
  }

  private static Container container() {
    return Container.newBuilder()
        .setId(CONTAINER_ID)
        .setRuntime(Container.Runtime.newBuilder().setName("io.containerd.runc.v2"))
        .setSpec(Any.newBuilder().setTypeUrl("types.containerd.io/opencontainers/runtime-spec/1/Spec")
            .setValue(ByteString.copyFrom("{\"ociVersion\":\"1.0.2\"}", StandardCharsets.UTF_8)))
        .setCreatedAt(Timestamp.newBuilder().setSeconds(1_796_000_000L))
        .build();
  }
}
