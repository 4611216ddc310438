package org.checkpointgateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.checkpointgateway.cli.ArchivesCommand;
import org.checkpointgateway.cli.CheckpointCommand;
import org.checkpointgateway.cli.NodesCommand;
import org.checkpointgateway.cli.TokenCommand;
import org.checkpointgateway.config.ConfigException;
import org.checkpointgateway.units.Durations;
import org.checkpointgateway.config.GatewayOptions;
import org.checkpointgateway.config.Settings;
import org.checkpointgateway.fleet.HazelcastSetup;
import org.checkpointgateway.metrics.GatewayMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.checkpointgateway.sim.SimulateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar checkpoint-gateway.jar [options]} serves the API;
 * {@code simulate} runs only the simulated runtime. Usage errors and bad settings print one line
 * and exit with code 2.
 */
@Command(name = "checkpoint-gateway", mixinStandardHelpOptions = true,
    version = "checkpoint-gateway 0.1.0",
    description = "Serves the Kubelet Checkpoint API over a CRI runtime.",
    subcommands = {SimulateCommand.class,
        // the command-line client
        CheckpointCommand.class, ArchivesCommand.class, TokenCommand.class,
        NodesCommand.class})
public final class Main implements Callable<Integer> {

  static final int EXIT_USAGE = 2;
  static final long STOP_WAIT_SECONDS = 15;
  private static final long CLUSTER_START_SECONDS = 60;

  @Option(names = "--config", paramLabel = "FILE", description = "YAML settings (conf/gateway.yaml documents every key); flags override it")
  Path config;
  @Option(names = "--host", paramLabel = "ADDR", description = "address to listen on (default 127.0.0.1)")
  String host;
  @Option(names = "--port", paramLabel = "N", description = "port to listen on (default 10250, the kubelet's)")
  String port;
  @Option(names = "--cri-endpoint", paramLabel = "unix:///PATH", description = "the runtime's CRI socket; without it an embedded simulated runtime is started")
  String criEndpoint;
  @Option(names = "--checkpoint-dir", paramLabel = "DIR", description = "where archives are written (default /var/lib/kubelet/checkpoints; with the simulator a temporary directory)")
  String checkpointDir;
  @Option(names = "--default-timeout", paramLabel = "SECONDS", description = "timeout when a request gives none or 0 (default 120)")
  String defaultTimeout;
  @Option(names = "--feature-gates", paramLabel = "ContainerCheckpoint=true|false", description = "feature gates (default ContainerCheckpoint=true)")
  String featureGates;
  @Option(names = "--jwt-secret-file", paramLabel = "FILE", description = "HS256 key: the file's text, trimmed")
  String jwtSecretFile;
  @Option(names = "--jwt-public-key", paramLabel = "FILE", description = "PEM public key (RS256 or ES256); may repeat")
  List<String> jwtPublicKeys = new ArrayList<>();
  @Option(names = "--jwt-jwks-file", paramLabel = "FILE", description = "JSON Web Key Set file")
  String jwtJwksFile;
  @Option(names = "--jwt-issuer", paramLabel = "S", description = "required iss claim")
  String jwtIssuer;
  @Option(names = "--jwt-audience", paramLabel = "S", description = "required aud claim")
  String jwtAudience;
  @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM certificate chain: serve HTTPS with HTTP/2 by ALPN")
  String tlsCert;
  @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM private key of --tls-cert")
  String tlsKey;
  @Option(names = "--max-concurrent", paramLabel = "N", description = "checkpoints at the runtime at once (default 4)")
  String maxConcurrent;
  @Option(names = "--max-inflight-bytes", paramLabel = "BYTES", description = "memory weight at the runtime at once, e.g. 8Gi (default half the node's memory)")
  String maxInflightBytes;
  @Option(names = "--max-queued", paramLabel = "N", description = "checkpoints waiting for admission before 429 (default 1000)")
  String maxQueued;
  @Option(names = "--disk-reserve-bytes", paramLabel = "BYTES", description = "free space kept in the checkpoint directory beyond an archive; else 507 (default 1Gi)")
  String diskReserveBytes;
  @Option(names = "--progress-interval", paramLabel = "DURATION", description = "time between progress events, e.g. 500ms (default 1s)")
  String progressInterval;

