package org.checkpointgateway.auth;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The JWT settings of the gateway: where the verification keys live and which {@code iss} and
 * {@code aud} a token must carry. Immutable; the key files are read and checked by
 * {@link TokenVerifier#create}, which names the option and the file when one is bad.
 *
 * @param secretFile a file whose text, surrounding whitespace trimmed, is the HS256 key
 * @param publicKeyFiles PEM public keys ({@code -----BEGIN PUBLIC KEY-----}), each RS256 or ES256
 *     as the key itself tells; a token verifies if any of them (or any other key) matches
 * @param jwksFile a JSON Web Key Set file, {@code {"keys":[...]}}
 * @param issuer the {@code iss} every token must carry, when present
 * @param audience a value the token's {@code aud} must contain, when present
 */
public record JwtOptions(
    Optional<Path> secretFile,
    List<Path> publicKeyFiles,
    Optional<Path> jwksFile,
    Optional<String> issuer,
    Optional<String> audience) {

  /** The command-line option that names {@link #secretFile()}; used in error messages. */
  public static final String SECRET_FILE_OPTION = "--jwt-secret-file";
  /** The command-line option that names one of {@link #publicKeyFiles()}. */
  public static final String PUBLIC_KEY_OPTION = "--jwt-public-key";
  /** The command-line option that names {@link #jwksFile()}. */
  public static final String JWKS_FILE_OPTION = "--jwt-jwks-file";
  /** The command-line option of {@link TokenRules#allowNoExpiry()}. */
  public static final String ALLOW_NO_EXP_OPTION = "--jwt-allow-no-exp";
  /** The command-line option of {@link TokenRules#maxLifetime()}. */
  public static final String MAX_LIFETIME_OPTION = "--jwt-max-lifetime";

  /** No keys, no issuer, no audience. */
  public static final JwtOptions NONE =
      new JwtOptions(Optional.empty(), List.of(), Optional.empty(), Optional.empty(),
          Optional.empty());

  public JwtOptions {
    Objects.requireNonNull(secretFile, "secretFile");
    publicKeyFiles = List.copyOf(publicKeyFiles);
    Objects.requireNonNull(jwksFile, "jwksFile");
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(audience, "audience");
  }

  /** Whether any key is configured; without one the gateway makes an ephemeral HS256 secret. */
  public boolean hasKeys() {
    return secretFile.isPresent() || !publicKeyFiles.isEmpty() || jwksFile.isPresent();
  }
}
