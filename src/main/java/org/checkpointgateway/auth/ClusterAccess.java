package org.checkpointgateway.auth;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a cluster reaches the gateway as it reaches a kubelet: client certificates verified against
 * a CA bundle, and an authorization file granting permissions to Kubernetes users and groups.
 *
 * @param clientCa PEM bundle of the CAs whose client certificates authenticate a caller
 *     ({@code --tls-client-ca}, needs {@code --tls-cert}); none: no certificate is asked for
 * @param authorizationFile YAML rules granting permissions to users and groups
 *     ({@code --authorization-file}, see {@link AuthorizationRules}); none: no rules
 * @param reloadInterval how often the certificate, key, client CA, JWT key and authorization
 *     files are checked for a change ({@code --auth-reload-interval})
 */
public record ClusterAccess(Optional<Path> clientCa, Optional<Path> authorizationFile,
    Duration reloadInterval) {

  /** Rotated certificates and edited rules apply within seconds, for one stat per file. */
  public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(10);

  public static final ClusterAccess DEFAULT =
      new ClusterAccess(Optional.empty(), Optional.empty(), DEFAULT_RELOAD_INTERVAL);

  public ClusterAccess {
    Objects.requireNonNull(clientCa, "clientCa");
    Objects.requireNonNull(authorizationFile, "authorizationFile");
    Objects.requireNonNull(reloadInterval, "reloadInterval");
  }
}
