package org.checkpointgateway.api;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import java.util.List;
import org.checkpointgateway.archive.ArchiveStore;
import org.checkpointgateway.auth.BearerAuthHandler;
import org.checkpointgateway.config.GatewayOptions;
import org.checkpointgateway.metrics.GatewayMetrics;

/**
 * The HTTP front: one instance per event loop, all on one port. The instances share the services
 * handed to them and hold no state of their own.
 */
public final class GatewayVerticle extends VerticleBase {

  private final ApiServices services;
  private HttpServer server;

  public GatewayVerticle(ApiServices services) {
    this.services = services;
  }

  @Override
  public Future<?> start() {
    GatewayOptions options = services.options();
    Router router = Router.router(vertx);
    BearerAuthHandler authentication =
        BearerAuthHandler.create(services.tokens(), services.audit());
    // Before any route reads the request: refusals of the connection, then of malformed HTTP.
    services.connections().mount(router);
    RequestChecks.mount(router);
    // Open routes are this explicit list; every other route puts authentication first.
    new HealthRoutes(services.runtime(), services.stopping()).mount(router);
    new MetricsRoutes(services.metrics(), options.metricsUnauthenticated())
        .mount(router, authentication);
    if (options.containerCheckpointGate()) {
      EventStream.Settings streams = new EventStream.Settings(options.heartbeatInterval(),
          options.streams(), services.streamMeters());
      new CheckpointRoutes(services.checkpoints(), options.defaultTimeout(), streams,
          services.fleet().forwarding())
          .mount(router, authentication);
      new JobRoutes(services.checkpoints(), services.jobs(), options.defaultTimeout(), streams)
          .mount(router, authentication);
    }
    // Archives are served whatever the feature gate says: they may predate its switching off.
    new ArchiveRoutes(services.archives()).mount(router, authentication);
    new NodeRoutes(services.fleet()).mount(router, authentication);
    router.route().failureHandler(ErrorMapper::handle);
    router.errorHandler(400, ErrorMapper::handle);
    router.errorHandler(404, ErrorMapper::handle);
    router.errorHandler(405, ErrorMapper::handle);
    router.errorHandler(500, ErrorMapper::handle);
    HttpServerOptions serverOptions = services.connections().apply(serverOptions(options));
    server = vertx.createHttpServer(serverOptions);
    return server
        .connectionHandler(connection -> {
          GatewayMetrics.ensureConnectionMetric(connection);
          services.connections().accept(connection, serverOptions);
        })
        .invalidRequestHandler(RequestChecks.invalid(options.http().maxHeaderSize()))
        .requestHandler(router)
        .listen();
  }

  /** The port actually bound (differs from the option when it was 0). */
  public int actualPort() {
    return server.actualPort();
  }

  private static HttpServerOptions serverOptions(GatewayOptions options) {
    HttpServerOptions server = new HttpServerOptions()
        .setHost(options.host())
        .setPort(options.port());
    if (options.tls()) {
      server.setSsl(true)
          .setUseAlpn(true)
          .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
          .setKeyCertOptions(new PemKeyCertOptions()
              .setCertPath(options.tlsCert().orElseThrow().toString())
              .setKeyPath(options.tlsKey().orElseThrow().toString()));
    }
    return server;
  }
}
