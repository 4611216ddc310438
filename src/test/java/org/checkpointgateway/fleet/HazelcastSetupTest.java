package org.checkpointgateway.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import org.junit.jupiter.api.Test;

/** The Hazelcast configuration a member builds without reading Vert.x's default XML file. */
class HazelcastSetupTest {

  @Test
  void vertxsOwnStructuresAreSetAsItsDefaultFileSetsThem() {
    Config file = ConfigUtil.loadConfig();
    Config ours = HazelcastSetup.vertxMaps(new Config());
    // Every map and multimap the file names, with every setting equal (MapConfig.equals
    // compares them all): a Vert.x that changes its file fails here.
    assertThat(file.getMapConfigs()).isNotEmpty();
    assertThat(ours.getMapConfigs()).isEqualTo(file.getMapConfigs());
    assertThat(ours.getMultiMapConfigs()).isNotEmpty().isEqualTo(file.getMultiMapConfigs());
    assertThat(ours.getReplicatedMapConfigs()).isEqualTo(file.getReplicatedMapConfigs());
    assertThat(ours.getListConfigs()).isEqualTo(file.getListConfigs());
    assertThat(ours.getSetConfigs()).isEqualTo(file.getSetConfigs());
    assertThat(ours.getQueueConfigs()).isEqualTo(file.getQueueConfigs());
    assertThat(ours.getTopicConfigs()).isEqualTo(file.getTopicConfigs());
  }
}
