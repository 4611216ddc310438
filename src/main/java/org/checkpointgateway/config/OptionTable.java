package org.checkpointgateway.config;

import static org.checkpointgateway.config.Kinds.BOOLEAN;
import static org.checkpointgateway.config.Kinds.BYTES;
import static org.checkpointgateway.config.Kinds.DURATION;
import static org.checkpointgateway.config.Kinds.DURATION_WITH_UNIT;
import static org.checkpointgateway.config.Kinds.FILE;
import static org.checkpointgateway.config.Kinds.FILES;
import static org.checkpointgateway.config.Kinds.PATH;
import static org.checkpointgateway.config.Kinds.POSITIVE_DURATION;
import static org.checkpointgateway.config.Kinds.TEXT;
import static org.checkpointgateway.config.Kinds.integer;
import static org.checkpointgateway.config.Option.option;

import java.lang.reflect.Field;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.checkpointgateway.archive.ArchiveLimits;
import org.checkpointgateway.archive.RetentionOptions;
import org.checkpointgateway.archive.RetentionPolicies.Scoped;
import org.checkpointgateway.auth.AuthHardening;
import org.checkpointgateway.auth.ClusterAccess;
import org.checkpointgateway.auth.JwtOptions;
import org.checkpointgateway.config.GatewayOptions.FleetOptions;
import org.checkpointgateway.config.GatewayOptions.HttpLimits;
import org.checkpointgateway.config.GatewayOptions.StreamLimits;
import org.checkpointgateway.config.Option.Kind;
import org.checkpointgateway.cri.CriEndpoint;
import org.checkpointgateway.cri.RuntimeProbe;

/**
 * Every option of the gateway, once: key, flag, value, default and help. Main makes its flags
 * from this table, {@link GatewayOptions#from} reads each value through it, and the tests hold
 * docs/configuration.md and conf/gateway.yaml to it. To add an option, add a constant here and
 * read it in {@link GatewayOptions#from}.
 */
public final class OptionTable {

