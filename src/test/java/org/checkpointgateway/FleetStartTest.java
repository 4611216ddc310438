package org.checkpointgateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.Hazelcast;
import io.vertx.core.Vertx;
import org.checkpointgateway.config.GatewayOptions;
import org.checkpointgateway.config.Settings;
import org.checkpointgateway.metrics.GatewayMetrics;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.MainProcess;
import org.junit.jupiter.api.Test;

/** Clustering starts with a cluster name and only then. */
class FleetStartTest {

  @Test
  void withoutAClusterNameNothingOfHazelcastStarts() {
    Vertx vertx = Await.result(Main.vertx(GatewayOptions.from(new Settings()),
        GatewayMetrics.prometheusRegistry()));
    try {
      assertThat(vertx.isClustered()).isFalse();
      assertThat(Hazelcast.getAllHazelcastInstances()).isEmpty();
      assertThat(Thread.getAllStackTraces().keySet()).noneMatch(thread ->
          thread.getName().startsWith("hz."));
    } finally {
      Await.result(vertx.close());
    }
  }

  @Test
  void withOneAMemberStartsOnLoopbackOnly() {
    int port = MainProcess.freePort();
    GatewayOptions options = GatewayOptions.from(new Settings()
        .override("cluster.name", "start-test-" + ProcessHandle.current().pid(), "--cluster-name")
        .override("cluster.port", Integer.toString(port), "--cluster-port")
        .override("cluster.nodeName", "solo", "--node-name"));
    Vertx vertx = Await.result(Main.vertx(options, GatewayMetrics.prometheusRegistry()));
    try {
      assertThat(vertx.isClustered()).isTrue();
      assertThat(Hazelcast.getAllHazelcastInstances()).singleElement().satisfies(hazelcast -> {
        assertThat(hazelcast.getCluster().getLocalMember().getAddress().getHost())
            .isEqualTo("127.0.0.1");
        assertThat(hazelcast.getCluster().getLocalMember().getAddress().getPort()).isEqualTo(port);
        assertThat(hazelcast.getCluster().getLocalMember().getAttribute("checkpoint-gateway.node"))
            .isEqualTo("solo");
        assertThat(hazelcast.getConfig().getNetworkConfig().getJoin().getMulticastConfig()
            .isEnabled()).isFalse();
        assertThat(hazelcast.getConfig().getProperty("hazelcast.phone.home.enabled"))
            .isEqualTo("false");
        assertThat(hazelcast.getConfig().getProperty("hazelcast.socket.bind.any"))
            .isEqualTo("false");
      });
    } finally {
      Await.result(vertx.close());
    }
    assertThat(Hazelcast.getAllHazelcastInstances()).isEmpty();
  }
}
