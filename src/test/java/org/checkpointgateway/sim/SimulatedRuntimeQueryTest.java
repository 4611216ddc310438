package org.checkpointgateway.sim;

import org.checkpointgateway.support.StrictVertx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.checkpointgateway.sim.SimTesting.await;
import static org.checkpointgateway.sim.SimTesting.call;

import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import runtime.v1.Container;
import runtime.v1.ContainerFilter;
import runtime.v1.ContainerState;
import runtime.v1.ContainerStateValue;
import runtime.v1.ContainerStats;
import runtime.v1.ContainerStatsFilter;
import runtime.v1.ContainerStatsRequest;
import runtime.v1.ContainerStatusRequest;
import runtime.v1.ContainerStatusResponse;
import runtime.v1.ListContainerStatsRequest;
import runtime.v1.ListContainersRequest;
import runtime.v1.ListPodSandboxRequest;
import runtime.v1.PodSandbox;
import runtime.v1.PodSandboxFilter;
import runtime.v1.PodSandboxState;
import runtime.v1.PodSandboxStateValue;
import runtime.v1.RuntimeServiceGrpcClient;
import runtime.v1.VersionRequest;
import runtime.v1.VersionResponse;

class SimulatedRuntimeQueryTest {

  private static final String SEED = """
      pods:
        - namespace: default
          name: demo
          uid: demo-uid
          containers:
            - name: app
              memoryBytes: 67108864
            - name: slow
              checkpointSeconds: 30
            - name: done
              memoryBytes: 1024
              state: exited
        - namespace: team-a
          name: web
          state: notready
          containers:
            - name: nginx
              memoryBytes: 1048576
      """;

  @TempDir
  Path dir;
  private Vertx vertx;
  private SimulatedRuntime runtime;
  private RuntimeServiceGrpcClient cri;
  private GrpcClient client;

  @BeforeEach
  void start() throws Exception {
    vertx = SimTesting.vertx();
    runtime = await(SimulatedRuntime.start(vertx, SimulatorSeed.parse(SEED, "test"), dir.resolve("cri.sock")));
    client = GrpcClient.client(vertx);
    cri = RuntimeServiceGrpcClient.create(client, SocketAddress.domainSocketAddress(runtime.socketPath().toString()));
  }

  @AfterEach
  void stop() throws Exception {
    await(runtime.close());
    await(vertx.close());
    StrictVertx.assertNeverBlocked(vertx);
  }

  @Test
  void versionNamesTheSimulator() throws Exception {
    VersionResponse version = await(cri.version(VersionRequest.newBuilder().setVersion("0.1.0").build()));

    assertThat(version.getRuntimeName()).isEqualTo(SimulatorSeed.DEFAULT_RUNTIME_NAME);
    assertThat(version.getRuntimeVersion()).isEqualTo(SimulatorSeed.DEFAULT_RUNTIME_VERSION);
    assertThat(version.getRuntimeApiVersion()).isEqualTo("v1");
    assertThat(runtime.calls("Version")).isEqualTo(1);
  }

  @Test
  void sandboxesCarryTheKubeletLabelsAndHonourTheFilter() throws Exception {
    var all = await(cri.listPodSandbox(ListPodSandboxRequest.getDefaultInstance())).getItemsList();
    var ready = await(cri.listPodSandbox(ListPodSandboxRequest.newBuilder().setFilter(PodSandboxFilter.newBuilder()
        .setState(PodSandboxStateValue.newBuilder().setState(PodSandboxState.SANDBOX_READY))).build())).getItemsList();
    var byLabels = await(cri.listPodSandbox(ListPodSandboxRequest.newBuilder().setFilter(PodSandboxFilter.newBuilder()
        .putLabelSelector("io.kubernetes.pod.namespace", "team-a")
        .putLabelSelector("io.kubernetes.pod.name", "web")).build())).getItemsList();

    assertThat(all).hasSize(2);
    PodSandbox demo = all.get(0);
    assertThat(demo.getId()).hasSize(64).matches("[0-9a-f]+").isEqualTo(SimulatedRuntime.sandboxId("default", "demo"));
    assertThat(demo.getLabelsMap()).containsAllEntriesOf(Map.of("io.kubernetes.pod.name", "demo",
        "io.kubernetes.pod.namespace", "default", "io.kubernetes.pod.uid", "demo-uid"));
    assertThat(demo.getMetadata().getUid()).isEqualTo("demo-uid");
    assertThat(ready).extracting(s -> s.getMetadata().getName()).containsExactly("demo");
    assertThat(byLabels).extracting(s -> s.getMetadata().getName()).containsExactly("web");
  }