  public static final Option<String> HOST = option("host", "--host", "ADDR", TEXT,
      "address to listen on").byDefault(GatewayOptions.DEFAULT_HOST).lands(GatewayOptions::host);
  public static final Option<Integer> PORT = option("port", "--port", "N", integer(0, 65535),
      "port to listen on, the kubelet's").byDefault(GatewayOptions.DEFAULT_PORT)
      .lands(GatewayOptions::port);
  public static final Option<CriEndpoint> CRI_ENDPOINT = option("criEndpoint", "--cri-endpoint",
      "unix:///PATH", Kinds.text(CriEndpoint::parse, String::valueOf),
      "the runtime's CRI socket; without it an embedded simulated runtime is started")
      .lands(GatewayOptions::criEndpoint);
  public static final Option<Path> CHECKPOINT_DIR = option("checkpointDir", "--checkpoint-dir",
      "DIR", PATH, "where archives are written")
      .shown(GatewayOptions.DEFAULT_CHECKPOINT_DIR + "; with the simulator a temporary directory")
      .lands(GatewayOptions::checkpointDir);
  /** Whole seconds, as the kubelet's {@code ?timeout=}. */
  public static final Option<Duration> TIMEOUT = option("defaultTimeout", "--default-timeout",
      "SECONDS", integer(1, Integer.MAX_VALUE).map(Duration::ofSeconds, d -> "" + d.toSeconds()),
      "timeout when a request gives none or 0").byDefault(GatewayOptions.DEFAULT_TIMEOUT)
      .lands(GatewayOptions::defaultTimeout);
  public static final Option<Boolean> FEATURE_GATES = option("featureGates", "--feature-gates",
      "ContainerCheckpoint=true|false", new Kind<>(GatewayOptions::featureGates,
          on -> GatewayOptions.CONTAINER_CHECKPOINT_GATE + "=" + on), "feature gates")
      .byDefault(true).lands(GatewayOptions::containerCheckpointGate);
  public static final Option<Path> JWT_SECRET_FILE = option("jwt.secretFile", JwtOptions.SECRET_FILE_OPTION,
      "FILE", FILE, "HS256 key: the file's text, trimmed").lands(o -> o.jwt().secretFile());
  public static final Option<List<Path>> JWT_PUBLIC_KEYS = option("jwt.publicKeys",
      JwtOptions.PUBLIC_KEY_OPTION, "FILE", FILES, "PEM public key (RS256 or ES256); may repeat")
      .lands(o -> o.jwt().publicKeyFiles());
  public static final Option<Path> JWT_JWKS_FILE = option("jwt.jwksFile", JwtOptions.JWKS_FILE_OPTION,
      "FILE", FILE, "JSON Web Key Set file").lands(o -> o.jwt().jwksFile());
  public static final Option<String> JWT_ISSUER = option("jwt.issuer", "--jwt-issuer", "S", TEXT,
      "required iss claim").lands(o -> o.jwt().issuer());
  public static final Option<String> JWT_AUDIENCE = option("jwt.audience", "--jwt-audience", "S",
      TEXT, "required aud claim").lands(o -> o.jwt().audience());
  public static final Option<Path> TLS_CERT = option("tls.cert", "--tls-cert", "FILE", FILE,
      "PEM certificate chain: serve HTTPS with HTTP/2 by ALPN").lands(GatewayOptions::tlsCert);
  public static final Option<Path> TLS_KEY = option("tls.key", "--tls-key", "FILE", FILE,
      "PEM private key of --tls-cert").lands(GatewayOptions::tlsKey);
  public static final Option<Integer> MAX_CONCURRENT = option("maxConcurrent", "--max-concurrent",
      "N", integer(1, 100_000), "checkpoints at the runtime at once")
      .byDefault(GatewayOptions.DEFAULT_MAX_CONCURRENT).lands(GatewayOptions::maxConcurrent);
  public static final Option<Long> MAX_INFLIGHT_BYTES = option("maxInflightBytes",
      "--max-inflight-bytes", "BYTES", BYTES, "memory weight at the runtime at once, e.g. 8Gi")
      .byDefault(GatewayOptions.DEFAULT_MAX_INFLIGHT_BYTES).shown("half the node's memory")
      .lands(GatewayOptions::maxInflightBytes);
  public static final Option<Integer> MAX_QUEUED = option("maxQueued", "--max-queued", "N",
      integer(0, 10_000_000), "checkpoints waiting for admission before 429")
      .byDefault(GatewayOptions.DEFAULT_MAX_QUEUED).lands(GatewayOptions::maxQueued);
  public static final Option<Long> DISK_RESERVE_BYTES = option("diskReserveBytes",
      "--disk-reserve-bytes", "BYTES", BYTES,
      "free space kept in the checkpoint directory beyond an archive; else 507")
      .byDefault(GatewayOptions.DEFAULT_DISK_RESERVE_BYTES).lands(GatewayOptions::diskReserveBytes);
  public static final Option<Duration> PROGRESS_INTERVAL = option("progressInterval",
      "--progress-interval", "DURATION", POSITIVE_DURATION,
      "time between progress events, e.g. 500ms")
      .byDefault(GatewayOptions.DEFAULT_PROGRESS_INTERVAL).lands(GatewayOptions::progressInterval);
  public static final Option<Duration> LOOKUP_MAX_AGE = option("lookupMaxAge", "--lookup-max-age",
      "DURATION", DURATION, "how long concurrent requests share the runtime's pod, container and"
          + " memory answers; 0 asks for each")
      .byDefault(GatewayOptions.DEFAULT_LOOKUP_MAX_AGE).lands(GatewayOptions::lookupMaxAge);
  public static final Option<Duration> HEARTBEAT_INTERVAL = option("heartbeatInterval",
      "--heartbeat-interval", "DURATION", POSITIVE_DURATION,
      "time between keep-alive comments on idle event streams")
      .byDefault(GatewayOptions.DEFAULT_HEARTBEAT_INTERVAL)
      .lands(GatewayOptions::heartbeatInterval);
  public static final Option<Duration> SHUTDOWN_GRACE = option("shutdownGrace", "--shutdown-grace",
      "SECONDS", DURATION, "time running checkpoints get to finish on SIGTERM")
      .byDefault(GatewayOptions.DEFAULT_SHUTDOWN_GRACE).lands(GatewayOptions::shutdownGrace);
  public static final Option<Boolean> METRICS_UNAUTHENTICATED = option("metricsUnauthenticated",
      "--metrics-unauthenticated", null, BOOLEAN, "serve /metrics without a token")
      .byDefault(false).lands(GatewayOptions::metricsUnauthenticated);
  public static final Option<Integer> JOB_HISTORY_MAX = option("jobHistoryMax",
      "--job-history-max", "N", integer(1, 10_000_000), "finished jobs remembered")
      .byDefault(GatewayOptions.DEFAULT_JOB_HISTORY_MAX).lands(GatewayOptions::jobHistoryMax);
  public static final Option<Duration> JOB_HISTORY_AGE = option("jobHistoryAge",
      "--job-history-age", "DURATION", POSITIVE_DURATION, "how long finished jobs are remembered")
      .byDefault(GatewayOptions.DEFAULT_JOB_HISTORY_AGE).lands(GatewayOptions::jobHistoryAge);
  public static final Option<Boolean> CONTAINERD_TASK_CHECKPOINT = option(
      "containerdTaskCheckpoint", "--containerd-task-checkpoint", "true|false", BOOLEAN,
      "where containerd lacks CRI CheckpointContainer (1.6, 1.7), checkpoint through its task API")
      .byDefault(GatewayOptions.DEFAULT_CONTAINERD_TASK_CHECKPOINT)
      .lands(GatewayOptions::containerdTaskCheckpoint);

