package org.checkpointgateway;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import org.checkpointgateway.api.ApiServices;
import org.checkpointgateway.api.FleetView;
import org.checkpointgateway.api.GatewayVerticle;
import org.checkpointgateway.api.StreamMeters;
import org.checkpointgateway.api.HttpConnections;
import org.checkpointgateway.api.HttpSettings;
import org.checkpointgateway.api.Readiness;
import org.checkpointgateway.archive.ArchiveDirectory;
import org.checkpointgateway.archive.ArchiveStore;
import org.checkpointgateway.archive.Retention;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.checkpointgateway.auth.Audit;
import org.checkpointgateway.auth.AuthorizationRules;
import org.checkpointgateway.auth.FileWatch;
import org.checkpointgateway.auth.TokenIssuer;
import org.checkpointgateway.auth.TokenVerifier;
import org.checkpointgateway.checkpoint.AdmissionController;
import org.checkpointgateway.checkpoint.DrainableCheckpointService;
import org.checkpointgateway.checkpoint.CheckpointSettings;
import org.checkpointgateway.fleet.Fleet;
import org.checkpointgateway.checkpoint.ThroughputEstimator;
import org.checkpointgateway.jobs.JobStore;
import org.checkpointgateway.metrics.GatewayMetrics;
import org.checkpointgateway.metrics.StartClock;
import org.checkpointgateway.config.GatewayOptions;
import org.checkpointgateway.config.OptionTable;
import org.checkpointgateway.checkpoint.RuntimeCensus;
import org.checkpointgateway.containerd.ContainerdAwareCheckpointer;
import org.checkpointgateway.cri.CriClient;
import org.checkpointgateway.cri.CriEndpoint;
import org.checkpointgateway.cri.RuntimeStatus;
import org.checkpointgateway.cri.RuntimeWatch;
import org.checkpointgateway.sim.SimulatedRuntime;
import org.checkpointgateway.sim.SimulatorSeed;

/**
 * One running gateway: the runtime connection (or the embedded simulator), the token verifier,
 * and the HTTP verticles, started in that order and stopped in reverse.
 */
public final class Gateway {

  /** One HTTP verticle per event loop, all on one port. */
  public static final int HTTP_INSTANCES = VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
  /** The token printed for a development run without configured keys. */
  static final Duration DEV_TOKEN_TTL = Duration.ofHours(24);

  private static final long SIMULATOR_CLOSE_SECONDS = 15;
  private static final Logger LOG = Logger.getLogger(Gateway.class.getName());

  private final Vertx vertx;
  private final GatewayOptions options;
  private final CriClient cri;
  private final RuntimeWatch watch;
  private final DrainableCheckpointService checkpoints;
  private final JobStore jobs;
  private final AtomicBoolean stopping;
  private final Retention retention;
  private final SimulatedRuntime simulator;
  private final Vertx simulatorVertx;
  private final Path privateDir;
  private final String deployment;
  private final int port;
  private final Optional<String> devToken;
  private Future<Void> closed;
  private ContainerdAwareCheckpointer checkpointer;
  private Audit audit = Audit.none();
  private List<FileWatch> watches = List.of();
  private GatewayVerticle http;
  private Fleet fleet;

  private Gateway(Vertx vertx, GatewayOptions options, CriClient cri, RuntimeWatch watch,
      DrainableCheckpointService checkpoints, JobStore jobs, AtomicBoolean stopping,
      Retention retention, SimulatedRuntime simulator, Vertx simulatorVertx, Path privateDir,
      String deployment, int port, Optional<String> devToken) {
    this.vertx = vertx;
    this.options = options;
    this.cri = cri;
    this.watch = watch;
    this.checkpoints = checkpoints;
    this.jobs = jobs;
    this.stopping = stopping;
    this.retention = retention;
    this.simulator = simulator;
    this.simulatorVertx = simulatorVertx;
    this.privateDir = privateDir;
    this.deployment = deployment;
    this.port = port;
    this.devToken = devToken;
  }

  /** Starts a gateway whose metrics hold only its own meters (Vert.x's were not enabled). */
  public static Future<Gateway> start(Vertx vertx, GatewayOptions options) {
    return start(vertx, options, GatewayMetrics.prometheusRegistry());
  }

