package org.checkpointgateway.sim;

import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.server.GrpcServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.checkpointgateway.cri.StreamErrorGuard;

/**
 * The gRPC server on the unix socket. Deployed so that every handler, timer and counter of the
 * simulated runtime lives on its one event-loop context.
 */
final class RuntimeVerticle implements Deployable {

  private final SimulatorSeed seed;
  private final Path socketPath;
  private final SimulatedPods pods;
  private volatile CheckpointLedger ledger;
  private volatile CheckpointHandler checkpoints;
  private HttpServer server;
  private Context context;
  private String authority;

  RuntimeVerticle(SimulatorSeed seed, Path socketPath) {
    this.seed = seed;
    this.socketPath = socketPath;
    this.pods = new SimulatedPods(seed, System.currentTimeMillis() * 1_000_000L);
  }

  @Override
  public Future<?> deploy(Context context) {
    this.context = context;
    ledger = new CheckpointLedger(context);
    checkpoints = new CheckpointHandler(context, seed, pods, ledger, () -> authority);
    GrpcServer grpc = GrpcServer.server(context.owner());
    new QueryHandlers(seed, pods, ledger).bind(grpc);
    checkpoints.bind(grpc);
    // A load test holds thousands of checkpoints open over the client's few connections.
    HttpServerOptions options = new HttpServerOptions().setInitialSettings(
        new Http2Settings().setMaxConcurrentStreams(seed.http2MaxConcurrentStreams()));
    server = context.owner().createHttpServer(options)
        // A call reset as it is answered must not close the connection the others share.
        .connectionHandler(StreamErrorGuard::install)
        .requestHandler(request -> {
          // GrpcServerRequest does not expose the HTTP request's authority, and Vert.x keeps the
          // pseudo-headers out of headers(). The gRPC server dispatches the call handler
          // synchronously from here, so the handler reads the authority of the very request being
          // handled.
          authority = request.authority() == null ? null : request.authority().toString();
          grpc.handle(request);
          authority = null;
        });
    return server.listen(SocketAddress.domainSocketAddress(socketPath.toString()));
  }

  /** Starts the seed's pods, on the runtime's context like every handler that reads them. */
  Future<Void> addPods(SimulatorSeed more) {
    Promise<Void> added = Promise.promise();
    context.runOnContext(ignored -> {
      long now = System.currentTimeMillis() * 1_000_000L;
      more.pods().stream().filter(pods::has).findFirst().ifPresentOrElse(
          known -> added.fail(new IllegalArgumentException(
              "pod " + known.namespace() + "/" + known.name() + " exists")),
          () -> {
            more.pods().forEach(pod -> pods.add(pod, now));
            added.complete();
          });
    });
    return added.future();
  }

  @Override
  public Future<?> undeploy(Context context) {
    return checkpoints.stopAll()
        .eventually(() -> server.close())
        .eventually(() -> context.owner().executeBlocking(() -> Files.deleteIfExists(socketPath), false));
  }

  CheckpointLedger ledger() {
    return ledger;
  }

  CheckpointHandler checkpoints() {
    return checkpoints;
  }
}
