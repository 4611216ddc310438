package org.checkpointgateway.loadtest;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.checkpointgateway.archive.ArchiveDirectory;
import org.checkpointgateway.config.GatewayOptions;
import org.checkpointgateway.cri.GrpcUnaryCall;
import runtime.v1.CheckpointContainerRequest;
import runtime.v1.Container;
import runtime.v1.ListContainersRequest;
import runtime.v1.RuntimeServiceGrpcClient;

/**
 * The limit of the gateway's own parts: the least a gateway of this design can do per request.
 * Vert.x's HTTP/1.1 server in, one vertx-grpc {@code CheckpointContainer} call out over the
 * runtime's unix socket (Netty epoll) with the gateway's own client ({@link GrpcUnaryCall#client}:
 * the message and the end of the stream in one write), one gRPC client per event loop, container
 * ids learned once at start, a fixed JSON answer; no token check, no lookup, no admission, no
 * deadline timer of its own, no metrics. It asks the runtime exactly what the gateway asks: a fresh archive per
 * checkpoint, named as the gateway names them ({@link ArchiveDirectory#newArchivePath}, the
 * kubelet's shape), and the gateway's deadline (its default timeout from the request's arrival)
 * as {@code grpc-timeout} and as the message's timeout in whole seconds, rounded up as
 * {@code GrpcCriClient} does. Whatever the gateway spends beyond this is ours, not the design's.
 * Run as its own process like the bare server:
 * {@code java -cp PRODUCT_JAR:HARNESS_JAR org.checkpointgateway.loadtest.LimitProxy PORT SOCKET ARCHIVE_DIR}.
 */
public final class LimitProxy extends VerticleBase {

  private static final String PREFIX = "/checkpoint/";
  private static final long TIMEOUT_NANOS = GatewayOptions.DEFAULT_TIMEOUT.toNanos();

  /** A container the proxy can checkpoint: its id and the names its archives carry. */
  private record Target(String id, String namespace, String pod, String container) {
  }

  private final int port;
  private final SocketAddress runtime;
  private final ArchiveDirectory archives;
  /** "namespace/pod/container" to the container, learned once at start. */
  private final Map<String, Target> targets;
  private GrpcClient grpc;

  private LimitProxy(int port, SocketAddress runtime, ArchiveDirectory archives, Map<String, Target> targets) {
    this.port = port;
    this.runtime = runtime;
    this.archives = archives;
    this.targets = targets;
  }

  @Override
  public Future<?> start() {
    grpc = GrpcUnaryCall.client(vertx, 1);
    Buffer answer = Buffer.buffer(BareServer.BODY);
    return vertx.createHttpServer(BareServer.options(port))
        .requestHandler(request -> {
          // The gateway's deadline starts as its request arrives.
          long deadline = System.nanoTime() + TIMEOUT_NANOS;
          request.body().onComplete(ignored -> handle(request, answer, deadline));
        })
        .listen();
  }

  private void handle(HttpServerRequest request, Buffer answer, long deadline) {
    String path = request.path();
    Target target = path.startsWith(PREFIX) ? targets.get(path.substring(PREFIX.length())) : null;
    if (target == null) {
      request.response().setStatusCode(404).end();
      return;
    }
    String location = archives.newArchivePath(target.namespace(), target.pod(), target.container()).toString();
    grpc.request(runtime, RuntimeServiceGrpcClient.CheckpointContainer)
        .compose(call -> {
          // As GrpcUnaryCall and GrpcCriClient send it: grpc-timeout in ms, the field in seconds.
          long millis = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
          call.timeout(millis, TimeUnit.MILLISECONDS);
          return call.send(CheckpointContainerRequest.newBuilder().setContainerId(target.id())
              .setLocation(location).setTimeout((millis + 999) / 1000).build());
        })
        .compose(GrpcClientResponse::last)
        .onComplete(done -> {
          if (done.succeeded()) {
            request.response().putHeader("Content-Type", "application/json").end(answer);
          } else {
            request.response().setStatusCode(500).end(String.valueOf(done.cause()));
          }
        });
  }

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    SocketAddress runtime = SocketAddress.domainSocketAddress(args[1]);
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    // One directory for all event loops: its clock keeps every name unique.
    ArchiveDirectory archives = new ArchiveDirectory(vertx, Path.of(args[2]));
    archives.ensureExists().await();
    Map<String, Target> targets = containers(vertx, runtime).await();
    vertx.deployVerticle(() -> new LimitProxy(port, runtime, archives, targets),
        new DeploymentOptions().setInstances(VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE)).await();
    System.out.println("limit proxy on 127.0.0.1:" + port + " for " + targets.size() + " containers (transport "
        + (vertx.isNativeTransportEnabled() ? "epoll" : "NIO") + ")");
  }

  /** One ListContainers at start: the proxy never looks a container up again. */
  private static Future<Map<String, Target>> containers(Vertx vertx, SocketAddress runtime) {
    GrpcClient grpc = GrpcUnaryCall.client(vertx, 1);
    return grpc.request(runtime, RuntimeServiceGrpcClient.ListContainers)
        .compose((GrpcClientRequest<ListContainersRequest, runtime.v1.ListContainersResponse> call) ->
            call.send(ListContainersRequest.getDefaultInstance()))
        .compose(GrpcClientResponse::last)
        .map(list -> {
          Map<String, Target> targets = new HashMap<>();
          for (Container c : list.getContainersList()) {
            Target target = new Target(c.getId(), c.getLabelsOrDefault("io.kubernetes.pod.namespace", ""),
                c.getLabelsOrDefault("io.kubernetes.pod.name", ""), c.getMetadata().getName());
            targets.put(target.namespace() + "/" + target.pod() + "/" + target.container(), target);
          }
          return targets;
        })
        .eventually(grpc::close);
  }
}
