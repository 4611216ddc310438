package org.checkpointgateway.api;

import static org.checkpointgateway.api.CheckpointRouteTest.assertPlain;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.stream.Stream;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.GatewayFixture;
import org.checkpointgateway.support.GatewayTestBase;
import org.checkpointgateway.support.TestKeys;
import org.checkpointgateway.support.TestKeys.Signer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** 401 and 403 on the checkpoint route, over a real socket; the runtime is never called. */
class AuthenticationRouteTest extends GatewayTestBase {

  private static final String PATH = "/checkpoint/default/demo/app";


  @BeforeEach
  void start() {
    fixture.startGateway();
  }


  /** Claims that pass every check; each case breaks exactly one thing. */
  private static JsonObject validClaims() {
    return new JsonObject().put("sub", "robot")
        .put("permissions", new JsonArray().add("checkpoint:*"))
        .put("iss", GatewayFixture.ISSUER).put("aud", GatewayFixture.AUDIENCE)
        .put("exp", TestKeys.now() + 60);
  }

  static Stream<Arguments> badCredentials() {
    return Stream.of(
        Arguments.of("no header", null),
        Arguments.of("not a bearer", "Basic cm9ib3Q6c2VjcmV0"),
        Arguments.of("garbage token", "Bearer not.a.jwt"),
        Arguments.of("expired", "expired"),
        Arguments.of("not yet valid", "nbf"),
        Arguments.of("wrongly signed", "wrong-key"),
        Arguments.of("alg none", "none"),
        Arguments.of("wrong issuer", "wrong-iss"),
        Arguments.of("wrong audience", "wrong-aud"),
        Arguments.of("no issuer", "no-iss"),
        Arguments.of("no exp", "no-exp"),
        Arguments.of("trailing dot after the signature", "trailing-dot"),
        Arguments.of("trailing padding after the signature", "trailing-pad"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badCredentials")
  void badCredentialsAreUnauthorized(String name, String kind) {
    Signer good = Signer.hs256(vertx, fixture.secret);
    String header = switch (kind == null ? "" : kind) {
      case "expired" -> bearer(good.sign(validClaims().put("exp", TestKeys.now() - 600)));
      case "nbf" -> bearer(good.sign(validClaims().put("nbf", TestKeys.now() + 600)));
      case "wrong-key" -> bearer(Signer.hs256(vertx, "another-secret-of-enough-length-0123456789")
          .sign(validClaims()));
      case "none" -> "Bearer " + TestKeys.b64url("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "."
          + TestKeys.b64url(validClaims().encode()) + ".";
      case "wrong-iss" -> bearer(good.sign(validClaims().put("iss", "someone-else")));
      case "wrong-aud" -> bearer(good.sign(validClaims().put("aud", "another-service")));
      case "no-iss" -> bearer(good.sign(validClaims().copy().put("iss", (String) null)));
      case "no-exp" -> {
        JsonObject claims = validClaims();
        claims.remove("exp");
        yield bearer(good.sign(claims));
      }
      case "trailing-dot" -> bearer(good.sign(validClaims()) + ".");
      case "trailing-pad" -> bearer(good.sign(validClaims()) + "=");
      default -> kind;
    };
    assertPlain(Await.result(fixture.requestWithAuthorization(HttpMethod.POST, PATH, header)), 401,
        "Unauthorized");
    assertThat(fixture.runtime.calls("CheckpointContainer")).isZero();
  }

  @Test
  void grantsThatStopBeforeTheNamespaceAreForbidden() {
    for (String grant : new String[] {"checkpoint:create:", "checkpoint:create", "checkpoint"}) {
      assertPlain(fixture.post(PATH, fixture.token("robot", grant)), 403,
          "Forbidden (user=robot, verb=create, resource=nodes, subresource(s)=[checkpoint])");
    }
    assertThat(fixture.runtime.calls("CheckpointContainer")).isZero();
  }

  @Test
  void tokenWithoutTheNamespaceIsForbiddenWithTheKubeletsText() {
    assertPlain(fixture.post(PATH, fixture.token("team-a-robot", "checkpoint:create:team-a")), 403,
        "Forbidden (user=team-a-robot, verb=create, resource=nodes, subresource(s)=[checkpoint])");
    assertPlain(fixture.post(PATH, fixture.token("reader", "archives:read:*")), 403,
        "Forbidden (user=reader, verb=create, resource=nodes, subresource(s)=[checkpoint])");
    assertThat(fixture.runtime.calls("CheckpointContainer")).isZero();
  }

  @Test
  void namespaceScopedTokenMayCheckpointItsNamespace() {
    String token = fixture.token("team-a-robot", "checkpoint:create:team-a");
    var answer = fixture.post("/checkpoint/team-a/web/nginx", token);
    assertThat(answer.status()).isEqualTo(200);
  }

  private static String bearer(String token) {
    return "Bearer " + token;
  }
}
