package org.checkpointgateway.api;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;
import org.checkpointgateway.checkpoint.CheckpointEvent;
import org.checkpointgateway.checkpoint.CheckpointEvent.Progress;
import org.checkpointgateway.checkpoint.CheckpointEvent.Queued;
import org.checkpointgateway.config.GatewayOptions.StreamLimits;

/**
 * A streamed answer of checkpoint events: Server-Sent Events or newline-delimited JSON, chosen by
 * the request's {@code Accept}. Comments (SSE) or empty lines (NDJSON) go out while nothing
 * happens, so that idle proxies keep the connection.
 *
 * <p>A client that does not read cannot make the gateway hold more than
 * {@link StreamLimits#bufferBytes()} for it (plus the event that crossed the limit, the
 * {@code started} and terminal events, and one held event per container): once that much is
 * written and not yet taken by its socket, {@code queued} and {@code progress} events are held
 * back, a newer one replacing the older, and heartbeats are skipped; the held events go out when
 * the client has read half of it. {@code started}, {@code completed} and {@code failed} are
 * always written. A stream that stays full for {@link StreamLimits#stallTimeout()} is closed, as
 * if the client had gone away.
 */
final class ProgressWriter extends Heartbeats.Beating {

  static final String SSE = "text/event-stream";
  static final String NDJSON = "application/x-ndjson";
  /** HTTP/2's CANCEL: the stream is abandoned, the connection and its other streams stay. */
  private static final long CANCEL = 8;
  private static final Logger LOG = Logger.getLogger(ProgressWriter.class.getName());

  /**
   * What every stream of an HTTP verticle shares: its event loop's heartbeats, the limits, the
   * gateway's meters, and the name of the fleet member this gateway is (null on a single node:
   * its events carry no node).
   */
  record Settings(Heartbeats heartbeats, StreamLimits limits, StreamMeters meters, String node) {
  }

  private final Vertx vertx;
  private final RoutingContext ctx;
  private final HttpServerResponse response;
  private final boolean sse;
  private final Settings settings;
  private final Runnable gone;
  // The latest queued or progress event of each container, held back while the stream is full;
  // made when first needed (most streams are never full).
  private Map<String, CheckpointEvent> held;
  private long sequence;
  // Bytes handed to the response whose write has not completed: what the gateway holds.
  private long buffered;
  private boolean full;
  private long stallTimer = -1;
  private boolean closed;
  private String node;

  private ProgressWriter(RoutingContext ctx, boolean sse, Settings settings, Runnable gone) {
    this.vertx = ctx.vertx();
    this.ctx = ctx;
    this.response = ctx.response();
    this.sse = sse;
    this.settings = settings;
    this.gone = gone;
    // A fleet member's own checkpoints name it, as those it carries out for other members do.
    this.node = settings.node();
    settings.heartbeats().join(this);
  }

  @Override
  void beat() {
    if (!full) {
      write(sse ? ": heartbeat\n\n" : "\n");
    }
  }

  /** The stream format the caller asked for, or null for a plain answer. */
  static String requested(RoutingContext ctx) {
    String accept = ctx.request().getHeader("Accept");
    if (accept == null) {
      return null;
    }
    if (accept.contains(SSE)) {
      return SSE;
    }
    return accept.contains(NDJSON) ? NDJSON : null;
  }

  /**
   * Answers 200 now and returns the stream to send events on. {@code gone} runs (perhaps more
   * than once) when the client goes away or is given up on; the stream owns the response's close
   * handler from now on.
   */
  static ProgressWriter open(RoutingContext ctx, String format, Settings settings, Runnable gone) {
    HttpServerResponse response = ctx.response()
        .setStatusCode(200)
        .putHeader("Content-Type", format.equals(SSE) ? SSE + "; charset=utf-8" : NDJSON)
        .putHeader("Cache-Control", "no-cache")
        // nginx buffers responses unless told otherwise; events must arrive when they happen.
        .putHeader("X-Accel-Buffering", "no")
        .setChunked(true)
        // HTTP/1.x: the connection's high-water mark, so that writeQueueFull agrees with our
        // count. HTTP/2 ignores it: there each stream's flow-control window decides.
        .setWriteQueueMaxSize((int) settings.limits().bufferBytes());
    ProgressWriter stream = new ProgressWriter(ctx, format.equals(SSE), settings, gone);
    response.drainHandler(ignored -> stream.resume());
    response.closeHandler(ignored -> stream.close());
    response.writeHead();
    return stream;
  }

