package org.checkpointgateway.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.checkpointgateway.config.GatewayOptions.FleetNetwork;
import org.checkpointgateway.config.GatewayOptions.FleetOptions;
import org.junit.jupiter.api.Test;

/** The event bus's TLS settings and the Hazelcast join a fleet member builds from its options. */
class FleetTransportTest {

  private static final FleetOptions FLEET = new FleetOptions(Optional.of("prod"), "10.0.0.7",
      5701, List.of("10.0.0.1:5701"), "node-a", 0, Optional.empty(), Duration.ofSeconds(5),
      Optional.empty(), FleetOptions.DEFAULT_DOWNLOAD_TICKETS);

  @Test
  void withTheThreeFilesBothSidesMustShowACertificateTheFleetsCaSigned() {
    EventBusOptions options = FleetTransport.eventBus(FLEET, new FleetNetwork(
        Optional.of(Path.of("/f/tls.crt")), Optional.of(Path.of("/f/tls.key")),
        Optional.of(Path.of("/f/ca.crt")), Optional.empty(), Optional.empty()));
    assertThat(options.isSsl()).isTrue();
    assertThat(options.getClientAuth()).isEqualTo(ClientAuth.REQUIRED);
    // Vert.x's event bus trusts any server certificate by default.
    assertThat(options.isTrustAll()).isFalse();
    assertThat(((PemKeyCertOptions) options.getKeyCertOptions()).getCertPaths())
        .containsExactly("/f/tls.crt");
    assertThat(((PemKeyCertOptions) options.getKeyCertOptions()).getKeyPaths())
        .containsExactly("/f/tls.key");
    assertThat(((PemTrustOptions) options.getTrustOptions()).getCertPaths())
        .containsExactly("/f/ca.crt");
    assertThat(options.getHost()).isEqualTo("10.0.0.7");
    assertThat(options.getConnectTimeout()).isEqualTo(FleetTransport.CONNECT_TIMEOUT_MILLIS);
  }

  @Test
  void withoutThemTheEventBusIsPlain() {
    assertThat(FleetTransport.eventBus(FLEET, FleetNetwork.NONE).isSsl()).isFalse();
  }

  @Test
  void aListOfMembersJoinsOverTcpIpOnly() {
    JoinConfig join = new Config().getNetworkConfig().getJoin();
    FleetTransport.join(join, FLEET, FleetNetwork.NONE, 2);
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("10.0.0.1:5701");
    assertThat(join.getKubernetesConfig().isEnabled()).isFalse();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
  }

  @Test
  void kubernetesDnsJoinsThroughTheHeadlessServiceOnTheClusterPort() {
    JoinConfig join = new Config().getNetworkConfig().getJoin();
    FleetTransport.join(join, FLEET, new FleetNetwork(Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.of("fleet.gw.svc.cluster.local"), Optional.empty()), 2);
    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
    assertThat(join.getKubernetesConfig().isEnabled()).isTrue();
    assertThat(join.getKubernetesConfig().getProperties())
        .containsEntry("service-dns", "fleet.gw.svc.cluster.local")
        .containsEntry("service-port", "5701")
        // DNS mode: no Kubernetes API call, hence no API token or RBAC.
        .doesNotContainKeys("service-name", "namespace", "api-token");
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
  }
}
