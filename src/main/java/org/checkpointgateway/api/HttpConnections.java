package org.checkpointgateway.api;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.checkpointgateway.config.GatewayOptions.HttpLimits;
import org.checkpointgateway.outcome.RequestTimeoutException;
import org.checkpointgateway.outcome.UnavailableException;
import org.checkpointgateway.units.Durations;

/**
 * The HTTP connections of one gateway, across its verticles: how many are open, and each one's
 * deadline ({@link ConnectionDeadline}). A connection beyond {@code maxConnections} is served
 * one answer, a 503 saying so, and closed: like nginx's {@code limit_conn}, the refusal is a
 * status a caller can read rather than a reset.
 */
public final class HttpConnections {

  private static final Logger LOG = Logger.getLogger(HttpConnections.class.getName());
  private static final AttributeKey<Boolean> REFUSED = AttributeKey.valueOf("checkpoint-gateway-refused");
  /** Vert.x's name for its own idle handler in a connection's pipeline. */
  private static final String VERTX_IDLE = "idle";
  /** Vert.x's handler that waits for a first HTTP/1.1 request asking to upgrade to h2c. */
  private static final String H2C_UPGRADE = "h2c";
  /** Vert.x's name for its HTTP/1.x response encoder in a connection's pipeline. */
  private static final String HTTP_ENCODER = "httpEncoder";

  private final HttpLimits limits;
  /** Connections open now, refused ones included until they close. */
  private final AtomicInteger open = new AtomicInteger();
  private final RateLimitedLog refusals = new RateLimitedLog(LOG, 1);

  public HttpConnections(HttpLimits limits) {
    this.limits = limits;
  }

  /**
   * For a route that reads a body: the body must arrive within the header timeout of the
   * request reaching the route, else 408 (the connection's other requests go on; HTTP/1.1 closes
   * the connection at the header timeout if the caller keeps sending). Before the body handler.
   */
  Handler<RoutingContext> bodyDeadline() {
    long millis = limits.headerTimeout().toMillis();
    String late = "the request's body did not arrive within "
        + Durations.format(limits.headerTimeout()) + " (--http-header-timeout)";
    return ctx -> {
      HttpServerRequest request = ctx.request();
      if (!request.isEnded()) {
        long timer = ctx.vertx().setTimer(millis, ignored -> {
          if (!request.isEnded() && !ctx.response().ended() && !ctx.failed()) {
            ctx.fail(new RequestTimeoutException(late));
          }
        });
        ctx.addEndHandler(ignored -> ctx.vertx().cancelTimer(timer));
      }
      ctx.next();
    };
  }

  /**
   * Server options for these limits. Vert.x's idle handler, on writes and set to the header
   * timeout, bounds a connection's life before it becomes an HTTP connection and {@link #accept}
   * takes over: a TLS handshake, or with h2c the first request's headers.
   */
  HttpServerOptions apply(HttpServerOptions options) {
    options.setMaxHeaderSize(limits.maxHeaderSize())
        .setHttp2ClearTextEnabled(limits.h2c())
        // Nothing is written before the first answer: the timer runs from the accept whatever
        // the caller sends (an all-idle or read-idle timer restarts with every byte).
        .setWriteIdleTimeout((int) limits.headerTimeout().toMillis())
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    options.getInitialSettings().setMaxHeaderListSize(limits.maxHeaderSize());
    return options;
  }

  /** The server's connection handler: counts the connection and puts its deadline in place. */
  void accept(HttpConnection connection, HttpServerOptions options) {
    Channel channel = ((io.vertx.core.net.impl.ConnectionBase) connection).channel();
    ChannelPipeline pipeline = channel.pipeline();
    Http2ConnectionHandler http2 = pipeline.get(Http2ConnectionHandler.class);
    ConnectionDeadline deadline = (ConnectionDeadline) pipeline.get(ConnectionDeadline.NAME);
    if (deadline != null) {
      // An HTTP/1.1 connection upgraded to h2c: the same connection, now watched by streams.
      if (http2 != null) {
        deadline.watchStreams(http2);
      }
      return;
    }
    int now = open.incrementAndGet();
    channel.closeFuture().addListener(ignored -> open.decrementAndGet());
    if (now > limits.maxConnections()) {
      channel.attr(REFUSED).set(true);
      refusals.log(Level.WARNING, "connection limit reached (" + limits.maxConnections()
          + " open, --max-connections): answering 503 to new connections", null);
    }
    // Vert.x's idle handler would cut requests in flight; ours knows about them.
    if (pipeline.get(VERTX_IDLE) != null) {
      pipeline.remove(VERTX_IDLE);
    }
    deadline = new ConnectionDeadline(connection, limits.headerTimeout().toNanos(),
        limits.idleTimeout().toNanos());
    if (http2 != null) {
      pipeline.addLast(ConnectionDeadline.NAME, deadline);
      deadline.watchStreams(http2);
      return;
    }
    // With h2c, Vert.x hands the connection over once its first request is decoded ("h2c" is
    // still in place then): swapping the decoder mid-request would lose its state.
    if (pipeline.get(H2C_UPGRADE) == null) {
      pipeline.replace(StrictRequestDecoder.NAME, StrictRequestDecoder.NAME,
          new StrictRequestDecoder(options));
    }
    // Between the decoder and Vert.x's connection, to see requests and answers.
    pipeline.addBefore("handler", ConnectionDeadline.NAME, deadline);
    // Between the encoder and the socket, to see the buffers it makes of an answer (TLS joins
    // them into one record already).
    if (pipeline.get(HTTP_ENCODER) != null && pipeline.get(SslHandler.class) == null) {
      pipeline.addBefore(HTTP_ENCODER, SmallWrites.NAME, new SmallWrites());
    }
  }

  /** The first route: a refused connection's request answers 503, then the connection closes. */
  void mount(Router router) {
    router.route().handler(this::admit);
  }

  private void admit(RoutingContext ctx) {
    HttpConnection connection = ctx.request().connection();
    Channel channel = ((io.vertx.core.net.impl.ConnectionBase) connection).channel();
    if (Boolean.TRUE.equals(channel.attr(REFUSED).get())) {
      ctx.addEndHandler(ignored -> connection.close());
      ctx.fail(new UnavailableException("too many connections: this gateway serves at most "
          + limits.maxConnections() + " at once; try again later"));
    } else {
      ctx.next();
    }
  }
}