  @Option(names = "--lookup-max-age", paramLabel = "DURATION", description = "how long concurrent requests share the runtime's pod, container and memory answers; 0 asks for each (default 1s)")
  String lookupMaxAge;
  @Option(names = "--heartbeat-interval", paramLabel = "DURATION", description = "time between keep-alive comments on idle event streams (default 15s)")
  String heartbeatInterval;
  @Option(names = "--shutdown-grace", paramLabel = "SECONDS", description = "time running checkpoints get to finish on SIGTERM (default 30)")
  String shutdownGrace;
  @Option(names = "--metrics-unauthenticated", description = "serve /metrics without a token")
  boolean metricsUnauthenticated;
  @Option(names = "--job-history-max", paramLabel = "N", description = "finished jobs remembered (default 1000)")
  String jobHistoryMax;
  @Option(names = "--job-history-age", paramLabel = "DURATION", description = "how long finished jobs are remembered (default 1h)")
  String jobHistoryAge;
  @Option(names = "--containerd-task-checkpoint", paramLabel = "true|false", description = "where containerd lacks CRI CheckpointContainer (1.6, 1.7), checkpoint through its task API (default true)")
  String containerdTaskCheckpoint;
  @Option(names = "--retain-per-container", paramLabel = "N", description = "keep at most N unpinned archives per container, the newest (default: no limit)")
  String retainPerContainer;
  @Option(names = "--retain-max-bytes", paramLabel = "BYTES", description = "remove the oldest archives while all take more than BYTES (a number, or with Ki, Mi, Gi, Ti; default: no limit)")
  String retainMaxBytes;
  @Option(names = "--retain-max-age", paramLabel = "DURATION", description = "remove archives older than DURATION (30m, 12h, 7d, 1h30m; default: no limit)")
  String retainMaxAge;
  @Option(names = "--retain-interval", paramLabel = "DURATION", description = "how often retention runs besides after each checkpoint (default 1m)")
  String retainInterval;
  @Option(names = "--jwt-allow-no-exp", description = "accept tokens without exp (old secret-based service-account tokens); default: refused")
  boolean jwtAllowNoExp;
  @Option(names = "--jwt-max-lifetime", paramLabel = "DURATION", description = "refuse tokens whose exp - iat is longer, or that lack iat (e.g. 24h; default: no limit)")
  String jwtMaxLifetime;
  @Option(names = "--audit-log", paramLabel = "FILE", description = "append a JSON line per checkpoint, download, inspect, delete and pin (default: none)")
  String auditLog;
  @Option(names = "--audit-log-buffer", paramLabel = "BYTES", description = "audit lines waiting for the disk before new ones are dropped and counted (default 4Mi)")
  String auditLogBuffer;
  @Option(names = "--stream-buffer-bytes", paramLabel = "BYTES", description = "bytes an event stream may hold for a client that does not read; past it progress is dropped, the latest kept (default 64Ki)")
  String streamBufferBytes;
  @Option(names = "--stream-stall-timeout", paramLabel = "DURATION", description = "an event stream full for this long is closed and its checkpoint cancelled (default 30s)")
  String streamStallTimeout;
  @Option(names = "--runtime-probe-interval", paramLabel = "DURATION", description = "how often readiness asks the runtime for its Version (default 500ms)")
  String runtimeProbeInterval;
  @Option(names = "--runtime-probe-timeout", paramLabel = "DURATION", description = "how long the runtime gets to answer a readiness probe before /readyz is 503 (default 1s)")
  String runtimeProbeTimeout;
  @Option(names = "--http-header-timeout", paramLabel = "DURATION", description = "time a connection gets to send a request's headers, else it is closed (default 10s)")
  String httpHeaderTimeout;
  @Option(names = "--http-idle-timeout", paramLabel = "DURATION", description = "time a connection with no request in flight stays open (default 90s)")
  String httpIdleTimeout;
  @Option(names = "--max-connections", paramLabel = "N", description = "connections served at once; more get 503 and are closed (default: the open-file limit less 1024, at most 16384)")
  String maxConnections;
  @Option(names = "--http-max-header-size", paramLabel = "BYTES", description = "bytes of a request's headers, else 431 (default 8Ki)")
  String httpMaxHeaderSize;
  @Option(names = "--http-h2c", description = "the plain port also speaks HTTP/2 with prior knowledge (h2c); its first request per connection then escapes the smuggling check")
  boolean httpH2c;

  @Option(names = "--inspect-max-members", paramLabel = "N", description = "tar members one archive inspection may walk; beyond, 422 (default 10000)")
  String inspectMaxMembers;

  @Option(names = "--inspect-max-bytes", paramLabel = "BYTES", description = "bytes one archive inspection may read from the file; beyond, 422 (default 16Mi)")
  String inspectMaxBytes;

