package org.checkpointgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.checkpointgateway.units.Durations;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import picocli.CommandLine.Model.CommandSpec;

/**
 * conf/kubernetes/ is read, not run, on this machine: this keeps its DaemonSet in step with the
 * code. Every flag it passes exists, every file a flag names is inside a mounted volume, and the
 * pod is given longer to stop than the gateway gives running checkpoints.
 */
class KubernetesManifestTest {

  private static final Path DAEMONSET = Path.of("conf/kubernetes/daemonset.yaml");
  private static final Path FLEET = Path.of("conf/kubernetes/fleet.yaml");

  private static Map<String, Object> daemonSet() throws Exception {
    return document(DAEMONSET, "DaemonSet");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> document(Path file, String kind) throws Exception {
    for (Object document : new Yaml(new SafeConstructor(new LoaderOptions()))
        .loadAll(Files.readString(file))) {
      Map<String, Object> map = (Map<String, Object>) document;
      if (kind.equals(map.get("kind"))) {
        return map;
      }
    }
    throw new AssertionError("no " + kind + " in " + file);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> at(Map<String, Object> map, String... keys) {
    Map<String, Object> current = map;
    for (String key : keys) {
      current = (Map<String, Object>) current.get(key);
    }
    return current;
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"conf/kubernetes/daemonset.yaml",
      "conf/kubernetes/fleet.yaml"})
  @SuppressWarnings("unchecked")
  void theDaemonSetPassesOnlyRealFlagsAndMountsWhatTheyName(String file) throws Exception {
    Path manifest = Path.of(file);
    Map<String, Object> pod = at(document(manifest, "DaemonSet"), "spec", "template", "spec");
    assertThat(pod.get("hostNetwork")).isEqualTo(true);
    List<Map<String, Object>> containers = (List<Map<String, Object>>) pod.get("containers");
    Map<String, Object> gateway = containers.get(0);
    List<String> args = (List<String>) gateway.get("args");
    CommandSpec spec = Main.commandLine().getCommandSpec();
    List<String> mounts = ((List<Map<String, Object>>) gateway.get("volumeMounts")).stream()
        .map(mount -> (String) mount.get("mountPath")).toList();
    List<String> flags = new ArrayList<>();
    Duration shutdownGrace = null;
    for (String arg : args) {
      assertThat(arg).as("an argument").startsWith("--").contains("=");
      String flag = arg.substring(0, arg.indexOf('='));
      String value = arg.substring(arg.indexOf('=') + 1);
      assertThat(spec.findOption(flag)).as("flag " + flag + " of " + manifest).isNotNull();
      flags.add(flag);
      if (value.startsWith("/")) {
        assertThat(mounts).as(flag + " " + value + " is in a mounted volume")
            .anyMatch(mount -> value.equals(mount) || value.startsWith(mount + "/"));
      }
      if (value.startsWith("unix://")) {
        assertThat(mounts).contains(value.substring("unix://".length()));
      }
      if (flag.equals("--shutdown-grace")) {
        shutdownGrace = Durations.parse(value, Durations.BareNumber.SECONDS);
      }
    }
    assertThat(flags).contains("--port", "--tls-cert", "--tls-key", "--tls-client-ca",
        "--jwt-jwks-file", "--jwt-audience", "--authorization-file", "--cri-endpoint",
        "--checkpoint-dir", "--shutdown-grace");
    assertThat(args).contains("--port=10260");
    assertThat(((List<Map<String, Object>>) gateway.get("ports")).get(0))
        .containsEntry("containerPort", 10260).containsEntry("hostPort", 10260);
    // Longer than the gateway's own grace, with room for the stop after it.
    assertThat(((Number) pod.get("terminationGracePeriodSeconds")).longValue())
        .isGreaterThan(shutdownGrace.toSeconds() + Main.STOP_WAIT_SECONDS / 2);
  }

  @Test
  void theContainerfileBuildsTheImageTheDaemonSetNames() throws Exception {
    String containerfile = Files.readString(Path.of("conf/kubernetes/Containerfile"));
    assertThat(Files.readString(DAEMONSET)).contains("image: checkpoint-gateway:0.1.0");
    assertThat(containerfile).contains("-t checkpoint-gateway:0.1.0")
        .contains("target/checkpoint-gateway.jar").contains("ENTRYPOINT");
  }

  /**
   * The fleet's DaemonSet finds members through the headless Service it names, on the ports the
   * Service and the pod declare, named after the node, with the event bus's TLS files mounted.
   */
  @Test
  @SuppressWarnings("unchecked")
  void theFleetSampleFindsMembersThroughItsHeadlessService() throws Exception {
    Map<String, Object> daemonSet = document(FLEET, "DaemonSet");
    Map<String, Object> service = document(FLEET, "Service");
    Map<String, Object> pod = at(daemonSet, "spec", "template", "spec");
    Map<String, Object> gateway = ((List<Map<String, Object>>) pod.get("containers")).get(0);
    Map<String, String> flags = new java.util.LinkedHashMap<>();
    for (String arg : (List<String>) gateway.get("args")) {
      flags.put(arg.substring(0, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
    }
    assertThat(flags).containsKeys("--cluster-name", "--cluster-tls-cert", "--cluster-tls-key",
        "--cluster-tls-ca").doesNotContainKey("--cluster-members")
        .containsEntry("--node-name", "$(NODE_NAME)").containsEntry("--cluster-host", "$(NODE_IP)");
    Map<String, Object> meta = (Map<String, Object>) service.get("metadata");
    assertThat(flags.get("--cluster-kubernetes-dns")).isEqualTo(meta.get("name") + "."
        + meta.get("namespace") + ".svc.cluster.local");
    Map<String, Object> serviceSpec = (Map<String, Object>) service.get("spec");
    assertThat(serviceSpec).containsEntry("clusterIP", "None")
        .containsEntry("publishNotReadyAddresses", true)
        .containsEntry("selector", at(daemonSet, "spec", "template", "metadata").get("labels"));
    List<Object> servicePorts = ((List<Map<String, Object>>) serviceSpec.get("ports")).stream()
        .map(port -> port.get("port")).toList();
    List<Object> podPorts = ((List<Map<String, Object>>) gateway.get("ports")).stream()
        .map(port -> port.get("hostPort")).toList();
    for (String portFlag : List.of("--cluster-port", "--cluster-bus-port")) {
      int port = Integer.parseInt(flags.get(portFlag));
      assertThat(servicePorts).as(portFlag).contains(port);
      assertThat(podPorts).as(portFlag).contains(port);
    }
    // $(NODE_NAME) and $(NODE_IP) come from the downward API.
    assertThat(((List<Map<String, Object>>) gateway.get("env")).stream()
        .map(env -> (String) env.get("name"))).contains("NODE_NAME", "NODE_IP");
    // The fleet's flags are valid together (the TLS files aside: they exist only when mounted).
    org.checkpointgateway.config.GatewayOptions options =
        org.checkpointgateway.config.GatewayOptions.from(new org.checkpointgateway.config.Settings()
            .override("cluster.name", flags.get("--cluster-name"), "--cluster-name")
            .override("cluster.host", "10.0.0.7", "--cluster-host")
            .override("cluster.port", flags.get("--cluster-port"), "--cluster-port")
            .override("cluster.busPort", flags.get("--cluster-bus-port"), "--cluster-bus-port")
            .override("cluster.advertiseUrl", flags.get("--advertise-url")
                .replace("$(NODE_IP)", "10.0.0.7"), "--advertise-url")
            .override("cluster.kubernetesDns", flags.get("--cluster-kubernetes-dns"),
                "--cluster-kubernetes-dns"));
    assertThat(options.fleetNetwork().kubernetesDns()).contains(flags.get("--cluster-kubernetes-dns"));
    assertThat(options.fleet().busPort()).isEqualTo(5702);
  }
}
