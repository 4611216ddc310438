package org.checkpointgateway.auth;

import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.StrictVertx;

import org.checkpointgateway.support.TestKeys;
import org.checkpointgateway.support.TestKeys.Signer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.checkpointgateway.support.TestKeys.b64url;
import static org.checkpointgateway.support.TestKeys.claims;
import static org.checkpointgateway.support.TestKeys.now;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.strings;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.checkpointgateway.outcome.UnauthenticatedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;

@ExtendWith(VertxExtension.class)
class TokenVerifierTest {

  private static final KeyPair RSA = TestKeys.rsa();
  private static final KeyPair RSA_2 = TestKeys.rsa();
  private static final KeyPair EC = TestKeys.ec256();

  @TempDir Path dir;

  private Vertx vertx;
  private String secret;
  private Path secretFile;

  @BeforeEach
  void setUp() throws Exception {
    vertx = StrictVertx.create();
    secret = TokenIssuer.randomSecret();
    // Surrounding whitespace and a newline, as an editor or `echo` leaves them: must be trimmed.
    secretFile = Files.writeString(dir.resolve("secret"), "  \n" + secret + "\n\n");
  }

  @AfterEach
  void tearDown(VertxTestContext test) {
    vertx.close().onComplete(test.succeeding(v -> test.verify(() -> {
      StrictVertx.assertNeverBlocked(vertx);
      test.completeNow();
    })));
  }

  // ---- accepted tokens ----

  @Test
  void acceptsHs256FromTrimmedSecretFile(VertxTestContext test) {
    String token = Signer.hs256(vertx, secret).sign(claims("alice", "checkpoint:create:ns1"));
    expectCaller(test, options(Optional.of(secretFile), List.of(), Optional.empty()), token,
        new Caller("alice", List.of("checkpoint:create:ns1")));
  }

  @Test
  void acceptsRs256FromPemPublicKey(VertxTestContext test) throws Exception {
    String token = Signer.privateKey(vertx, "RS256", RSA).sign(claims("bob", "checkpoint:*"));
    expectCaller(test, options(Optional.empty(), List.of(pem("rsa.pem", RSA)), Optional.empty()),
        token, new Caller("bob", List.of("checkpoint:*")));
  }

  @Test
  void acceptsEs256FromPemPublicKey(VertxTestContext test) throws Exception {
    String token = Signer.privateKey(vertx, "ES256", EC).sign(claims("carol", "*"));
    expectCaller(test, options(Optional.empty(), List.of(pem("ec.pem", EC)), Optional.empty()),
        token, new Caller("carol", List.of("*")));
  }

  @Test
  void acceptsRs256AndEs256FromJwks(VertxTestContext test) throws Exception {
    Path jwks = Files.writeString(dir.resolve("jwks.json"), new JsonObject().put("keys",
        new JsonArray().add(TestKeys.publicJwk(RSA, "rsa-1")).add(TestKeys.publicJwk(EC, "ec-1")))
        .encode());
    TokenVerifier.create(vertx, options(Optional.empty(), List.of(), Optional.of(jwks)))
        .compose(verifier -> verifier.verify(bearer(Signer.privateKey(vertx, "RS256", RSA, "rsa-1")
                .sign(claims("dave"))))
            .compose(rsaCaller -> verifier.verify(bearer(
                    Signer.privateKey(vertx, "ES256", EC, "ec-1").sign(claims("erin"))))
                .map(ecCaller -> List.of(rsaCaller.subject(), ecCaller.subject()))))
        .onComplete(test.succeeding(subjects -> test.verify(() -> {
          assertThat(subjects).containsExactly("dave", "erin");
          test.completeNow();
        })));
  }

  @Test
  void acceptsTokenSignedByTheSecondOfTwoPublicKeys(VertxTestContext test) throws Exception {
    String token = Signer.privateKey(vertx, "RS256", RSA_2).sign(claims("frank"));
    expectCaller(test, options(Optional.empty(),
            List.of(pem("first.pem", RSA), pem("second.pem", RSA_2)), Optional.empty()),
        token, new Caller("frank", List.of()));
  }

  @Test
  void acceptsMatchingIssuerAndAudience(VertxTestContext test) {
    String token = Signer.hs256(vertx, secret)
        .sign(claims("gina").put("iss", "https://issuer").put("aud", new JsonArray().add("gw")));
    expectCaller(test, new JwtOptions(Optional.of(secretFile), List.of(), Optional.empty(),
        Optional.of("https://issuer"), Optional.of("gw")), token, new Caller("gina", List.of()));
  }

