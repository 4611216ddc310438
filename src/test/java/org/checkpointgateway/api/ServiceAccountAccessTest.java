package org.checkpointgateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.checkpointgateway.api.CheckpointRouteTest.assertPlain;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import org.checkpointgateway.Gateway;
import org.checkpointgateway.config.GatewayOptions;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.GatewayFixture;
import org.checkpointgateway.support.GatewayTestBase;
import org.checkpointgateway.support.StrictVertx;
import org.checkpointgateway.support.TestCertificates;
import org.checkpointgateway.support.TestKeys;
import org.checkpointgateway.support.TestKeys.Signer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kubernetes service-account tokens (RS256, keys from a JWKS file, no permissions claim) and the
 * authorization file that grants them permissions, reloaded when it changes; over a real socket.
 */
class ServiceAccountAccessTest extends GatewayTestBase {

  private static final String RULES = """
      rules:
        - users: ["system:serviceaccount:ops:*"]
          permissions: ["checkpoint:create:default"]
        - groups: ["system:serviceaccounts:team-a"]
          permissions: ["checkpoint:create:team-a"]
      """;

  private final KeyPair clusterKey = TestKeys.rsa();
  private Path rules;
  private Path jwks;
  private Signer cluster;

  @BeforeEach
  void start() {
    rules = dir.resolve("authorization.yaml");
    jwks = dir.resolve("jwks.json");
    TestCertificates.writeAtomically(rules, RULES);
    TestCertificates.writeAtomically(jwks, new JsonObject().put("keys",
        new JsonArray().add(TestKeys.publicJwk(clusterKey, "cluster-1"))).encode());
    cluster = Signer.privateKey(vertx, "RS256", clusterKey, "cluster-1");
    fixture.startGateway(fixture.settings()
        .override("jwt.jwksFile", jwks.toString(), "--jwt-jwks-file")
        .override("auth.authorizationFile", rules.toString(), "--authorization-file")
        .override("auth.reloadInterval", "50ms", "--auth-reload-interval"));
  }

  /** A projected service-account token as the API server makes it: no permissions claim. */
  private static JsonObject serviceAccount(String namespace, String name) {
    return new JsonObject().put("sub", "system:serviceaccount:" + namespace + ":" + name)
        .put("iss", GatewayFixture.ISSUER).put("aud", new JsonArray().add(GatewayFixture.AUDIENCE))
        .put("exp", TestKeys.now() + 600)
        .put("kubernetes.io", new JsonObject().put("namespace", namespace)
            .put("serviceaccount", new JsonObject().put("name", name).put("uid", "0-1")));
  }

  private int post(String path, Signer signer, JsonObject claims) {
    return fixture.post(path, signer.sign(claims)).status();
  }

  @Test
  void aServiceAccountWithoutAMatchingRuleIsForbiddenByName() {
    assertPlain(fixture.post("/checkpoint/default/demo/app",
            cluster.sign(serviceAccount("team-b", "robot"))), 403,
        "Forbidden (user=system:serviceaccount:team-b:robot, verb=create, resource=nodes,"
            + " subresource(s)=[checkpoint])");
    assertThat(fixture.runtime.calls("CheckpointContainer")).isZero();
  }

  @Test
  void aServiceAccountThatARuleNamesMayDoWhatItGrants() {
    assertThat(post("/checkpoint/default/demo/app", cluster, serviceAccount("ops", "robot")))
        .isEqualTo(200);
    // Only what the rule grants: not another namespace.
    assertThat(post("/checkpoint/team-a/web/nginx", cluster, serviceAccount("ops", "robot")))
        .isEqualTo(403);
  }

  @Test
  void aRuleForAGroupGrantsEveryServiceAccountOfTheNamespace() {
    assertThat(post("/checkpoint/team-a/web/nginx", cluster, serviceAccount("team-a", "builder")))
        .isEqualTo(200);
    assertThat(post("/checkpoint/default/demo/app", cluster, serviceAccount("team-a", "builder")))
        .isEqualTo(403);
  }

  @Test
  void theAuthorizationFileIsReloadedAndABrokenVersionKeepsTheRulesInForce() {
    JsonObject teamB = serviceAccount("team-b", "robot");
    assertThat(post("/checkpoint/default/demo/app", cluster, teamB)).isEqualTo(403);
    TestCertificates.writeAtomically(rules, RULES + """
          - groups: ["system:serviceaccounts:team-b"]
            permissions: ["checkpoint:create:default"]
        """);
    Await.until("the new rule applies",
        () -> post("/checkpoint/default/demo/app", cluster, teamB) == 200);

    // A permission that grants nothing: the whole new version is refused, the last one kept.
    TestCertificates.writeAtomically(rules, """
        rules:
          - users: ["*"]
            permissions: ["checkpoint:create"]
        """);
    Await.until("the failed reload is counted", () -> failures("authorization") == 1);
    assertThat(post("/checkpoint/default/demo/app", cluster, teamB)).isEqualTo(200);
    String metrics = fixture.send(HttpMethod.GET, "/metrics",
        fixture.token("prometheus", "metrics:read")).body();
    assertThat(metrics).contains("auth_reload_failures_total{file=\"authorization\"} 1.0")
        .contains("auth_reload_failing{file=\"authorization\"} 1.0")
        .contains("auth_reload_last_success_timestamp_seconds{file=\"authorization\"}");
  }

  @Test
  void aRotatedKeySetIsReloaded() {
    KeyPair next = TestKeys.rsa();
    Signer rotated = Signer.privateKey(vertx, "RS256", next, "cluster-2");
    assertThat(post("/checkpoint/default/demo/app", rotated, serviceAccount("ops", "robot")))
        .isEqualTo(401);
    TestCertificates.writeAtomically(jwks, new JsonObject().put("keys", new JsonArray()
        .add(TestKeys.publicJwk(clusterKey, "cluster-1"))
        .add(TestKeys.publicJwk(next, "cluster-2"))).encode());
    Await.until("the new key verifies", Duration.ofSeconds(20),
        () -> post("/checkpoint/default/demo/app", rotated, serviceAccount("ops", "robot")) == 200);
  }

  @Test
  void aBadAuthorizationFileStopsStartUpNamingTheRule() {
    Path bad = dir.resolve("bad.yaml");
    TestCertificates.writeAtomically(bad, """
        rules:
          - groups: ["system:masters"]
            permissions: ["checkpoint:create"]
        """);
    Throwable failure = Await.failure(Gateway.start(vertx, GatewayOptions.from(fixture.settings()
        .override("auth.authorizationFile", bad.toString(), "--authorization-file"))));
    assertThat(failure).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--authorization-file " + bad + ": rules[0].permissions: \"checkpoint:create\""
            + " grants none of the gateway's permissions (checkpoint:create:NS,"
            + " archives:read|download|delete:NS, metrics:read, nodes:read, or * in a part)");
  }

  private double failures(String file) {
    var counter = StrictVertx.registry(vertx).find("auth.reload.failures").tag("file", file)
        .functionCounter();
    return counter == null ? -1 : counter.count();
  }
}
