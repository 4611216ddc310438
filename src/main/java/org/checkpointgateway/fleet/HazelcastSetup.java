package org.checkpointgateway.fleet;

import com.hazelcast.cluster.InitialMembershipEvent;
import com.hazelcast.cluster.InitialMembershipListener;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.config.Config;
import com.hazelcast.config.ListenerConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.core.LifecycleEvent.LifecycleState;
import com.hazelcast.core.LifecycleListener;
import com.hazelcast.config.NetworkConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.checkpointgateway.config.GatewayOptions.FleetNetwork;
import org.checkpointgateway.config.GatewayOptions.FleetOptions;
import org.checkpointgateway.metrics.GatewayMetrics;
import org.checkpointgateway.metrics.StartClock;

/**
 * Hazelcast as a fleet member runs it: on one address only, no multicast, no auto-detection,
 * no phone-home, members listed one by one; tuned to form and to notice a lost member in
 * seconds rather than Hazelcast's tens of seconds (docs/fleet.md has the measured figures).
 */
public final class HazelcastSetup {

  /** The member attribute that carries the gateway's node name. */
  static final String NODE_ATTRIBUTE = "checkpoint-gateway.node";

  /** How long a starting member looks for a master among the listed members. */
  static final int JOIN_TIMEOUT_SECONDS = 2;

  // java.util.logging keeps loggers weakly: held here, their levels stay.
  private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");
  private static final java.util.List<Logger> QUIET = java.util.List.of(
      Logger.getLogger("com.hazelcast.instance.impl.HazelcastInstanceFactory"),
      Logger.getLogger("com.hazelcast.cp.CPSubsystem"));

  private HazelcastSetup() {
  }

  /** A clustered Vert.x with the gateway's metrics; Hazelcast starts inside (seconds). */
  public static Future<Vertx> clusteredVertx(VertxOptions options, MeterRegistry registry,
      FleetOptions fleet, FleetNetwork network) {
    options.setEventBusOptions(FleetTransport.eventBus(fleet, network));
    return GatewayMetrics.builder(options, registry)
        .withClusterManager(new HazelcastClusterManager(config(fleet, network)))
        .buildClustered();
  }

  static Config config(FleetOptions fleet, FleetNetwork network) {
    // Through the gateway's java.util.logging; Hazelcast's INFO lines (dozens at start) would
    // drown the gateway's own.
    System.setProperty("hazelcast.logging.type", "jdk");
    HAZELCAST_LOG.setLevel(Level.parse(System.getProperty("checkpoint-gateway.hazelcast.log",
        "WARNING")));
    // Said at every start, about choices made on purpose: CP structures are not used, and
    // Hazelcast runs without --add-opens (measured: no difference that matters here).
    QUIET.forEach(logger -> logger.setLevel(Level.SEVERE));
    Config config = vertxMaps(new Config());
    config.setClusterName(fleet.name().orElseThrow());
    config.setInstanceName("checkpoint-gateway-" + fleet.nodeName());
    config.getMemberAttributeConfig().setAttribute(NODE_ATTRIBUTE, fleet.nodeName());
    long failureSeconds = fleet.failureTimeout().toSeconds();
    config.setProperty("hazelcast.logging.type", "jdk")
        .setProperty("hazelcast.phone.home.enabled", "false")
        .setProperty("hazelcast.socket.bind.any", "false")
        // Measured: 3 members took 17-24 s to form with the defaults, 4 s to join with 0 here.
        .setProperty("hazelcast.wait.seconds.before.join", "0")
        .setProperty("hazelcast.max.wait.seconds.before.join", "1")
        .setProperty("hazelcast.heartbeat.interval.seconds", "1")
        .setProperty("hazelcast.max.no.heartbeat.seconds", Long.toString(failureSeconds))
        // A split (a frozen member that returns) merges back within seconds, not 5 minutes.
        .setProperty("hazelcast.merge.first.run.delay.seconds", Long.toString(failureSeconds))
        .setProperty("hazelcast.merge.next.run.delay.seconds", Long.toString(failureSeconds))
        .setProperty("hazelcast.shutdownhook.enabled", "false");
    // Hazelcast's own metrics (collected every 5 s, registered as JMX beans at start): the
    // gateway's /metrics has what is used; none of them is read.
    config.getMetricsConfig().setEnabled(false);
    config.addListenerConfig(new ListenerConfig((LifecycleListener) event -> {
      if (event.getState() == LifecycleState.STARTING || event.getState() == LifecycleState.STARTED) {
        StartClock.mark("hazelcast " + event.getState().name().toLowerCase(java.util.Locale.ROOT));
      }
    }));
    config.addListenerConfig(new ListenerConfig(new InitialMembershipListener() {
      @Override
      public void init(InitialMembershipEvent event) {
        StartClock.mark("saw " + event.getMembers().size() + " members");
      }

      @Override
      public void memberAdded(MembershipEvent event) {
        StartClock.mark("saw " + event.getMembers().size() + " members");
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
      }
    }));
    NetworkConfig hazelcastNetwork = config.getNetworkConfig();
    hazelcastNetwork.setPort(fleet.port()).setPortAutoIncrement(false);
    hazelcastNetwork.getInterfaces().setEnabled(true).setInterfaces(java.util.List.of(fleet.host()));
    FleetTransport.join(hazelcastNetwork.getJoin(), fleet, network, JOIN_TIMEOUT_SECONDS);
    return config;
  }

  /**
   * Vert.x's own structures as its default file (ConfigUtil.loadConfig(), default-cluster.xml)
   * sets them, without reading it: parsing and schema-checking that XML cost each member half
   * a CPU second at start (HazelcastSetupTest keeps the two equal).
   */
  static Config vertxMaps(Config config) {
    config.addMultiMapConfig(new MultiMapConfig("__vertx.subs").setBackupCount(1)
        .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    config.addMapConfig(new MapConfig("__vertx.haInfo").setBackupCount(1));
    config.addMapConfig(new MapConfig("__vertx.nodeInfo").setBackupCount(1));
    return config;
  }
}