  public static final Option<Integer> RETAIN_PER_CONTAINER = option("retention.perContainer",
      "--retain-per-container", "N", integer(1, Integer.MAX_VALUE),
      "keep at most N unpinned archives per container, the newest").shown("no limit")
      .lands(o -> o.retention().perContainer());
  public static final Option<Long> RETAIN_MAX_BYTES = option("retention.maxBytes",
      "--retain-max-bytes", "BYTES", BYTES, "remove the oldest archives while all take more than"
          + " BYTES (a number, or with Ki, Mi, Gi, Ti)").shown("no limit")
      .lands(o -> o.retention().maxBytes());
  public static final Option<Duration> RETAIN_MAX_AGE = option("retention.maxAge",
      "--retain-max-age", "DURATION", DURATION_WITH_UNIT,
      "remove archives older than DURATION (30m, 12h, 7d, 1h30m)").shown("no limit")
      .lands(o -> o.retention().maxAge());
  public static final Option<Duration> RETAIN_INTERVAL = option("retention.interval",
      "--retain-interval", "DURATION", DURATION_WITH_UNIT,
      "how often retention runs besides after each checkpoint")
      .byDefault(RetentionOptions.DEFAULT_INTERVAL).lands(o -> o.retention().interval());
  public static final Option<Duration> RETAIN_QUIET_PERIOD = option("retention.quietPeriod", null,
      "DURATION", Kinds.DURATION_WITH_UNIT_OR_ZERO, "an archive modified this recently is never removed; 0: off")
      .byDefault(RetentionOptions.DEFAULT_QUIET_PERIOD).lands(o -> o.retention().quietPeriod());
  // The checkpoint-restore-operator's policies, with its key names (RetentionPolicyConfig).
  public static final Option<OptionalInt> GLOBAL_MAX_PER_CONTAINER = policy(
      "global.maxCheckpointsPerContainer", RetentionPolicyConfig.COUNT,
      "archives kept per container; --retain-per-container is its shorthand");
  public static final Option<OptionalInt> GLOBAL_MAX_PER_POD = policy(
      "global.maxCheckpointsPerPod", RetentionPolicyConfig.COUNT, "archives kept per pod");
  public static final Option<OptionalInt> GLOBAL_MAX_PER_NAMESPACE = policy(
      "global.maxCheckpointsPerNamespace", RetentionPolicyConfig.COUNT,
      "archives kept per namespace");
  public static final Option<OptionalLong> GLOBAL_MAX_CHECKPOINT_SIZE = policy(
      "global.maxCheckpointSize", RetentionPolicyConfig.SIZE, "any larger archive is removed");
  public static final Option<OptionalLong> GLOBAL_MAX_TOTAL_PER_CONTAINER = policy(
      "global.maxTotalSizePerContainer", RetentionPolicyConfig.SIZE,
      "the oldest go while one container's archives take more");
  public static final Option<OptionalLong> GLOBAL_MAX_TOTAL_PER_POD = policy(
      "global.maxTotalSizePerPod", RetentionPolicyConfig.SIZE, "the same per pod");
  public static final Option<OptionalLong> GLOBAL_MAX_TOTAL_PER_NAMESPACE = policy(
      "global.maxTotalSizePerNamespace", RetentionPolicyConfig.SIZE, "the same per namespace");
  public static final Option<Boolean> GLOBAL_RETAIN_ORPHAN = policy("global.retainOrphan",
      RetentionPolicyConfig.ORPHAN, "false: remove archives of containers the runtime lacks");
  public static final Option<List<Scoped>> RETENTION_NAMESPACES = policy("namespaces",
      RetentionPolicyConfig.policies(false, false), "policies per namespace");
  public static final Option<List<Scoped>> RETENTION_PODS = policy("pods",
      RetentionPolicyConfig.policies(true, false), "policies per pod");
  public static final Option<List<Scoped>> RETENTION_CONTAINERS = policy("containers",
      RetentionPolicyConfig.policies(true, true), "policies per container");

