package org.checkpointgateway.loadtest;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * HTTP/1.1 keep-alive callers of the gateway (or the bare server), as curl, the kubelet's
 * clients and most automation are: one connection per request in flight.
 */
final class HttpTarget {

  private final HttpClient client;
  private final int port;

  HttpTarget(Vertx vertx, int port, int connections) {
    this.port = port;
    this.client = vertx.createHttpClient(new HttpClientOptions()
            .setDefaultHost("127.0.0.1").setDefaultPort(port)
            .setKeepAlive(true).setTcpNoDelay(true)
            .setIdleTimeout(0),
        new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
  }

  /** POST {@code uri}; the answer must be 200 and its body contain {@code expected}. */
  Call plain(String uri, String token, String expected) {
    RequestOptions options = request(uri, token);
    // Each answer is read in the callback that received it (see get).
    return () -> client.request(options)
        .compose(request -> request.send().compose(response -> response.body().compose(body -> {
          if (response.statusCode() != 200) {
            return Future.failedFuture(new Call.Failure("HTTP " + response.statusCode() + reason(body.toString())));
          }
          if (!body.toString().contains(expected)) {
            return Future.failedFuture(new Call.Failure("HTTP 200 without " + expected));
          }
          return Future.succeededFuture();
        })));
  }

  /** Something told as an event stream goes by. */
  interface StreamWatcher {
    void started(long nanoTime);
  }

  /**
   * POST {@code uri} with {@code Accept: text/event-stream}: the answer must be 200 and the
   * stream must end with a {@code completed} event; {@code watcher} hears when {@code started}
   * went by.
   */
  Call events(String uri, String token, StreamWatcher watcher) {
    RequestOptions options = request(uri, token).putHeader("Accept", "text/event-stream");
    return () -> client.request(options)
        .compose(request -> request.send().compose(response -> {
          if (response.statusCode() != 200) {
            return response.body().compose(b ->
                Future.failedFuture(new Call.Failure("HTTP " + response.statusCode() + reason(b.toString()))));
          }
          Promise<Void> result = Promise.promise();
          StringBuilder tail = new StringBuilder();
          boolean[] seen = {false, false}; // started, completed
          response.handler(chunk -> scan(chunk, tail, seen, watcher));
          response.exceptionHandler(result::tryFail);
          response.endHandler(v -> {
            if (seen[1]) {
              result.tryComplete();
            } else {
              int failed = tail.indexOf("event: failed");
              result.tryFail(new Call.Failure("event stream ended without completed"
                  + (failed >= 0 ? " (failed event" + reason(tail.substring(failed)) + ")" : "")));
            }
          });
          return result.future();
        }));
  }

  private static final java.util.regex.Pattern RPC_ERROR =
      java.util.regex.Pattern.compile("code = (\\w+) desc = ([^(\"]{0,60})");

  /** The gRPC code and the start of its text, so that errors group by kind, not by container. */
  static String reason(String body) {
    java.util.regex.Matcher m = RPC_ERROR.matcher(body);
    if (m.find()) {
      return ": " + m.group(1) + " " + m.group(2).trim();
    }
    String text = body.strip();
    return text.isEmpty() ? "" : ": " + (text.length() > 60 ? text.substring(0, 60) : text);
  }

  private static void scan(Buffer chunk, StringBuilder tail, boolean[] seen, StreamWatcher watcher) {
    tail.append(chunk.toString());
    if (!seen[0] && tail.indexOf("event: started") >= 0) {
      seen[0] = true;
      watcher.started(System.nanoTime());
    }
    if (tail.indexOf("event: completed") >= 0) {
      seen[1] = true;
    }
    if (tail.indexOf("event: failed") >= 0) {
      return; // keep it for the failure's description
    }
    // Only the last partial line can still matter.
    int cut = tail.lastIndexOf("\n");
    if (cut > 0 && !seen[1]) {
      tail.delete(0, cut);
    }
  }

  /**
   * GET {@code uri}: the body of a 200 answer. The body is asked for in the callback that
   * received the response: from a listener added later, on another thread, Vert.x 5.0.7's client
   * can miss an end it has already handled, and the call never completes.
   */
  Future<String> get(String uri) {
    return client.request(new RequestOptions().setMethod(HttpMethod.GET).setPort(port).setURI(uri))
        .compose(request -> request.send().compose(response -> response.body().map(body -> {
          if (response.statusCode() != 200) {
            throw new Call.Failure("GET " + uri + ": HTTP " + response.statusCode());
          }
          return body.toString();
        })));
  }

  Future<Void> close() {
    return client.close();
  }

  private RequestOptions request(String uri, String token) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (token != null) {
      headers.add("Authorization", "Bearer " + token);
    }
    return new RequestOptions().setMethod(HttpMethod.POST).setPort(port).setURI(uri).setHeaders(headers);
  }
}
