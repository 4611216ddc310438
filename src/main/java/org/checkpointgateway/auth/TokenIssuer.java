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

  /** RFC 7518, 3.2: an HS256 key must be at least as long as the hash, 256 bits. */
  public static final int MIN_SECRET_BYTES = 32;
  private static final int RANDOM_SECRET_BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final JWTAuth auth;

  private TokenIssuer(JWTAuth auth) {
    this.auth = auth;
  }

  /** An issuer signing with the HS256 {@code secret} (at least {@link #MIN_SECRET_BYTES}). */
  public static TokenIssuer hs256(Vertx vertx, String secret) {
    weakSecret(secret).ifPresent(problem -> {
      throw new IllegalArgumentException(problem);
    });
    return new TokenIssuer(JWTAuth.create(vertx,
        new JWTAuthOptions().addPubSecKey(JwtKeyFiles.hs256(secret))));
  }

  /**
   * Why {@code secret} may not be an HS256 key: shorter than {@link #MIN_SECRET_BYTES} bytes
   * (UTF-8), which RFC 7518 forbids and a guesser could find; empty when it may.
   */
  public static Optional<String> weakSecret(String secret) {
    int bytes = secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    return bytes >= MIN_SECRET_BYTES ? Optional.empty() : Optional.of("the HS256 secret is "
        + bytes + " bytes; it must have at least " + MIN_SECRET_BYTES
        + " (RFC 7518); make one with: head -c 32 /dev/urandom | base64 > hs256.key");
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
