package org.checkpointgateway.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.checkpointgateway.config.GatewayOptions.StreamLimits;

/**
 * The settings the HTTP layer reads, and only those: plain values the gateway takes from its
 * options once.
 *
 * @param host the address to listen on
 * @param port the port to listen on (0: any free one)
 * @param tls the server's certificate files; empty: plain HTTP
 * @param checkpointRoutes the {@code ContainerCheckpoint} feature gate: whether the checkpoint
 *     and job routes are mounted
 * @param metricsOpen whether {@code /metrics} is served without authentication
 * @param defaultTimeout a checkpoint's timeout when the caller names none
 * @param heartbeat how often an idle event stream writes a heartbeat
 * @param streams what one event stream may hold back for a slow reader
 * @param maxHeaderSize the longest request head, refused beyond it
 */
public record HttpSettings(String host, int port, Optional<Tls> tls, boolean checkpointRoutes,
    boolean metricsOpen, Duration defaultTimeout, Duration heartbeat, StreamLimits streams,
    int maxHeaderSize) {

  /**
   * @param cert the server's certificate (PEM)
   * @param key its private key (PEM)
   * @param clientCa the CA bundle client certificates are verified against; asked for when set
   */
  public record Tls(Path cert, Path key, Optional<Path> clientCa) {
  }
}
