package org.checkpointgateway.sim;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Makes a unix socket path free to listen on. epoll binds over an existing path without a word
 * and takes it from whoever serves there, so a live server must be detected on purpose; a socket
 * file left by a dead process is removed.
 */
final class SocketPathGuard {

  private static final int S_IFMT = 0170000;
  private static final int S_IFSOCK = 0140000;
  private static final int PROBE_TIMEOUT_MILLIS = 1000;

  private enum Kind { ABSENT, SOCKET, OTHER }

  private SocketPathGuard() {
  }

  static Future<Void> claim(Vertx vertx, Path path) {
    return vertx.executeBlocking(() -> kind(path), false).compose(kind -> switch (kind) {
      case ABSENT -> Future.succeededFuture();
      case OTHER -> Future.failedFuture(new IllegalStateException(
          "cannot serve on " + path + ": it exists and is not a socket"));
      case SOCKET -> probe(vertx, path);
    });
  }

  private static Future<Void> probe(Vertx vertx, Path path) {
    NetClient client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(PROBE_TIMEOUT_MILLIS));
    return client.connect(SocketAddress.domainSocketAddress(path.toString()))
        .transform(connected -> {
          client.close();
          if (connected.succeeded()) {
            connected.result().close();
            return Future.failedFuture(new IllegalStateException(
                "cannot serve on " + path + ": another server is answering there"));
          }
          if (connected.cause() instanceof ConnectTimeoutException) {
            return Future.failedFuture(new IllegalStateException(
                "cannot serve on " + path + ": a socket is there and did not answer within "
                    + PROBE_TIMEOUT_MILLIS + " ms; remove it if nobody uses it"));
          }
          // Refused: the process that made this socket is gone.
          return vertx.executeBlocking(() -> Files.deleteIfExists(path), false).mapEmpty();
        });
  }

  private static Kind kind(Path path) throws java.io.IOException {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return Kind.ABSENT;
    }
    int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    return (mode & S_IFMT) == S_IFSOCK ? Kind.SOCKET : Kind.OTHER;
  }
}
