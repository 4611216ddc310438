package org.checkpointgateway.api;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.List;
import org.checkpointgateway.auth.BearerAuthHandler;
import org.checkpointgateway.metrics.GatewayMetrics;

/**
 * The HTTP front: one instance per event loop, all on one port. The instances share the services
 * handed to them and hold no state of their own.
 */
public final class GatewayVerticle extends VerticleBase {

  /** The routes mounted before authentication (with {@code /metrics} only when it is open). */
  public static final List<String> OPEN_PATHS = List.of("/healthz", "/readyz", MetricsRoutes.PATH);

  private final ApiServices services;
  private HttpServer server;
  private HttpServerOptions serverOptions;
  private Router router;
  private Heartbeats heartbeats;

  public GatewayVerticle(ApiServices services) {
    this.services = services;
  }

  @Override
  public Future<?> start() {
    HttpSettings settings = services.settings();
    Router router = Router.router(vertx);
    BearerAuthHandler authentication = BearerAuthHandler.create(services.tokens(),
        services.audit(), services.authorization());
    // Before any route reads the request: refusals of the connection, then of malformed HTTP.
    services.connections().mount(router);
    RequestChecks.mount(router);
    // The open routes, this explicit list (OPEN_PATHS), come before authentication.
    new HealthRoutes(services.readiness()).mount(router);
    MetricsRoutes metrics = new MetricsRoutes(services.metrics(), settings.metricsOpen());
    if (metrics.open()) {
      metrics.mount(router);
    }
    // Archives are served whatever the feature gate says: they may predate its switching off.
    ArchiveRoutes archives = new ArchiveRoutes(services.archives(), services.fleet().archives());
    // The one credential besides these: a fleet member's download ticket, for one download.
    archives.mountTickets(router);
    // Authentication, mounted once: every route below it is protected, whoever adds it, and no
    // route below reads a body before the caller is known.
    router.route().handler(authentication);
    if (!metrics.open()) {
      metrics.mount(router);
    }
    if (settings.checkpointRoutes()) {
      // One heartbeat timer for the event streams of this verticle's event loop.
      heartbeats = new Heartbeats(context, settings.heartbeat().toMillis());
      ProgressWriter.Settings streams = new ProgressWriter.Settings(heartbeats,
          settings.streams(), services.streamMeters(), services.fleet().node().orElse(null));
      new CheckpointRoutes(services.checkpoints(), settings.defaultTimeout(), streams,
          services.fleet().forwarding())
          .mount(router, authentication);
      new JobRoutes(services.checkpoints(), services.jobs(), settings.defaultTimeout(), streams,
          services.fleet().jobs()).mount(router, authentication,
          services.connections().bodyDeadline());
    }
    archives.mount(router, authentication);
    new NodeRoutes(services.fleet()).mount(router);
    this.router = router;
    router.route().failureHandler(ErrorMapper::handle);
    router.errorHandler(400, ErrorMapper::handle);
    router.errorHandler(404, ErrorMapper::handle);
    router.errorHandler(405, ErrorMapper::handle);
    router.errorHandler(500, ErrorMapper::handle);
    serverOptions = services.connections().apply(serverOptions(settings));
    server = vertx.createHttpServer(serverOptions);
    return server
        .connectionHandler(connection -> {
          GatewayMetrics.ensureConnectionMetric(connection);
          services.connections().accept(connection, serverOptions);
        })
        .invalidRequestHandler(RequestChecks.invalid(settings.maxHeaderSize()))
        .requestHandler(router)
        .listen();
  }

  @Override
  public Future<?> stop() {
    if (heartbeats != null) {
      heartbeats.close();
    }
    return Future.succeededFuture();
  }

  /** The routes of this verticle's router, in order (for the test that walks them). */
  public List<Route> routes() {
    return router.getRoutes();
  }

  /**
   * Reads the TLS certificate, key and client CA files again and serves new connections with
   * them. The instances share one listening server, so one call updates them all. Fails (and the
   * files in use stay in use) when the new files do not make a TLS context.
   */
  public Future<Boolean> reloadTls() {
    // force: the paths are the same, and Vert.x would otherwise reuse the context it cached.
    return server.updateSSLOptions(serverOptions.getSslOptions(), true);
  }

  /** The port actually bound (differs from the option when it was 0). */
  public int actualPort() {
    return server.actualPort();
  }

  private static HttpServerOptions serverOptions(HttpSettings settings) {
    HttpServerOptions server = new HttpServerOptions()
        .setHost(settings.host())
        .setPort(settings.port())
        // Every answer is written on its connection's event loop (handlers, their timers, and
        // the replies Confined and RequestContext bring back to the caller's context). Said so,
        // Vert.x writes HTTP/1.x answers straight to the channel instead of giving each
        // connection an outbound queue for other threads: 4.3 KB per open request for its whole
        // life. A write from another thread now throws rather than being queued. HTTP/2 streams
        // are not concerned.
        .setStrictThreadMode(true)
        // No route speaks WebSocket: without compression to offer, Vert.x adds no WebSocket
        // extension handler (and its two handshakers) to every HTTP/1.x connection's pipeline.
        .setPerFrameWebSocketCompressionSupported(false)
        .setPerMessageWebSocketCompressionSupported(false);
    settings.tls().ifPresent(tls -> {
      server.setSsl(true)
          .setUseAlpn(true)
          .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
          .setKeyCertOptions(new PemKeyCertOptions()
              .setCertPath(tls.cert().toString())
              .setKeyPath(tls.key().toString()));
      // Asked for, not required: a caller without a certificate may still bring a token. One
      // that the bundle does not verify (untrusted, expired) fails the handshake.
      tls.clientCa().ifPresent(ca -> server.setClientAuth(ClientAuth.REQUEST)
          .setTrustOptions(new PemTrustOptions().addCertPath(ca.toString())));
    });
    return server;
  }
}
