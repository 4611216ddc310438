package org.checkpointgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.checkpointgateway.support.ArchiveFixtures;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.GatewayFixture;
import org.checkpointgateway.support.GatewayTestBase;
import org.checkpointgateway.support.HttpAnswer;
import org.checkpointgateway.support.TestKeys;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code --audit-log}: one JSON line per audited request, through a real gateway. */
class AuditLogTest extends GatewayTestBase {

  private Path log;

  @BeforeEach
  void start() {
    log = dir.resolve("audit.jsonl");
    fixture.startGateway(fixture.settings().override("auth.auditLog", log.toString(),
        "--audit-log"));
  }

  @Test
  void everyCheckpointDownloadInspectDeleteAndPinIsOneLine() {
    String ops = TestKeys.Signer.hs256(vertx, fixture.secret).sign(TestKeys.claims("ops",
            "checkpoint:*", "archives:*", "metrics:read")
        .put("groups", new JsonArray().add("sre").add("oncall"))
        .put("iss", GatewayFixture.ISSUER).put("aud", GatewayFixture.AUDIENCE));
    HttpAnswer plain = fixture.post("/checkpoint/default/demo/app", ops);
    assertThat(plain.status()).isEqualTo(200);
    String archive = Path.of(new JsonObject(plain.body()).getJsonArray("items").getString(0))
        .getFileName().toString();
    assertThat(fixture.post("/checkpoint/default/demo/app",
        fixture.token("team-a-robot", "checkpoint:create:team-a")).status()).isEqualTo(403);
    assertThat(fixture.post("/checkpoint/default/demo/app", null).status()).isEqualTo(401);
    HttpAnswer streamed = Await.result(fixture.request(HttpMethod.POST,
        "/checkpoint/default/demo/broken", ops, Map.of("Accept", "text/event-stream")));
    assertThat(streamed.status()).isEqualTo(200);
    assertThat(fixture.post("/checkpoint/team-a/web", ops).status()).isEqualTo(200);
    assertThat(Await.result(fixture.requestJson(HttpMethod.POST, "/api/v1/checkpoints", ops,
        "{\"namespace\":\"default\",\"pod\":\"demo\",\"container\":\"sidecar\"}", Map.of()))
        .status()).isEqualTo(202);
    String uri = "/api/v1/archives/" + archive;
    assertThat(fixture.send(HttpMethod.GET, uri, ops).status()).isEqualTo(200);
    assertThat(fixture.send(HttpMethod.HEAD, uri, ops).status()).isEqualTo(200);
    assertThat(fixture.send(HttpMethod.GET, uri + "/inspect", ops).status()).isEqualTo(200);
    assertThat(fixture.send(HttpMethod.PUT, uri + "/pin", ops).status()).isEqualTo(200);
    assertThat(fixture.send(HttpMethod.DELETE, uri, ops).status()).isEqualTo(409);
    assertThat(fixture.send(HttpMethod.DELETE, uri + "/pin", ops).status()).isEqualTo(200);
    assertThat(fixture.send(HttpMethod.DELETE, uri, ops).status()).isEqualTo(204);
    assertThat(fixture.send(HttpMethod.GET, uri,
        fixture.token("reader", "archives:read:default")).status()).isEqualTo(404);

    // The 401 (no user to name) and the HEAD (no bytes leave) are not audited.
    List<JsonObject> lines = lines(12);
    assertThat(lines).extracting(line -> line.getString("user") + " " + line.getString("action")
            + " " + line.getString("target") + " " + line.getString("outcome") + " "
            + line.getInteger("status"))
        .containsExactly(
            "ops checkpoint default/demo/app succeeded 200",
            "team-a-robot checkpoint default/demo/app denied 403",
            "ops checkpoint default/demo/broken failed 500",
            "ops checkpoint team-a/web succeeded 200",
            "ops checkpoint.job default/demo/sidecar accepted 202",
            "ops archive.download " + archive + " succeeded 200",
            "ops archive.inspect " + archive + " succeeded 200",
            "ops archive.pin " + archive + " succeeded 200",
            "ops archive.delete " + archive + " refused 409",
            "ops archive.unpin " + archive + " succeeded 200",
            "ops archive.delete " + archive + " succeeded 204",
            "reader archive.download " + archive + " not_found 404");
    assertThat(lines.get(0).getJsonArray("groups")).containsExactly("sre", "oncall");
    assertThat(lines.get(1).getJsonArray("groups")).isEmpty();
    assertThat(fixture.metric("audit.log.written.lines")).isEqualTo(12);
    assertThat(fixture.metric("audit.log.dropped.lines")).isZero();
  }

