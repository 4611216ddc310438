package org.checkpointgateway.auth;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Signs HS256 tokens that a {@link TokenVerifier} with the same secret accepts: for the
 * {@code token} command, the load-test harness, tests, and the ephemeral key of a gateway run
 * without configured keys. The secret's UTF-8 bytes are the HMAC key, exactly as a
 * {@code --jwt-secret-file} holding the same text.
 */
public final class TokenIssuer {

  private static final int RANDOM_SECRET_BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final JWTAuth auth;

  private TokenIssuer(JWTAuth auth) {
    this.auth = auth;
  }

  /** An issuer signing with the HS256 {@code secret} (not blank). */
  public static TokenIssuer hs256(Vertx vertx, String secret) {
    if (secret.isBlank()) {
      throw new IllegalArgumentException("empty HS256 secret");
    }
    return new TokenIssuer(JWTAuth.create(vertx,
        new JWTAuthOptions().addPubSecKey(JwtKeyFiles.hs256(secret))));
  }

  /**
   * A fresh secret: 32 bytes from SecureRandom (256 bits, the HS256 key size RFC 7518 asks for),
   * base64url-encoded without padding so it can sit in a file or on a command line.
   */
  public static String randomSecret() {
    byte[] bytes = new byte[RANDOM_SECRET_BYTES];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * A signed token with {@code sub}, {@code permissions}, {@code iat}, {@code exp} = now +
   * {@code ttl} (whole seconds, at least one), and {@code iss}/{@code aud} when given.
   */
  public String issue(String subject, List<String> permissions, Duration ttl,
      Optional<String> issuer, Optional<String> audience) {
    long seconds = ttl.toSeconds();
    if (seconds < 1 || seconds > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("token lifetime out of range: " + ttl);
    }
    JWTOptions options = new JWTOptions()
        .setAlgorithm("HS256")
        .setSubject(subject)
        .setExpiresInSeconds((int) seconds);
    issuer.ifPresent(options::setIssuer);
    audience.ifPresent(options::addAudience);
    JsonObject claims =
        new JsonObject().put("permissions", new JsonArray(List.copyOf(permissions)));
    return auth.generateToken(claims, options);
  }
}