  public static final Option<Boolean> JWT_ALLOW_NO_EXP = option("auth.jwtAllowNoExp",
      JwtOptions.ALLOW_NO_EXP_OPTION, null, BOOLEAN,
      "accept tokens without exp (old secret-based service-account tokens)").byDefault(false)
      .lands(o -> o.auth().tokens().allowNoExpiry());
  public static final Option<Duration> JWT_MAX_LIFETIME = option("auth.jwtMaxLifetime",
      JwtOptions.MAX_LIFETIME_OPTION, "DURATION", DURATION_WITH_UNIT,
      "refuse tokens whose exp - iat is longer, or that lack iat (e.g. 24h)").shown("no limit")
      .lands(o -> o.auth().tokens().maxLifetime());
  public static final Option<Path> AUDIT_LOG = option("auth.auditLog", "--audit-log", "FILE", PATH,
      "append a JSON line per checkpoint, download, inspect, delete and pin").shown("none")
      .lands(o -> o.auth().auditLog());
  public static final Option<Long> AUDIT_LOG_BUFFER = option("auth.auditLogBuffer",
      "--audit-log-buffer", "BYTES",
      BYTES.and(b -> b < 1024 ? "must be at least 1Ki, got " + b : null),
      "audit lines waiting for the disk before new ones are dropped and counted")
      .byDefault(AuthHardening.DEFAULT_AUDIT_LOG_BUFFER_BYTES)
      .lands(o -> o.auth().auditLogBufferBytes());
  public static final Option<Long> STREAM_BUFFER_BYTES = option("streams.bufferBytes",
      "--stream-buffer-bytes", "BYTES",
      BYTES.and(b -> b < 1024 || b > Integer.MAX_VALUE ? "must be between 1Ki and 2Gi" : null),
      "bytes an event stream may hold for a client that does not read; past it progress is"
          + " dropped, the latest kept")
      .byDefault(StreamLimits.DEFAULT_BUFFER_BYTES).lands(o -> o.streams().bufferBytes());
  public static final Option<Duration> STREAM_STALL_TIMEOUT = option("streams.stallTimeout",
      "--stream-stall-timeout", "DURATION", POSITIVE_DURATION,
      "an event stream full for this long is closed and its checkpoint cancelled")
      .byDefault(StreamLimits.DEFAULT_STALL_TIMEOUT).lands(o -> o.streams().stallTimeout());
  public static final Option<Duration> RUNTIME_PROBE_INTERVAL = option("runtimeProbe.interval",
      "--runtime-probe-interval", "DURATION", POSITIVE_DURATION,
      "how often readiness asks the runtime for its Version")
      .byDefault(RuntimeProbe.DEFAULT_INTERVAL).lands(o -> o.runtimeProbe().interval());
  public static final Option<Duration> RUNTIME_PROBE_TIMEOUT = option("runtimeProbe.timeout",
      "--runtime-probe-timeout", "DURATION", POSITIVE_DURATION,
      "how long the runtime gets to answer a readiness probe before /readyz is 503")
      .byDefault(RuntimeProbe.DEFAULT_TIMEOUT).lands(o -> o.runtimeProbe().timeout());
  public static final Option<Duration> HTTP_HEADER_TIMEOUT = option("http.headerTimeout",
      "--http-header-timeout", "DURATION", POSITIVE_DURATION,
      "time a connection gets to send a request's headers, else it is closed"
          + " (and the jobs route's body, else 408)")
      .byDefault(HttpLimits.DEFAULT_HEADER_TIMEOUT).lands(o -> o.http().headerTimeout());
  public static final Option<Duration> HTTP_IDLE_TIMEOUT = option("http.idleTimeout",
      "--http-idle-timeout", "DURATION", POSITIVE_DURATION,
      "time a connection with no request in flight stays open")
      .byDefault(HttpLimits.DEFAULT_IDLE_TIMEOUT).lands(o -> o.http().idleTimeout());
  public static final Option<Integer> MAX_CONNECTIONS = option("http.maxConnections",
      "--max-connections", "N", integer(1, 10_000_000),
      "connections served at once; more get 503 and are closed")
      .byDefault(HttpLimits.DEFAULT_MAX_CONNECTIONS)
      .shown("the open-file limit less 1024, at most 16384")
      .lands(o -> o.http().maxConnections());
  public static final Option<Integer> HTTP_MAX_HEADER_SIZE = option("http.maxHeaderSize",
      "--http-max-header-size", "BYTES",
      BYTES.and(b -> b < 1024 || b > 1 << 20 ? "must be between 1Ki and 1Mi, got " + b : null)
          .map(Long::intValue, size -> Kinds.showBytes(size)),
      "bytes of a request's headers, else 431").byDefault(HttpLimits.DEFAULT_MAX_HEADER_SIZE)
      .lands(o -> o.http().maxHeaderSize());
  public static final Option<Boolean> HTTP_H2C = option("http.h2c", "--http-h2c", null, BOOLEAN,
      "the plain port also speaks HTTP/2 with prior knowledge (h2c); its first request per"
          + " connection then escapes the smuggling check").byDefault(false)
      .lands(o -> o.http().h2c());
  public static final Option<Integer> INSPECT_MAX_MEMBERS = option("archives.inspectMaxMembers",
      "--inspect-max-members", "N", integer(1, 100_000_000),
      "tar members one archive inspection may walk; beyond, 422")
      .byDefault(ArchiveLimits.DEFAULT_INSPECT_MAX_MEMBERS)
      .lands(o -> o.archiveLimits().inspectMaxMembers());
  public static final Option<Long> INSPECT_MAX_BYTES = option("archives.inspectMaxBytes",
      "--inspect-max-bytes", "BYTES", BYTES.and(b -> b < 1 ? "must be at least 1" : null),
      "bytes one archive inspection may read from the file; beyond, 422")
      .byDefault(ArchiveLimits.DEFAULT_INSPECT_MAX_BYTES)
      .lands(o -> o.archiveLimits().inspectMaxBytes());
  public static final Option<Integer> INSPECT_MAX_CONCURRENT = option(
      "archives.inspectMaxConcurrent", "--inspect-max-concurrent", "N", integer(1, 1000),
      "archive inspections at once; beyond, 429")
      .byDefault(ArchiveLimits.DEFAULT_INSPECT_MAX_CONCURRENT)
      .lands(o -> o.archiveLimits().inspectMaxConcurrent());
  public static final Option<Path> TLS_CLIENT_CA = option("tls.clientCa", "--tls-client-ca",
      "FILE", FILE, "PEM bundle of CAs: a client certificate they sign authenticates as user=CN,"
          + " groups=O (needs --tls-cert)").lands(o -> o.access().clientCa());
  public static final Option<Path> AUTHORIZATION_FILE = option("auth.authorizationFile",
      "--authorization-file", "FILE", FILE, "YAML rules granting permissions to users and groups"
          + " (conf/authorization.yaml); re-read on change")
      .lands(o -> o.access().authorizationFile());
  public static final Option<Duration> AUTH_RELOAD_INTERVAL = option("auth.reloadInterval",
      "--auth-reload-interval", "DURATION", POSITIVE_DURATION, "how often certificate, key,"
          + " client CA, JWT key, authorization and --cluster-api-ca files are checked for changes")
      .byDefault(ClusterAccess.DEFAULT_RELOAD_INTERVAL).lands(o -> o.access().reloadInterval());

