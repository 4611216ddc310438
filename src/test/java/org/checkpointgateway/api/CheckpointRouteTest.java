package org.checkpointgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.checkpointgateway.sim.CheckpointObservation;
import org.checkpointgateway.sim.SimulatedRuntime;
import org.checkpointgateway.support.ArchiveLayout;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.GatewayTestBase;
import org.checkpointgateway.support.HttpAnswer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The kubelet-compatible route, end to end: real HTTP socket, real gRPC over a unix socket. */
class CheckpointRouteTest extends GatewayTestBase {

  private static final String ARCHIVE_NAME =
      "checkpoint-demo_default-app-\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z\\.tar";


  @BeforeEach
  void start() {
    fixture.startGateway();
  }


  @Test
  void checkpointWritesARealArchiveAndAnswersWithItsPath() throws IOException {
    HttpAnswer answer = fixture.post("/checkpoint/default/demo/app", fixture.adminToken());

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.header("Content-Type")).isEqualTo("application/json");
    Path archive = Path.of(new JsonObject(answer.body()).getJsonArray("items").getString(0));
    assertThat(answer.body()).isEqualTo("{\"items\":[\"" + archive + "\"]}");
    assertThat(archive.getParent()).isEqualTo(fixture.checkpointDir.toAbsolutePath());
    assertThat(archive.getFileName().toString()).matches(ARCHIVE_NAME);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(archive)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fixture.checkpointDir)))
        .isEqualTo("rwx------");
    assertThat(members(archive)).contains("config.dump", "spec.dump", "stats-dump",
        "checkpoint/inventory.img", "checkpoint/pages-1.img");
    ArchiveLayout.assertReadableByKubeletClients(archive, "default", "demo", "app");

    Await.until("the runtime to record the call", () -> !fixture.runtime.observations().isEmpty());
    CheckpointObservation seen = fixture.runtime.observations().get(0);
    assertThat(seen.containerId()).isEqualTo(SimulatedRuntime.containerId("default", "demo", "app"));
    assertThat(seen.authority()).isEqualTo("localhost");
    // The default timeout (120 s) travels as the CRI field and as grpc-timeout.
    assertThat(seen.requestTimeoutSeconds()).isEqualTo(120);
    assertThat(seen.grpcTimeoutMillis()).isBetween(100_000L, 120_000L);
  }

  @Test
  void twoCheckpointsInTheSameSecondGiveTwoArchives() {
    String token = fixture.adminToken();
    var first = fixture.request(HttpMethod.POST, "/checkpoint/default/demo/app", token);
    var second = fixture.request(HttpMethod.POST, "/checkpoint/default/demo/app", token);
    HttpAnswer a = Await.result(first);
    HttpAnswer b = Await.result(second);

    assertThat(a.status()).isEqualTo(200);
    assertThat(b.status()).isEqualTo(200);
    assertThat(a.body()).isNotEqualTo(b.body());
    assertThat(fixture.archives()).hasSize(2);
  }

  @Test
  void unknownPodAndContainerAreTheKubeletsNotFound() {
    String token = fixture.adminToken();
    assertPlain(fixture.post("/checkpoint/default/nope/app", token), 404, "pod does not exist");
    assertPlain(fixture.post("/checkpoint/nope/demo/app", token), 404, "pod does not exist");
    assertPlain(fixture.post("/checkpoint/default/demo/nope", token), 404,
        "container nope does not exist");
    assertThat(fixture.runtime.calls("CheckpointContainer")).isZero();
  }

  @Test
  void aContainerThatDoesNotRunIsTheKubelets500NotFound() {
    String token = fixture.adminToken();
    // The kubelet's lookup sees only running containers, after the pod's spec named it.
    assertPlain(fixture.post("/checkpoint/default/demo/done", token), 500,
        "checkpointing of default/demo/done failed (container done not found)");
    // Its timeout is read first: an unparsable one is still the 404.
    assertPlain(fixture.post("/checkpoint/default/demo/done?timeout=abc", token), 404,
        "cannot parse value of timeout parameter");
    assertPlain(fixture.post("/checkpoint/default/demo/done?timeout=-1", token), 500,
        "checkpointing of default/demo/done failed (container done not found)");
    assertThat(fixture.runtime.calls("CheckpointContainer")).isZero();
  }

  @Test
  void aNegativeTimeoutIsTheKubeletsCriClient500() {
    String token = fixture.adminToken();
    assertPlain(fixture.post("/checkpoint/default/demo/app?timeout=-1", token), 500,
        "checkpointing of default/demo/app failed "
            + "(CheckpointContainer requires the timeout value to be > 0)");
    assertPlain(fixture.post("/checkpoint/default/demo/app?timeout=-9223372036854775808", token),
        500, "checkpointing of default/demo/app failed "
            + "(CheckpointContainer requires the timeout value to be > 0)");
    // Pod and container come first; -0 is 0, the default.
    assertPlain(fixture.post("/checkpoint/default/nope/app?timeout=-1", token), 404,
        "pod does not exist");
    assertThat(fixture.runtime.calls("CheckpointContainer")).isZero();
    assertThat(fixture.post("/checkpoint/default/demo/app?timeout=-0", token).status()).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "30s", "1.5", "", "99999999999999999999", "-99999999999999999999"})
  void unusableTimeoutIsTheKubeletsQuirky404(String value) {
    assertPlain(fixture.post("/checkpoint/default/demo/app?timeout=" + value, fixture.adminToken()),
        404, "cannot parse value of timeout parameter");
    assertThat(fixture.runtime.calls("CheckpointContainer")).isZero();
  }

  @Test
  void timeoutLastValueWinsAndLookupIsAnsweredFirst() {
    String token = fixture.adminToken();
    assertThat(fixture.post("/checkpoint/default/demo/app?timeout=abc&timeout=7", token).status())
        .isEqualTo(200);
    // The runtime records a call once it has answered it: the answer may arrive first.
    Await.until("the runtime to record the call", () -> fixture.runtime.observations().size() >= 1);
    assertThat(fixture.runtime.observations().get(0).requestTimeoutSeconds()).isEqualTo(7);
    assertPlain(fixture.post("/checkpoint/default/demo/app?timeout=7&timeout=abc", token), 404,
        "cannot parse value of timeout parameter");
    assertPlain(fixture.post("/checkpoint/default/nope/app?timeout=abc", token), 404,
        "pod does not exist");
    // 0 means the default.
    assertThat(fixture.post("/checkpoint/default/demo/app?timeout=0", token).status()).isEqualTo(200);
    Await.until("the runtime to record the call", () -> fixture.runtime.observations().size() >= 2);
    assertThat(fixture.runtime.observations().get(1).requestTimeoutSeconds()).isEqualTo(120);
  }

  @Test
  void runtimeFailureIsTheKubeletsText() {
    assertPlain(fixture.post("/checkpoint/default/demo/broken", fixture.adminToken()), 500,
        "checkpointing of default/demo/broken failed (rpc error: code = Unknown desc = CRIU dump failed)");
    assertThat(fixture.archives()).isEmpty();
  }

  @Test
  void unimplementedRuntimeIsA500NamingUnimplemented() {
    fixture.runtime.setUnimplemented(true);
    assertPlain(fixture.post("/checkpoint/default/demo/app", fixture.adminToken()), 500,
        "checkpointing of default/demo/app failed (rpc error: code = Unimplemented desc = "
            + "method CheckpointContainer not implemented)");
  }

  @Test
  void deadlineCancelsTheRuntimeCallAndLeavesNothing() {
    var ended = fixture.runtime.nextCheckpointEnded();
    HttpAnswer answer = fixture.post("/checkpoint/default/demo/slow?timeout=1", fixture.adminToken());

    assertPlain(answer, 500, "checkpointing of default/demo/slow failed "
        + "(rpc error: code = DeadlineExceeded desc = context deadline exceeded)");
    CheckpointObservation seen = Await.result(ended);
    assertThat(seen.outcome()).isEqualTo(CheckpointObservation.Outcome.CANCELLED);
    assertThat(seen.requestTimeoutSeconds()).isEqualTo(1);
    assertThat(seen.grpcTimeoutMillis()).isBetween(1L, 1000L);
    assertThat(fixture.archives()).isEmpty();
  }

  @Test
  void callerThatDisconnectsCancelsTheRuntimeCall() {
    var ended = fixture.runtime.nextCheckpointEnded();
    var net = vertx.createNetClient();
    var socket = Await.result(net.connect(fixture.gateway.port(), "127.0.0.1"));
    java.util.concurrent.atomic.AtomicReference<String> received = new java.util.concurrent.atomic.AtomicReference<>("");
    socket.handler(buffer -> received.updateAndGet(s -> s + buffer));
    Await.result(socket.write("POST /checkpoint/default/demo/slow HTTP/1.1\r\nHost: localhost\r\n"
        + "Authorization: Bearer " + fixture.adminToken() + "\r\nContent-Length: 0\r\n\r\n"));
    Await.until("the runtime to start the checkpoint", () -> fixture.runtime.activeCheckpoints() == 1);
    Await.result(socket.close());

    CheckpointObservation seen = Await.result(ended);
    assertThat(seen.outcome()).isEqualTo(CheckpointObservation.Outcome.CANCELLED);
    assertThat(received.get()).isEmpty();
    Await.until("the archive to be removed", () -> fixture.archives().isEmpty());
    Await.result(net.close());
  }

  @Test
  void otherMethodsAre405() {
    for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.PUT, HttpMethod.DELETE)) {
      assertPlain(fixture.send(method, "/checkpoint/default/demo/app", fixture.adminToken()), 405,
          "405: Method Not Allowed");
    }
  }

  @Test
  void unknownPathIsGo404() {
    assertPlain(fixture.send(HttpMethod.POST, "/checkpoint/default", fixture.adminToken()),
        404, "404 page not found");
    assertPlain(fixture.send(HttpMethod.GET, "/nothing-here", fixture.token("reader")), 404,
        "404 page not found");
    // Authentication comes before routing: without credentials no path is told apart.
    assertPlain(fixture.send(HttpMethod.GET, "/nothing-here", null), 401, "Unauthorized");
  }

  @Test
  void healthAndReadinessNeedNoToken() {
    HttpAnswer health = fixture.send(HttpMethod.GET, "/healthz", null);
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.body()).isEqualTo("ok");
    HttpAnswer ready = Await.until("readiness",
        () -> fixture.request(HttpMethod.GET, "/readyz", null), a -> a.status() == 200);
    assertThat(ready.body()).contains("\"name\":\"checkpoint-gateway-simulator\"");
  }

  static void assertPlain(HttpAnswer answer, int status, String body) {
    assertThat(answer.status()).as(answer.body()).isEqualTo(status);
    assertThat(answer.body()).isEqualTo(body);
    assertThat(answer.header("Content-Type")).isEqualTo("text/plain; charset=utf-8");
  }

  static List<String> members(Path archive) throws IOException {
    List<String> names = new ArrayList<>();
    try (InputStream in = Files.newInputStream(archive);
        TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
        names.add(entry.getName());
      }
    }
    return names;
  }
}