  /**
   * Starts a gateway on {@code vertx}, its metrics going to {@code registry} (the one Vert.x was
   * built with, see {@link GatewayMetrics#vertx}). Blocking set-up (a private temporary
   * directory) happens here on the caller's thread, which must not be an event loop.
   */
  public static Future<Gateway> start(Vertx vertx, GatewayOptions options,
      PrometheusMeterRegistry registry) {
    // The embedded simulator's socket lives in a directory only we may enter.
    Path privateDir = options.embeddedSimulator() ? createPrivateDir() : null;
    // ... and it runs on a Vertx of its own, without metrics: its gRPC server's requests are
    // not the gateway's HTTP requests, and must not be counted as such.
    Vertx simulatorVertx = options.embeddedSimulator()
        ? Vertx.vertx(new VertxOptions().setPreferNativeTransport(vertx.isNativeTransportEnabled()))
        : null;
    return start(vertx, options, registry, privateDir, simulatorVertx)
        // A failed start leaves nothing behind: the simulator, its socket, its directory.
        .recover(failure -> closeSimulator(vertx, simulatorVertx)
            .eventually(() -> privateDir != null
                ? vertx.fileSystem().deleteRecursive(privateDir.toString())
                : Future.succeededFuture())
            .transform(ignored -> Future.failedFuture(failure)));
  }

