package org.checkpointgateway.cri;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.outcome.RuntimeCallFailedException;
import org.checkpointgateway.metrics.GatewayMetrics;
import org.checkpointgateway.sim.CheckpointObservation;
import org.checkpointgateway.sim.SimulatedRuntime;
import org.checkpointgateway.sim.SimulatorSeed;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.GatewayFixture;
import org.checkpointgateway.support.StrictVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CRI client against the simulated runtime over a real unix socket. */
class GrpcCriClientTest {

  static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** A call's context: {@code timeout} from now, and nobody cancels it. */
  static RequestContext within(Duration timeout) {
    return RequestContext.withTimeout(timeout);
  }

  @TempDir
  Path dir;
  Vertx vertx;
  SimulatedRuntime runtime;
  CriClient cri;

  @BeforeEach
  void start() {
    vertx = StrictVertx.create();
    runtime = Await.result(SimulatedRuntime.start(vertx,
        SimulatorSeed.parse(GatewayFixture.SEED, "test seed"), dir.resolve("cri.sock")));
    cri = CriClient.create(vertx, CriEndpoint.parse("unix://" + runtime.socketPath()),
        GatewayMetrics.none());
  }

  @AfterEach
  void stop() {
    Await.result(cri.close());
    if (runtime != null) {
      Await.result(runtime.close());
    }
    Await.result(vertx.close());
    StrictVertx.assertNeverBlocked(vertx);
  }

  @Test
  void versionAndLookupsGoThroughTheSocket() {
    assertThat(Await.result(cri.version(within(Duration.ofSeconds(10)))).getRuntimeName()).isEqualTo("checkpoint-gateway-simulator");
    var sandboxes = Await.result(cri.listReadySandboxes(within(TIMEOUT))).stream()
        .filter(sandbox -> sandbox.getMetadata().getName().equals("demo")
            && sandbox.getMetadata().getNamespace().equals("default")).toList();
    assertThat(sandboxes).hasSize(1);
    var containers = Await.result(cri.listRunningContainers(within(TIMEOUT))).stream()
        .filter(container -> container.getPodSandboxId().equals(sandboxes.get(0).getId())).toList();
    // Running ones only: "done" has exited.
    assertThat(containers).extracting(c -> c.getMetadata().getName())
        .containsExactlyInAnyOrder("app", "sidecar", "slow", "broken");
    assertThat(Await.result(cri.memoryWorkingSet(SimulatedRuntime.containerId("default", "demo", "app"), within(TIMEOUT))))
        .isEqualTo(8388608L);
  }

  @Test
  void aBusyNodesWholeContainerListArrives() {
    // 3,000 containers: several MB of answer, past gRPC's 256 KB default; the kubelet takes 16 MB.
    StringBuilder seed = new StringBuilder("pods:\n");
    for (int pod = 0; pod < 300; pod++) {
      seed.append("  - {namespace: busy, name: p").append(pod).append(", containers: [");
      for (int c = 0; c < 10; c++) {
        seed.append(c == 0 ? "" : ", ").append("{name: container-with-a-long-name-").append(c).append("}");
      }
      seed.append("]}\n");
    }
    Await.result(runtime.close());
    runtime = Await.result(SimulatedRuntime.start(vertx,
        SimulatorSeed.parse(seed.toString(), "busy seed"), dir.resolve("busy.sock")));
    CriClient busy = CriClient.create(vertx,
        CriEndpoint.parse("unix://" + runtime.socketPath()), GatewayMetrics.none());
    try {
      assertThat(Await.result(busy.listRunningContainers(within(TIMEOUT)))).hasSize(3000);
      assertThat(Await.result(busy.listReadySandboxes(within(TIMEOUT)))).hasSize(300);
    } finally {
      Await.result(busy.close());
    }
  }

  @Test
  void abandoningResetsTheStreamAndTheRuntimeStops() {
    var ended = runtime.nextCheckpointEnded();
    RequestContext request = RequestContext.cancellable(Duration.ofMinutes(1));
    var call = cri.checkpointContainer(SimulatedRuntime.containerId("default", "demo", "slow"),
        dir.resolve("a.tar").toString(), request);
    Await.until("the checkpoint to start", () -> runtime.activeCheckpoints() == 1);
    request.cancel();

    assertRuntimeFailure(Await.failure(call), "Canceled", "context canceled");
    CheckpointObservation seen = Await.result(ended);
    assertThat(seen.outcome()).isEqualTo(CheckpointObservation.Outcome.CANCELLED);
    assertThat(seen.status()).isEqualTo(GrpcStatus.CANCELLED);
    assertThat(dir.resolve("a.tar")).doesNotExist();
  }

