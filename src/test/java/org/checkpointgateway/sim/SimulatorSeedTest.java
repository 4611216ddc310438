package org.checkpointgateway.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.grpc.common.GrpcStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import runtime.v1.ContainerState;
import runtime.v1.PodSandboxState;

class SimulatorSeedTest {

  private static final String GOOD = """
      bandwidthBytesPerSecond: 1000
      unimplemented: true
      pagesCapBytes: 4096
      runtimeName: sim
      runtimeVersion: "9.9"
      pods:
        - namespace: default
          name: demo
          uid: u-1
          state: notready
          containers:
            - name: app
              memoryBytes: 67108864
            - name: slow
              checkpointSeconds: 0.5
            - name: broken
              fail: "NOT_FOUND: gone away"
            - name: done
              state: exited
        - namespace: team-a
          name: web
      """;

  @Test
  void parsesEveryField() {
    SimulatorSeed seed = SimulatorSeed.parse(GOOD, "good.yaml");

    assertThat(seed.bandwidthBytesPerSecond()).isEqualTo(1000);
    assertThat(seed.unimplemented()).isTrue();
    assertThat(seed.pagesCapBytes()).isEqualTo(4096);
    assertThat(seed.runtimeName()).isEqualTo("sim");
    assertThat(seed.runtimeVersion()).isEqualTo("9.9");
    SimulatorSeed.Pod demo = seed.pods().get(0);
    assertThat(demo.uid()).isEqualTo("u-1");
    assertThat(demo.state()).isEqualTo(PodSandboxState.SANDBOX_NOTREADY);
    assertThat(demo.containers()).extracting(SimulatorSeed.Container::name)
        .containsExactly("app", "slow", "broken", "done");
    assertThat(demo.containers().get(0).memoryBytes()).isEqualTo(67108864);
    assertThat(demo.containers().get(1).checkpointSeconds()).contains(0.5);
    assertThat(demo.containers().get(1).memoryBytes()).isZero();
    assertThat(demo.containers().get(2).failure())
        .contains(new SimulatorSeed.Failure(GrpcStatus.NOT_FOUND, "gone away"));
    assertThat(demo.containers().get(3).state()).isEqualTo(ContainerState.CONTAINER_EXITED);
    assertThat(seed.containerCount()).isEqualTo(4);
  }

  @Test
  void appliesDefaultsAndAStableUid() {
    SimulatorSeed seed = SimulatorSeed.parse("pods: [{namespace: a, name: b}]", "min.yaml");
    SimulatorSeed again = SimulatorSeed.parse("pods: [{namespace: a, name: b}]", "min.yaml");

    assertThat(seed.bandwidthBytesPerSecond()).isEqualTo(SimulatorSeed.DEFAULT_BANDWIDTH_BYTES_PER_SECOND);
    assertThat(seed.unimplemented()).isFalse();
    assertThat(seed.pagesCapBytes()).isEqualTo(SimulatorSeed.DEFAULT_PAGES_CAP_BYTES);
    assertThat(seed.runtimeName()).isEqualTo(SimulatorSeed.DEFAULT_RUNTIME_NAME);
    assertThat(seed.pods().get(0).state()).isEqualTo(PodSandboxState.SANDBOX_READY);
    assertThat(seed.pods().get(0).uid()).isNotBlank().isEqualTo(again.pods().get(0).uid());
    assertThat(seed.writeArchives()).isTrue();
    assertThat(seed.instantCheckpoints()).isFalse();
    assertThat(seed.http2MaxConcurrentStreams()).isEqualTo(SimulatorSeed.DEFAULT_HTTP2_MAX_CONCURRENT_STREAMS);
  }