  @Test
  void acceptsExpiryWithinTheLeeway(VertxTestContext test) {
    // Expired 2 s ago: inside the 5 s clock leeway.
    String token = Signer.hs256(vertx, secret).sign(claims("hank").put("exp", now() - 2));
    expectCaller(test, hs256Options(), token, new Caller("hank", List.of()));
  }

  @Test
  void schemeIsCaseInsensitive(VertxTestContext test) {
    String token = Signer.hs256(vertx, secret).sign(claims("ivy"));
    TokenVerifier.create(vertx, hs256Options())
        .compose(verifier -> verifier.verify("bEaReR   " + token))
        .onComplete(test.succeeding(caller -> test.verify(() -> {
          assertThat(caller.subject()).isEqualTo("ivy");
          test.completeNow();
        })));
  }

  @Test
  void missingSubIsUnknownAndOddPermissionsGrantNothing(VertxTestContext test) {
    Signer signer = Signer.hs256(vertx, secret);
    String noSub = signer.sign(new JsonObject().put("exp", now() + 60));
    String notAList = signer.sign(claims("jo").put("permissions", "checkpoint:*"));
    String mixed = signer.sign(claims("kim").put("permissions", new JsonArray().add(7).add("a:b")));
    TokenVerifier.create(vertx, hs256Options())
        .compose(v -> Future.all(v.verify(bearer(noSub)), v.verify(bearer(notAList)),
            v.verify(bearer(mixed))))
        .onComplete(test.succeeding(all -> test.verify(() -> {
          assertThat(all.<Caller>list()).containsExactly(
              new Caller("unknown", List.of()),
              new Caller("jo", List.of()),
              new Caller("kim", List.of("a:b")));
          test.completeNow();
        })));
  }

  // ---- refused tokens: each is an UnauthenticatedException ----

  @Test
  void refusesMissingHeader(VertxTestContext test) {
    expectUnauthenticated(test, hs256Options(), null, "no Authorization header");
  }

  @Test
  void refusesOtherScheme(VertxTestContext test) {
    String token = Signer.hs256(vertx, secret).sign(claims("x"));
    expectUnauthenticated(test, hs256Options(), "Basic " + token, "not Bearer");
  }

  @Test
  void refusesTabAfterSchemeWithoutLoggingTheToken(VertxTestContext test) {
    TokenVerifier.create(vertx, hs256Options())
        .compose(verifier -> verifier.verify("Bearer\tsecret-token-text"))
        .onComplete(test.failing(e -> test.verify(() -> {
          assertThat(e).isInstanceOf(UnauthenticatedException.class);
          assertThat(e.getCause().getMessage()).doesNotContain("secret-token-text");
          test.completeNow();
        })));
  }

  @Test
  void refusesBearerWithoutToken(VertxTestContext test) {
    expectUnauthenticated(test, hs256Options(), "Bearer ", "malformed Bearer token");
  }

  @Test
  void refusesGarbageToken(VertxTestContext test) {
    expectUnauthenticated(test, hs256Options(), "Bearer not.a.jwt", "malformed token");
  }

  @Test
  void refusesTokenWithSpaces(VertxTestContext test) {
    expectUnauthenticated(test, hs256Options(), "Bearer a b", "malformed Bearer token");
  }

  @Test
  void refusesExpiredToken(VertxTestContext test) {
    String token = Signer.hs256(vertx, secret)
        .sign(claims("x").put("iat", now() - 120).put("exp", now() - 60));
    expectUnauthenticated(test, hs256Options(), bearer(token), "expired");
  }

  @Test
  void aRememberedTokenStillExpiresWhenJwtAuthWouldSaySo() {
    TokenVerifier verifier = Await.result(TokenVerifier.create(vertx, hs256Options()));
    // Expired 4 s ago: inside the 5 s leeway, so accepted now, and for about a second more.
    String token = Signer.hs256(vertx, secret)
        .sign(claims("carol").put("iat", now() - 60).put("exp", now() - 4));
    assertThat(Await.result(verifier.verify(bearer(token))).subject()).isEqualTo("carol");
    assertThat(Await.result(verifier.verify(bearer(token))).subject()).isEqualTo("carol");

    Await.until("the remembered token to be refused",
        () -> verifier.verify(bearer(token)).transform(done -> Future.succeededFuture(done.failed())),
        refused -> refused);
  }

