package org.checkpointgateway;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;
import org.checkpointgateway.api.GatewayVerticle;
import org.checkpointgateway.archive.ArchiveDirectory;
import org.checkpointgateway.archive.ArchiveStore;
import org.checkpointgateway.archive.Retention;
import org.checkpointgateway.auth.TokenIssuer;
import org.checkpointgateway.auth.TokenVerifier;
import org.checkpointgateway.checkpoint.CheckpointService;
import org.checkpointgateway.checkpoint.ContainerCheckpointer;
import org.checkpointgateway.config.GatewayOptions;
import org.checkpointgateway.cri.CriClient;
import org.checkpointgateway.cri.CriEndpoint;
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

  private static final Logger LOG = Logger.getLogger(Gateway.class.getName());

  private final Vertx vertx;
  private final CriClient cri;
  private final RuntimeWatch watch;
  private final Retention retention;
  private final SimulatedRuntime simulator;
  private final Path privateDir;
  private final String deployment;
  private final int port;
  private final Optional<String> devToken;

  private Gateway(Vertx vertx, CriClient cri, RuntimeWatch watch, Retention retention,
      SimulatedRuntime simulator, Path privateDir, String deployment, int port,
      Optional<String> devToken) {
    this.vertx = vertx;
    this.cri = cri;
    this.watch = watch;
    this.retention = retention;
    this.simulator = simulator;
    this.privateDir = privateDir;
    this.deployment = deployment;
    this.port = port;
    this.devToken = devToken;
  }

  /**
   * Starts a gateway on {@code vertx}. Blocking set-up (a private temporary directory) happens
   * here on the caller's thread, which must not be an event loop.
   */
  public static Future<Gateway> start(Vertx vertx, GatewayOptions options) {
    // The embedded simulator's socket lives in a directory only we may enter.
    Path privateDir = options.embeddedSimulator() ? createPrivateDir() : null;
    Optional<String> devSecret = options.jwt().hasKeys() ? Optional.empty()
        : Optional.of(TokenIssuer.randomSecret());
    Future<SimulatedRuntime> simulator = options.embeddedSimulator()
        ? SimulatedRuntime.start(vertx, SimulatorSeed.defaultSeed(), privateDir.resolve("cri.sock"))
        : Future.succeededFuture(null);
    return simulator.compose(sim -> {
      CriEndpoint endpoint = options.criEndpoint()
          .orElseGet(() -> new CriEndpoint(sim.socketPath()));
      LOG.info(() -> "CRI endpoint " + endpoint + (sim != null ? " (embedded simulator)" : "")
          + " over " + transport(vertx));
      CriClient cri = CriClient.create(vertx, endpoint);
      RuntimeWatch watch = new RuntimeWatch(vertx, cri, endpoint);
      watch.start();
      ArchiveDirectory archives = new ArchiveDirectory(vertx, options.checkpointDir());
      CheckpointService checkpoints = CheckpointService.create(cri,
          ContainerCheckpointer.cri(cri), archives);
      ArchiveStore archiveStore = ArchiveStore.create(vertx, archives);
      Retention retention = archiveStore.startRetention(options.retention());
      List<GatewayVerticle> verticles = new java.util.concurrent.CopyOnWriteArrayList<>();
      return archives.ensureExists()
          .compose(ignored -> archiveStore.start())
          .compose(ignored -> devSecret.isPresent()
              ? Future.succeededFuture(TokenVerifier.forSecret(vertx, devSecret.get(),
                  Optional.empty(), Optional.empty()))
              : TokenVerifier.create(vertx, options.jwt()))
          .compose(tokens -> vertx.deployVerticle(() -> {
                GatewayVerticle verticle = new GatewayVerticle(options, checkpoints, tokens, watch,
                    archiveStore);
                verticles.add(verticle);
                return verticle;
              }, new DeploymentOptions().setInstances(HTTP_INSTANCES)))
          // With port 0 the instances share one random port; any instance can tell which.
          .map(deployment -> new Gateway(vertx, cri, watch, retention, sim, privateDir, deployment,
              verticles.get(0).actualPort(),
              devSecret.map(secret -> TokenIssuer.hs256(vertx, secret).issue("dev-admin",
                  List.of("*"), DEV_TOKEN_TTL, Optional.empty(), Optional.empty()))))
          .onFailure(failure -> {
            retention.stop();
            watch.stop();
            cri.close();
          });
    });
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

  public Future<Void> close() {
    retention.stop();
    watch.stop();
    return vertx.undeploy(deployment)
        .compose(ignored -> cri.close())
        .compose(ignored -> simulator != null ? simulator.close() : Future.succeededFuture())
        .compose(ignored -> privateDir != null
            ? vertx.fileSystem().deleteRecursive(privateDir.toString()) : Future.succeededFuture());
  }

  private static String transport(Vertx vertx) {
    return vertx.isNativeTransportEnabled() ? "epoll"
        : "NIO (epoll unavailable: " + vertx.unavailableNativeTransportCause() + ")";
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
