package org.checkpointgateway.sim;

import org.checkpointgateway.support.StrictVertx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.checkpointgateway.sim.SimTesting.await;
import static org.checkpointgateway.sim.SimTesting.call;

import io.vertx.core.Vertx;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import runtime.v1.RuntimeServiceGrpcClient;
import runtime.v1.VersionRequest;

class SimulatedRuntimeLifecycleTest {

  @TempDir
  Path dir;
  private Vertx vertx;
  private GrpcClient client;
  private Path socket;
  private final SimulatorSeed seed = SimulatorSeed.defaultSeed();

  @BeforeEach
  void start() {
    vertx = SimTesting.vertx();
    client = GrpcClient.client(vertx);
    socket = dir.resolve("cri.sock");
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
    StrictVertx.assertNeverBlocked(vertx);
  }

  @Test
  void theRuntimeCanGoAwayAndComeBackOnTheSamePath() throws Exception {
    SimulatedRuntime first = await(SimulatedRuntime.start(vertx, seed, socket));
    assertThat(version()).isEqualTo(GrpcStatus.OK);

    await(first.close());
    assertThat(Files.exists(socket)).isFalse();
    assertThat(await(call(client, socket, RuntimeServiceGrpcClient.Version, VersionRequest.getDefaultInstance())
        .map(a -> "answered").recover(e -> io.vertx.core.Future.succeededFuture("refused")))).isEqualTo("refused");

    SimulatedRuntime second = await(SimulatedRuntime.start(vertx, seed, socket));
    assertThat(version()).isEqualTo(GrpcStatus.OK);
    await(second.close());
  }

  @Test
  void aLiveServerOnThePathIsNotTakenOver() throws Exception {
    SimulatedRuntime live = await(SimulatedRuntime.start(vertx, seed, socket));

    assertThatThrownBy(() -> await(SimulatedRuntime.start(vertx, seed, socket)))
        .hasMessageContaining("another server is answering there").hasMessageContaining(socket.toString());
    assertThat(version()).isEqualTo(GrpcStatus.OK);
    assertThat(live.calls("Version")).isEqualTo(1);
    await(live.close());
  }

  @Test
  void aSocketLeftByADeadProcessIsReplaced() throws Exception {
    try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      dead.bind(UnixDomainSocketAddress.of(socket));
    }
    assertThat(Files.exists(socket)).isTrue();

    SimulatedRuntime runtime = await(SimulatedRuntime.start(vertx, seed, socket));

    assertThat(version()).isEqualTo(GrpcStatus.OK);
    await(runtime.close());
  }

  @Test
  void aPathThatIsNoSocketIsLeftAlone() throws Exception {
    Files.writeString(socket, "precious");

    assertThatThrownBy(() -> await(SimulatedRuntime.start(vertx, seed, socket)))
        .hasMessageContaining("exists and is not a socket");
    assertThat(Files.readString(socket)).isEqualTo("precious");
  }

  private GrpcStatus version() throws Exception {
    return await(call(client, socket, RuntimeServiceGrpcClient.Version, VersionRequest.getDefaultInstance())).status();
  }
}