  public static final Option<String> CLUSTER_NAME = option("cluster.name", "--cluster-name",
      "NAME", TEXT, "join a fleet of gateways of this name (Hazelcast); without it nothing of"
          + " clustering starts").lands(o -> o.fleet().name());
  public static final Option<String> CLUSTER_HOST = option("cluster.host", "--cluster-host", "ADDR",
      TEXT, "address the cluster listens on, never the wildcard")
      .byDefault(GatewayOptions.DEFAULT_HOST).lands(o -> o.fleet().host());
  public static final Option<Integer> CLUSTER_PORT = option("cluster.port", "--cluster-port", "N",
      integer(1, 65535), "Hazelcast's port").byDefault(FleetOptions.DEFAULT_PORT)
      .lands(o -> o.fleet().port());
  public static final Option<List<String>> CLUSTER_MEMBERS = option("cluster.members",
      "--cluster-members", "HOST:PORT,...", Kinds.text(GatewayOptions::members, String::valueOf),
      "members to join").shown("none: wait to be joined").lands(o -> o.fleet().members());
  public static final Option<String> NODE_NAME = option("cluster.nodeName", "--node-name", "NAME",
      TEXT, "this member's name in the fleet").shown("the host name")
      .lands(o -> o.fleet().nodeName());
  public static final Option<Integer> CLUSTER_BUS_PORT = option("cluster.busPort",
      "--cluster-bus-port", "N", integer(0, 65535), "the event bus's port between members")
      .byDefault(0).shown("0: any free one").lands(o -> o.fleet().busPort());
  public static final Option<String> ADVERTISE_URL = option("cluster.advertiseUrl",
      "--advertise-url", "URL", Kinds.text(url -> {
        if (!url.matches("https?://[^/?#\\s]+/?")) {
          throw new IllegalArgumentException("expected http(s)://HOST:PORT, got " + url);
        }
        return url.replaceAll("/$", "");
      }, url -> url), "how other members reach this one's HTTP API")
      .shown("from --host and --port").lands(o -> o.fleet().advertiseUrl());
  public static final Option<Duration> CLUSTER_FAILURE_TIMEOUT = option("cluster.failureTimeout",
      "--cluster-failure-timeout", "DURATION", POSITIVE_DURATION.and(d ->
          d.toSeconds() < 2 || d.toSeconds() > 3600
              ? "must be between 2s and 1h (whole seconds)" : null),
      "heartbeat silence after which a member is declared gone")
      .byDefault(FleetOptions.DEFAULT_FAILURE_TIMEOUT).lands(o -> o.fleet().failureTimeout());
  public static final Option<Integer> CLUSTER_DOWNLOAD_TICKETS = option(
      "cluster.downloadTickets", "--cluster-download-tickets", "N", integer(1, 1 << 20),
      "download tickets this member holds at once for other members' callers; beyond, 429")
      .byDefault(FleetOptions.DEFAULT_DOWNLOAD_TICKETS).lands(o -> o.fleet().downloadTickets());
  public static final Option<Path> SIMULATOR_PODS = option("simulatorPods", "--simulator-pods",
      "FILE", FILE, "the embedded simulator's pods (conf/simulator.yaml format)")
      .shown("that file, shipped in the jar").lands(o -> o.fleet().simulatorPods());

