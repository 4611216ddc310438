package org.checkpointgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.checkpointgateway.config.GatewayOptions.FleetOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cluster.*}: --cluster-name, --cluster-members ... and --simulator-pods. */
class FleetOptionTest {

  @TempDir
  Path dir;

  @Test
  void withoutANameThereIsNoFleet() {
    FleetOptions fleet = GatewayOptions.from(new Settings()).fleet();
    assertThat(fleet.enabled()).isFalse();
    assertThat(fleet.host()).isEqualTo("127.0.0.1");
    assertThat(fleet.port()).isEqualTo(5701);
    assertThat(fleet.members()).isEmpty();
    assertThat(fleet.busPort()).isZero();
    assertThat(fleet.failureTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(fleet.nodeName()).isNotBlank();
  }

  @Test
  void flagsOverrideTheFile() throws IOException {
    Path file = Files.writeString(dir.resolve("gateway.yaml"), """
        cluster:
          name: prod
          port: 5801
          members: 10.0.0.1:5701, 10.0.0.2:5702
          nodeName: a
          advertiseUrl: https://10.0.0.3:10250/
          failureTimeout: 20s
        """);
    FleetOptions fleet = GatewayOptions.from(Settings.fromYamlFile(file)
        .override("cluster.nodeName", "b", "--node-name")
        .override("cluster.busPort", "6000", "--cluster-bus-port")).fleet();
    assertThat(fleet).isEqualTo(new FleetOptions(Optional.of("prod"), "127.0.0.1", 5801,
        List.of("10.0.0.1:5701", "10.0.0.2:5702"), "b", 6000,
        Optional.of("https://10.0.0.3:10250"), Duration.ofSeconds(20), Optional.empty(),
        FleetOptions.DEFAULT_DOWNLOAD_TICKETS));
  }

  @Test
  void badValuesStopStartUpNamingTheFlag() {
    // Hazelcast 5.3 reads a port range as one port and fails deep inside: refuse it here.
    assertThatThrownBy(() -> GatewayOptions.from(new Settings()
        .override("cluster.members", "127.0.0.1:5701-5705", "--cluster-members")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("--cluster-members: expected HOST:PORT,..., got 127.0.0.1:5701-5705");
    assertThatThrownBy(() -> GatewayOptions.from(new Settings()
        .override("cluster.members", "10.0.0.1", "--cluster-members")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("--cluster-members:");
    assertThatThrownBy(() -> GatewayOptions.from(new Settings()
        .override("cluster.failureTimeout", "1s", "--cluster-failure-timeout")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("--cluster-failure-timeout: must be between 2s and 1h (whole seconds)");
    assertThatThrownBy(() -> GatewayOptions.from(new Settings()
        .override("cluster.advertiseUrl", "10.0.0.3:10250", "--advertise-url")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("--advertise-url:");
    assertThatThrownBy(() -> GatewayOptions.from(new Settings()
        .override("simulatorPods", dir.resolve("none.yaml").toString(), "--simulator-pods")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("no such readable file");
  }

  @Test
  void theEventBusTlsNeedsAllThreeFilesAndAFleet() throws IOException {
    Path cert = Files.writeString(dir.resolve("tls.crt"), "c");
    Path key = Files.writeString(dir.resolve("tls.key"), "k");
    Path ca = Files.writeString(dir.resolve("ca.crt"), "a");
    assertThat(GatewayOptions.from(new Settings()).fleetNetwork())
        .isEqualTo(GatewayOptions.FleetNetwork.NONE);
    GatewayOptions.FleetNetwork network = GatewayOptions.from(new Settings()
        .override("cluster.name", "prod", "--cluster-name")
        .override("cluster.tls.cert", cert.toString(), "--cluster-tls-cert")
        .override("cluster.tls.key", key.toString(), "--cluster-tls-key")
        .override("cluster.tls.ca", ca.toString(), "--cluster-tls-ca")).fleetNetwork();
    assertThat(network.tls()).isTrue();
    assertThat(network.tlsCa()).contains(ca);
    assertThatThrownBy(() -> GatewayOptions.from(new Settings()
        .override("cluster.name", "prod", "--cluster-name")
        .override("cluster.tls.cert", cert.toString(), "--cluster-tls-cert")
        .override("cluster.tls.key", key.toString(), "--cluster-tls-key")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("--cluster-tls-cert, --cluster-tls-key and --cluster-tls-ca: "
            + "give all three or none");
    assertThatThrownBy(() -> GatewayOptions.from(new Settings()
        .override("cluster.tls.cert", cert.toString(), "--cluster-tls-cert")
        .override("cluster.tls.key", key.toString(), "--cluster-tls-key")
        .override("cluster.tls.ca", ca.toString(), "--cluster-tls-ca")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("need --cluster-name");
    assertThatThrownBy(() -> GatewayOptions.from(new Settings()
        .override("cluster.name", "prod", "--cluster-name")
        .override("cluster.tls.ca", dir.resolve("none").toString(), "--cluster-tls-ca")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("no such readable file");
  }

  @Test
  void theMembersApiCaIsAFileOfAFleet() throws IOException {
    Path ca = Files.writeString(dir.resolve("api-ca.crt"), "a");
    assertThat(GatewayOptions.from(new Settings()).fleetNetwork().apiCa()).isEmpty();
    assertThat(GatewayOptions.from(Settings.fromYamlFile(Files.writeString(
            dir.resolve("gateway.yaml"), "cluster:\n  name: prod\n  apiCa: " + ca + "\n")))
        .fleetNetwork().apiCa()).contains(ca);
    assertThatThrownBy(() -> GatewayOptions.from(new Settings()
        .override("cluster.apiCa", ca.toString(), "--cluster-api-ca")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("--cluster-api-ca: needs --cluster-name (it is trusted for other members' API)");
    assertThatThrownBy(() -> GatewayOptions.from(new Settings()
        .override("cluster.name", "prod", "--cluster-name")
        .override("cluster.apiCa", dir.resolve("none").toString(), "--cluster-api-ca")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("no such readable file");
  }

  @Test
  void kubernetesDiscoveryTakesAServiceNameInsteadOfMembers() {
    assertThat(GatewayOptions.from(new Settings()
        .override("cluster.name", "prod", "--cluster-name")
        .override("cluster.kubernetesDns", "fleet.gw.svc.cluster.local",
            "--cluster-kubernetes-dns")).fleetNetwork().kubernetesDns())
        .contains("fleet.gw.svc.cluster.local");
    assertThatThrownBy(() -> GatewayOptions.from(new Settings()
        .override("cluster.name", "prod", "--cluster-name")
        .override("cluster.members", "10.0.0.1:5701", "--cluster-members")
        .override("cluster.kubernetesDns", "fleet.gw.svc", "--cluster-kubernetes-dns")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("--cluster-kubernetes-dns and --cluster-members: give one or the other");
    assertThatThrownBy(() -> GatewayOptions.from(new Settings()
        .override("cluster.name", "prod", "--cluster-name")
        .override("cluster.kubernetesDns", "http://x/", "--cluster-kubernetes-dns")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("--cluster-kubernetes-dns:");
  }
}
