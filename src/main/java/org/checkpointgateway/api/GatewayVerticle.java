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
import org.checkpointgateway.auth.TokenVerifier;
import org.checkpointgateway.checkpoint.CheckpointService;
import org.checkpointgateway.config.GatewayOptions;
import org.checkpointgateway.cri.RuntimeWatch;

/**
 * The HTTP front: one instance per event loop, all on one port. The instances share the
 * checkpoint service, token verifier and runtime watch handed to them; they hold no state of
 * their own.
 */
public final class GatewayVerticle extends VerticleBase {

  private final GatewayOptions options;
  private final CheckpointService checkpoints;
  private final TokenVerifier tokens;
  private final RuntimeWatch runtime;
  private final ArchiveStore archives;
  private HttpServer server;

  public GatewayVerticle(GatewayOptions options, CheckpointService checkpoints,
      TokenVerifier tokens, RuntimeWatch runtime, ArchiveStore archives) {
    this.options = options;
    this.checkpoints = checkpoints;
    this.tokens = tokens;
    this.runtime = runtime;
    this.archives = archives;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    // Open routes are this explicit list; everything mounted after them requires a token.
    new HealthRoutes(runtime).mount(router);
    if (options.containerCheckpointGate()) {
      new CheckpointRoutes(checkpoints, options.defaultTimeout())
          .mount(router, BearerAuthHandler.create(tokens));
    }
    // Archives are served whatever the feature gate says: they may predate its switching off.
    new ArchiveRoutes(archives).mount(router, BearerAuthHandler.create(tokens));
    router.route().failureHandler(ErrorMapper::handle);
    router.errorHandler(404, ErrorMapper::handle);
    router.errorHandler(405, ErrorMapper::handle);
    router.errorHandler(500, ErrorMapper::handle);
    server = vertx.createHttpServer(serverOptions());
    return server.requestHandler(router).listen();
  }

  /** The port actually bound (differs from the option when it was 0). */
  public int actualPort() {
    return server.actualPort();
  }

  private HttpServerOptions serverOptions() {
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
