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

  @SuppressWarnings("unchecked")
  private static Map<String, Object> daemonSet() throws Exception {
    for (Object document : new Yaml(new SafeConstructor(new LoaderOptions()))
        .loadAll(Files.readString(DAEMONSET))) {
      Map<String, Object> map = (Map<String, Object>) document;
      if ("DaemonSet".equals(map.get("kind"))) {
        return map;
      }
    }
    throw new AssertionError("no DaemonSet in " + DAEMONSET);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> at(Map<String, Object> map, String... keys) {
    Map<String, Object> current = map;
    for (String key : keys) {
      current = (Map<String, Object>) current.get(key);
    }
    return current;
  }

  @Test
  @SuppressWarnings("unchecked")
  void theDaemonSetPassesOnlyRealFlagsAndMountsWhatTheyName() throws Exception {
    Map<String, Object> pod = at(daemonSet(), "spec", "template", "spec");
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
      assertThat(spec.findOption(flag)).as("flag " + flag + " of " + DAEMONSET).isNotNull();
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
}
