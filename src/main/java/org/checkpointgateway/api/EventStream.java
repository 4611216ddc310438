package org.checkpointgateway.api;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import org.checkpointgateway.checkpoint.CheckpointEvent;

/**
 * A streamed answer of checkpoint events: Server-Sent Events or newline-delimited JSON, chosen by
 * the request's {@code Accept}. Comments (SSE) or empty lines (NDJSON) go out while nothing
 * happens, so that idle proxies keep the connection.
 */
final class EventStream {

  static final String SSE = "text/event-stream";
  static final String NDJSON = "application/x-ndjson";
  private final Vertx vertx;
  private final HttpServerResponse response;
  private final boolean sse;
  private final long heartbeat;
  private long sequence;

  private EventStream(Vertx vertx, HttpServerResponse response, boolean sse, Duration heartbeat) {
    this.vertx = vertx;
    this.response = response;
    this.sse = sse;
    this.heartbeat = vertx.setPeriodic(heartbeat.toMillis(),
        id -> write(sse ? ": heartbeat\n\n" : "\n"));
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

  /** Answers 200 now and returns the stream to send events on. */
  static EventStream open(RoutingContext ctx, String format, Duration heartbeat) {
    HttpServerResponse response = ctx.response()
        .setStatusCode(200)
        .putHeader("Content-Type", format.equals(SSE) ? SSE + "; charset=utf-8" : NDJSON)
        .putHeader("Cache-Control", "no-cache")
        // nginx buffers responses unless told otherwise; events must arrive when they happen.
        .putHeader("X-Accel-Buffering", "no")
        .setChunked(true);
    EventStream stream = new EventStream(ctx.vertx(), response, format.equals(SSE), heartbeat);
    response.writeHead();
    return stream;
  }

  void send(CheckpointEvent event) {
    String json = EventJson.encode(event).encode();
    write(sse ? "id: " + (++sequence) + "\nevent: " + EventJson.name(event) + "\ndata: " + json + "\n\n"
        : json + "\n");
  }

  void end() {
    vertx.cancelTimer(heartbeat);
    if (!response.ended() && !response.closed()) {
      response.end();
    }
  }

  private void write(String text) {
    if (!response.ended() && !response.closed()) {
      response.write(Buffer.buffer(text));
    }
  }
}