  private static Future<Gateway> start(Vertx vertx, GatewayOptions options,
      PrometheusMeterRegistry registry, Path privateDir, Vertx simulatorVertx) {
    Optional<String> devSecret = devMode(options) ? Optional.of(TokenIssuer.randomSecret())
        : Optional.empty();
    // Admission and jobs keep their state on this one context.
    Context coordination = vertx.getOrCreateContext();
    GatewayMetrics metrics = GatewayMetrics.create(registry);
    Future<SimulatedRuntime> simulator = options.embeddedSimulator()
        ? onContext(coordination, SimulatedRuntime.start(simulatorVertx,
            simulatorSeed(options), privateDir.resolve("cri.sock")))
        : Future.succeededFuture(null);
    return simulator.compose(sim -> {
      if (sim != null) {
        StartClock.mark("embedded simulator up");
      }
      CriEndpoint endpoint = options.criEndpoint()
          .orElseGet(() -> new CriEndpoint(sim.socketPath()));
      LOG.info(() -> "CRI endpoint " + endpoint + (sim != null ? " (embedded simulator)" : "")
          + " over " + transport(vertx));
      CriClient cri = CriClient.create(vertx, endpoint, metrics);
      RuntimeWatch watch = new RuntimeWatch(vertx, cri, endpoint, options.runtimeProbe());
      watch.start();
      // For alerts: 1 while the runtime answers its readiness probe (/readyz is 200), else 0.
      metrics.gauge("runtime.ready", "1 while the runtime answers its readiness probe, else 0",
          () -> watch.ready() ? 1 : 0);
      ArchiveDirectory archives = new ArchiveDirectory(vertx, options.checkpointDir());
      ThroughputEstimator throughput = new ThroughputEstimator();
      AdmissionController admission = new AdmissionController(coordination,
          new AdmissionController.Limits(options.maxConcurrent(), options.maxInflightBytes(),
              options.maxQueued()), throughput);
      metrics.gauge("checkpoint.queue.depth", "Checkpoints waiting for admission", admission::queued);
      metrics.gauge("checkpoint.running", "Checkpoints at the runtime", admission::running);
      metrics.gauge("checkpoint.inflight.bytes", "Weight of the checkpoints at the runtime",
          admission::bytesInFlight);
      // containerd 1.6/1.7 lack CRI CheckpointContainer: fall back to their task API. On
      // containerd a checkpoint is never cut short at the runtime (see
      // ContainerdAwareCheckpointer).
      ContainerdAwareCheckpointer checkpointer = ContainerdAwareCheckpointer.create(vertx, cri,
          endpoint, options.containerdTaskCheckpoint());
      DrainableCheckpointService checkpoints = DrainableCheckpointService.create(vertx, cri,
          watch, checkpointer, archives, admission, throughput, metrics,
          new CheckpointSettings(options.progressInterval(), options.diskReserveBytes(),
              options.lookupMaxAge()));
      JobStore jobs = JobStore.create(vertx, coordination, checkpoints, options.jobHistoryMax(),
          options.jobHistoryAge());
      AtomicBoolean stopping = new AtomicBoolean();
      ArchiveStore archiveStore = ArchiveStore.create(vertx, archives, options.archiveLimits());
      Retention retention = archiveStore.startRetention(options.retention(),
          new RuntimeCensus(cri, watch, options.runtimeProbe().timeout()));
      metrics.gauge("archive.retention.removed", "Archives removed by retention",
          retention::removedArchives);
      metrics.gauge("archive.retention.removed.bytes", "Bytes of archives removed by retention",
          retention::removedBytes);
      metrics.gauge("archive.retention.runs", "Retention runs", retention::runs);
      List<GatewayVerticle> verticles = new CopyOnWriteArrayList<>();
      List<Audit> audits = new CopyOnWriteArrayList<>();
      AtomicReference<AuthorizationRules> rules = new AtomicReference<>(AuthorizationRules.NONE);
      List<FileWatch> watches = new CopyOnWriteArrayList<>();
      List<Fleet> fleets = new CopyOnWriteArrayList<>();
      return usableCheckpointDir(vertx, archives, options.checkpointDir())
          .compose(ignored -> options.fleet().enabled()
              ? Fleet.start(vertx, options, checkpoints, cri, metrics,
                  new Fleet.LocalStatus(watch::ready, admission::running,
                      admission::queued, admission::bytesInFlight))
                  .onSuccess(fleets::add)
                  .compose(fleet -> fleet.serveViews(jobs, archiveStore, checkpoints,
                      options.jobHistoryAge(), options.defaultTimeout())
                      .compose(served -> watchApiCa(vertx, options, fleet, watches)))
              : Future.succeededFuture())
          .compose(ignored -> archiveStore.start())
          .compose(ignored -> openAudit(vertx, options))
          .compose(audit -> {
            audits.add(audit);
            metrics.gauge("audit.log.dropped.lines",
                "Audit log lines dropped: the disk was behind by more than the buffer, or failed",
                audit::dropped);
            metrics.gauge("audit.log.written.lines", "Audit log lines written", audit::written);
            return loadAuthorization(vertx, options, rules, watches);
          })
          .compose(ignored -> devSecret.isPresent()
              ? Future.succeededFuture(TokenVerifier.forSecret(vertx, devSecret.get(),
                  Optional.empty(), Optional.empty(), options.auth().tokens()))
              : options.jwt().hasKeys() ? loadTokens(vertx, options, watches)
              : Future.succeededFuture(TokenVerifier.NONE))
          .compose(tokens -> {
            // Once stopping, not ready: load balancers send new work elsewhere while we drain.
            Readiness readiness = () -> stopping.get()
                ? new RuntimeStatus.NotReady(Readiness.STOPPING) : watch.status();
            ApiServices services = new ApiServices(httpSettings(options), readiness, checkpoints,
                jobs, archiveStore, fleets.isEmpty() ? FleetView.NONE : fleets.get(0), tokens,
                audits.get(0), rules::get, registry, new StreamMeters(registry),
                new HttpConnections(options.http()));
            return vertx.deployVerticle(() -> {
              GatewayVerticle verticle = new GatewayVerticle(services);
              verticles.add(verticle);
              return verticle;
            }, new DeploymentOptions().setInstances(HTTP_INSTANCES))
                .recover(failure -> Future.failedFuture(listenFailure(options, failure)));
          })
          .compose(deployment -> watchTls(vertx, options, verticles.get(0), watches)
              .map(deployment))
          .onSuccess(ignored -> watches.forEach(fileWatch -> reloadMeters(registry, fileWatch)))
          // With port 0 the instances share one random port; any instance can tell which.
          .map(deployment -> new Gateway(vertx, options, cri, watch, checkpoints, jobs, stopping, retention,
              sim, simulatorVertx, privateDir, deployment, verticles.get(0).actualPort(),
              devSecret.map(secret -> TokenIssuer.hs256(vertx, secret).issue("dev-admin",
                  List.of("*"), devTokenTtl(options), Optional.empty(), Optional.empty()))))
          .map(gateway -> {
            gateway.checkpointer = checkpointer;
            gateway.audit = audits.get(0);
            gateway.watches = watches;
            gateway.http = verticles.get(0);
            gateway.fleet = fleets.isEmpty() ? null : fleets.get(0);
            fleets.forEach(fleet -> fleet.httpPort(gateway.port()));
            return gateway;
          })
          .onFailure(failure -> {
            watches.forEach(FileWatch::stop);
            audits.forEach(audit -> vertx.executeBlocking(() -> {
              audit.close();
              return null;
            }, false));
            fleets.forEach(Fleet::close);
            retention.stop();
            watch.stop();
            jobs.close();
            cri.close();
            if (checkpointer != null) {
              checkpointer.close();
            }
          });
    });
  }

