package org.checkpointgateway.auth;

import org.checkpointgateway.support.StrictVertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class TokenIssuerTest {

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
  void randomSecretsAre32Base64UrlBytes() {
    String secret = TokenIssuer.randomSecret();
    assertThat(Base64.getUrlDecoder().decode(secret)).hasSize(32);
    assertThat(secret).matches("[A-Za-z0-9_-]{43}").isNotEqualTo(TokenIssuer.randomSecret());
  }

  @Test
  void issuedTokenVerifiesWithTheSameSecret(VertxTestContext test) {
    String secret = TokenIssuer.randomSecret();
    String token = TokenIssuer.hs256(vertx, secret).issue("loadtest", List.of("checkpoint:*"),
        Duration.ofMinutes(10), Optional.of("gateway-dev"), Optional.of("gateway"));

    JsonObject claims = new JsonObject(new String(
        Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8));
    assertThat(claims.getLong("exp") - claims.getLong("iat")).isEqualTo(600);
    assertThat(claims.getString("iss")).isEqualTo("gateway-dev");

    TokenVerifier.forSecret(vertx, secret, Optional.of("gateway-dev"), Optional.of("gateway"))
        .verify("Bearer " + token)
        .onComplete(test.succeeding(caller -> test.verify(() -> {
          assertThat(caller).isEqualTo(new Caller("loadtest", List.of("checkpoint:*")));
          assertThat(caller.may("checkpoint:create:default")).isTrue();
          test.completeNow();
        })));
  }
}
