package org.checkpointgateway.sim;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcHeaderNames;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import runtime.v1.CheckpointContainerRequest;
import runtime.v1.CheckpointContainerResponse;
import runtime.v1.ContainerState;
import runtime.v1.RuntimeServiceGrpcService;

/**
 * CheckpointContainer: refuses what a real runtime refuses, then runs a {@link SimulatedCheckpoint}
 * under the caller's deadline. Lives on the runtime's context.
 */
final class CheckpointHandler {

  private final Vertx vertx;
  private final SimulatorSeed seed;
  private final SimulatedPods pods;
  private final CheckpointLedger ledger;
  private final SharedBandwidth bandwidth;
  private final StandIns standIns;
  private final Set<SimulatedCheckpoint> running = new LinkedHashSet<>();
  private final Supplier<String> authorityOfCall;
  private volatile boolean unimplemented;

  CheckpointHandler(Context context, SimulatorSeed seed, SimulatedPods pods, CheckpointLedger ledger,
                    Supplier<String> authorityOfCall) {
    this.authorityOfCall = authorityOfCall;
    this.vertx = context.owner();
    this.seed = seed;
    this.pods = pods;
    this.ledger = ledger;
    this.bandwidth = new SharedBandwidth(vertx, seed.bandwidthBytesPerSecond());
    this.standIns = new StandIns(context);
    this.unimplemented = seed.unimplemented();
  }

  /** The bandwidth all memory-sized checkpoints share (for the status a load test reads). */
  SharedBandwidth bandwidth() {
    return bandwidth;
  }

  void setUnimplemented(boolean unimplemented) {
    this.unimplemented = unimplemented;
  }

  void bind(GrpcServer server) {
    server.callHandler(RuntimeServiceGrpcService.CheckpointContainer, request -> {
      ledger.countCall(RuntimeServiceGrpcService.CheckpointContainer.methodName());
      String authority = authorityOfCall.get();
      request.handler(message -> handle(request, message, authority));
    });
  }

  /** Stops every running checkpoint (UNAVAILABLE to their callers) and deletes their archives. */
  Future<Void> stopAll() {
    List<Future<Void>> stopped = new ArrayList<>();
    for (SimulatedCheckpoint checkpoint : List.copyOf(running)) {
      stopped.add(checkpoint.stop(SimulatedCheckpoint.Stop.SHUTDOWN));
    }
    return Future.join(stopped).mapEmpty();
  }

  private void handle(GrpcServerRequest<CheckpointContainerRequest, CheckpointContainerResponse> request,
                      CheckpointContainerRequest message, String authority) {
    long grpcTimeoutMillis = request.headers().contains(GrpcHeaderNames.GRPC_TIMEOUT) ? request.timeout() : -1;
    Optional<SimulatedPods.Entry> found = pods.find(message.getContainerId());
    GrpcStatus status = null;
    String text = null;
    if (unimplemented) {
      status = GrpcStatus.UNIMPLEMENTED;
      text = "method CheckpointContainer not implemented";
    } else if (found.isEmpty()) {
      status = GrpcStatus.NOT_FOUND;
      text = QueryHandlers.notFound(message.getContainerId()).message();
    } else if (found.get().container().getState() != ContainerState.CONTAINER_RUNNING) {
      status = GrpcStatus.UNKNOWN;
      text = "container " + message.getContainerId() + " is not running (state: "
          + found.get().container().getState() + ")";
    } else if (found.get().seed().failure().isPresent()) {
      status = found.get().seed().failure().get().status();
      text = found.get().seed().failure().get().message();
    } else if (message.getLocation().isEmpty()) {
      status = GrpcStatus.INVALID_ARGUMENT;
      text = "location of the checkpoint archive must not be empty";
    }
    if (status != null) {
      request.response().status(status).statusMessage(text).end();
      ledger.record(new CheckpointObservation(message.getContainerId(), message.getLocation(), message.getTimeout(),
          grpcTimeoutMillis, authority, CheckpointObservation.Outcome.FAILED, status, text, 0, Duration.ZERO));
      return;
    }
    SimulatedCheckpoint checkpoint = new SimulatedCheckpoint(vertx, request, message, found.get(), bandwidth,
        ledger, seed.pagesCapBytes(), authority, grpcTimeoutMillis, seed.writeArchives(),
        seed.instantCheckpoints(), standIns);
    running.add(checkpoint);
    checkpoint.ended().onComplete(v -> running.remove(checkpoint));
    checkpoint.start(deadlineMillis(grpcTimeoutMillis, message.getTimeout()));
  }

  /** The sooner of the grpc-timeout header and the request's own timeout field (seconds). */
  private static long deadlineMillis(long grpcTimeoutMillis, long timeoutSeconds) {
    long deadline = grpcTimeoutMillis > 0 ? grpcTimeoutMillis : Long.MAX_VALUE;
    if (timeoutSeconds > 0) {
      deadline = Math.min(deadline, timeoutSeconds * 1000);
    }
    return deadline == Long.MAX_VALUE ? 0 : deadline;
  }
}
