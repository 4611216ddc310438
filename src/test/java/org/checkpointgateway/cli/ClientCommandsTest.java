package org.checkpointgateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.GatewayFixture;
import org.checkpointgateway.support.StrictVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command-line client end to end against a running gateway (in process, real sockets). */
class ClientCommandsTest {

  @TempDir
  Path dir;
  @TempDir
  Path work;
  Vertx vertx;
  GatewayFixture fixture;
  Path adminToken;

  @BeforeEach
  void start() throws IOException {
    vertx = StrictVertx.create();
    fixture = GatewayFixture.withRuntime(vertx, dir).startGateway();
    adminToken = tokenFile("admin", fixture.token("admin", "checkpoint:*", "archives:*"));
  }

  @AfterEach
  void stop() {
    fixture.close();
    Await.result(vertx.close());
    StrictVertx.assertNeverBlocked(vertx);
  }

  Path tokenFile(String name, String token) throws IOException {
    return Files.writeString(work.resolve(name + ".token"), token + "\n");
  }

  CommandRun cli(Path token, String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.add("--server=http://127.0.0.1:" + fixture.gateway.port());
    if (token != null) {
      all.add("--token-file=" + token);
    }
    return CommandRun.of(org.checkpointgateway.MainAccess.commandLine(), all.toArray(String[]::new));
  }

  String checkpoint() {
    CommandRun run = cli(adminToken, "checkpoint", "default/demo/app", "--timeout", "30");
    assertThat(run.code()).as(run.err()).isZero();
    Path archive = Path.of(run.out().strip());
    assertThat(archive).exists().hasParent(fixture.checkpointDir.toAbsolutePath());
    return archive.getFileName().toString();
  }

  @Test
  void checkpointPrintsTheArchivePathFromThePlainAnswer() {
    String name = checkpoint();
    assertThat(name).startsWith("checkpoint-demo_default-app-");
    Await.until("the runtime to record the call", () -> !fixture.runtime.observations().isEmpty());
    assertThat(fixture.runtime.observations().get(0).requestTimeoutSeconds()).isEqualTo(30);
  }

  @Test
  void checkpointFailuresExitOneWithTheServersText() throws IOException {
    CommandRun broken = cli(adminToken, "checkpoint", "default/demo/broken");
    assertThat(broken.code()).isEqualTo(1);
    // The route streams its events now: progress lines, then the failure as the last line.
    assertThat(broken.err()).startsWith("broken: started")
        .endsWith("checkpoint: checkpointing of default/demo/broken failed (rpc error: "
            + "code = Unknown desc = CRIU dump failed)\n");

    assertThat(cli(adminToken, "checkpoint", "default/nope/app").err())
        .isEqualTo("checkpoint: pod does not exist (HTTP 404)\n");
    CommandRun anonymous = cli(null, "checkpoint", "default/demo/app");
    assertThat(anonymous.code()).isEqualTo(1);
    assertThat(anonymous.err()).isEqualTo("checkpoint: Unauthorized (HTTP 401): no token was "
        + "sent; pass one with --token-file FILE or in $CHECKPOINT_GATEWAY_TOKEN\n");
    Path stranger = tokenFile("stranger", org.checkpointgateway.auth.TokenIssuer.hs256(vertx,
        org.checkpointgateway.auth.TokenIssuer.randomSecret()).issue("stranger", List.of("*"),
        java.time.Duration.ofMinutes(5), java.util.Optional.empty(), java.util.Optional.empty()));
    assertThat(cli(stranger, "archives", "ls").err()).isEqualTo("archives ls: Unauthorized "
        + "(HTTP 401): the gateway refused the token from --token-file " + stranger
        + " (expired, or not made for this gateway's key, issuer or audience)\n");
    CommandRun reader = cli(tokenFile("reader", fixture.token("reader", "archives:read:*")),
        "checkpoint", "default/demo/app");
    assertThat(reader.err()).contains("Forbidden (user=reader, verb=create, resource=nodes, subresource(s)=[checkpoint])");

    CommandRun usage = cli(adminToken, "checkpoint", "just-a-name");
    assertThat(usage.code()).isEqualTo(2);
    assertThat(usage.err()).contains("expected NAMESPACE/POD or NAMESPACE/POD/CONTAINER");
  }

