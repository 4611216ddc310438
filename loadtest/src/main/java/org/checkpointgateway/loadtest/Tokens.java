package org.checkpointgateway.loadtest;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.checkpointgateway.auth.TokenIssuer;

/**
 * The harness mints its own tokens: an HS256 secret, an RS256 and an ES256 key pair made at run
 * time (never stored beyond the run's work directory), and one token per algorithm allowed every
 * checkpoint ({@code checkpoint:*}).
 */
final class Tokens {

  static final List<String> PERMISSIONS = List.of("checkpoint:*");
  private static final Duration TTL = Duration.ofHours(6);

  private final Vertx vertx;
  private final String secret;
  private final Path secretFile;
  private final List<Path> publicKeys = new ArrayList<>();
  private final Map<String, String> byAlgorithm = new LinkedHashMap<>();

  Tokens(Vertx vertx, Path dir) throws IOException, GeneralSecurityException {
    this.vertx = vertx;
    this.secret = TokenIssuer.randomSecret();
    secretFile = write(dir.resolve("hs256.secret"), secret);
    byAlgorithm.put("HS256", TokenIssuer.hs256(vertx, secret)
        .issue("loadtest", PERMISSIONS, TTL, Optional.empty(), Optional.empty()));
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    signWith(vertx, dir, "RS256", rsa.generateKeyPair());
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp256r1"));
    signWith(vertx, dir, "ES256", ec.generateKeyPair());
  }

  private void signWith(Vertx vertx, Path dir, String algorithm, KeyPair pair) throws IOException {
    publicKeys.add(write(dir.resolve(algorithm.toLowerCase() + ".pub.pem"),
        pem("PUBLIC KEY", pair.getPublic().getEncoded())));
    JWTAuth auth = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
        .setAlgorithm(algorithm).setBuffer(pem("PRIVATE KEY", pair.getPrivate().getEncoded()))));
    JsonObject claims = new JsonObject().put("permissions", new JsonArray(PERMISSIONS));
    byAlgorithm.put(algorithm, auth.generateToken(claims, new JWTOptions().setAlgorithm(algorithm)
        .setSubject("loadtest").setExpiresInSeconds((int) TTL.toSeconds())));
  }

  String token(String algorithm) {
    return byAlgorithm.get(algorithm);
  }

  /** An HS256 token with other permissions (the soak also downloads and deletes archives). */
  String hs256(List<String> permissions) {
    return TokenIssuer.hs256(vertx, secret).issue("loadtest", permissions, TTL, Optional.empty(),
        Optional.empty());
  }

  /** The gateway flags that make it accept all three. */
  List<String> gatewayFlags() {
    List<String> flags = new ArrayList<>(List.of("--jwt-secret-file", secretFile.toString()));
    for (Path key : publicKeys) {
      flags.add("--jwt-public-key");
      flags.add(key.toString());
    }
    return flags;
  }

  private static Path write(Path file, String text) throws IOException {
    return Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  private static String pem(String kind, byte[] der) {
    return "-----BEGIN " + kind + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + kind + "-----\n";
  }
}