  @Option(names = "--inspect-max-concurrent", paramLabel = "N", description = "archive inspections at once; beyond, 429 (default 2)")
  String inspectMaxConcurrent;

  @Option(names = "--tls-client-ca", paramLabel = "FILE", description = "PEM bundle of CAs: a client certificate they sign authenticates as user=CN, groups=O (needs --tls-cert)")
  String tlsClientCa;
  @Option(names = "--authorization-file", paramLabel = "FILE", description = "YAML rules granting permissions to users and groups (conf/authorization.yaml); re-read on change")
  String authorizationFile;
  @Option(names = "--auth-reload-interval", paramLabel = "DURATION", description = "how often certificate, key, client CA, JWT key and authorization files are checked for changes (default 10s)")
  String authReloadInterval;
  @Option(names = "--cluster-name", paramLabel = "NAME", description = "join a fleet of gateways of this name (Hazelcast); without it nothing of clustering starts")
  String clusterName;
  @Option(names = "--cluster-host", paramLabel = "ADDR", description = "address the cluster listens on, never the wildcard (default 127.0.0.1)")
  String clusterHost;
  @Option(names = "--cluster-port", paramLabel = "N", description = "Hazelcast's port (default 5701)")
  String clusterPort;
  @Option(names = "--cluster-members", paramLabel = "HOST:PORT,...", description = "members to join (default none: wait to be joined)")
  String clusterMembers;
  @Option(names = "--node-name", paramLabel = "NAME", description = "this member's name in the fleet (default the host name)")
  String nodeName;
  @Option(names = "--cluster-bus-port", paramLabel = "N", description = "the event bus's port between members (default 0: any free one)")
  String clusterBusPort;
  @Option(names = "--advertise-url", paramLabel = "URL", description = "how other members reach this one's HTTP API (default from --host and --port)")
  String advertiseUrl;
  @Option(names = "--cluster-failure-timeout", paramLabel = "DURATION", description = "heartbeat silence after which a member is declared gone (default 5s)")
  String clusterFailureTimeout;
  @Option(names = "--simulator-pods", paramLabel = "FILE", description = "the embedded simulator's pods (conf/simulator.yaml format; default that file)")
  String simulatorPods;
  @Option(names = "--cluster-tls-cert", paramLabel = "FILE", description = "PEM certificate this member presents on the event bus (with --cluster-tls-key and --cluster-tls-ca: TLS both ways)")
  String clusterTlsCert;
  @Option(names = "--cluster-tls-key", paramLabel = "FILE", description = "PEM private key of --cluster-tls-cert")
  String clusterTlsKey;
  @Option(names = "--cluster-tls-ca", paramLabel = "FILE", description = "PEM CA bundle: members must present a certificate it signed")
  String clusterTlsCa;
  @Option(names = "--cluster-kubernetes-dns", paramLabel = "NAME", description = "find members through this headless Service's DNS name instead of --cluster-members")
  String clusterKubernetesDns;

  public static void main(String[] args) {
    // Before anything logs: keeps the log working while the stop hook runs (see StopLogManager).
    System.setProperty("java.util.logging.manager", StopLogManager.class.getName());
    // Netty 4.2 sets up JFR events on its first buffer allocation, stalling an event loop for
    // hundreds of milliseconds; we do not use those events.
    System.setProperty("io.netty.jfr.enabled", System.getProperty("io.netty.jfr.enabled", "false"));
    System.setProperty("java.util.logging.SimpleFormatter.format",
        "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n");
    int code = commandLine().execute(args);
    // A started gateway or simulator keeps running on Vert.x's threads after main returns.
    if (code != 0) {
      System.exit(code);
    }
  }