  @Test
  void aRememberedTokenDoesNotVouchForAnAlteredOne() {
    TokenVerifier verifier = Await.result(TokenVerifier.create(vertx, hs256Options()));
    String token = Signer.hs256(vertx, secret).sign(claims("dave", "checkpoint:create:ns1"));
    assertThat(Await.result(verifier.verify(bearer(token))).subject()).isEqualTo("dave");

    String[] parts = token.split("\\.");
    String widened = parts[0] + "." + b64url(claims("dave", "checkpoint:*").encode()) + "." + parts[2];
    assertThat(Await.failure(verifier.verify(bearer(widened))))
        .isInstanceOf(UnauthenticatedException.class);
    String resigned = token.substring(0, token.length() - 2)
        + (token.endsWith("AA") ? "BB" : "AA");
    assertThat(Await.failure(verifier.verify(bearer(resigned))))
        .isInstanceOf(UnauthenticatedException.class);
  }

  @Test
  void refusesTokenNotYetValid(VertxTestContext test) {
    String token = Signer.hs256(vertx, secret).sign(claims("x").put("nbf", now() + 60));
    expectUnauthenticated(test, hs256Options(), bearer(token), "invalid token");
  }

  @Test
  void refusesNonNumericExpiry(VertxTestContext test) {
    String token = Signer.hs256(vertx, secret).sign(claims("x").put("exp", "tomorrow"));
    expectUnauthenticated(test, hs256Options(), bearer(token), "invalid token");
  }

  @Test
  void refusesTokenSignedWithAnotherSecret(VertxTestContext test) {
    String token = Signer.hs256(vertx, TokenIssuer.randomSecret()).sign(claims("x"));
    expectUnauthenticated(test, hs256Options(), bearer(token), "Signature verification failed");
  }

  @Test
  void refusesTamperedPayload(VertxTestContext test) {
    String[] parts =
        Signer.hs256(vertx, secret).sign(claims("x", "checkpoint:create:a")).split("\\.");
    String forged = parts[0] + "." + b64url(claims("x", "*").encode()) + "." + parts[2];
    expectUnauthenticated(test, hs256Options(), bearer(forged), "Signature verification failed");
  }

  @Test
  void refusesTokenSignedByUnconfiguredRsaKey(VertxTestContext test) throws Exception {
    String token = Signer.privateKey(vertx, "RS256", RSA_2).sign(claims("x"));
    expectUnauthenticated(test,
        options(Optional.empty(), List.of(pem("rsa.pem", RSA)), Optional.empty()), bearer(token),
        "invalid token");
  }

  @Test
  void refusesUnsignedTokens(VertxTestContext test) {
    // Hand-made alg:none tokens, the classic JWT bypass: no signature, an empty signature, a
    // signature copied from a valid token, and the algorithm name in upper case.
    String payload = b64url(claims("mallory", "*").encode());
    String none = b64url("{\"alg\":\"none\",\"typ\":\"JWT\"}");
    String upper = b64url("{\"alg\":\"NONE\",\"typ\":\"JWT\"}");
    String validSignature = Signer.hs256(vertx, secret).sign(claims("x")).split("\\.")[2];
    List<String> tokens = List.of(none + "." + payload, none + "." + payload + ".",
        none + "." + payload + "." + validSignature, upper + "." + payload + "." + validSignature,
        upper + "." + payload + ".");
    expectAllRefused(test, hs256Options(), tokens);
  }