  public static final Option<Path> CLUSTER_TLS_CERT = option("cluster.tls.cert",
      "--cluster-tls-cert", "FILE", FILE, "PEM certificate this member presents on the event bus"
          + " (with --cluster-tls-key and --cluster-tls-ca: TLS both ways)")
      .lands(o -> o.fleetNetwork().tlsCert());
  public static final Option<Path> CLUSTER_TLS_KEY = option("cluster.tls.key", "--cluster-tls-key",
      "FILE", FILE, "PEM private key of --cluster-tls-cert").lands(o -> o.fleetNetwork().tlsKey());
  public static final Option<Path> CLUSTER_TLS_CA = option("cluster.tls.ca", "--cluster-tls-ca",
      "FILE", FILE, "PEM CA bundle: members must present a certificate it signed")
      .lands(o -> o.fleetNetwork().tlsCa());
  public static final Option<Path> CLUSTER_API_CA = option("cluster.apiCa", "--cluster-api-ca",
      "FILE", FILE, "PEM CA bundle trusted for other members' HTTPS API (archive downloads"
          + " across the fleet); re-read on change").shown("the JVM's trust store")
      .lands(o -> o.fleetNetwork().apiCa());
  public static final Option<String> CLUSTER_KUBERNETES_DNS = option("cluster.kubernetesDns",
      "--cluster-kubernetes-dns", "NAME", Kinds.text(name -> {
        // A DNS name: what Hazelcast resolves for the Service's endpoints.
        if (!name.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?")) {
          throw new IllegalArgumentException("expected a DNS name such as "
              + "checkpoint-gateway-fleet.NAMESPACE.svc.cluster.local, got " + name);
        }
        return name;
      }, name -> name), "find members through this headless Service's DNS name instead of"
          + " --cluster-members").lands(o -> o.fleetNetwork().kubernetesDns());

  /** Every option above, in their order. */
  public static final List<Option<?>> ALL = all();

  private OptionTable() {
  }

  private static <T> Option<T> policy(String key, Kind<T> kind, String help) {
    return option("retention." + key, null, "", kind, help).shown("off")
        .lands(o -> o.retention().policies());
  }

  /** The keys a YAML file may hold; anything else is a typo and stops start-up. */
  public static List<String> keys() {
    return ALL.stream().map(Option::key).toList();
  }

  private static List<Option<?>> all() {
    List<Option<?>> all = new ArrayList<>();
    for (Field field : OptionTable.class.getDeclaredFields()) {
      if (field.getType() == Option.class) {
        try {
          all.add((Option<?>) field.get(null));
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return List.copyOf(all);
  }
}
