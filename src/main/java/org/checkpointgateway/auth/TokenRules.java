package org.checkpointgateway.auth;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a correctly signed token must also satisfy.
 *
 * @param allowNoExpiry accept tokens without {@code exp} ({@code --jwt-allow-no-exp}): old
 *     secret-based Kubernetes service-account tokens have none. Off: such a token would be valid
 *     for ever.
 * @param maxLifetime when present ({@code --jwt-max-lifetime}), a token with {@code exp} must
 *     carry {@code iat} and {@code exp - iat} must not exceed it. Off by default: the API server
 *     may extend service-account tokens to a year.
 */
public record TokenRules(boolean allowNoExpiry, Optional<Duration> maxLifetime) {

  /** Refuse tokens without {@code exp}; no lifetime limit. */
  public static final TokenRules DEFAULT = new TokenRules(false, Optional.empty());

  public TokenRules {
    Objects.requireNonNull(maxLifetime, "maxLifetime");
    maxLifetime.ifPresent(max -> {
      if (max.toSeconds() < 1) {
        throw new IllegalArgumentException("maximum token lifetime under a second: " + max);
      }
    });
  }
}