  /** The settings the HTTP layer reads, and no others. */
  static HttpSettings httpSettings(GatewayOptions options) {
    Optional<HttpSettings.Tls> tls = options.tlsCert().map(cert -> new HttpSettings.Tls(cert,
        options.tlsKey().orElseThrow(), options.access().clientCa()));
    return new HttpSettings(options.host(), options.port(), tls, options.containerCheckpointGate(),
        options.metricsUnauthenticated(), options.defaultTimeout(), options.heartbeatInterval(),
        options.streams(), options.http().maxHeaderSize());
  }

  /** How long the printed development token lives: a day, or less when tokens may not. */
  static Duration devTokenTtl(GatewayOptions options) {
    return options.auth().tokens().maxLifetime()
        .filter(max -> max.compareTo(DEV_TOKEN_TTL) < 0).orElse(DEV_TOKEN_TTL);
  }

  /** The routes of the HTTP server, in order (each verticle mounts the same ones). */
  public List<io.vertx.ext.web.Route> routes() {
    return http.routes();
  }

  /** The port the HTTP server listens on. */
  public int port() {
    return port;
  }

  /** The token allowed everything, when the gateway made its own key; empty otherwise. */
  public Optional<String> devToken() {
    return devToken;
  }

  /** The embedded simulator, when no runtime endpoint was configured; else null. */
  public SimulatedRuntime simulator() {
    return simulator;
  }

  /** Retention of archives: its counters (for metrics) and a way to run it now. */
  public Retention retention() {
    return retention;
  }

  /**
   * Stops: readiness turns 503 and new checkpoints are refused at once, queued ones fail,
   * running ones get the shutdown grace to finish and are then cancelled; then the HTTP
   * verticles, the runtime connection and the embedded simulator stop.
   */
  public synchronized Future<Void> close() {
    if (closed == null) {
      closed = stop();
    }
    return closed;
  }

  private Future<Void> stop() {
    stopping.set(true);
    retention.stop();
    watches.forEach(FileWatch::stop);
    return checkpoints.drain(options.shutdownGrace())
        // Checkpoints forwarded here during the drain were refused as stopping; now leave.
        .compose(ignored -> fleet != null ? fleet.close() : Future.succeededFuture())
        .compose(ignored -> {
          watch.stop();
          jobs.close();
          return vertx.undeploy(deployment);
        })
        // After the HTTP verticles: the last requests are recorded too.
        .compose(ignored -> vertx.executeBlocking(() -> {
          audit.close();
          return null;
        }, false))
        .compose(ignored -> cri.close())
        .compose(ignored -> checkpointer != null ? checkpointer.close() : Future.succeededFuture())
        // Closing its Vertx stops the simulator: its checkpoints, its server, its socket.
        .compose(ignored -> closeSimulator(vertx, simulatorVertx))
        .compose(ignored -> privateDir != null
            ? vertx.fileSystem().deleteRecursive(privateDir.toString()) : Future.succeededFuture());
  }

  /**
   * The rules of {@code --authorization-file}, read at start (a bad file stops start-up) and
   * again whenever it changes (a bad new version keeps the rules in force).
   */
  private static Future<Void> loadAuthorization(Vertx vertx, GatewayOptions options,
      AtomicReference<AuthorizationRules> rules, List<FileWatch> watches) {
    Optional<Path> file = options.access().authorizationFile();
    if (file.isEmpty()) {
      return Future.succeededFuture();
    }
    Supplier<Future<?>> load = () -> vertx.executeBlocking(() -> {
      String text;
      try {
        text = Files.readString(file.get());
      } catch (IOException e) {
        throw new IllegalArgumentException(OptionTable.AUTHORIZATION_FILE.flag() + " " + file.get()
            + ": cannot read (" + e.getMessage() + ")");
      }
      AuthorizationRules parsed =
          AuthorizationRules.parse(text, OptionTable.AUTHORIZATION_FILE.flag() + " " + file.get());
      rules.set(parsed);
      return parsed;
    }, false);
    return FileWatch.start(vertx, "authorization", List.of(file.get()),
            options.access().reloadInterval(), load)
        .compose(fileWatch -> {
          watches.add(fileWatch);
          return load.get();
        }).mapEmpty();
  }

