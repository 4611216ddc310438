package org.checkpointgateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.GatewayTestBase;
import org.checkpointgateway.support.StrictVertx;
import org.checkpointgateway.support.TestCertificates;
import org.checkpointgateway.support.TestCertificates.Issued;
import org.checkpointgateway.support.TestCertificates.Pem;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Client certificates as Kubernetes uses them (user = CN, groups = O), verified against
 * {@code --tls-client-ca}, with certificates made at run time; and the server certificate and
 * client CA re-read when they change. Each request is a new TLS connection from a JDK client.
 */
class ClientCertificateTest extends GatewayTestBase {

  private static final String RULES = """
      rules:
        - groups: ["team-a-operators"]
          permissions: ["checkpoint:create:team-a"]
      """;

  private Issued serverCa;
  private Issued clientCa;
  private Pem server;
  private Path clientCaFile;

  @BeforeEach
  void start() {
    serverCa = TestCertificates.ca("server-ca");
    clientCa = TestCertificates.ca("client-ca");
    server = TestCertificates.server(serverCa, "gateway").write(dir, "server");
    clientCaFile = dir.resolve("client-ca.crt");
    TestCertificates.writeAtomically(clientCaFile, TestCertificates.pem(clientCa.certificate()));
    Path rules = dir.resolve("authorization.yaml");
    TestCertificates.writeAtomically(rules, RULES);
    fixture.startGateway(fixture.settings()
        .override("tls.cert", server.cert().toString(), "--tls-cert")
        .override("tls.key", server.key().toString(), "--tls-key")
        .override("tls.clientCa", clientCaFile.toString(), "--tls-client-ca")
        .override("auth.authorizationFile", rules.toString(), "--authorization-file")
        .override("auth.reloadInterval", "50ms", "--auth-reload-interval"));
  }

