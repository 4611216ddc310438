package org.checkpointgateway.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.checkpointgateway.auth.TokenIssuer;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.MainProcess;
import org.checkpointgateway.support.TestCertificates;
import org.checkpointgateway.support.TestCertificates.Pem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three members as processes with TLS on the event bus: n1 and n2 hold certificates of the
 * fleet's CA, n3 one of another CA while it trusts the fleet's. n1 and n2 forward to each other;
 * n3 joins Hazelcast (whose member protocol has no TLS in the open-source edition) but can
 * exchange no message with them, and the callers of either side are told so at once: n1 refuses
 * n3's certificate as a client (its handshake fails), and as a server after n3's side of a TLS
 * 1.3 handshake has completed (n3's message is written and dropped, nothing reports it). n2
 * admits one checkpoint and queues none: its 429 reaches a caller of n1 with n2's Retry-After.
 * Their HTTP API is TLS too, asking for client certificates, with certificates of a private CA:
 * n1 trusts it for other members' API with {@code --cluster-api-ca} (a file it re-reads), n2 only
 * through its JVM's trust store, which does not have it; a caller known only by its certificate
 * downloads n2's archive through n1, and n2 says that n1's certificate is not trusted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetTlsProcessTest {

  private static final String SEED = """
      bandwidthBytesPerSecond: 1073741824
      pods:
        - namespace: ns-%1$s
          name: pod-%1$s
          containers:
            - name: app
              memoryBytes: 8388608
            - name: slow
              memoryBytes: 8388608
              checkpointSeconds: 60
      """;

  /** Certificate callers: alice may download every namespace's archives, bob only read them. */
  private static final String RULES = """
      rules:
        - users: ["alice"]
          permissions: ["archives:read:*", "archives:download:*"]
        - users: ["bob"]
          permissions: ["archives:read:*"]
      """;

  @TempDir
  static Path dir;
  private final List<MainProcess> members = new ArrayList<>();
  private Vertx vertx;
  private String admin;
  private TestCertificates.Issued apiCa;
  private TestCertificates.Issued clientCa;
  private TestCertificates.Issued otherCa;
  /** n1's --cluster-api-ca. */
  private Path apiCaFile;

  @BeforeAll
  void formFleet() throws Exception {
    vertx = Vertx.vertx();
    String secret = TokenIssuer.randomSecret();
    Path secretFile = Files.writeString(dir.resolve("secret"), secret);
    admin = TokenIssuer.hs256(vertx, secret).issue("admin", List.of("*"), Duration.ofHours(1),
        Optional.empty(), Optional.empty());
    TestCertificates.Issued fleetCa = TestCertificates.ca("fleet");
    otherCa = TestCertificates.ca("other");
    Files.writeString(dir.resolve("fleet-ca.crt"), TestCertificates.pem(fleetCa.certificate()));
    apiCa = TestCertificates.ca("api");
    clientCa = TestCertificates.ca("clients");
    Path clientCaFile = Files.writeString(dir.resolve("client-ca.crt"),
        TestCertificates.pem(clientCa.certificate()));
    Path rules = Files.writeString(dir.resolve("authorization.yaml"), RULES);
    // A front reaches a holder's HTTP API over TLS: n1 starts trusting another CA than the API's.
    apiCaFile = Files.writeString(dir.resolve("n1-api-ca.crt"),
        TestCertificates.pem(otherCa.certificate()));
    members.addAll(FleetOfThree.start(dir, "fleet-tls-test-" + ProcessHandle.current().pid(),
        secretFile, node -> {
          boolean stranger = node.equals("n3");
          Pem pem = TestCertificates.server(stranger ? otherCa : fleetCa, node).write(dir, node);
          Pem api = TestCertificates.server(apiCa, node).write(dir, node + "-api");
          List<String> flags = new ArrayList<>(List.of(
              "--tls-cert", api.cert().toString(), "--tls-key", api.key().toString(),
              "--tls-client-ca", clientCaFile.toString(),
              "--authorization-file", rules.toString(),
              "--cluster-tls-cert", pem.cert().toString(), "--cluster-tls-key", pem.key().toString(),
              // n3 trusts the others' certificates; they refuse its own.
              "--cluster-tls-ca", dir.resolve("fleet-ca.crt").toString(),
              "--simulator-pods", Files.writeString(dir.resolve(node + ".yaml"),
                  SEED.formatted(node)).toString(),
              "--checkpoint-dir", dir.resolve(node).toString()));
          if (node.equals("n1")) {
            flags.addAll(List.of("--cluster-api-ca", apiCaFile.toString(),
                "--auth-reload-interval", "200ms"));
          }
          if (node.equals("n2")) {
            flags.addAll(List.of("--max-concurrent", "1", "--max-queued", "0"));
          }
          return flags;
        }));
  }

  @AfterAll
  void stop() {
    members.forEach(MainProcess::close);
    if (vertx != null) {
      vertx.close();
    }
  }

  @Test
  @Order(1)
  void membersOfTheFleetsCaForwardToEachOtherOverTls() {
    for (int[] pair : new int[][] {{0, 1}, {1, 0}}) {
      MainProcess front = members.get(pair[0]);
      String owner = members.get(pair[1]).name();
      HttpResponse<String> answer = front.post("/checkpoint/ns-" + owner + "/pod-" + owner
          + "/app", admin, Duration.ofSeconds(30));
      assertThat(answer.statusCode()).as(front.name() + " for " + owner + ": " + answer.body())
          .isEqualTo(200);
      assertThat(answer.body()).contains(dir.resolve(owner).toString());
    }
  }

  @Test
  @Order(2)
  void aMemberWithAnotherCasCertificateExchangesNoMessageAndSaysSo() {
    Duration deadline = Duration.ofSeconds(30);
    // n3 first: the member whose certificate is refused, as the front (TLS 1.3's silent case),
    // then again: the failed link is remembered, and answered without waiting for a probe.
    int[][] pairs = {{2, 0}, {2, 0}, {2, 1}, {0, 2}};
    for (int i = 0; i < pairs.length; i++) {
      int[] pair = pairs[i];
      MainProcess front = members.get(pair[0]);
      String owner = members.get(pair[1]).name();
      long started = System.nanoTime();
      HttpResponse<String> answer;
      try {
        answer = front.post("/checkpoint/ns-" + owner + "/pod-" + owner + "/app?timeout="
            + deadline.toSeconds(), admin, deadline.plusSeconds(10));
      } catch (AssertionError unanswered) {
        throw new AssertionError(front.name() + " did not answer for " + owner + "; its log: "
            + front.output(), unanswered);
      }
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      assertThat(answer.statusCode()).as(front.name() + " for " + owner + ": " + answer.body())
          .isEqualTo(503);
      assertThat(answer.body()).startsWith("node " + owner + " cannot be reached");
      // Refused at the handshake or unproven by a probe, not left to run into the deadline.
      assertThat(took).as(front.name() + " for " + owner).isLessThan(deadline.dividedBy(3));
      if (i == 1) {
        assertThat(took).as("a remembered failure").isLessThan(LinkCheck.PROBE_TIMEOUT);
      }
    }
    // Neither side ran anything for the other, and n3 logged why its connections failed.
    assertThat(FleetOfThree.gauge(members.get(0), "checkpoint_running")).isZero();
    assertThat(members.get(2).output()).containsPattern("(?i)(certificate|PKIX|SSL|handshake)");
  }

  @Test
  @Order(3)
  void theOwnersRefusalReachesTheCallerWithItsRetryAfter() {
    MainProcess front = members.get(0);
    MainProcess owner = members.get(1);
    // The owner's one admission slot taken by a slow checkpoint of its own caller.
    CompletableFuture<HttpResponse<String>> busy = CompletableFuture.supplyAsync(() -> owner.post(
        "/checkpoint/ns-n2/pod-n2/slow?timeout=20", admin, Duration.ofSeconds(40)));
    Await.until("n2 to run the slow checkpoint", Duration.ofSeconds(20), Duration.ofMillis(50),
        () -> FleetOfThree.gauge(owner, "checkpoint_running") == 1);
    HttpResponse<String> direct = owner.post("/checkpoint/ns-n2/pod-n2/app", admin,
        Duration.ofSeconds(20));
    HttpResponse<String> forwarded = front.post("/checkpoint/ns-n2/pod-n2/app", admin,
        Duration.ofSeconds(20));
    assertThat(direct.statusCode()).as(direct.body()).isEqualTo(429);
    assertThat(forwarded.statusCode()).isEqualTo(429);
    assertThat(forwarded.body()).isEqualTo(direct.body());
    assertThat(direct.headers().firstValue("Retry-After")).isPresent();
    assertThat(forwarded.headers().firstValue("Retry-After"))
        .isEqualTo(direct.headers().firstValue("Retry-After"));
    // The slow one ends at its own deadline: nothing is left running.
    assertThat(busy.join().statusCode()).isEqualTo(500);
  }

  @Test
  @Order(4)
  void aFrontTrustsTheMembersApiCaItIsGivenAndSaysWhenItDoesNot() throws Exception {
    MainProcess n1 = members.get(0);
    MainProcess n2 = members.get(1);
    TestCertificates.Issued alice = TestCertificates.client(clientCa, "CN=alice,O=team-a");
    String ofN1 = archiveOf(n1) + "?node=n1";
    String ofN2 = archiveOf(n2) + "?node=n2";
    // n2 has no --cluster-api-ca, and its JVM's trust store does not know the private CA.
    assertUntrusted(download(n2, alice, ofN1, null, null), "n1");
    // n1's --cluster-api-ca names another CA.
    assertUntrusted(download(n1, alice, ofN2, null, null), "n2");
    // The API's CA written in its place: n1 trusts it once it has read the file again.
    TestCertificates.writeAtomically(apiCaFile, TestCertificates.pem(apiCa.certificate()));
    Await.until("n1 to trust the API's CA", Duration.ofSeconds(20), Duration.ofMillis(200),
        () -> status(n1, alice, ofN2) == 200);
    // A file that is no CA bundle is refused, and the CA in use stays in use.
    TestCertificates.writeAtomically(apiCaFile, "not a certificate\n");
    Await.until("n1 to refuse the changed file", Duration.ofSeconds(20), Duration.ofMillis(200),
        () -> java.util.regex.Pattern.compile(
            "(?m)^auth_reload_failing\\{file=\"cluster-api-ca\"\\} 1")
            .matcher(n1.get("/metrics", "none").body()).find());
    assertThat(n1.output()).contains("--cluster-api-ca " + apiCaFile);
    assertThat(download(n1, alice, ofN2, null, null).statusCode()).isEqualTo(200);
    TestCertificates.writeAtomically(apiCaFile, TestCertificates.pem(apiCa.certificate()));
  }

  /** The status of a download, -1 when it could not be made. */
  private int status(MainProcess member, TestCertificates.Issued client, String name) {
    try {
      return download(member, client, name, null, null).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  private static void assertUntrusted(HttpResponse<byte[]> answer, String holder) {
    String body = new String(answer.body());
    assertThat(answer.statusCode()).as(body).isEqualTo(503);
    assertThat(body).contains("node " + holder + " cannot be reached at https://127.0.0.1:")
        .contains("its certificate is not trusted").contains("--cluster-api-ca");
  }

  /** The name of a new archive of the member's own pod. */
  private String archiveOf(MainProcess member) {
    String node = member.name();
    HttpResponse<String> made = member.post("/checkpoint/ns-" + node + "/pod-" + node + "/app",
        admin, Duration.ofSeconds(30));
    assertThat(made.statusCode()).as(made.body()).isEqualTo(200);
    return Path.of(new io.vertx.core.json.JsonObject(made.body()).getJsonArray("items")
        .getString(0)).getFileName().toString();
  }

  @Test
  @Order(5)
  void aCallerKnownByItsClientCertificateDownloadsAnotherMembersArchiveThroughAFront()
      throws Exception {
    MainProcess n1 = members.get(0);
    MainProcess n2 = members.get(1);
    HttpResponse<String> made = n2.post("/checkpoint/ns-n2/pod-n2/app", admin,
        Duration.ofSeconds(30));
    assertThat(made.statusCode()).as(made.body()).isEqualTo(200);
    String name = Path.of(new io.vertx.core.json.JsonObject(made.body()).getJsonArray("items")
        .getString(0)).getFileName().toString();
    TestCertificates.Issued alice = TestCertificates.client(clientCa, "CN=alice,O=team-a");
    TestCertificates.Issued bob = TestCertificates.client(clientCa, "CN=bob,O=team-a");

    HttpResponse<byte[]> own = download(n2, alice, name, null, null);
    assertThat(own.statusCode()).isEqualTo(200);
    // Through n1: before tickets, a certificate caller got 421 here.
    HttpResponse<byte[]> whole = download(n1, alice, name, null, null);
    assertThat(whole.statusCode()).as(new String(whole.body())).isEqualTo(200);
    assertThat(whole.body()).isEqualTo(own.body());
    String etag = own.headers().firstValue("ETag").orElseThrow();
    assertThat(whole.headers().firstValue("ETag")).hasValue(etag);
    // Named by its holder from here on: n3, unreachable on the event bus, is not asked.
    String atN2 = name + "?node=n2";
    HttpResponse<byte[]> part = download(n1, alice, atN2, "bytes=100-1123", null);
    assertThat(part.statusCode()).isEqualTo(206);
    assertThat(part.headers().firstValue("Content-Range"))
        .hasValue("bytes 100-1123/" + own.body().length);
    assertThat(part.body()).isEqualTo(java.util.Arrays.copyOfRange(own.body(), 100, 1124));
    assertThat(download(n1, alice, atN2, null, etag).statusCode()).isEqualTo(304);
    // The holder's refusal: bob may see the archive, not download it.
    HttpResponse<byte[]> refused = download(n1, bob, atN2, null, null);
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(new String(refused.body())).contains("bob");
    // A ticket is the holder's own word: one it did not issue authenticates nothing.
    HttpResponse<byte[]> forged = send(n2, null, name, java.util.Map.of(
        "Checkpoint-Gateway-Ticket", "A".repeat(43)));
    assertThat(forged.statusCode()).isEqualTo(401);
  }

  private HttpResponse<byte[]> download(MainProcess member, TestCertificates.Issued client,
      String name, String range, String ifNoneMatch) throws Exception {
    java.util.Map<String, String> headers = new java.util.HashMap<>();
    if (range != null) {
      headers.put("Range", range);
    }
    if (ifNoneMatch != null) {
      headers.put("If-None-Match", ifNoneMatch);
    }
    return send(member, client, name, headers);
  }

  /** GET of the archive over TLS, presenting {@code client} (none when null), trusting the API CA. */
  private HttpResponse<byte[]> send(MainProcess member, TestCertificates.Issued client,
      String name, java.util.Map<String, String> headers) throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
        .sslContext(TestCertificates.clientContext(client, apiCa))
        .connectTimeout(Duration.ofSeconds(10)).build();
    java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(
        java.net.URI.create(member.url() + "/api/v1/archives/" + name))
        .timeout(Duration.ofSeconds(30)).GET();
    headers.forEach(request::header);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** A gauge of a member's /metrics; -1 while it cannot be read. */
}