  @Test
  void containersAreFoundByLabelSelectorStateAndSandbox() throws Exception {
    ContainerFilter.Builder appByLabels = ContainerFilter.newBuilder()
        .putLabelSelector("io.kubernetes.pod.namespace", "default")
        .putLabelSelector("io.kubernetes.pod.name", "demo")
        .putLabelSelector("io.kubernetes.container.name", "app");
    ContainerFilter.Builder running = ContainerFilter.newBuilder()
        .setState(ContainerStateValue.newBuilder().setState(ContainerState.CONTAINER_RUNNING))
        .setPodSandboxId(SimulatedRuntime.sandboxId("default", "demo"));
    ContainerFilter.Builder wrongUid = appByLabels.clone().putLabelSelector("io.kubernetes.pod.uid", "other");

    var app = await(cri.listContainers(ListContainersRequest.newBuilder().setFilter(appByLabels).build()))
        .getContainersList();
    var runningInDemo = await(cri.listContainers(ListContainersRequest.newBuilder().setFilter(running).build()))
        .getContainersList();
    var none = await(cri.listContainers(ListContainersRequest.newBuilder().setFilter(wrongUid).build()))
        .getContainersList();

    assertThat(app).hasSize(1);
    Container c = app.get(0);
    assertThat(c.getId()).isEqualTo(SimulatedRuntime.containerId("default", "demo", "app")).hasSize(64);
    assertThat(c.getPodSandboxId()).isEqualTo(SimulatedRuntime.sandboxId("default", "demo"));
    assertThat(c.getMetadata().getName()).isEqualTo("app");
    assertThat(c.getImage().getImage()).isEqualTo("docker.io/library/busybox:latest");
    assertThat(c.getCreatedAt()).isPositive();
    assertThat(c.getLabelsMap()).containsEntry("io.kubernetes.container.name", "app")
        .containsEntry("io.kubernetes.pod.uid", "demo-uid");
    assertThat(runningInDemo).extracting(x -> x.getMetadata().getName()).containsExactly("app", "slow");
    assertThat(none).isEmpty();
  }

  @Test
  void containerStatusAnswersNotFoundLikeContainerd() throws Exception {
    String id = SimulatedRuntime.containerId("default", "demo", "done");
    ContainerStatusResponse done = await(cri.containerStatus(ContainerStatusRequest.newBuilder().setContainerId(id).build()));
    var missing = await(call(client, runtime.socketPath(), RuntimeServiceGrpcClient.ContainerStatus,
        ContainerStatusRequest.newBuilder().setContainerId("feedbeef").build()));

    assertThat(done.getStatus().getState()).isEqualTo(ContainerState.CONTAINER_EXITED);
    assertThat(done.getStatus().getId()).isEqualTo(id);
    assertThat(missing.status()).isEqualTo(GrpcStatus.NOT_FOUND);
    assertThat(missing.message()).isEqualTo("an error occurred when try to find container \"feedbeef\": not found");
  }

  @Test
  void containerStatsReportTheSeedMemory() throws Exception {
    String app = SimulatedRuntime.containerId("default", "demo", "app");
    ContainerStats stats = await(cri.containerStats(ContainerStatsRequest.newBuilder().setContainerId(app).build()))
        .getStats();
    ContainerStats slow = await(cri.containerStats(ContainerStatsRequest.newBuilder()
        .setContainerId(SimulatedRuntime.containerId("default", "demo", "slow")).build())).getStats();
    var teamA = await(cri.listContainerStats(ListContainerStatsRequest.newBuilder().setFilter(ContainerStatsFilter
        .newBuilder().putLabelSelector("io.kubernetes.pod.namespace", "team-a")).build())).getStatsList();
    var missing = await(call(client, runtime.socketPath(), RuntimeServiceGrpcClient.ContainerStats,
        ContainerStatsRequest.newBuilder().setContainerId("nope").build()));

    assertThat(stats.getAttributes().getId()).isEqualTo(app);
    assertThat(stats.getMemory().getWorkingSetBytes().getValue()).isEqualTo(67108864);
    assertThat(slow.getMemory().getWorkingSetBytes().getValue()).isZero();
    assertThat(teamA).extracting(s -> s.getAttributes().getMetadata().getName()).containsExactly("nginx");
    assertThat(teamA.get(0).getMemory().getWorkingSetBytes().getValue()).isEqualTo(1048576);
    assertThat(missing.status()).isEqualTo(GrpcStatus.NOT_FOUND);
  }
}