  @Test
  void refusesHs256TokenKeyedWithThePublicKey(VertxTestContext test) throws Exception {
    // Algorithm confusion: an attacker HMACs with the (public) RSA key text as the secret.
    Path rsaPem = pem("rsa.pem", RSA);
    String header = b64url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
    String payload = b64url(claims("mallory", "*").encode());
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(Files.readAllBytes(rsaPem), "HmacSHA256"));
    String signature = Base64.getUrlEncoder().withoutPadding().encodeToString(
        mac.doFinal((header + "." + payload).getBytes(StandardCharsets.US_ASCII)));
    expectAllRefused(test, options(Optional.empty(), List.of(rsaPem), Optional.empty()),
        List.of(header + "." + payload + "." + signature));
  }

  @Test
  void refusesWrongIssuer(VertxTestContext test) {
    String token = Signer.hs256(vertx, secret)
        .sign(claims("x").put("iss", "https://evil").put("aud", "gw"));
    expectUnauthenticated(test, withIssuerAndAudience(), bearer(token),
        "issuer");
  }

  @Test
  void refusesMissingIssuerWhenOneIsRequired(VertxTestContext test) {
    String token = Signer.hs256(vertx, secret).sign(claims("x").put("aud", "gw"));
    expectUnauthenticated(test, withIssuerAndAudience(), bearer(token), "issuer");
  }

  @Test
  void refusesWrongAudience(VertxTestContext test) {
    String token = Signer.hs256(vertx, secret)
        .sign(claims("x").put("iss", "https://issuer").put("aud", "other"));
    expectUnauthenticated(test, withIssuerAndAudience(), bearer(token), "audience");
  }

  // ---- the token rules: exp required, lifetime bounded when asked, nothing after the signature ----

  @Test
  void refusesTokenWithoutExpUnlessAllowed() {
    JsonObject noExp = claims("legacy-sa");
    noExp.remove("exp");
    String token = Signer.hs256(vertx, secret).signWithoutIat(noExp);
    TokenVerifier strict = Await.result(TokenVerifier.create(vertx, hs256Options()));
    for (int i = 0; i < 2; i++) {
      // Twice: a refused token is never remembered as verified.
      assertThat(Await.failure(strict.verify(bearer(token))))
          .isInstanceOf(UnauthenticatedException.class)
          .cause().hasMessageContaining("no exp claim").hasMessageContaining("--jwt-allow-no-exp");
    }
    TokenVerifier lenient = Await.result(TokenVerifier.create(vertx, hs256Options(),
        new TokenRules(true, Optional.empty())));
    assertThat(Await.result(lenient.verify(bearer(token))).subject()).isEqualTo("legacy-sa");
  }

  @Test
  void expInTheYear9999IsAcceptedOnlyWithoutAMaximumLifetime() {
    String token = Signer.hs256(vertx, secret).sign(claims("forever").put("exp", 253_402_300_799L));
    TokenVerifier plain = Await.result(TokenVerifier.create(vertx, hs256Options()));
    assertThat(Await.result(plain.verify(bearer(token))).subject()).isEqualTo("forever");
    TokenVerifier bounded = Await.result(TokenVerifier.create(vertx, hs256Options(),
        new TokenRules(false, Optional.of(Duration.ofDays(365)))));
    assertThat(Await.failure(bounded.verify(bearer(token))))
        .isInstanceOf(UnauthenticatedException.class)
        .cause().hasMessageContaining("over --jwt-max-lifetime (31536000 s)");
  }

  @Test
  void maximumLifetimeNeedsIatAndBoundsExpMinusIat() {
    TokenVerifier verifier = Await.result(TokenVerifier.create(vertx, hs256Options(),
        new TokenRules(false, Optional.of(Duration.ofHours(1)))));
    Signer signer = Signer.hs256(vertx, secret);
    long now = now();
    String exact = signer.sign(claims("exact").put("iat", now - 10).put("exp", now + 3590));
    String over = signer.sign(claims("over").put("iat", now - 10).put("exp", now + 3591));
    String noIat = signer.signWithoutIat(claims("no-iat"));
    String huge = signer.sign(claims("huge").put("iat", now).put("exp", 1e300));
    assertThat(Await.result(verifier.verify(bearer(exact))).subject()).isEqualTo("exact");
    assertThat(Await.failure(verifier.verify(bearer(over)))).cause()
        .hasMessageContaining("lifetime exp - iat of 3601 s is over --jwt-max-lifetime (3600 s)");
    assertThat(Await.failure(verifier.verify(bearer(noIat)))).cause()
        .hasMessageContaining("no iat claim, which --jwt-max-lifetime needs");
    assertThat(Await.failure(verifier.verify(bearer(huge))))
        .isInstanceOf(UnauthenticatedException.class);
  }

  @Test
  void refusesCharactersAfterTheSignatureEvenWhenTheTokenIsRemembered() {
    TokenVerifier verifier = Await.result(TokenVerifier.create(vertx, hs256Options()));
    String token = Signer.hs256(vertx, secret).sign(claims("eve", "*"));
    assertThat(Await.result(verifier.verify(bearer(token))).subject()).isEqualTo("eve");
    // The last of 43 characters of an HS256 signature carries 2 unused bits: flipping one spells
    // the same bytes differently (vertx-auth-jwt alone accepts it, and "." or "=" after it).
    char last = token.charAt(token.length() - 1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    String respelt = token.substring(0, token.length() - 1)
        + alphabet.charAt(alphabet.indexOf(last) ^ 1);
    for (String variant : List.of(token + ".", token + "=", token + "==", token + ".x",
        token + "..", respelt, "." + token, token.replace(".", ".."))) {
      assertThat(Await.failure(verifier.verify(bearer(variant))))
          .as(variant).isInstanceOf(UnauthenticatedException.class)
          .cause().hasMessageContaining("malformed token");
    }
  }

  @Test
  void noMutationOfAValidTokenIsAcceptedNorFailsOtherwiseThan401() {
    TokenVerifier verifier = Await.result(TokenVerifier.create(vertx, hs256Options()));
    String token = Signer.hs256(vertx, secret).sign(claims("victim", "*"));
    assertThat(Await.result(verifier.verify(bearer(token))).subject()).isEqualTo("victim");
    Gen<Character> chars = arbitrary().pick(List.of('A', 'Q', 'g', 'w', 'z', '0', '9', '-', '_',
        '.', '=', '+', '/', '%', ' ', '\t', '\u00e9', '\u0000', 'e', 'y', 'J'));
    Gen<String> mutants = integers().between(0, 4)
        .zip(integers().between(0, token.length() - 1), chars, integers().between(1, 3),
            (kind, at, c, n) -> switch (kind) {
              case 0 -> token.substring(0, at) + c + token.substring(at + 1);
              case 1 -> token.substring(0, at) + String.valueOf(c).repeat(n) + token.substring(at);
              case 2 -> token.substring(0, at) + token.substring(Math.min(token.length(), at + n));
              case 3 -> token + String.valueOf(c).repeat(n);
              default -> token.substring(0, at);
            });
    // Whitespace around the token is the header's, not the token's (HTTP strips it too).
    qt().forAll(mutants).assuming(mutant -> !mutant.strip().equals(token))
        .checkAssert(mutant -> assertRefused(verifier, mutant));
  }

  @Test
  void noRandomStringIsAcceptedNorFailsOtherwiseThan401() {
    TokenVerifier verifier = Await.result(TokenVerifier.create(vertx, hs256Options()));
    Gen<String> base64url = strings().betweenCodePoints('-', 'z').ofLengthBetween(0, 60);
    Gen<String> shaped = base64url.zip(base64url, base64url, (a, b, c) -> a + "." + b + "." + c);
    qt().forAll(strings().allPossible().ofLengthBetween(0, 120).mix(shaped))
        .checkAssert(text -> assertRefused(verifier, text));
  }

  private static void assertRefused(TokenVerifier verifier, String token) {
    Throwable refused = Await.failure(verifier.verify("Bearer " + token));
    assertThat(refused).as(token).isInstanceOf(UnauthenticatedException.class)
        .hasMessage("Unauthorized");
  }

  // ---- helpers ----

  private JwtOptions hs256Options() {
    return options(Optional.of(secretFile), List.of(), Optional.empty());
  }

  private JwtOptions withIssuerAndAudience() {
    return new JwtOptions(Optional.of(secretFile), List.of(), Optional.empty(),
        Optional.of("https://issuer"), Optional.of("gw"));
  }

  private static JwtOptions options(Optional<Path> secret, List<Path> pems, Optional<Path> jwks) {
    return new JwtOptions(secret, pems, jwks, Optional.empty(), Optional.empty());
  }

  private Path pem(String name, KeyPair pair) throws Exception {
    return Files.writeString(dir.resolve(name), TestKeys.publicPem(pair));
  }

  private static String bearer(String token) {
    return "Bearer " + token;
  }

  private void expectCaller(VertxTestContext test, JwtOptions options, String token,
      Caller expected) {
    TokenVerifier.create(vertx, options)
        .compose(verifier -> verifier.verify(bearer(token)))
        .onComplete(test.succeeding(caller -> test.verify(() -> {
          assertThat(caller).isEqualTo(expected);
          test.completeNow();
        })));
  }

  private void expectUnauthenticated(VertxTestContext test, JwtOptions options, String header,
      String detail) {
    TokenVerifier.create(vertx, options)
        .compose(verifier -> verifier.verify(header))
        .onComplete(test.failing(e -> test.verify(() -> {
          assertThat(e).isInstanceOf(UnauthenticatedException.class)
              .hasMessage("Unauthorized");
          assertThat(e.getCause()).hasMessageContaining(detail);
          test.completeNow();
        })));
  }

  private void expectAllRefused(VertxTestContext test, JwtOptions options, List<String> tokens) {
    TokenVerifier.create(vertx, options)
        .compose(verifier -> Future.join(tokens.stream()
            .map(token -> verifier.verify(bearer(token))
                .map(caller -> "accepted " + token)
                .recover(e -> Future.succeededFuture(e.getClass().getSimpleName() + " "
                    + e.getCause().getMessage())))
            .toList()))
        .onComplete(test.succeeding(all -> test.verify(() -> {
          List<String> outcomes = all.list();
          assertThat(outcomes).hasSize(tokens.size())
              .allMatch(o -> o.startsWith("UnauthenticatedException"), "every token refused");
          test.completeNow();
        })));
  }
}
