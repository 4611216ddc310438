package org.checkpointgateway.auth;

import org.checkpointgateway.support.StrictVertx;

import org.checkpointgateway.support.TestKeys;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A bad key file stops start-up with a message naming the option and the file. */
@ExtendWith(VertxExtension.class)
class JwtKeyFilesTest {

  @TempDir Path dir;

  private Vertx vertx;

  @BeforeEach
  void setUp() {
    vertx = StrictVertx.create();
  }

  @AfterEach
  void tearDown(VertxTestContext test) {
    vertx.close().onComplete(test.succeeding(v -> test.verify(() -> {
      StrictVertx.assertNeverBlocked(vertx);
      test.completeNow();
    })));
  }

  @Test
  void missingSecretFile(VertxTestContext test) {
    Path file = dir.resolve("absent");
    expectRefused(test, secret(file), "--jwt-secret-file " + file + ": cannot read");
  }

  @Test
  void emptySecret(VertxTestContext test) throws Exception {
    Path file = Files.writeString(dir.resolve("secret"), " \n\t\n");
    expectRefused(test, secret(file), "--jwt-secret-file " + file + ": the secret is empty");
  }

  @Test
  void publicKeyFileThatIsNotPem(VertxTestContext test) throws Exception {
    Path file = Files.writeString(dir.resolve("key.pem"), "ssh-rsa AAAAB3NzaC1yc2E user@host\n");
    expectRefused(test, publicKeys(file), "--jwt-public-key " + file + ": not a PEM public key");
  }

  @Test
  void publicKeyFileHoldingAPrivateKey(VertxTestContext test) throws Exception {
    Path file = Files.writeString(dir.resolve("key.pem"), TestKeys.privatePem(TestKeys.rsa()));
    expectRefused(test, publicKeys(file), "--jwt-public-key " + file + ": not a PEM public key");
  }

  @Test
  void publicKeyPemWithGarbageInside(VertxTestContext test) throws Exception {
    Path file = Files.writeString(dir.resolve("key.pem"),
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
    expectRefused(test, publicKeys(file), "--jwt-public-key " + file + ": not a PEM public key");
  }

  @Test
  void ecKeyOffP256(VertxTestContext test) throws Exception {
    Path file = Files.writeString(dir.resolve("p384.pem"),
        TestKeys.publicPem(TestKeys.ec("secp384r1")));
    expectRefused(test, publicKeys(file), "--jwt-public-key " + file + ": EC key on a 384-bit");
  }

  @Test
  void secondPublicKeyMissing(VertxTestContext test) throws Exception {
    Path good = Files.writeString(dir.resolve("good.pem"), TestKeys.publicPem(TestKeys.rsa()));
    Path absent = dir.resolve("absent.pem");
    expectRefused(test, publicKeys(good, absent), "--jwt-public-key " + absent + ": cannot read");
  }

  @Test
  void jwksThatIsNotJson(VertxTestContext test) throws Exception {
    Path file = Files.writeString(dir.resolve("jwks.json"), "keys: []");
    expectRefused(test, jwks(file), JwtOptions.JWKS_FILE_OPTION + " " + file + ": not a JSON Web Key Set");
  }

  @Test
  void jwksWithoutKeys(VertxTestContext test) throws Exception {
    Path file = Files.writeString(dir.resolve("jwks.json"), "{\"keys\":[]}");
    expectRefused(test, jwks(file), JwtOptions.JWKS_FILE_OPTION + " " + file + ": no \"keys\"");
  }

  @Test
  void jwksWithUnknownKeyType(VertxTestContext test) throws Exception {
    Path file = jwksFile(new JsonObject().put("kty", "XYZ").put("n", "AQAB"));
    expectRefused(test, jwks(file), JwtOptions.JWKS_FILE_OPTION + " " + file + ": key 0: unusable JWK");
  }

  @Test
  void jwksWithoutPublicKeyMaterial(VertxTestContext test) throws Exception {
    Path file = jwksFile(new JsonObject().put("kty", "RSA").put("alg", "RS256"));
    expectRefused(test, jwks(file), JwtOptions.JWKS_FILE_OPTION + " " + file + ": key 0: no public key material");
  }

  @Test
  void jwksWithEncryptionKey(VertxTestContext test) throws Exception {
    Path file = jwksFile(TestKeys.publicJwk(TestKeys.rsa(), "k").put("use", "enc"));
    expectRefused(test, jwks(file), JwtOptions.JWKS_FILE_OPTION + " " + file + ": key 0: \"use\" is \"enc\"");
  }

  @Test
  void jwksWithASymmetricKey(VertxTestContext test) throws Exception {
    // An HMAC secret in a key set, which is made to be published: refused even beside good keys.
    Path file = Files.writeString(dir.resolve("jwks.json"), new JsonObject().put("keys",
        new JsonArray().add(TestKeys.publicJwk(TestKeys.rsa(), "rsa"))
            .add(new JsonObject().put("kty", "oct").put("alg", "HS256").put("kid", "hmac")
                .put("k", "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"))).encode());
    expectRefused(test, jwks(file), JwtOptions.JWKS_FILE_OPTION + " " + file
        + ": key 1: a symmetric (\"kty\": \"oct\") key: a key set must hold public keys only");
  }

  @Test
  void noKeyAtAll(VertxTestContext test) {
    expectRefused(test, JwtOptions.NONE, "no JWT key configured");
  }

  private Path jwksFile(JsonObject key) throws Exception {
    return Files.writeString(dir.resolve("jwks.json"),
        new JsonObject().put("keys", new JsonArray().add(key)).encode());
  }

  private static JwtOptions secret(Path file) {
    return new JwtOptions(Optional.of(file), List.of(), Optional.empty(), Optional.empty(),
        Optional.empty());
  }

  private static JwtOptions publicKeys(Path... files) {
    return new JwtOptions(Optional.empty(), List.of(files), Optional.empty(), Optional.empty(),
        Optional.empty());
  }

  private static JwtOptions jwks(Path file) {
    return new JwtOptions(Optional.empty(), List.of(), Optional.of(file), Optional.empty(),
        Optional.empty());
  }

  private void expectRefused(VertxTestContext test, JwtOptions options, String message) {
    Future<TokenVerifier> created = TokenVerifier.create(vertx, options);
    created.onComplete(test.failing(e -> test.verify(() -> {
      assertThat(e).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message);
      test.completeNow();
    })));
  }
}