  @Test
  void deadlineResetsTheStreamAndFailsWithDeadlineExceeded() {
    var ended = runtime.nextCheckpointEnded();
    var call = cri.checkpointContainer(SimulatedRuntime.containerId("default", "demo", "slow"),
        dir.resolve("b.tar").toString(), within(Duration.ofMillis(300)));

    assertRuntimeFailure(Await.failure(call), "DeadlineExceeded", "context deadline exceeded");
    CheckpointObservation seen = Await.result(ended);
    assertThat(seen.outcome()).isEqualTo(CheckpointObservation.Outcome.CANCELLED);
    assertThat(seen.grpcTimeoutMillis()).isBetween(1L, 300L);
    // The CRI field is whole seconds, rounded up so the runtime never gets less.
    assertThat(seen.requestTimeoutSeconds()).isEqualTo(1);
  }

  @Test
  void runtimeStatusesArriveWithGoSpelledCodes() {
    var unknown = cri.checkpointContainer("no-such-id", dir.resolve("c.tar").toString(),
        within(Duration.ofSeconds(5)));
    RuntimeCallFailedException failure = (RuntimeCallFailedException) Await.failure(unknown);
    assertThat(failure.code()).isEqualTo("NotFound");
    assertThat(failure.getMessage()).startsWith("rpc error: code = NotFound desc = ");
  }

  @Test
  void aMissingSocketSaysSoAsGrpcGoDoes() {
    Await.result(runtime.close()); // removes its socket
    runtime = null;
    RuntimeCallFailedException failure = (RuntimeCallFailedException) Await.failure(
        cri.version(within(TIMEOUT)));
    // Was "transport: null": Netty reports ENOENT as an exception without a message.
    assertThat(failure.getMessage()).isEqualTo("rpc error: code = Unavailable desc = connection "
        + "error: desc = \"transport: Error while dialing: dial unix " + dir.resolve("cri.sock")
        + ": connect: no such file or directory\"");
    assertThat(RuntimeWatch.isDialFailure(failure)).isTrue();
  }

  @Test
  void aSocketNobodyListensOnIsConnectionRefused() throws Exception {
    // What a killed runtime leaves: the socket file, and nobody accepting on it.
    Path stale = dir.resolve("stale.sock");
    try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      dead.bind(UnixDomainSocketAddress.of(stale));
    }
    CriClient toStale = CriClient.create(vertx, CriEndpoint.parse("unix://" + stale),
        GatewayMetrics.none());
    try {
      RuntimeCallFailedException failure = (RuntimeCallFailedException) Await.failure(
          toStale.checkpointContainer("id", dir.resolve("x.tar").toString(), within(TIMEOUT)));
      assertThat(failure.getMessage()).isEqualTo("rpc error: code = Unavailable desc = connection "
          + "error: desc = \"transport: Error while dialing: dial unix " + stale
          + ": connect: connection refused\"");
      assertThat(RuntimeWatch.isDialFailure(failure)).isTrue();
    } finally {
      Await.result(toStale.close());
    }
  }

  @Test
  void aCallThatReachedTheRuntimeIsNoDialFailure() {
    var call = cri.checkpointContainer(SimulatedRuntime.containerId("default", "demo", "slow"),
        dir.resolve("d.tar").toString(), within(Duration.ofMillis(200)));
    assertThat(RuntimeWatch.isDialFailure(Await.failure(call))).isFalse();
  }

  @Test
  void everyGrpcStatusHasItsGrpcGoName() {
    // grpc-go's codes.Code.String(): note "Canceled" with one l.
    assertThat(Arrays.stream(GrpcStatus.values()).map(GrpcStatusTranslator::goName))
        .containsExactly("OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded",
            "NotFound", "AlreadyExists", "PermissionDenied", "ResourceExhausted",
            "FailedPrecondition", "Aborted", "OutOfRange", "Unimplemented", "Internal",
            "Unavailable", "DataLoss", "Unauthenticated");
  }

  @Test
  void endpointsMustBeUnixSockets() {
    assertThat(CriEndpoint.parse("unix:///run/containerd/containerd.sock").socketPath())
        .isEqualTo(Path.of("/run/containerd/containerd.sock"));
    assertThat(CriEndpoint.parse("/run/crio/crio.sock").toString()).isEqualTo("unix:///run/crio/crio.sock");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> CriEndpoint.parse("tcp://127.0.0.1:1"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unix://");
  }

  private static void assertRuntimeFailure(Throwable failure, String code, String description) {
    assertThat(failure).isInstanceOf(RuntimeCallFailedException.class);
    assertThat(((RuntimeCallFailedException) failure).code()).isEqualTo(code);
    assertThat(((RuntimeCallFailedException) failure).description()).isEqualTo(description);
  }
}