  @Test
  void progressNeverPrintsOnlyTheResults() {
    CommandRun quiet = cli(adminToken, "checkpoint", "default/demo/app", "--progress", "never");
    assertThat(quiet.code()).as(quiet.err()).isZero();
    assertThat(quiet.err()).isEmpty();
    assertThat(quiet.out().strip().lines()).singleElement().asString()
        .startsWith(fixture.checkpointDir.toAbsolutePath() + "/checkpoint-demo_default-app-");

    CommandRun failed = cli(adminToken, "checkpoint", "default/demo/broken", "--progress", "never");
    assertThat(failed.code()).isEqualTo(1);
    assertThat(failed.err()).isEqualTo("checkpoint: checkpointing of default/demo/broken failed "
        + "(rpc error: code = Unknown desc = CRIU dump failed)\n");

    CommandRun plain = cli(adminToken, "checkpoint", "default/demo/app", "--progress", "plain");
    assertThat(plain.err()).startsWith("app: started (");
    assertThat(cli(adminToken, "checkpoint", "default/demo/app", "--progress", "sometimes").err())
        .isEqualTo("checkpoint: --progress sometimes: use auto, always, plain or never\n");
  }

  @Test
  void aServerThatHangsUpIsOneLineWithoutJavaClassNames() throws Exception {
    try (java.net.ServerSocket server = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      // Every connection (the client tries a GET twice) is hung up once its request arrives.
      Thread hangUp = new Thread(() -> {
        while (!server.isClosed()) {
          try (java.net.Socket client = server.accept()) {
            client.getInputStream().read();
          } catch (IOException ignored) {
            // the test ends
          }
        }
      });
      hangUp.start();
      CommandRun run = CommandRun.of(org.checkpointgateway.MainAccess.commandLine(), "archives",
          "ls", "--server=http://127.0.0.1:" + server.getLocalPort());
      server.close();
      hangUp.join(10_000);
      assertThat(run.code()).isEqualTo(1);
      assertThat(run.err().strip().lines()).singleElement().asString()
          .startsWith("archives ls: GET /api/v1/archives: ").doesNotContain("java.", "Exception");
    }
  }