  static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new Main());
    commandLine.setParameterExceptionHandler((error, args) -> {
      // One line that names the flag, not a page of usage.
      PrintWriter err = error.getCommandLine().getErr();
      err.println("checkpoint-gateway: " + error.getMessage() + " (see --help)");
      return EXIT_USAGE;
    });
    commandLine.setExecutionExceptionHandler((error, cmd, parsed) -> {
      if (error instanceof ConfigException) {
        cmd.getErr().println("checkpoint-gateway: " + error.getMessage());
        return EXIT_USAGE;
      }
      throw error;
    });
    return commandLine;
  }

  GatewayOptions options() {
    Settings settings = config != null ? Settings.fromYamlFile(config) : new Settings();
    return GatewayOptions.from(settings
        .override("host", host, "--host")
        .override("port", port, "--port")
        .override("criEndpoint", criEndpoint, "--cri-endpoint")
        .override("checkpointDir", checkpointDir, "--checkpoint-dir")
        .override("defaultTimeout", defaultTimeout, "--default-timeout")
        .override("featureGates", featureGates, "--feature-gates")
        .override("jwt.secretFile", jwtSecretFile, "--jwt-secret-file")
        .override("jwt.publicKeys", jwtPublicKeys, "--jwt-public-key")
        .override("jwt.jwksFile", jwtJwksFile, "--jwt-jwks-file")
        .override("jwt.issuer", jwtIssuer, "--jwt-issuer")
        .override("jwt.audience", jwtAudience, "--jwt-audience")
        .override("tls.cert", tlsCert, "--tls-cert")
        .override("tls.key", tlsKey, "--tls-key")
        .override("maxConcurrent", maxConcurrent, "--max-concurrent")
        .override("maxInflightBytes", maxInflightBytes, "--max-inflight-bytes")
        .override("maxQueued", maxQueued, "--max-queued")
        .override("diskReserveBytes", diskReserveBytes, "--disk-reserve-bytes")
        .override("progressInterval", progressInterval, "--progress-interval")
        .override("lookupMaxAge", lookupMaxAge, "--lookup-max-age")
        .override("heartbeatInterval", heartbeatInterval, "--heartbeat-interval")
        .override("shutdownGrace", shutdownGrace, "--shutdown-grace")
        .override("metricsUnauthenticated", metricsUnauthenticated ? "true" : null,
            "--metrics-unauthenticated")
        .override("jobHistoryMax", jobHistoryMax, "--job-history-max")
        .override("jobHistoryAge", jobHistoryAge, "--job-history-age")
        .override("containerdTaskCheckpoint", containerdTaskCheckpoint,
            "--containerd-task-checkpoint")

        .override("retention.perContainer", retainPerContainer, "--retain-per-container")
        .override("retention.maxBytes", retainMaxBytes, "--retain-max-bytes")
        .override("retention.maxAge", retainMaxAge, "--retain-max-age")
        .override("retention.interval", retainInterval, "--retain-interval")
        .override("auth.jwtAllowNoExp", jwtAllowNoExp ? "true" : null, "--jwt-allow-no-exp")
        .override("auth.jwtMaxLifetime", jwtMaxLifetime, "--jwt-max-lifetime")
        .override("auth.auditLog", auditLog, "--audit-log")
        .override("auth.auditLogBuffer", auditLogBuffer, "--audit-log-buffer")
        .override("streams.bufferBytes", streamBufferBytes, "--stream-buffer-bytes")
        .override("streams.stallTimeout", streamStallTimeout, "--stream-stall-timeout")
        .override("runtimeProbe.interval", runtimeProbeInterval, "--runtime-probe-interval")
        .override("runtimeProbe.timeout", runtimeProbeTimeout, "--runtime-probe-timeout")
        .override("http.headerTimeout", httpHeaderTimeout, "--http-header-timeout")
        .override("http.idleTimeout", httpIdleTimeout, "--http-idle-timeout")
        .override("http.maxConnections", maxConnections, "--max-connections")
        .override("http.maxHeaderSize", httpMaxHeaderSize, "--http-max-header-size")
        .override("http.h2c", httpH2c ? "true" : null, "--http-h2c")
        .override("archives.inspectMaxMembers", inspectMaxMembers, "--inspect-max-members")
        .override("archives.inspectMaxBytes", inspectMaxBytes, "--inspect-max-bytes")
        .override("archives.inspectMaxConcurrent", inspectMaxConcurrent, "--inspect-max-concurrent")
        .override("tls.clientCa", tlsClientCa, "--tls-client-ca")
        .override("auth.authorizationFile", authorizationFile, "--authorization-file")
        .override("auth.reloadInterval", authReloadInterval, "--auth-reload-interval")
        .override("cluster.name", clusterName, "--cluster-name").override("cluster.host", clusterHost, "--cluster-host")
        .override("cluster.port", clusterPort, "--cluster-port").override("cluster.members", clusterMembers, "--cluster-members")
        .override("cluster.nodeName", nodeName, "--node-name").override("cluster.busPort", clusterBusPort, "--cluster-bus-port")
        .override("cluster.advertiseUrl", advertiseUrl, "--advertise-url")
        .override("cluster.failureTimeout", clusterFailureTimeout, "--cluster-failure-timeout")
        .override("simulatorPods", simulatorPods, "--simulator-pods")
        .override("cluster.tls.cert", clusterTlsCert, "--cluster-tls-cert")
        .override("cluster.tls.key", clusterTlsKey, "--cluster-tls-key")
        .override("cluster.tls.ca", clusterTlsCa, "--cluster-tls-ca")
        .override("cluster.kubernetesDns", clusterKubernetesDns, "--cluster-kubernetes-dns"));
  }

  @Override
  public Integer call() throws Exception {
    GatewayOptions options = options();
    PrometheusMeterRegistry registry = GatewayMetrics.prometheusRegistry();
    Vertx vertx;
    try {
      // A fleet member's Hazelcast starts and joins here: seconds (docs/fleet.md).
      long joining = System.nanoTime();
      vertx = vertx(options, registry).toCompletionStage().toCompletableFuture()
          .get(CLUSTER_START_SECONDS, TimeUnit.SECONDS);
      if (vertx.isClustered()) {
        Logger.getLogger(Main.class.getName()).info(() -> "joined fleet "
            + options.fleet().name().orElseThrow() + " as " + options.fleet().nodeName() + " in "
            + (System.nanoTime() - joining) / 1_000_000 + " ms");
      }
    } catch (Exception e) {
      System.err.println("checkpoint-gateway: cannot join the fleet: "
          + (e.getCause() != null ? e.getCause() : e));
      return 1;
    }
    Gateway gateway;
    try {
      // The main thread may wait: it is not an event loop.
      gateway = Gateway.start(vertx, options, registry).toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      System.err.println("checkpoint-gateway: cannot start: " + cause.getMessage());
      vertx.close();
      return cause instanceof IllegalArgumentException ? EXIT_USAGE : 1;
    }
    String scheme = options.tls() ? "https" : "http";
    String url = scheme + "://" + displayHost(options.host()) + ":" + gateway.port();
    Logger.getLogger(Main.class.getName()).info(() -> "serving the Kubelet Checkpoint API on " + url);
    gateway.devToken().ifPresent(token -> System.out.print(devTokenBanner(options, url, token)));
    Logger log = Logger.getLogger(Main.class.getName());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info(() -> "stopping: new checkpoints are refused, running ones get up to "
          + Durations.format(options.shutdownGrace()) + " to finish");
      try {
        // One after the other from this thread: a close chained onto an event-loop context
        // would complete on a loop that vertx.close() has already terminated.
        gateway.close().toCompletionStage().toCompletableFuture()
            .get(options.shutdownGrace().toSeconds() + STOP_WAIT_SECONDS, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
        log.info("stopped");
      } catch (Exception e) {
        System.err.println("checkpoint-gateway: unclean stop: " + e);
      } finally {
        StopLogManager.stopped();
      }
    }, "checkpoint-gateway-stop"));
    return 0;
  }

  /** The printed development token, with how to use it from curl and from the CLI. */
  static String devTokenBanner(GatewayOptions options, String url, String token) {
    Duration ttl = Gateway.devTokenTtl(options);
    String server = url.equals("http://127.0.0.1:10250") ? "" : " --server " + url;
    return "No JWT key configured: made an ephemeral HS256 key. This token may do everything for "
        + (ttl.toSeconds() % 3600 == 0 ? ttl.toHours() + "h" : Durations.format(ttl)) + ":\n"
        + token + "\n"
        + "Try:\n"
        + "  curl -sS -X POST -H 'Authorization: Bearer " + token + "' "
        + (options.tls() ? "-k " : "") + url + "/checkpoint/default/demo/app\n"
        + "or the command-line client, which reads the token from $CHECKPOINT_GATEWAY_TOKEN"
        + " (or a file: --token-file FILE):\n"
        + "  export CHECKPOINT_GATEWAY_TOKEN=" + token + "\n"
        + "  java -jar target/checkpoint-gateway.jar checkpoint default/demo/app" + server + "\n";
  }

  /** A clustered Vert.x for a fleet member; without a cluster name a plain one, no Hazelcast. */
  static Future<Vertx> vertx(GatewayOptions options, PrometheusMeterRegistry registry) {
    VertxOptions vertxOptions = new VertxOptions().setPreferNativeTransport(true);
    return options.fleet().enabled()
        ? HazelcastSetup.clusteredVertx(vertxOptions, registry, options.fleet(),
            options.fleetNetwork())
        : Future.succeededFuture(GatewayMetrics.vertx(vertxOptions, registry));
  }

  private static String displayHost(String host) {
    return host.equals("0.0.0.0") ? "127.0.0.1" : host.contains(":") ? "[" + host + "]" : host;
  }
}
