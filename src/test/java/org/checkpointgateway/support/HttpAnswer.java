package org.checkpointgateway.support;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpVersion;

/** A whole HTTP response, read off the socket. */
public record HttpAnswer(int status, MultiMap headers, String body, HttpVersion version) {

  public String header(String name) {
    return headers.get(name);
  }
}
