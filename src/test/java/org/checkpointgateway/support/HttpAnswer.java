package org.checkpointgateway.support;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpVersion;

/** A whole HTTP response, read off the socket. */
public record HttpAnswer(int status, MultiMap headers, String body, HttpVersion version) {

  /** Reads a whole response; call it in the callback that received the response. */
  public static io.vertx.core.Future<HttpAnswer> read(io.vertx.core.http.HttpClientResponse response) {
    return response.body().map(body -> new HttpAnswer(response.statusCode(), response.headers(),
        body.toString(), response.version()));
  }

  public String header(String name) {
    return headers.get(name);
  }
}
