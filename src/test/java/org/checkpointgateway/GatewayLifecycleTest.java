package org.checkpointgateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.GatewayTestBase;
import org.checkpointgateway.support.HttpAnswer;
import org.junit.jupiter.api.Test;

/** The gateway as a process: runtime coming and going, feature gate, TLS with HTTP/2, h2c. */
class GatewayLifecycleTest extends GatewayTestBase {




  static void assertPlain(HttpAnswer answer, int status, String body) {
    assertThat(answer.status()).as(answer.body()).isEqualTo(status);
    assertThat(answer.body()).isEqualTo(body);
    assertThat(answer.header("Content-Type")).isEqualTo("text/plain; charset=utf-8");
  }

  @Test
  void runtimeAbsentAtStartIsNotReadyThenRecoversWhenItArrives() {
    // No runtime on the socket yet when the gateway starts.
    Await.result(fixture.runtime.close());
    fixture.runtime = null;
    fixture.startGateway();

    HttpAnswer notReady = fixture.send(HttpMethod.GET, "/readyz", null);
    assertThat(notReady.status()).isEqualTo(503);
    assertThat(new JsonObject(notReady.body()).getString("reason")).contains(fixture.socket.toString());
    HttpAnswer unavailable = fixture.post("/checkpoint/default/demo/app", fixture.adminToken());
    assertThat(unavailable.status()).isEqualTo(500);
    assertThat(unavailable.body()).startsWith(
        "checkpointing of default/demo/app failed (rpc error: code = Unavailable desc = ");

    fixture.startRuntime();
    HttpAnswer ready = Await.until("the gateway to see the runtime",
        () -> fixture.request(HttpMethod.GET, "/readyz", null), answer -> answer.status() == 200);
    // What the runtime said it is, by name, version and CRI API version.
    JsonObject runtime = new JsonObject(ready.body()).getJsonObject("runtime");
    assertThat(new JsonObject(ready.body()).getString("status")).isEqualTo("ready");
    assertThat(runtime.fieldNames()).containsExactlyInAnyOrder("name", "version", "apiVersion");
    assertThat(runtime.getString("name")).isNotBlank();
    assertThat(runtime.getString("apiVersion")).isEqualTo("v1");
    assertThat(fixture.post("/checkpoint/default/demo/app", fixture.adminToken()).status())
        .isEqualTo(200);

    // And it notices the runtime going away again.
    Await.result(fixture.runtime.close());
    fixture.runtime = null;
    Await.until("the gateway to see the runtime leave",
        () -> fixture.request(HttpMethod.GET, "/readyz", null), answer -> answer.status() == 503);
  }

  /**
   * An authorization file (or a client CA) says who may do what: no all-powerful token is made
   * and printed beside it, and with no JWT key every bearer token is refused.
   */
  @Test
  void withAnAuthorizationFileAndNoKeyNoDevTokenIsMadeAndTokensAreRefused() throws IOException {
    Path rules = java.nio.file.Files.writeString(fixture.checkpointDir.resolveSibling("rules.yaml"),
        "rules:\n  - groups: [\"team-a\"]\n    permissions: [\"checkpoint:create:team-a\"]\n");
    fixture.startGateway(new org.checkpointgateway.config.Settings()
        .override("host", "127.0.0.1", "--host")
        .override("port", "0", "--port")
        .override("criEndpoint", "unix://" + fixture.socket, "--cri-endpoint")
        .override("checkpointDir", fixture.checkpointDir.toString(), "--checkpoint-dir")
        .override("auth.authorizationFile", rules.toString(), "--authorization-file"));
    assertThat(fixture.gateway.devToken()).isEmpty();
    HttpAnswer refused = fixture.post("/checkpoint/default/demo/app", fixture.adminToken());
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.body()).isEqualTo("Unauthorized");
  }

  @Test
  void withoutKeysTheDevTokenCarriesExpAndIatWithinTheMaximumLifetime() {
    fixture.startGateway(new org.checkpointgateway.config.Settings()
        .override("host", "127.0.0.1", "--host")
        .override("port", "0", "--port")
        .override("criEndpoint", "unix://" + fixture.socket, "--cri-endpoint")
        .override("checkpointDir", fixture.checkpointDir.toString(), "--checkpoint-dir")
        .override("auth.jwtMaxLifetime", "30m", "--jwt-max-lifetime"));
    String token = fixture.gateway.devToken().orElseThrow();
    JsonObject claims = new JsonObject(new String(java.util.Base64.getUrlDecoder()
        .decode(token.split("\\.")[1]), java.nio.charset.StandardCharsets.UTF_8));
    assertThat(claims.getLong("exp") - claims.getLong("iat")).isEqualTo(1800);
    assertThat(fixture.post("/checkpoint/default/demo/app", token).status()).isEqualTo(200);
  }

  @Test
  void featureGateOffRemovesTheCheckpointRoutes() {
    fixture.startGateway(fixture.settings()
        .override("featureGates", "ContainerCheckpoint=false", "--feature-gates"));
    assertPlain(fixture.post("/checkpoint/default/demo/app", fixture.adminToken()), 404,
        "404 page not found");
    assertPlain(fixture.send(HttpMethod.GET, "/checkpoint/default/demo/app",
        fixture.adminToken()), 404, "404 page not found");
    assertThat(fixture.send(HttpMethod.GET, "/healthz", null).status()).isEqualTo(200);
  }

  @Test
  void plainPortSpeaksH2cWhenAsked() {
    fixture.startGateway(fixture.settings().override("http.h2c", "true", "--http-h2c"));
    HttpClient h2c = vertx.createHttpClient(new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
    String token = fixture.adminToken();
    HttpAnswer answer = Await.result(fixture.onClientContext(() -> h2c.request(HttpMethod.POST,
            fixture.gateway.port(), "127.0.0.1", "/checkpoint/default/demo/app")
        .compose(request -> request.putHeader("Authorization", "Bearer " + token).send())
        .compose(HttpAnswer::read)));
    assertThat(answer.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(answer.status()).isEqualTo(200);
  }

  @Test
  void tlsServesHttp2ByAlpn() throws Exception {
    Path cert = dir.resolve("tls.crt");
    Path key = dir.resolve("tls.key");
    // A throwaway self-signed certificate, made now: no key material lives in the repository.
    Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec",
        "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj", "/CN=localhost",
        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-keyout", key.toString(), "-out", cert.toString())
        .redirectErrorStream(true).start();
    assertThat(openssl.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(openssl.exitValue()).as(new String(openssl.getInputStream().readAllBytes())).isZero();

    fixture.startGateway(fixture.settings()
        .override("tls.cert", cert.toString(), "--tls-cert")
        .override("tls.key", key.toString(), "--tls-key"));
    HttpClient https = vertx.createHttpClient(new HttpClientOptions()
        .setSsl(true).setUseAlpn(true).setProtocolVersion(HttpVersion.HTTP_2)
        .setTrustOptions(new PemTrustOptions().addCertPath(cert.toString())));
    String token = fixture.adminToken();
    HttpAnswer answer = Await.result(fixture.onClientContext(() -> https.request(HttpMethod.POST,
            fixture.gateway.port(), "127.0.0.1", "/checkpoint/default/demo/app")
        .compose(request -> request.putHeader("Authorization", "Bearer " + token).send())
        .compose(HttpAnswer::read)));
    assertThat(answer.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body()).startsWith("{\"items\":[\"" + fixture.checkpointDir);
  }
}
