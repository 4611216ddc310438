package org.checkpointgateway.cri;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.TimeUnit;

/**
 * Gives every request the host {@code localhost}. Over a unix socket the Vert.x client derives no
 * {@code :authority}, and servers built on recent grpc-go (containerd, CRI-O) reject requests
 * without one; grpc-go's own clients and the kubelet send {@code localhost} for unix targets.
 */
final class LocalhostAuthorityHttpClient implements HttpClient {
  /** The host of a request over a unix socket, as grpc-go and the kubelet send it. */
  static final String HOST = "localhost";

  private final HttpClient delegate;

  public LocalhostAuthorityHttpClient(HttpClient delegate) {
    this.delegate = delegate;
  }

  @Override
  public Future<HttpClientRequest> request(RequestOptions options) {
    return delegate.request(options.getHost() != null ? options
        : new RequestOptions(options).setHost(HOST));
  }

  @Override
  public Future<Void> shutdown(long timeout, TimeUnit unit) {
    return delegate.shutdown(timeout, unit);
  }
}
