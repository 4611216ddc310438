package org.checkpointgateway.config;

import static org.checkpointgateway.config.OptionTable.*;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.checkpointgateway.archive.ArchiveLimits;
import org.checkpointgateway.archive.RetentionOptions;
import org.checkpointgateway.auth.AuthHardening;
import org.checkpointgateway.auth.ClusterAccess;
import org.checkpointgateway.auth.TokenRules;
import org.checkpointgateway.auth.JwtOptions;
import org.checkpointgateway.cri.CriEndpoint;
import org.checkpointgateway.cri.RuntimeProbe;
import org.checkpointgateway.config.Settings.Setting;

/**
 * The gateway's configuration: immutable, validated once at start-up. Every bad value throws a
 * {@link ConfigException} naming the flag or file key it came from. Each option's key, flag,
 * checks, default and help are in {@link OptionTable}; {@link #from} places its value here.
 */
public record GatewayOptions(
    String host,
    int port,
    Optional<CriEndpoint> criEndpoint,
    Path checkpointDir,
    Duration defaultTimeout,
    boolean containerCheckpointGate,
    JwtOptions jwt,
    Optional<Path> tlsCert,
    Optional<Path> tlsKey,
    int maxConcurrent,
    long maxInflightBytes,
    int maxQueued,
    long diskReserveBytes,
    Duration progressInterval,
    Duration lookupMaxAge,
    Duration heartbeatInterval,
    Duration shutdownGrace,
    boolean metricsUnauthenticated,
    int jobHistoryMax,
    Duration jobHistoryAge,
    boolean containerdTaskCheckpoint,
    RetentionOptions retention,
    AuthHardening auth,
    StreamLimits streams,
    RuntimeProbe runtimeProbe,
    HttpLimits http,
    ArchiveLimits archiveLimits,
    ClusterAccess access,
    FleetOptions fleet,
    FleetNetwork fleetNetwork) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  /** The kubelet's port, so that the gateway is a drop-in for callers. */
  public static final int DEFAULT_PORT = 10250;
  /** The kubelet's default runtime request timeout. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);
  /** Where the kubelet keeps archives: the default when talking to a real runtime. */
  public static final Path DEFAULT_CHECKPOINT_DIR = Path.of("/var/lib/kubelet/checkpoints");
  /** With the embedded simulator (a laptop), a directory anyone can create. */
  public static final Path DEFAULT_SIMULATOR_CHECKPOINT_DIR =
      Path.of(System.getProperty("java.io.tmpdir"), "checkpoint-gateway", "checkpoints");
  public static final String CONTAINER_CHECKPOINT_GATE = "ContainerCheckpoint";
  /** Checkpoints at the runtime at once: CRIU dumps compete for disk and memory bandwidth. */
  public static final int DEFAULT_MAX_CONCURRENT = 4;
  /** Weight at the runtime at once: half the node's memory, so dumps cannot flood its page cache. */
  public static final long DEFAULT_MAX_INFLIGHT_BYTES = physicalMemory() / 2;
  /** Requests waiting for admission; beyond this, 429. */
  public static final int DEFAULT_MAX_QUEUED = 1000;
  /** Free space the checkpoint directory must keep beyond an archive's weight; else 507. */
  public static final long DEFAULT_DISK_RESERVE_BYTES = 1L << 30;
  public static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofSeconds(1);
  /** As often as the kubelet's pod lifecycle loop relists the node's pods and containers. */
  public static final Duration DEFAULT_LOOKUP_MAX_AGE = Duration.ofSeconds(1);
  /** Well under the 60 s idle timeouts common in proxies and load balancers. */
  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(15);
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);
  public static final int DEFAULT_JOB_HISTORY_MAX = 1000;
  public static final Duration DEFAULT_JOB_HISTORY_AGE = Duration.ofHours(1);
  /** containerd 1.6/1.7 lack CRI CheckpointContainer: checkpoint through its task API instead. */
  public static final boolean DEFAULT_CONTAINERD_TASK_CHECKPOINT = true;

  public boolean tls() {
    return tlsCert.isPresent();
  }

  public boolean embeddedSimulator() {
    return criEndpoint.isEmpty();
  }

  /** Validates raw settings into options; each value is read through its {@link OptionTable} entry. */
  public static GatewayOptions from(Settings settings) {
    for (Setting unknown : settings.unknown(OptionTable.keys())) {
      throw new ConfigException(unknown.origin() + ": unknown setting");
    }
    Optional<CriEndpoint> endpoint = CRI_ENDPOINT.find(settings);
    Optional<Path> tlsCert = TLS_CERT.find(settings);
    Optional<Path> tlsKey = TLS_KEY.find(settings);
    if (tlsCert.isPresent() != tlsKey.isPresent()) {
      throw new ConfigException(TLS_CERT.flag() + " and " + TLS_KEY.flag()
          + ": give both or neither");
    }
    return new GatewayOptions(
        HOST.get(settings),
        PORT.get(settings),
        endpoint,
        CHECKPOINT_DIR.find(settings)
            .orElse(endpoint.isPresent() ? DEFAULT_CHECKPOINT_DIR : DEFAULT_SIMULATOR_CHECKPOINT_DIR),
        TIMEOUT.get(settings),
        FEATURE_GATES.get(settings),
        new JwtOptions(JWT_SECRET_FILE.find(settings),
            JWT_PUBLIC_KEYS.find(settings).orElse(List.of()),
            JWT_JWKS_FILE.find(settings),
            JWT_ISSUER.find(settings),
            JWT_AUDIENCE.find(settings)),
        tlsCert,
        tlsKey,
        MAX_CONCURRENT.get(settings),
        MAX_INFLIGHT_BYTES.get(settings),
        MAX_QUEUED.get(settings),
        DISK_RESERVE_BYTES.get(settings),
        PROGRESS_INTERVAL.get(settings),
        LOOKUP_MAX_AGE.get(settings),
        HEARTBEAT_INTERVAL.get(settings),
        SHUTDOWN_GRACE.get(settings),
        METRICS_UNAUTHENTICATED.get(settings),
        JOB_HISTORY_MAX.get(settings),
        JOB_HISTORY_AGE.get(settings),
        CONTAINERD_TASK_CHECKPOINT.get(settings),
        retention(settings),
        new AuthHardening(
            new TokenRules(JWT_ALLOW_NO_EXP.get(settings), JWT_MAX_LIFETIME.find(settings)),
            AUDIT_LOG.find(settings),
            AUDIT_LOG_BUFFER.get(settings)),
        new StreamLimits(STREAM_BUFFER_BYTES.get(settings), STREAM_STALL_TIMEOUT.get(settings)),
        new RuntimeProbe(RUNTIME_PROBE_INTERVAL.get(settings), RUNTIME_PROBE_TIMEOUT.get(settings)),
        new HttpLimits(HTTP_HEADER_TIMEOUT.get(settings), HTTP_IDLE_TIMEOUT.get(settings),
            MAX_CONNECTIONS.get(settings), HTTP_MAX_HEADER_SIZE.get(settings),
            HTTP_H2C.get(settings)),
        new ArchiveLimits(INSPECT_MAX_MEMBERS.get(settings), INSPECT_MAX_BYTES.get(settings),
            INSPECT_MAX_CONCURRENT.get(settings)),
        access(settings, tlsCert.isPresent()),
        new FleetOptions(CLUSTER_NAME.find(settings), CLUSTER_HOST.get(settings),
            CLUSTER_PORT.get(settings), CLUSTER_MEMBERS.find(settings).orElse(List.of()),
            NODE_NAME.find(settings).orElseGet(GatewayOptions::hostName),
            CLUSTER_BUS_PORT.get(settings), ADVERTISE_URL.find(settings),
            CLUSTER_FAILURE_TIMEOUT.get(settings), SIMULATOR_PODS.find(settings),
            CLUSTER_DOWNLOAD_TICKETS.get(settings)),
        fleetNetwork(settings));
  }

  /**
   * How members reach each other (docs/fleet.md): TLS with both sides authenticated on the event
   * bus (a certificate, its key and the fleet's CA), Kubernetes DNS discovery in place of a
   * member list (a headless Service's name), and the CA bundle trusted for other members' HTTPS
   * API (empty: the JVM's trust store).
   */
  public record FleetNetwork(Optional<Path> tlsCert, Optional<Path> tlsKey, Optional<Path> tlsCa,
      Optional<String> kubernetesDns, Optional<Path> apiCa) {
    public static final FleetNetwork NONE = new FleetNetwork(Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty());

    public boolean tls() {
      return tlsCert.isPresent();
    }
  }

  // A method, not a constant: OptionTable's entries refer to this class while it initializes.
  private static String tlsTrio() {
    return CLUSTER_TLS_CERT.flag() + ", " + CLUSTER_TLS_KEY.flag() + " and " + CLUSTER_TLS_CA.flag()
        + ": ";
  }

  private static FleetNetwork fleetNetwork(Settings settings) {
    FleetNetwork network = new FleetNetwork(CLUSTER_TLS_CERT.find(settings),
        CLUSTER_TLS_KEY.find(settings), CLUSTER_TLS_CA.find(settings),
        CLUSTER_KUBERNETES_DNS.find(settings), CLUSTER_API_CA.find(settings));
    int tlsGiven = (network.tlsCert().isPresent() ? 1 : 0) + (network.tlsKey().isPresent() ? 1 : 0)
        + (network.tlsCa().isPresent() ? 1 : 0);
    if (tlsGiven != 0 && tlsGiven != 3) {
      throw new ConfigException(tlsTrio()
          + "give all three or none");
    }
    boolean clustered = settings.get(CLUSTER_NAME.key()).isPresent();
    if (tlsGiven == 3 && !clustered) {
      throw new ConfigException(tlsTrio()
          + "need " + CLUSTER_NAME.flag() + " (they secure a fleet's event bus)");
    }
    if (network.apiCa().isPresent() && !clustered) {
      throw new ConfigException(settings.get(CLUSTER_API_CA.key()).orElseThrow().origin()
          + ": needs " + CLUSTER_NAME.flag() + " (it is trusted for other members' API)");
    }
    if (network.kubernetesDns().isPresent()) {
      String origin = settings.get(CLUSTER_KUBERNETES_DNS.key()).orElseThrow().origin();
      if (!clustered) {
        throw new ConfigException(origin + ": needs " + CLUSTER_NAME.flag());
      }
      if (settings.get(CLUSTER_MEMBERS.key()).isPresent()) {
        throw new ConfigException(origin + " and " + CLUSTER_MEMBERS.flag() + ": give one or the other");
      }
    }
    return network;
  }

  private static ClusterAccess access(Settings settings, boolean tls) {
    Optional<Path> clientCa = TLS_CLIENT_CA.find(settings);
    if (clientCa.isPresent() && !tls) {
      throw new ConfigException(settings.get(TLS_CLIENT_CA.key()).orElseThrow().origin()
          + ": needs " + TLS_CERT.flag() + " and " + TLS_KEY.flag()
          + " (client certificates come over TLS)");
    }
    return new ClusterAccess(clientCa, AUTHORIZATION_FILE.find(settings),
        AUTH_RELOAD_INTERVAL.get(settings));
  }

  private static RetentionOptions retention(Settings settings) {
    OptionalInt perContainer = RETAIN_PER_CONTAINER.find(settings).map(OptionalInt::of)
        .orElse(OptionalInt.empty());
    return new RetentionOptions(perContainer,
        RETAIN_MAX_BYTES.find(settings).map(OptionalLong::of).orElse(OptionalLong.empty()),
        RETAIN_MAX_AGE.find(settings),
        RETAIN_INTERVAL.get(settings),
        RETAIN_QUIET_PERIOD.get(settings),
        RetentionPolicyConfig.read(settings, perContainer));
  }

  /**
   * Membership of a fleet of gateways (docs/fleet.md): without a cluster name, nothing of it
   * starts. {@code simulatorPods} seeds the embedded simulator (a demo or test fleet needs each
   * member to run pods of its own).
   */
  public record FleetOptions(Optional<String> name, String host, int port, List<String> members,
      String nodeName, int busPort, Optional<String> advertiseUrl, Duration failureTimeout,
      Optional<Path> simulatorPods, int downloadTickets) {
    /** Hazelcast's own port. */
    public static final int DEFAULT_PORT = 5701;
    /** Silence this long declares a member gone; Hazelcast's default is 60 s (docs/fleet.md). */
    public static final Duration DEFAULT_FAILURE_TIMEOUT = Duration.ofSeconds(5);
    /**
     * Download tickets a member holds for other members' callers at once: each is a download
     * starting within seconds, so this is far above what a member serves, and bounds the memory.
     */
    public static final int DEFAULT_DOWNLOAD_TICKETS = 1024;

    public boolean enabled() {
      return name.isPresent();
    }
  }

  /** {@code HOST:PORT,...}: one port each, as Hazelcast 5.3 reads "host:5701-5705" as a port. */
  static List<String> members(String text) {
    List<String> members = new ArrayList<>();
    for (String member : text.split(",")) {
      String trimmed = member.trim();
      int colon = trimmed.lastIndexOf(':');
      if (colon <= 0 || !trimmed.substring(colon + 1).matches("[0-9]{1,5}")
          || Integer.parseInt(trimmed.substring(colon + 1)) > 65535) {
        throw new IllegalArgumentException("expected HOST:PORT,..., got " + member);
      }
      members.add(trimmed);
    }
    return List.copyOf(members);
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "localhost";
    }
  }

  /**
   * What one event stream may hold for a client that does not read, and how long it may go
   * unread before it is closed.
   *
   * @param bufferBytes bytes written to a stream but not yet taken by the client's socket; past
   *     this, progress and heartbeats are dropped (the latest progress is kept)
   * @param stallTimeout how long a stream may stay full before it is closed (and its checkpoint
   *     cancelled, as a disconnect does)
   */
  public record StreamLimits(long bufferBytes, Duration stallTimeout) {
    /** Netty's own high-water mark for a connection: events of a few hundred bytes fit by hundreds. */
    public static final long DEFAULT_BUFFER_BYTES = 64 * 1024;
    /** Twice the heartbeat: a live client reads at least that often. */
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(30);
  }

  /**
   * Limits on the connections callers open (docs/limits-and-hardening.md says what a caller sees).
   *
   * @param headerTimeout time a connection gets to deliver a request's headers, counted from
   *     its first byte (or from its opening); then it is closed
   * @param idleTimeout time a connection with no request in flight may stay open; one with a
   *     request in flight is never cut
   * @param maxConnections connections served at once; one beyond gets 503 and is closed
   * @param maxHeaderSize bytes of a request's header block (HTTP/1.1) or header list (HTTP/2)
   * @param h2c whether the plain (non-TLS) port also speaks HTTP/2 with prior knowledge; off by
   *     default, as with the kubelet: Vert.x then decodes the first request of every plain
   *     connection before the gateway gets the connection, outside the checks above
   */
  public record HttpLimits(Duration headerTimeout, Duration idleTimeout, int maxConnections,
      int maxHeaderSize, boolean h2c) {

    /** Headers are a few hundred bytes; Go servers hardened against slowloris use 10 s too. */
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);
    /** The kubelet's (and Go's http.DefaultTransport keep-alive): clients close first. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(90);
    /** Vert.x's and nginx's 8 KiB: room for a bearer token of several kilobytes. */
    public static final int DEFAULT_MAX_HEADER_SIZE = 8192;
    /**
     * Below the process's open-file limit (as nginx asks of worker_connections), keeping 1024
     * descriptors for the runtime's sockets, archives and the JVM; at most 16384 (about 350 MB
     * at the 21.6 KB an open request was measured to hold).
     */
    public static final int DEFAULT_MAX_CONNECTIONS =
        (int) Math.max(64, Math.min(16_384, openFileLimit() - 1024));
    public static final HttpLimits DEFAULT = new HttpLimits(DEFAULT_HEADER_TIMEOUT,
        DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_HEADER_SIZE, false);

    private static long openFileLimit() {
      return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
          instanceof com.sun.management.UnixOperatingSystemMXBean unix
          ? unix.getMaxFileDescriptorCount() : 4096;
    }
  }

  private static long physicalMemory() {
    java.lang.management.OperatingSystemMXBean os =
        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean bean
        ? bean.getTotalMemorySize() : 8L << 30;
  }

  /** {@code ContainerCheckpoint=true,Other=false} on the command line, or a map in the file. */
  static boolean featureGates(Setting setting) {
    Map<String, String> parsed = new java.util.LinkedHashMap<>();
    if (setting.value() instanceof Map<?, ?> map) {
      map.forEach((k, v) -> parsed.put(String.valueOf(k), String.valueOf(v)));
    } else {
      for (String pair : String.valueOf(setting.value()).split(",")) {
        String[] kv = pair.trim().split("=", 2);
        if (kv.length != 2) {
          throw new ConfigException(setting.origin() + ": expected NAME=true|false, got " + pair);
        }
        parsed.put(kv[0].trim(), kv[1].trim());
      }
    }
    boolean enabled = true;
    for (Map.Entry<String, String> gate : parsed.entrySet()) {
      if (!gate.getKey().equals(CONTAINER_CHECKPOINT_GATE)) {
        throw new ConfigException(setting.origin() + ": unrecognized feature gate: " + gate.getKey());
      }
      String value = gate.getValue().toLowerCase(java.util.Locale.ROOT);
      if (!value.equals("true") && !value.equals("false")) {
        throw new ConfigException(setting.origin() + ": invalid value of " + gate.getKey() + ": "
            + gate.getValue() + " (true or false)");
      }
      enabled = Boolean.parseBoolean(value);
    }
    return enabled;
  }
}