  @Test
  void nothingListensIsOneLine() {
    CommandRun run = CommandRun.of(org.checkpointgateway.MainAccess.commandLine(), "archives", "ls",
        "--server=http://127.0.0.1:1");
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err().strip().lines()).hasSize(1);
    assertThat(run.err()).startsWith("archives ls: cannot connect to http://127.0.0.1:1");
  }

  @Test
  void lsInspectPinUnpinRm() {
    String name = checkpoint();
    CommandRun ls = cli(adminToken, "archives", "ls");
    assertThat(ls.code()).as(ls.err()).isZero();
    List<String> lines = ls.out().lines().toList();
    assertThat(lines.get(0)).startsWith("NAMESPACE  POD   CONTAINER  CHECKPOINTED").endsWith("PINNED  NAME");
    assertThat(lines.get(1)).startsWith("default    demo  app        ").contains("simulator  no      " + name);

    CommandRun json = cli(adminToken, "archives", "ls", "--namespace=default", "-o", "json");
    assertThat(new JsonObject(json.out()).getJsonArray("items")).hasSize(1);
    assertThat(cli(adminToken, "archives", "ls", "--namespace=team-a").out().lines()).hasSize(1);

    CommandRun inspect = cli(adminToken, "archives", "inspect", name);
    assertThat(inspect.code()).as(inspect.err()).isZero();
    assertThat(inspect.out()).contains("Container     app (pod demo, namespace default)")
        .contains("Engine        simulator (checkpoint-gateway-simulator), runtime runc")
        .contains("Image         docker.io/library/busybox:latest")
        .contains("memory pages 64.0 KiB")
        .contains("pages scanned 2048, written 2048")
        .contains("Pinned        no");

    assertThat(cli(adminToken, "archives", "pin", name).out()).isEqualTo("pinned " + name + "\n");
    CommandRun refused = cli(adminToken, "archives", "rm", name);
    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.err()).isEqualTo("archives rm: archive " + name + " is pinned (" + name
        + ".keep); unpin it first (HTTP 409)\n");
    assertThat(cli(adminToken, "archives", "unpin", name).out()).isEqualTo("unpinned " + name + "\n");
    assertThat(cli(adminToken, "archives", "rm", name).out()).isEqualTo("deleted " + name + "\n");
    assertThat(cli(adminToken, "archives", "inspect", name).err())
        .isEqualTo("archives inspect: no archive named " + name + " (HTTP 404)\n");
  }

  @Test
  void getDownloadsAndResumes() throws IOException {
    String name = checkpoint();
    Path source = fixture.checkpointDir.resolve(name);
    byte[] expected = Files.readAllBytes(source);

    Path first = work.resolve("first.tar");
    CommandRun get = cli(adminToken, "archives", "get", name, "-O", first.toString());
    assertThat(get.code()).as(get.err()).isZero();
    assertThat(get.out()).isEqualTo("saved " + first + " (" + expected.length + " bytes)\n");
    assertThat(Files.readAllBytes(first)).isEqualTo(expected);
    assertThat(work.resolve("first.tar.part")).doesNotExist();
    assertThat(work.resolve("first.tar.part.etag")).doesNotExist();

    // A download broken half way: the part and the ETag it was made from are left behind.
    String etag = Await.result(fixture.request(HttpMethod.HEAD, "/api/v1/archives/" + name,
        fixture.token("a", "archives:*"))).header("ETag");
    Path second = work.resolve("second.tar");
    Files.write(work.resolve("second.tar.part"), Arrays.copyOf(expected, expected.length / 2));
    Files.writeString(work.resolve("second.tar.part.etag"), etag);
    CommandRun resumed = cli(adminToken, "archives", "get", name, "-O", second.toString());
    assertThat(resumed.code()).as(resumed.err()).isZero();
    assertThat(resumed.err()).startsWith("resuming " + name + " at ");
    assertThat(Files.readAllBytes(second)).isEqualTo(expected);

    // A part made from another version of the archive: the gateway sends it all again.
    Path third = work.resolve("third.tar");
    Files.write(work.resolve("third.tar.part"), new byte[1000]);
    Files.writeString(work.resolve("third.tar.part.etag"), "\"stale\"");
    CommandRun restarted = cli(adminToken, "archives", "get", name, "-O", third.toString());
    assertThat(restarted.code()).as(restarted.err()).isZero();
    assertThat(restarted.err()).doesNotContain("resuming");
    assertThat(Files.readAllBytes(third)).isEqualTo(expected);

    // A part that is already whole.
    Path fourth = work.resolve("fourth.tar");
    Files.write(work.resolve("fourth.tar.part"), expected);
    Files.writeString(work.resolve("fourth.tar.part.etag"), etag);
    assertThat(cli(adminToken, "archives", "get", name, "-O", fourth.toString()).code()).isZero();
    assertThat(Files.readAllBytes(fourth)).isEqualTo(expected);

    CommandRun exists = cli(adminToken, "archives", "get", name, "-O", first.toString());
    assertThat(exists.code()).isEqualTo(1);
    assertThat(exists.err()).contains("already exists");
  }

  @Test
  void tokenCommandMakesTokensTheGatewayAccepts() throws IOException {
    checkpoint();
    Path secret = Files.writeString(work.resolve("secret"), fixture.secret);
    CommandRun token = CommandRun.of(org.checkpointgateway.MainAccess.commandLine(), "token",
        "--secret-file", secret.toString(), "--sub", "robot", "--permission", "archives:read:team-a",
        "--permission", "archives:read:default", "--ttl", "10m",
        "--issuer", GatewayFixture.ISSUER, "--audience", GatewayFixture.AUDIENCE);
    assertThat(token.code()).as(token.err()).isZero();
    Path file = tokenFile("robot", token.out().strip());
    CommandRun ls = cli(file, "archives", "ls", "-o", "json");
    assertThat(ls.code()).as(ls.err()).isZero();
    assertThat(new JsonObject(ls.out()).getJsonArray("items")).hasSize(1);
    CommandRun rm = cli(file, "archives", "rm", new JsonObject(ls.out()).getJsonArray("items")
        .getJsonObject(0).getString("name"));
    assertThat(rm.err()).contains("Forbidden (user=robot, verb=delete, resource=archives");

    CommandRun badTtl = CommandRun.of(org.checkpointgateway.MainAccess.commandLine(), "token",
        "--secret-file", secret.toString(), "--sub", "x", "--permission", "*", "--ttl", "10");
    assertThat(badTtl.code()).isEqualTo(2);
    assertThat(badTtl.err()).contains("--ttl");
  }

  @Test
  void tokenRefusesASecretShorterThan32Bytes() throws IOException {
    Path shortSecret = Files.writeString(work.resolve("short.key"), "0123456789abcdef0123456789abcde\n");
    CommandRun token = CommandRun.of(org.checkpointgateway.MainAccess.commandLine(), "token",
        "--secret-file", shortSecret.toString(), "--sub", "x", "--permission", "*");
    assertThat(token.code()).isEqualTo(2);
    assertThat(token.out()).isEmpty();
    assertThat(token.err()).isEqualTo("token: --secret-file " + shortSecret + ": the HS256 secret "
        + "is 31 bytes; it must have at least 32 (RFC 7518); make one with: head -c 32 "
        + "/dev/urandom | base64 > hs256.key\n");
  }
}
