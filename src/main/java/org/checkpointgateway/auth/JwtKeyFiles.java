package org.checkpointgateway.auth;

import static org.checkpointgateway.auth.JwtOptions.JWKS_FILE_OPTION;
import static org.checkpointgateway.auth.JwtOptions.PUBLIC_KEY_OPTION;
import static org.checkpointgateway.auth.JwtOptions.SECRET_FILE_OPTION;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.impl.jose.JWK;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the key files named in {@link JwtOptions} with the async file system and turns them into
 * vertx-auth key options. Every failure is an IllegalArgumentException that names the option and
 * the file, since it stops start-up and the operator must know which file to fix.
 */
final class JwtKeyFiles {

  /** The keys read from the files: PEM-style keys (HMAC secret, public keys) and JWKs. */
  record Keys(List<PubSecKeyOptions> pubSecKeys, List<JsonObject> jwks) {}

  private JwtKeyFiles() {}

  static Future<Keys> read(Vertx vertx, JwtOptions options) {
    List<Future<PubSecKeyOptions>> pubSec = new ArrayList<>();
    options.secretFile().ifPresent(file ->
        pubSec.add(text(vertx, SECRET_FILE_OPTION, file).map(text -> secret(file, text))));
    for (Path file : options.publicKeyFiles()) {
      pubSec.add(text(vertx, PUBLIC_KEY_OPTION, file).map(text -> publicKey(file, text)));
    }
    Future<List<JsonObject>> jwks = options.jwksFile()
        .map(file -> text(vertx, JWKS_FILE_OPTION, file).map(text -> jwks(file, text)))
        .orElse(Future.succeededFuture(List.of()));

    List<Future<?>> all = new ArrayList<>(pubSec);
    all.add(jwks);
    // Values are collected only after all reads succeed, so no callback mutates shared state.
    return Future.all(all).map(done ->
        new Keys(pubSec.stream().map(Future::result).toList(), jwks.result()));
  }

  static PubSecKeyOptions hs256(String secret) {
    return new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret);
  }

  private static Future<String> text(Vertx vertx, String option, Path file) {
    return vertx.fileSystem().readFile(file.toString())
        .recover(e -> Future.failedFuture(bad(option, file, "cannot read (" + rootCause(e) + ")")))
        .map(buffer -> buffer.toString(StandardCharsets.UTF_8));
  }

  private static PubSecKeyOptions secret(Path file, String text) {
    String secret = text.strip();
    if (secret.isEmpty()) {
      throw bad(SECRET_FILE_OPTION, file, "the secret is empty");
    }
    TokenIssuer.weakSecret(secret).ifPresent(problem -> {
      throw bad(SECRET_FILE_OPTION, file, problem);
    });
    return hs256(secret);
  }

  private static PubSecKeyOptions publicKey(Path file, String text) {
    try {
      PemPublicKey key = PemPublicKey.parse(text);
      return new PubSecKeyOptions().setAlgorithm(key.algorithm()).setBuffer(key.pem());
    } catch (IllegalArgumentException e) {
      throw bad(PUBLIC_KEY_OPTION, file, e.getMessage());
    }
  }

  private static List<JsonObject> jwks(Path file, String text) {
    JsonArray keys;
    try {
      keys = new JsonObject(text).getJsonArray("keys");
    } catch (DecodeException | ClassCastException e) {
      throw bad(JWKS_FILE_OPTION, file, "not a JSON Web Key Set {\"keys\":[...]}");
    }
    if (keys == null || keys.isEmpty()) {
      throw bad(JWKS_FILE_OPTION, file, "no \"keys\"");
    }
    List<JsonObject> result = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      if (!(keys.getValue(i) instanceof JsonObject jwk)) {
        throw bad(JWKS_FILE_OPTION, file, "key " + i + " is not a JSON object");
      }
      String problem = jwkProblem(jwk);
      if (problem != null) {
        throw bad(JWKS_FILE_OPTION, file, "key " + i + ": " + problem);
      }
      result.add(jwk);
    }
    return result;
  }

  // JWTAuth only logs a warning and skips a JWK it cannot use, so a typo would leave the gateway
  // quietly unable to verify. Parse each key with the very class JWTAuth uses (an internal one,
  // on purpose: no public API reports this) and refuse keys that would verify nothing.
  private static String jwkProblem(JsonObject json) {
    // A key set is made to be published; an HMAC secret in one is a secret given away, and any
    // holder of it could sign tokens. HS256 keys belong in --jwt-secret-file.
    if ("oct".equals(json.getValue("kty"))) {
      return "a symmetric (\"kty\": \"oct\") key: a key set must hold public keys only (an HS256"
          + " secret goes in " + SECRET_FILE_OPTION + ")";
    }
    JWK jwk;
    try {
      jwk = new JWK(json);
    } catch (RuntimeException e) {
      return "unusable JWK (" + rootCause(e) + ")";
    }
    if (jwk.use() != null && !"sig".equals(jwk.use())) {
      return "\"use\" is \"" + jwk.use() + "\", not \"sig\"";
    }
    if (jwk.publicKey() == null) {
      return "no public key material";
    }
    return null;
  }

  private static IllegalArgumentException bad(String option, Path file, String why) {
    return new IllegalArgumentException(option + " " + file + ": " + why);
  }

  private static String rootCause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName()
        : root.getClass().getSimpleName() + ": " + root.getMessage();
  }
}
