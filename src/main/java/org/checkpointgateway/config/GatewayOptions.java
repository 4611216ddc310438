package org.checkpointgateway.config;

import static org.checkpointgateway.units.Durations.BareNumber.SECONDS;

import java.nio.file.Files;
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
import org.checkpointgateway.units.Durations;
import org.checkpointgateway.units.Quantities;

/**
 * The gateway's configuration: immutable, validated once at start-up. Every bad value throws a
 * {@link ConfigException} naming the flag or file key it came from. The documented defaults are in
 * {@code conf/gateway.yaml}.
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

  /** Every key the YAML file may hold; anything else is a typo and stops start-up. */
  public static final List<String> KEYS = List.of("host", "port", "criEndpoint", "checkpointDir",
      "defaultTimeout", "featureGates", "jwt.secretFile", "jwt.publicKeys", "jwt.jwksFile",
      "jwt.issuer", "jwt.audience", "tls.cert", "tls.key", "maxConcurrent", "maxInflightBytes",
      "maxQueued", "diskReserveBytes", "progressInterval", "lookupMaxAge", "heartbeatInterval", "shutdownGrace",
      "metricsUnauthenticated", "jobHistoryMax", "jobHistoryAge", "containerdTaskCheckpoint", "retention.perContainer", "retention.maxBytes",
      "retention.maxAge", "retention.interval", "retention.quietPeriod",
      "auth.jwtAllowNoExp", "auth.jwtMaxLifetime", "auth.auditLog", "auth.auditLogBuffer",
      "streams.bufferBytes", "streams.stallTimeout",
      "runtimeProbe.interval", "runtimeProbe.timeout",
      "http.headerTimeout", "http.idleTimeout", "http.maxConnections", "http.maxHeaderSize",
      "http.h2c",
      "archives.inspectMaxMembers", "archives.inspectMaxBytes", "archives.inspectMaxConcurrent",
      "tls.clientCa", "auth.authorizationFile", "auth.reloadInterval",
      "retention.global.maxCheckpointsPerNamespace", "retention.global.maxCheckpointsPerPod", "retention.global.maxCheckpointsPerContainer", "retention.global.maxCheckpointSize", "retention.global.maxTotalSizePerNamespace", "retention.global.maxTotalSizePerPod", "retention.global.maxTotalSizePerContainer", "retention.global.retainOrphan", "retention.namespaces", "retention.pods", "retention.containers",
      "cluster.name", "cluster.host", "cluster.port", "cluster.members", "cluster.nodeName", "cluster.busPort", "cluster.advertiseUrl", "cluster.failureTimeout", "simulatorPods",
      "cluster.tls.cert", "cluster.tls.key", "cluster.tls.ca", "cluster.kubernetesDns");

  public boolean tls() {
    return tlsCert.isPresent();
  }

  public boolean embeddedSimulator() {
    return criEndpoint.isEmpty();
  }

  /** Validates raw settings into options. */
  public static GatewayOptions from(Settings settings) {
    for (Setting unknown : settings.unknown(KEYS)) {
      throw new ConfigException(unknown.origin() + ": unknown setting");
    }
    Optional<CriEndpoint> endpoint = string(settings, "criEndpoint").map(s -> parse(settings,
        "criEndpoint", () -> CriEndpoint.parse(s.value())));
    Optional<Path> tlsCert = existingFile(settings, "tls.cert");
    Optional<Path> tlsKey = existingFile(settings, "tls.key");
    if (tlsCert.isPresent() != tlsKey.isPresent()) {
      throw new ConfigException("--tls-cert and --tls-key: give both or neither");
    }
    return new GatewayOptions(
        string(settings, "host").map(Valued::value).orElse(DEFAULT_HOST),
        integer(settings, "port", 0, 65535).orElse(DEFAULT_PORT),
        endpoint,
        string(settings, "checkpointDir").map(s -> Path.of(s.value()))
            .orElse(endpoint.isPresent() ? DEFAULT_CHECKPOINT_DIR : DEFAULT_SIMULATOR_CHECKPOINT_DIR),
        integer(settings, "defaultTimeout", 1, Integer.MAX_VALUE).map(Duration::ofSeconds)
            .orElse(DEFAULT_TIMEOUT),
        featureGates(settings),
        new JwtOptions(
            existingFile(settings, "jwt.secretFile"),
            existingFiles(settings, "jwt.publicKeys"),
            existingFile(settings, "jwt.jwksFile"),
            string(settings, "jwt.issuer").map(Valued::value),
            string(settings, "jwt.audience").map(Valued::value)),
        tlsCert,
        tlsKey,
        integer(settings, "maxConcurrent", 1, 100_000).orElse(DEFAULT_MAX_CONCURRENT),
        quantity(settings, "maxInflightBytes", Quantities::bytes).orElse(DEFAULT_MAX_INFLIGHT_BYTES),
        integer(settings, "maxQueued", 0, 10_000_000).orElse(DEFAULT_MAX_QUEUED),
        quantity(settings, "diskReserveBytes", Quantities::bytes).orElse(DEFAULT_DISK_RESERVE_BYTES),
        positive(settings, "progressInterval").orElse(DEFAULT_PROGRESS_INTERVAL),
        quantity(settings, "lookupMaxAge", text -> Durations.parse(text, SECONDS)).orElse(DEFAULT_LOOKUP_MAX_AGE),
        positive(settings, "heartbeatInterval").orElse(DEFAULT_HEARTBEAT_INTERVAL),
        quantity(settings, "shutdownGrace", text -> Durations.parse(text, SECONDS)).orElse(DEFAULT_SHUTDOWN_GRACE),
        bool(settings, "metricsUnauthenticated").orElse(false),
        integer(settings, "jobHistoryMax", 1, 10_000_000).orElse(DEFAULT_JOB_HISTORY_MAX),
        positive(settings, "jobHistoryAge").orElse(DEFAULT_JOB_HISTORY_AGE),
        bool(settings, "containerdTaskCheckpoint").orElse(DEFAULT_CONTAINERD_TASK_CHECKPOINT),
        retention(settings),
        auth(settings),
        streams(settings),
        runtimeProbe(settings),
        http(settings),
        archiveLimits(settings),
        access(settings, tlsCert.isPresent()),
        fleet(settings),
        fleetNetwork(settings));
  }

  /**
   * How members reach each other (docs/fleet.md): TLS with both sides authenticated on the event
   * bus (a certificate, its key and the fleet's CA), and Kubernetes DNS discovery in place of a
   * member list (a headless Service's name).
   */
  public record FleetNetwork(Optional<Path> tlsCert, Optional<Path> tlsKey, Optional<Path> tlsCa,
      Optional<String> kubernetesDns) {
    public static final FleetNetwork NONE = new FleetNetwork(Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty());

    public boolean tls() {
      return tlsCert.isPresent();
    }
  }

  private static FleetNetwork fleetNetwork(Settings settings) {
    FleetNetwork network = new FleetNetwork(existingFile(settings, "cluster.tls.cert"),
        existingFile(settings, "cluster.tls.key"), existingFile(settings, "cluster.tls.ca"),
        string(settings, "cluster.kubernetesDns").map(s -> {
          // A DNS name: what Hazelcast resolves for the Service's endpoints.
          if (!s.value().matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?")) {
            throw new ConfigException(s.origin() + ": expected a DNS name such as "
                + "checkpoint-gateway-fleet.NAMESPACE.svc.cluster.local, got " + s.value());
          }
          return s.value();
        }));
    int tlsGiven = (network.tlsCert().isPresent() ? 1 : 0) + (network.tlsKey().isPresent() ? 1 : 0)
        + (network.tlsCa().isPresent() ? 1 : 0);
    if (tlsGiven != 0 && tlsGiven != 3) {
      throw new ConfigException("--cluster-tls-cert, --cluster-tls-key and --cluster-tls-ca: "
          + "give all three or none");
    }
    boolean clustered = settings.get("cluster.name").isPresent();
    if (tlsGiven == 3 && !clustered) {
      throw new ConfigException("--cluster-tls-cert, --cluster-tls-key and --cluster-tls-ca: "
          + "need --cluster-name (they secure a fleet's event bus)");
    }
    if (network.kubernetesDns().isPresent()) {
      String origin = settings.get("cluster.kubernetesDns").orElseThrow().origin();
      if (!clustered) {
        throw new ConfigException(origin + ": needs --cluster-name");
      }
      if (settings.get("cluster.members").isPresent()) {
        throw new ConfigException(origin + " and --cluster-members: give one or the other");
      }
    }
    return network;
  }

  private static ClusterAccess access(Settings settings, boolean tls) {
    Optional<Path> clientCa = existingFile(settings, "tls.clientCa");
    if (clientCa.isPresent() && !tls) {
      throw new ConfigException(settings.get("tls.clientCa").orElseThrow().origin()
          + ": needs --tls-cert and --tls-key (client certificates come over TLS)");
    }
    return new ClusterAccess(clientCa, existingFile(settings, "auth.authorizationFile"),
        positive(settings, "auth.reloadInterval").orElse(ClusterAccess.DEFAULT_RELOAD_INTERVAL));
  }

  /**
   * Membership of a fleet of gateways (docs/fleet.md): without a cluster name, nothing of it
   * starts. {@code simulatorPods} seeds the embedded simulator (a demo or test fleet needs each
   * member to run pods of its own).
   */
  public record FleetOptions(Optional<String> name, String host, int port, List<String> members,
      String nodeName, int busPort, Optional<String> advertiseUrl, Duration failureTimeout,
      Optional<Path> simulatorPods) {
    /** Hazelcast's own port. */
    public static final int DEFAULT_PORT = 5701;
    /** Silence this long declares a member gone; Hazelcast's default is 60 s (docs/fleet.md). */
    public static final Duration DEFAULT_FAILURE_TIMEOUT = Duration.ofSeconds(5);

    public boolean enabled() {
      return name.isPresent();
    }
  }

  private static FleetOptions fleet(Settings settings) {
    List<String> members = new ArrayList<>();
    string(settings, "cluster.members").ifPresent(s -> {
      for (String member : s.value().split(",")) {
        String trimmed = member.trim();
        int colon = trimmed.lastIndexOf(':');
        // Hazelcast 5.3 reads "host:5701-5705" as a port and fails: one member, one port.
        if (colon <= 0 || !trimmed.substring(colon + 1).matches("[0-9]{1,5}")
            || Integer.parseInt(trimmed.substring(colon + 1)) > 65535) {
          throw new ConfigException(s.origin() + ": expected HOST:PORT,..., got " + member);
        }
        members.add(trimmed);
      }
    });
    Duration failure = positive(settings, "cluster.failureTimeout")
        .orElse(FleetOptions.DEFAULT_FAILURE_TIMEOUT);
    if (failure.toSeconds() < 2 || failure.toSeconds() > 3600) {
      throw new ConfigException(settings.get("cluster.failureTimeout").orElseThrow().origin()
          + ": must be between 2s and 1h (whole seconds)");
    }
    Optional<String> advertise = string(settings, "cluster.advertiseUrl").map(s -> {
      if (!s.value().matches("https?://[^/?#\\s]+/?")) {
        throw new ConfigException(s.origin() + ": expected http(s)://HOST:PORT, got " + s.value());
      }
      return s.value().replaceAll("/$", "");
    });
    return new FleetOptions(
        string(settings, "cluster.name").map(Valued::value),
        string(settings, "cluster.host").map(Valued::value).orElse(DEFAULT_HOST),
        integer(settings, "cluster.port", 1, 65535).orElse(FleetOptions.DEFAULT_PORT),
        List.copyOf(members),
        string(settings, "cluster.nodeName").map(Valued::value).orElseGet(GatewayOptions::hostName),
        integer(settings, "cluster.busPort", 0, 65535).orElse(0),
        advertise, failure,
        existingFile(settings, "simulatorPods"));
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "localhost";
    }
  }

  private static AuthHardening auth(Settings settings) {
    long buffer = quantity(settings, "auth.auditLogBuffer", Quantities::bytes)
        .orElse(AuthHardening.DEFAULT_AUDIT_LOG_BUFFER_BYTES);
    if (buffer < 1024) {
      throw new ConfigException(settings.get("auth.auditLogBuffer").orElseThrow().origin()
          + ": must be at least 1Ki, got " + buffer);
    }
    return new AuthHardening(
        new TokenRules(bool(settings, "auth.jwtAllowNoExp").orElse(false),
            unitDuration(settings, "auth.jwtMaxLifetime")),
        string(settings, "auth.auditLog").map(s -> Path.of(s.value())),
        buffer);
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

  private static StreamLimits streams(Settings settings) {
    long buffer = quantity(settings, "streams.bufferBytes", Quantities::bytes)
        .orElse(StreamLimits.DEFAULT_BUFFER_BYTES);
    if (buffer < 1024 || buffer > Integer.MAX_VALUE) {
      throw new ConfigException(settings.get("streams.bufferBytes").orElseThrow().origin()
          + ": must be between 1Ki and 2Gi");
    }
    return new StreamLimits(buffer,
        positive(settings, "streams.stallTimeout").orElse(StreamLimits.DEFAULT_STALL_TIMEOUT));
  }

  private static RuntimeProbe runtimeProbe(Settings settings) {
    return new RuntimeProbe(
        positive(settings, "runtimeProbe.interval").orElse(RuntimeProbe.DEFAULT_INTERVAL),
        positive(settings, "runtimeProbe.timeout").orElse(RuntimeProbe.DEFAULT_TIMEOUT));
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

  private static HttpLimits http(Settings settings) {
    return new HttpLimits(
        positive(settings, "http.headerTimeout").orElse(HttpLimits.DEFAULT_HEADER_TIMEOUT),
        positive(settings, "http.idleTimeout").orElse(HttpLimits.DEFAULT_IDLE_TIMEOUT),
        integer(settings, "http.maxConnections", 1, 10_000_000)
            .orElse(HttpLimits.DEFAULT_MAX_CONNECTIONS),
        quantity(settings, "http.maxHeaderSize", Quantities::bytes).map(size -> {
          if (size < 1024 || size > 1 << 20) {
            throw new ConfigException(settings.get("http.maxHeaderSize").orElseThrow().origin()
                + ": must be between 1Ki and 1Mi, got " + size);
          }
          return size.intValue();
        }).orElse(HttpLimits.DEFAULT_MAX_HEADER_SIZE),
        bool(settings, "http.h2c").orElse(false));
  }

  private static ArchiveLimits archiveLimits(Settings settings) {
    long bytes = quantity(settings, "archives.inspectMaxBytes", Quantities::bytes)
        .orElse(ArchiveLimits.DEFAULT_INSPECT_MAX_BYTES);
    if (bytes < 1) {
      throw new ConfigException(settings.get("archives.inspectMaxBytes").orElseThrow().origin()
          + ": must be at least 1");
    }
    return new ArchiveLimits(
        integer(settings, "archives.inspectMaxMembers", 1, 100_000_000)
            .orElse(ArchiveLimits.DEFAULT_INSPECT_MAX_MEMBERS),
        bytes,
        integer(settings, "archives.inspectMaxConcurrent", 1, 1000)
            .orElse(ArchiveLimits.DEFAULT_INSPECT_MAX_CONCURRENT));
  }

  private static <T> Optional<T> quantity(Settings settings, String key,
      java.util.function.Function<String, T> parser) {
    return string(settings, key).map(s -> {
      try {
        return parser.apply(s.value());
      } catch (IllegalArgumentException | ArithmeticException e) {
        throw new ConfigException(s.origin() + ": " + e.getMessage());
      }
    });
  }

  private static Optional<Duration> positive(Settings settings, String key) {
    return string(settings, key).map(GatewayOptions::positive);
  }

  private static Duration positive(Valued s) {
    Duration value;
    try {
      value = Durations.parse(s.value(), SECONDS);
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new ConfigException(s.origin() + ": " + e.getMessage());
    }
    if (value.isZero()) {
      throw new ConfigException(s.origin() + ": must be more than 0");
    }
    return value;
  }

  private static Optional<Boolean> bool(Settings settings, String key) {
    return string(settings, key).map(s -> switch (s.value().toLowerCase(java.util.Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new ConfigException(s.origin() + ": must be true or false, got " + s.value());
    });
  }

  private static long physicalMemory() {
    java.lang.management.OperatingSystemMXBean os =
        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean bean
        ? bean.getTotalMemorySize() : 8L << 30;
  }

  private static RetentionOptions retention(Settings settings) {
    OptionalInt perContainer = integer(settings, "retention.perContainer", 1, Integer.MAX_VALUE)
        .map(OptionalInt::of).orElse(OptionalInt.empty());
    return new RetentionOptions(perContainer,
        quantity(settings, "retention.maxBytes", Quantities::bytes).map(OptionalLong::of)
            .orElse(OptionalLong.empty()),
        unitDuration(settings, "retention.maxAge"),
        unitDuration(settings, "retention.interval").orElse(RetentionOptions.DEFAULT_INTERVAL),
        string(settings, "retention.quietPeriod").map(s -> s.value().equals("0") ? Duration.ZERO
            : unitDuration(s)).orElse(RetentionOptions.DEFAULT_QUIET_PERIOD),
        RetentionPolicyConfig.read(settings, perContainer));
  }

  /** Retention ages must name their unit: a bare 7 could mean seconds or days. */
  private static Optional<Duration> unitDuration(Settings settings, String key) {
    return string(settings, key).map(GatewayOptions::unitDuration);
  }

  private static Duration unitDuration(Valued s) {
    Duration value;
    try {
      value = Durations.parse(s.value());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(s.origin() + ": " + e.getMessage());
    }
    if (value.isZero()) {
      throw new ConfigException(s.origin() + ": must be longer than 0s");
    }
    return value;
  }

  private record Valued(String value, String origin) {
  }

  private static Optional<Valued> string(Settings settings, String key) {
    return settings.get(key).map(s -> {
      if (s.value() instanceof Map<?, ?> || s.value() instanceof List<?>) {
        throw new ConfigException(s.origin() + ": must be a single value");
      }
      String value = String.valueOf(s.value()).trim();
      if (value.isEmpty()) {
        throw new ConfigException(s.origin() + ": must not be empty");
      }
      return new Valued(value, s.origin());
    });
  }

  private static Optional<Integer> integer(Settings settings, String key, int min, int max) {
    return string(settings, key).map(s -> {
      long value;
      try {
        value = Long.parseLong(s.value());
      } catch (NumberFormatException e) {
        throw new ConfigException(s.origin() + ": must be a whole number, got " + s.value());
      }
      if (value < min || value > max) {
        throw new ConfigException(s.origin() + ": must be between " + min + " and " + max
            + ", got " + s.value());
      }
      return (int) value;
    });
  }

  private static <T> T parse(Settings settings, String key, java.util.function.Supplier<T> parser) {
    try {
      return parser.get();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(settings.get(key).orElseThrow().origin() + ": " + e.getMessage());
    }
  }

  private static Optional<Path> existingFile(Settings settings, String key) {
    return string(settings, key).map(s -> checkFile(Path.of(s.value()), s.origin()));
  }

  private static List<Path> existingFiles(Settings settings, String key) {
    return settings.get(key).map(s -> {
      List<?> raw = s.value() instanceof List<?> list ? list : List.of(s.value());
      List<Path> files = new ArrayList<>();
      for (Object item : raw) {
        files.add(checkFile(Path.of(String.valueOf(item)), s.origin()));
      }
      return List.copyOf(files);
    }).orElse(List.of());
  }

  private static Path checkFile(Path file, String origin) {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new ConfigException(origin + ": " + file + ": no such readable file");
    }
    return file;
  }

  /** {@code ContainerCheckpoint=true,Other=false} on the command line, or a map in the file. */
  private static boolean featureGates(Settings settings) {
    Optional<Setting> gates = settings.get("featureGates");
    if (gates.isEmpty()) {
      return true;
    }
    Setting setting = gates.get();
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