  @Test
  void readsTheLoadTestSettings() {
    SimulatorSeed seed = SimulatorSeed.parse(
        "writeArchives: false\ninstantCheckpoints: true\nhttp2MaxConcurrentStreams: 2000\n", "load.yaml");

    assertThat(seed.writeArchives()).isFalse();
    assertThat(seed.instantCheckpoints()).isTrue();
    assertThat(seed.http2MaxConcurrentStreams()).isEqualTo(2000);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      colour: red                                                          | colour: unknown key
      bandwidthBytesPerSecond: 0                                           | bandwidthBytesPerSecond: must be a positive number
      bandwidthBytesPerSecond: fast                                        | bandwidthBytesPerSecond: must be a positive number
      unimplemented: maybe                                                 | unimplemented: must be true or false
      pagesCapBytes: -1                                                    | pagesCapBytes: must be a number >= 0
      pods: {}                                                             | pods: must be a list
      pods: [{name: x}]                                                    | pods[0].namespace: must be a non-empty string
      pods: [{namespace: a, name: x, state: dead}]                         | pods[0].state: must be ready or notready
      pods: [{namespace: a, name: x, colour: red}]                         | pods[0].colour: unknown key
      pods: [{namespace: a, name: x}, {namespace: a, name: x}]             | pods[1].name: duplicate pod "a/x"
      pods: [{namespace: a, name: x, containers: [{name: c, memoryBytes: -5}]}]           | pods[0].containers[0].memoryBytes: must be a positive number
      pods: [{namespace: a, name: x, containers: [{name: c}, {name: d, memoryBytes: 0}]}] | pods[0].containers[1].memoryBytes: must be a positive number
      pods: [{namespace: a, name: x, containers: [{name: c, checkpointSeconds: 0}]}]      | pods[0].containers[0].checkpointSeconds: must be a positive number
      pods: [{namespace: a, name: x, containers: [{name: c, fail: CRIU broke}]}]          | pods[0].containers[0].fail: must be "<GRPC_CODE>: <message>"
      pods: [{namespace: a, name: x, containers: [{name: c, fail: "NOPE: x"}]}]           | pods[0].containers[0].fail: must be "<GRPC_CODE>: <message>"
      pods: [{namespace: a, name: x, containers: [{name: c, fail: "OK: fine"}]}]          | pods[0].containers[0].fail: must be "<GRPC_CODE>: <message>"
      pods: [{namespace: a, name: x, containers: [{name: c, state: paused}]}]             | pods[0].containers[0].state: must be running, exited or created
      pods: [{namespace: a, name: x, containers: [{name: c, memoryByte: 1}]}]             | pods[0].containers[0].memoryByte: unknown key
      pods: [{namespace: a, name: x, containers: [{name: c}, {name: c}]}]                 | pods[0].containers[1].name: duplicate container "c"
      pods: [{namespace: a, name: x, containers: [{memoryBytes: 1}]}]                     | pods[0].containers[0].name: must be a non-empty string
      runtimeVersion: 1.10                                                 | runtimeVersion: must be a non-empty string (quote it
      writeArchives: no-thanks                                             | writeArchives: must be true or false
      http2MaxConcurrentStreams: 0                                         | http2MaxConcurrentStreams: must be a positive number
      """)
  void aBadValueNamesItsKey(String yaml, String message) {
    assertThatThrownBy(() -> SimulatorSeed.parse(yaml, "bad.yaml"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(message);
  }

  @Test
  void unreadableYamlNamesTheSourceOnOneLine() {
    assertThatThrownBy(() -> SimulatorSeed.parse("pods: [unclosed", "broken.yaml"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("broken.yaml: not valid YAML:")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    assertThatThrownBy(() -> SimulatorSeed.parse("a: 1\na: 2", "dup.yaml"))
        .hasMessageStartingWith("dup.yaml: not valid YAML:");
  }

  @Test
  void theClasspathDefaultIsConfSimulatorYaml() throws Exception {
    // One source of truth: conf/simulator.yaml; the classpath copy must not drift from it.
    String conf = Files.readString(Path.of("conf/simulator.yaml"));

    assertThat(SimulatorSeed.defaultSeedText()).isEqualTo(conf);
    assertThat(SimulatorSeed.load(Path.of("conf/simulator.yaml"))).isEqualTo(SimulatorSeed.defaultSeed());
  }

  @Test
  void theDefaultSeedHoldsWhatTheGatewayRunsAgainst() {
    SimulatorSeed seed = SimulatorSeed.defaultSeed();

    SimulatorSeed.Pod demo = seed.pods().stream().filter(p -> p.name().equals("demo")).findFirst().orElseThrow();
    assertThat(demo.namespace()).isEqualTo("default");
    assertThat(demo.containers()).extracting(SimulatorSeed.Container::name)
        .contains("app", "sidecar", "slow", "broken", "done");
    assertThat(demo.containers().get(0).memoryBytes()).isEqualTo(64L << 20);
    assertThat(demo.containers().get(1).memoryBytes()).isEqualTo(16L << 20);
    assertThat(seed.pods()).anySatisfy(p -> assertThat(p.namespace()).isEqualTo("team-a"));
  }
}