  /**
   * No key, no client CA, no authorization file: someone trying the gateway out, who gets an
   * ephemeral key and an all-powerful token printed. Where certificates or an authorization file
   * say who may do what, a token in the log would bypass them: bearer tokens are refused there.
   */
  static boolean devMode(GatewayOptions options) {
    return !options.jwt().hasKeys() && options.access().clientCa().isEmpty()
        && options.access().authorizationFile().isEmpty();
  }

  /** The verifier of the configured JWT keys, made again whenever a key file changes. */
  private static Future<TokenVerifier> loadTokens(Vertx vertx, GatewayOptions options,
      List<FileWatch> watches) {
    AtomicReference<TokenVerifier> current = new AtomicReference<>();
    Supplier<Future<?>> load = () -> TokenVerifier.create(vertx, options.jwt(),
        options.auth().tokens()).onSuccess(current::set);
    List<Path> files = new java.util.ArrayList<>(options.jwt().publicKeyFiles());
    options.jwt().secretFile().ifPresent(files::add);
    options.jwt().jwksFile().ifPresent(files::add);
    return FileWatch.start(vertx, "jwt", files, options.access().reloadInterval(), load)
        .compose(fileWatch -> {
          watches.add(fileWatch);
          return load.get();
        })
        .map(loaded -> header -> current.get().verify(header));
  }

  /** With TLS, the certificate, key and client CA are served anew whenever one changes. */
  private static Future<Void> watchTls(Vertx vertx, GatewayOptions options,
      GatewayVerticle verticle, List<FileWatch> watches) {
    if (!options.tls()) {
      return Future.succeededFuture();
    }
    List<Path> files = new java.util.ArrayList<>(
        List.of(options.tlsCert().orElseThrow(), options.tlsKey().orElseThrow()));
    options.access().clientCa().ifPresent(files::add);
    return FileWatch.start(vertx, "tls", files, options.access().reloadInterval(),
        verticle::reloadTls).onSuccess(watches::add).mapEmpty();
  }

  /** The CA bundle of --cluster-api-ca (read at the fleet's start) is trusted anew when it changes. */
  private static Future<Void> watchApiCa(Vertx vertx, GatewayOptions options, Fleet fleet,
      List<FileWatch> watches) {
    Optional<Path> file = options.fleetNetwork().apiCa();
    if (file.isEmpty()) {
      return Future.succeededFuture();
    }
    return FileWatch.start(vertx, "cluster-api-ca", List.of(file.get()),
            options.access().reloadInterval(), () -> fleet.reloadApiCa(file.get()))
        .onSuccess(watches::add).mapEmpty();
  }

  /** How the reloads of one group of files went, by a fixed {@code file} label. */
  private static void reloadMeters(MeterRegistry registry, FileWatch watch) {
    FunctionCounter.builder("auth.reload.failures", watch, FileWatch::failures)
        .description("Reloads of changed files that failed (the previous version stays in use)")
        .tag("file", watch.name()).register(registry);
    Gauge.builder("auth.reload.failing", watch, FileWatch::failing)
        .description("1 while the files on disk failed to load and the previous version is in use")
        .tag("file", watch.name()).strongReference(true).register(registry);
    Gauge.builder("auth.reload.last.success.timestamp", watch, FileWatch::lastSuccessSeconds)
        .description("When the files were last loaded, start-up included").baseUnit("seconds")
        .tag("file", watch.name()).strongReference(true).register(registry);
  }

  /** {@code future}'s outcome, handed over on {@code context} (the simulator's run elsewhere). */
  private static <T> Future<T> onContext(Context context, Future<T> future) {
    Promise<T> handedOver = Promise.promise();
    future.onComplete(outcome -> context.runOnContext(ignored -> handedOver.handle(outcome)));
    return handedOver.future();
  }