  private HttpResponse<String> post(String path, Issued client, Issued trusted, String token)
      throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder()
        .sslContext(TestCertificates.clientContext(client, trusted))
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
    HttpRequest.Builder request = HttpRequest.newBuilder(
            URI.create("https://127.0.0.1:" + fixture.gateway.port() + path))
        .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, Issued client) throws Exception {
    return post(path, client, serverCa, null);
  }

  @Test
  void aTrustedCertificateAuthenticatesAsItsCnWithItsOsAsGroups() throws Exception {
    Issued alice = TestCertificates.client(clientCa, "CN=alice,O=team-a-operators,O=other");
    assertThat(post("/checkpoint/team-a/web/nginx", alice).statusCode()).isEqualTo(200);
    HttpResponse<String> elsewhere = post("/checkpoint/default/demo/app", alice);
    assertThat(elsewhere.statusCode()).isEqualTo(403);
    assertThat(elsewhere.body()).isEqualTo(
        "Forbidden (user=alice, verb=create, resource=nodes, subresource(s)=[checkpoint])");
    // Without the group, the same CA's certificate authenticates but is granted nothing.
    Issued bob = TestCertificates.client(clientCa, "CN=bob,O=someone-else");
    assertThat(post("/checkpoint/team-a/web/nginx", bob).body()).startsWith("Forbidden (user=bob,");
  }

  @Test
  void anUntrustedCertificateFailsTheHandshake() {
    // Another CA of the same name: the JDK client offers only certificates of the CAs the server
    // names, so this is how a forged chain reaches the server's verification.
    Issued stranger = TestCertificates.client(TestCertificates.ca("client-ca"),
        "CN=alice,O=team-a-operators");
    assertThatThrownBy(() -> post("/checkpoint/team-a/web/nginx", stranger))
        .isInstanceOf(IOException.class);
    assertThat(fixture.runtime.calls("CheckpointContainer")).isZero();
  }

  @Test
  void anExpiredCertificateFailsTheHandshake() {
    Issued expired = TestCertificates.expiredClient(clientCa, "CN=alice,O=team-a-operators");
    assertThatThrownBy(() -> post("/checkpoint/team-a/web/nginx", expired))
        .isInstanceOf(IOException.class);
    assertThat(fixture.runtime.calls("CheckpointContainer")).isZero();
  }

  @Test
  void aCertificateThatExpiresOnAKeptAliveConnectionStopsAuthenticating() throws Exception {
    Issued shortLived = TestCertificates.client(clientCa, "CN=alice,O=team-a-operators",
        java.time.Instant.now().plusSeconds(5));
    // One client, so one kept-alive connection: verified once, at its handshake.
    HttpClient http = HttpClient.newBuilder()
        .sslContext(TestCertificates.clientContext(shortLived, serverCa))
        .version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest request = HttpRequest.newBuilder(
            URI.create("https://127.0.0.1:" + fixture.gateway.port() + "/checkpoint/team-a/web/nginx"))
        .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.noBody()).build();
    assertThat(http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(200);
    // Then a route that writes nothing, asked until the certificate's end has passed.
    HttpRequest list = HttpRequest.newBuilder(
            URI.create("https://127.0.0.1:" + fixture.gateway.port() + "/api/v1/archives"))
        .timeout(Duration.ofSeconds(20)).GET().build();
    Await.until("the expired certificate is refused on its connection", Duration.ofSeconds(20),
        Duration.ofMillis(250), () -> {
      try {
        return http.send(list, HttpResponse.BodyHandlers.ofString()).statusCode() == 401;
      } catch (IOException | InterruptedException e) {
        throw new AssertionError("the kept-alive connection was replaced", e);
      }
    });
  }

  @Test
  void withoutACertificateABearerTokenStillServes() throws Exception {
    assertThat(post("/checkpoint/default/demo/app", null, serverCa, fixture.adminToken())
        .statusCode()).isEqualTo(200);
    assertThat(post("/checkpoint/default/demo/app", null, serverCa, null).statusCode())
        .isEqualTo(401);
  }

  @Test
  void aRotatedServerCertificateAndClientCaAreServedWithoutARestart() throws Exception {
    Issued alice = TestCertificates.client(clientCa, "CN=alice,O=team-a-operators");
    Issued nextServerCa = TestCertificates.ca("server-ca-2");
    Issued nextClientCa = TestCertificates.ca("client-ca-2");
    Issued carol = TestCertificates.client(nextClientCa, "CN=carol,O=team-a-operators");
    TestCertificates.server(nextServerCa, "gateway-2").write(dir, "server");
    TestCertificates.writeAtomically(clientCaFile,
        TestCertificates.pem(nextClientCa.certificate()));
    Await.until("the new server certificate and client CA are served", () -> {
      try {
        return post("/checkpoint/team-a/web/nginx", carol, nextServerCa, null).statusCode() == 200;
      } catch (IOException | InterruptedException e) {
        return false;
      }
    });
    // The old client CA no longer authenticates: the server now names only the new CA in its
    // certificate request, so the JDK client offers no certificate and the request has no
    // credentials. And the old server CA no longer matches the server.
    assertThat(post("/checkpoint/team-a/web/nginx", alice, nextServerCa, null).statusCode())
        .isEqualTo(401);
    assertThatThrownBy(() -> post("/checkpoint/team-a/web/nginx", carol, serverCa, null))
        .isInstanceOf(IOException.class);

    // A broken certificate: the one in use stays, and the failure shows.
    double failedBefore = meter("auth.reload.failures");
    TestCertificates.writeAtomically(server.cert(), "not a certificate\n");
    Await.until("the failed reload is counted", () -> meter("auth.reload.failures") > failedBefore
        && meter("auth.reload.failing") == 1);
    assertThat(post("/checkpoint/team-a/web/nginx", carol, nextServerCa, null).statusCode())
        .isEqualTo(200);
  }

  private double meter(String name) {
    var registry = StrictVertx.registry(vertx);
    var counter = registry.find(name).tag("file", "tls").functionCounter();
    if (counter != null) {
      return counter.count();
    }
    var gauge = registry.find(name).tag("file", "tls").gauge();
    return gauge == null ? -1 : gauge.value();
  }
}
