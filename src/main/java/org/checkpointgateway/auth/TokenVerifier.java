package org.checkpointgateway.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Optional;
import org.checkpointgateway.outcome.UnauthenticatedException;

/**
 * Turns the value of an {@code Authorization: Bearer <jwt>} header into a {@link Caller}.
 *
 * <p>A token is accepted when it is a canonical compact JWS (three base64url parts, nothing
 * after the signature), is signed by one of the configured keys (HS256 secret, RS256 or ES256
 * public keys, JWKS public keys), is within its {@code nbf}..{@code exp} window (with a small
 * clock leeway), carries the configured {@code iss} and {@code aud}, and keeps the
 * {@link TokenRules}: an {@code exp} unless tokens without one are allowed, and a lifetime within
 * the maximum when one is set. Unsigned tokens ({@code alg: none}) are always refused.
 */
public interface TokenVerifier {

  /**
   * Reads the key files of {@code options} asynchronously and builds a verifier. Fails with an
   * IllegalArgumentException naming the option and the file when a file is missing, unreadable or
   * not a valid key, and when {@code options} has no key at all (see {@link #forSecret}).
   */
  static Future<TokenVerifier> create(Vertx vertx, JwtOptions options) {
    return create(vertx, options, TokenRules.DEFAULT);
  }

  /** As {@link #create(Vertx, JwtOptions)}, with {@code rules} instead of the default ones. */
  static Future<TokenVerifier> create(Vertx vertx, JwtOptions options, TokenRules rules) {
    if (!options.hasKeys()) {
      return Future.failedFuture(new IllegalArgumentException("no JWT key configured ("
          + JwtOptions.SECRET_FILE_OPTION + ", " + JwtOptions.PUBLIC_KEY_OPTION + " or "
          + JwtOptions.JWKS_FILE_OPTION + ")"));
    }
    return JwtKeyFiles.read(vertx, options)
        .map(keys -> new VertxJwtTokenVerifier(vertx, keys, options.issuer(), options.audience(),
            rules));
  }

  /**
   * A verifier for tokens signed with an HS256 {@code secret} held in memory, such as the
   * ephemeral one the gateway makes with {@link TokenIssuer#randomSecret()} when no key is
   * configured.
   */
  static TokenVerifier forSecret(Vertx vertx, String secret, Optional<String> issuer,
      Optional<String> audience) {
    return forSecret(vertx, secret, issuer, audience, TokenRules.DEFAULT);
  }

  /** As {@link #forSecret(Vertx, String, Optional, Optional)}, with {@code rules}. */
  static TokenVerifier forSecret(Vertx vertx, String secret, Optional<String> issuer,
      Optional<String> audience, TokenRules rules) {
    if (secret.isBlank()) {
      throw new IllegalArgumentException("empty HS256 secret");
    }
    JwtKeyFiles.Keys keys =
        new JwtKeyFiles.Keys(List.of(JwtKeyFiles.hs256(secret)), List.of());
    return new VertxJwtTokenVerifier(vertx, keys, issuer, audience, rules);
  }

  /**
   * Refuses every token: no JWT key is configured, and callers prove who they are with client
   * certificates, which an authorization file grants permissions to.
   */
  TokenVerifier NONE = header -> Future.failedFuture(new UnauthenticatedException(
      "bearer tokens are not accepted: no JWT key is configured (" + JwtOptions.SECRET_FILE_OPTION
          + ", " + JwtOptions.PUBLIC_KEY_OPTION + " or " + JwtOptions.JWKS_FILE_OPTION + ")"));

  /**
   * Verifies the value of an Authorization header ({@code null} when the header is absent).
   * Fails with {@link UnauthenticatedException}, whose detail says why for the log, when the
   * header is missing or not {@code Bearer <token>} (scheme case-insensitive), or the token is
   * malformed (trailing characters included), wrongly signed, unsigned, expired, not yet valid,
   * has the wrong issuer or audience, or breaks the {@link TokenRules}.
   */
  Future<Caller> verify(String authorizationHeaderValue);
}