  /**
   * Closes the embedded simulator's Vertx, waiting on a worker of ours: a callback on the
   * simulator's own context would be handed to an event loop that this close terminates.
   */
  private static Future<Void> closeSimulator(Vertx vertx, Vertx simulatorVertx) {
    if (simulatorVertx == null) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> simulatorVertx.close().toCompletionStage()
        .toCompletableFuture().get(SIMULATOR_CLOSE_SECONDS, TimeUnit.SECONDS), false);
  }

  /** The audit log of {@code --audit-log}, opened off the event loop (an open may block). */
  private static Future<Audit> openAudit(Vertx vertx, GatewayOptions options) {
    if (options.auth().auditLog().isEmpty()) {
      return Future.succeededFuture(Audit.none());
    }
    Path file = options.auth().auditLog().get();
    return vertx.executeBlocking(() -> {
      try {
        return Audit.toFile(file, options.auth().auditLogBufferBytes());
      } catch (IOException | RuntimeException e) {
        // Stops start-up with exit code 2, naming the flag and the file.
        throw new IllegalArgumentException(OptionTable.AUDIT_LOG.flag() + " " + file + ": cannot open for appending ("
            + e.getMessage() + ")");
      }
    }, false);
  }

  /**
   * The checkpoint directory, made if missing and checked writable (off the event loop), or a
   * start-up failure that names the flag (exit code 2).
   */
  private static Future<Void> usableCheckpointDir(Vertx vertx, ArchiveDirectory archives,
      Path dir) {
    return archives.ensureExists()
        .compose(made -> vertx.executeBlocking(() -> Files.isDirectory(dir) && Files.isWritable(dir)
            ? null : "not a directory this process may write to", false))
        .compose(unusable -> unusable != null ? Future.succeededFuture(unusable)
            : archives.probeFileSystem().map(type -> {
              LOG.info(() -> "checkpoint directory " + dir + " is on " + type + ": archives are "
                  + (archives.onLocalFileSystem() ? "checked on the event loop (a local file system)"
                      : "checked on the worker pool (not a file system known to be local)"));
              return (String) null;
            }))
        .recover(failure -> Future.succeededFuture(reason(failure)))
        .compose(unusable -> unusable == null ? Future.succeededFuture()
            : Future.failedFuture(new IllegalArgumentException(
                OptionTable.CHECKPOINT_DIR.flag() + " " + dir + ": cannot use it as the checkpoint directory ("
                    + unusable + ")")));
  }

  /** Why a file-system call failed, without Java's class names: "not a directory". */
  private static String reason(Throwable failure) {
    Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
    if (cause instanceof FileAlreadyExistsException exists) {
      return exists.getFile() + " exists and is not a directory";
    }
    if (cause instanceof AccessDeniedException denied) {
      return denied.getFile() + ": permission denied";
    }
    if (cause instanceof FileSystemException fs && fs.getReason() != null) {
      return (fs.getFile() != null ? fs.getFile() + ": " : "") + lowerFirst(fs.getReason());
    }
    return String.valueOf(cause.getMessage());
  }

  /**
   * A port another process listens on, or an address not on this machine: the failure names
   * both, in the words of the errno (Netty's epoll says "bind(..) failed with error(-98)").
   */
  private static Throwable listenFailure(GatewayOptions options, Throwable failure) {
    String text = String.valueOf(failure.getMessage());
    String where = (options.host().contains(":") ? "[" + options.host() + "]" : options.host())
        + ":" + options.port();
    if (text.contains("Address already in use")) {
      return new IllegalStateException("cannot listen on " + where
          + ": address already in use (another process listens there; choose another --port)");
    }
    if (text.contains("Cannot assign requested address")) {
      return new IllegalArgumentException(OptionTable.HOST.flag() + " " + options.host() + ": cannot listen on "
          + where + ": cannot assign requested address (not an address of this machine)");
    }
    return failure;
  }

  private static String lowerFirst(String text) {
    return text.isEmpty() ? text : Character.toLowerCase(text.charAt(0)) + text.substring(1);
  }

  /** The embedded simulator's pods: {@code --simulator-pods}, else the shipped seed. */
  private static SimulatorSeed simulatorSeed(GatewayOptions options) {
    return options.fleet().simulatorPods().map(file -> {
      try {
        return SimulatorSeed.load(file);
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException(OptionTable.SIMULATOR_PODS.flag() + " " + file + ": " + e.getMessage());
      }
    }).orElseGet(SimulatorSeed::defaultSeed);
  }

  private static String transport(Vertx vertx) {
    if (vertx.isNativeTransportEnabled()) {
      return "epoll";
    }
    // Null when epoll was not asked for.
    Throwable cause = vertx.unavailableNativeTransportCause();
    return cause == null ? "NIO" : "NIO (epoll unavailable: " + (cause.getMessage() != null
        ? cause.getMessage() : cause.getClass().getSimpleName()) + ")";
  }

  private static Path createPrivateDir() {
    try {
      return Files.createTempDirectory("checkpoint-gateway-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a private temporary directory", e);
    }
  }
}
