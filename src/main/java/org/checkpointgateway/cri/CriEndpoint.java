package org.checkpointgateway.cri;

import io.vertx.core.net.SocketAddress;
import java.nio.file.Path;

/** Where the runtime listens: only unix domain sockets, as the kubelet's runtimes do. */
public record CriEndpoint(Path socketPath) {

  private static final String SCHEME = "unix://";

  /**
   * Parses {@code unix:///run/containerd/containerd.sock} (or a bare absolute path).
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static CriEndpoint parse(String value) {
    String path = value.startsWith(SCHEME) ? value.substring(SCHEME.length()) : value;
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException(
          "must be unix:///ABSOLUTE/PATH (only unix domain sockets are supported), got " + value);
    }
    return new CriEndpoint(Path.of(path));
  }

  public SocketAddress socketAddress() {
    return SocketAddress.domainSocketAddress(socketPath.toString());
  }

  @Override
  public String toString() {
    return SCHEME + socketPath;
  }
}
