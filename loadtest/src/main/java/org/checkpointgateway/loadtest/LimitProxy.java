package org.checkpointgateway.loadtest;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import java.util.HashMap;
import java.util.Map;
import org.checkpointgateway.cri.GrpcUnaryCall;
import runtime.v1.CheckpointContainerRequest;
import runtime.v1.Container;
import runtime.v1.ListContainersRequest;
import runtime.v1.RuntimeServiceGrpcClient;

/**
 * The limit of the gateway's own parts: the least a gateway of this design can do per request.
 * Vert.x's HTTP/1.1 server in, one vertx-grpc {@code CheckpointContainer} call out over the
 * runtime's unix socket (Netty epoll), one gRPC client per event loop, container ids learned once
 * at start, a fixed JSON answer; no token check, no lookup, no admission, no deadline timer, no
 * metrics. Whatever the gateway spends beyond this is ours, not the design's. Run as its own
 * process like the bare server:
 * {@code java -cp PRODUCT_JAR:HARNESS_JAR org.checkpointgateway.loadtest.LimitProxy PORT SOCKET LOCATION}.
 */
public final class LimitProxy extends VerticleBase {

  private static final String PREFIX = "/checkpoint/";

  private final int port;
  private final SocketAddress runtime;
  private final String location;
  /** "namespace/pod/container" to container id, learned once at start. */
  private final Map<String, String> ids;
  private GrpcClient grpc;

  private LimitProxy(int port, SocketAddress runtime, String location, Map<String, String> ids) {
    this.port = port;
    this.runtime = runtime;
    this.location = location;
    this.ids = ids;
  }

  @Override
  public Future<?> start() {
    grpc = GrpcUnaryCall.client(vertx, 1);
    Buffer answer = Buffer.buffer(BareServer.BODY);
    return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
        .requestHandler(request -> request.body().onComplete(ignored -> handle(request, answer)))
        .listen();
  }

  private void handle(HttpServerRequest request, Buffer answer) {
    String path = request.path();
    String id = path.startsWith(PREFIX) ? ids.get(path.substring(PREFIX.length())) : null;
    if (id == null) {
      request.response().setStatusCode(404).end();
      return;
    }
    CheckpointContainerRequest message = CheckpointContainerRequest.newBuilder()
        .setContainerId(id).setLocation(location).setTimeout(120).build();
    grpc.request(runtime, RuntimeServiceGrpcClient.CheckpointContainer)
        .compose(call -> call.send(message))
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
    String location = args[2];
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    Map<String, String> ids = containerIds(vertx, runtime).await();
    vertx.deployVerticle(() -> new LimitProxy(port, runtime, location, ids),
        new DeploymentOptions().setInstances(VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE)).await();
    System.out.println("limit proxy on 127.0.0.1:" + port + " for " + ids.size() + " containers (transport "
        + (vertx.isNativeTransportEnabled() ? "epoll" : "NIO") + ")");
  }

  /** One ListContainers at start: the proxy never looks a container up again. */
  private static Future<Map<String, String>> containerIds(Vertx vertx, SocketAddress runtime) {
    GrpcClient grpc = GrpcUnaryCall.client(vertx, 1);
    return grpc.request(runtime, RuntimeServiceGrpcClient.ListContainers)
        .compose((GrpcClientRequest<ListContainersRequest, runtime.v1.ListContainersResponse> call) ->
            call.send(ListContainersRequest.getDefaultInstance()))
        .compose(GrpcClientResponse::last)
        .map(list -> {
          Map<String, String> ids = new HashMap<>();
          for (Container c : list.getContainersList()) {
            ids.put(c.getLabelsOrDefault("io.kubernetes.pod.namespace", "") + "/"
                + c.getLabelsOrDefault("io.kubernetes.pod.name", "") + "/" + c.getMetadata().getName(), c.getId());
          }
          return ids;
        })
        .eventually(grpc::close);
  }
}