  @Test
  void callersThatGoAwayAreRecordedAsAborted() {
    NetClient net = vertx.createNetClient();
    for (String accept : List.of("text/event-stream", "application/json")) {
      NetSocket socket = Await.result(net.connect(fixture.gateway.port(), "127.0.0.1"));
      socket.handler(ignored -> {
      });
      Await.result(socket.write("POST /checkpoint/default/demo/slow HTTP/1.1\r\nHost: localhost\r\n"
          + "Accept: " + accept + "\r\nAuthorization: Bearer " + fixture.adminToken()
          + "\r\nContent-Length: 0\r\n\r\n"));
      Await.until("the runtime to start the checkpoint",
          () -> fixture.runtime.activeCheckpoints() == 1);
      Await.result(socket.close());
      Await.until("the checkpoint to be cancelled", () -> fixture.runtime.activeCheckpoints() == 0);
    }
    // A stream had answered 200 before it was cut; a plain request had no answer yet (499).
    assertThat(lines(2)).extracting(line -> line.getString("outcome") + " "
        + line.getInteger("status")).containsExactly("aborted 200", "aborted 499");
    Await.result(net.close());
  }

  @Test
  void aDownloadCutShortIsRecorded() throws IOException {
    // Big enough that the socket buffers fill while the client does not read.
    Path big = ArchiveFixtures.builder()
        .json("spec.dump", new JsonObject().put("annotations", new JsonObject()
            .put("io.kubernetes.pod.namespace", "default").put("io.kubernetes.pod.name", "big")
            .put("io.kubernetes.container.name", "mem")))
        .sized("checkpoint/pages-1.img", 64L << 20)
        .writeTo(fixture.checkpointDir.resolve(
            "checkpoint-big_default-mem-2026-03-01T08:00:00.000000000Z.tar"),
            java.time.Instant.parse("2026-03-01T08:00:00Z"));
    NetClient net = vertx.createNetClient();
    NetSocket socket = Await.result(net.connect(fixture.gateway.port(), "127.0.0.1"));
    AtomicLong received = new AtomicLong();
    socket.handler(buffer -> {
      if (received.getAndAdd(buffer.length()) == 0) {
        socket.pause();
      }
    });
    Await.result(socket.write("GET /api/v1/archives/" + big.getFileName()
        + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
        + fixture.token("thief", "archives:download:default") + "\r\n\r\n"));
    Await.until("the download to start", () -> received.get() > 0);
    Await.result(socket.close());
    assertThat(lines(1)).extracting(line -> line.getString("user") + " "
        + line.getString("action") + " " + line.getString("outcome"))
        .containsExactly("thief archive.download aborted");
    Await.result(net.close());
  }

  @Test
  void anAuditLogThatCannotBeOpenedStopsStartUp() {
    Path missing = dir.resolve("no-such-directory").resolve("audit.jsonl");
    Throwable failure = Await.failure(org.checkpointgateway.Gateway.start(vertx,
        org.checkpointgateway.config.GatewayOptions.from(fixture.settings()
            .override("auth.auditLog", missing.toString(), "--audit-log"))));
    // An IllegalArgumentException is what makes Main exit with code 2.
    assertThat(failure).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--audit-log " + missing + ": cannot open for appending");
  }

  /** The audit log's lines once there are at least {@code count} of them. */
  private List<JsonObject> lines(int count) {
    Await.until(count + " audit lines", () -> read().size() >= count);
    return read().stream().map(JsonObject::new).toList();
  }

  private List<String> read() {
    try {
      return Files.exists(log) ? Files.readAllLines(log) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