  /**
   * Every event from now on names {@code name}, the fleet member that carries the checkpoint out
   * (another than this one: its events are relayed here).
   */
  ProgressWriter node(String name) {
    node = name;
    return this;
  }

  void send(CheckpointEvent event) {
    if (closed) {
      return;
    }
    // A newer event of a container replaces a held one; started and terminal events too.
    if (held != null && held.remove(event.container()) != null) {
      settings.meters().dropped();
    }
    if (full && (event instanceof Queued || event instanceof Progress)) {
      if (held == null) {
        held = new LinkedHashMap<>();
      }
      held.put(event.container(), event);
      return;
    }
    write(format(event));
  }

  void end() {
    settings.heartbeats().leave(this);
    held = null;
    if (!closed && !response.ended()) {
      response.end();
    }
    // A stream still full keeps its stall timer: a client that never reads the end is closed too.
  }

  private String format(CheckpointEvent event) {
    io.vertx.core.json.JsonObject encoded = EventJson.encode(event);
    String json = (node == null ? encoded : encoded.put("node", node)).encode();
    return sse ? "id: " + (++sequence) + "\nevent: " + EventJson.name(event) + "\ndata: " + json + "\n\n"
        : json + "\n";
  }

  private void write(String text) {
    if (closed || response.ended()) {
      return;
    }
    Buffer chunk = Buffer.buffer(text);
    int size = chunk.length();
    buffered += size;
    settings.meters().buffered(size);
    // Completes when the bytes are in the socket (or the connection is gone).
    response.write(chunk).onComplete(ignored -> {
      buffered -= size;
      settings.meters().buffered(-size);
      resume();
    });
    if (!full && (buffered >= settings.limits().bufferBytes() || writeQueueFull())) {
      full = true;
      stallTimer = vertx.setTimer(settings.limits().stallTimeout().toMillis(), id -> stalled());
    }
  }

  /** Once the client has read half of what was held for it, the held events go out. */
  private void resume() {
    if (!full || closed || buffered > settings.limits().bufferBytes() / 2 || writeQueueFull()) {
      return;
    }
    full = false;
    vertx.cancelTimer(stallTimer);
    stallTimer = -1;
    if (held == null) {
      return;
    }
    Iterator<CheckpointEvent> events = held.values().iterator();
    while (!full && events.hasNext()) {
      CheckpointEvent event = events.next();
      events.remove();
      write(format(event));
    }
  }

  private boolean writeQueueFull() {
    // An ended HTTP/1.x response refuses the question; our own count still holds then.
    return !response.ended() && !response.closed() && response.writeQueueFull();
  }

  /** The client read nothing for the stall timeout: give up on it, as on a disconnect. */
  private void stalled() {
    stallTimer = -1;
    if (closed) {
      return;
    }
    settings.meters().stalled();
    LOG.fine(() -> "event stream to " + ctx.request().remoteAddress() + " closed: "
        + buffered + " bytes unread for " + settings.limits().stallTimeout());
    if (ctx.request().version() == HttpVersion.HTTP_2) {
      response.reset(CANCEL);
    } else {
      // HTTP/1.x has no other way to drop a response, ended or not.
      ctx.request().connection().close();
    }
    close();
  }

  private void close() {
    if (closed) {
      return;
    }
    closed = true;
    settings.heartbeats().leave(this);
    vertx.cancelTimer(stallTimer);
    held = null;
    gone.run();
  }
}
