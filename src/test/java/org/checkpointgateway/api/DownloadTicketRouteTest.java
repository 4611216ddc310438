package org.checkpointgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.checkpointgateway.archive.ArchiveDirectory;
import org.checkpointgateway.archive.ArchiveStore;
import org.checkpointgateway.auth.BearerAuthHandler;
import org.checkpointgateway.auth.Caller;
import org.checkpointgateway.auth.TokenIssuer;
import org.checkpointgateway.auth.TokenVerifier;
import org.checkpointgateway.support.ArchiveFixtures;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.StrictVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The holder's side of a download through another member: a ticket authenticates a download of
 * the one archive it names, as its caller, from this member's own file, and nothing else. The
 * tickets are those a fleet member would have issued (the store's own rules are
 * DownloadTicketsTest's); the routes, authentication and files are the real ones, over HTTP.
 */
class DownloadTicketRouteTest {

  private static final String APP = "checkpoint-demo_default-app-2026-03-01T08:00:00.000000000Z.tar";
  private static final String WEB = "checkpoint-web_default-nginx-2026-03-01T09:00:00.000000000Z.tar";
  private static final Caller DOWNLOADER = new Caller("alice",
      List.of("archives:read:default", "archives:download:default", "archives:delete:default"));
  private static final Caller READER = new Caller("bob", List.of("archives:read:default"));

  @TempDir
  Path dir;
  private Vertx vertx;
  private HttpServer server;
  private HttpClient http;
  private final Map<String, FleetArchives.Ticketed> issued = new ConcurrentHashMap<>();
  private final List<String> redeemed = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    vertx = StrictVertx.create();
    ArchiveFixtures.crio(dir.resolve(APP), "default", "demo", "app",
        Instant.parse("2026-03-01T08:00:00Z"));
    ArchiveFixtures.crio(dir.resolve(WEB), "default", "web", "nginx",
        Instant.parse("2026-03-01T09:00:00Z"));
    ArchiveRoutes routes = new ArchiveRoutes(ArchiveStore.create(vertx,
        new ArchiveDirectory(vertx, dir)), Optional.of(new Holder()));
    BearerAuthHandler authentication = BearerAuthHandler.create(TokenVerifier.forSecret(vertx,
        TokenIssuer.randomSecret(), Optional.empty(), Optional.empty()));
    Router router = Router.router(vertx);
    // As GatewayVerticle mounts them: tickets, then authentication, then the routes.
    routes.mountTickets(router);
    router.route().handler(authentication);
    routes.mount(router, authentication);
    router.route().failureHandler(ErrorMapper::handle);
    server = Await.result(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(server.actualPort()));
  }

  @AfterEach
  void stop() {
    Await.result(vertx.close());
  }

  @Test
  void aTicketDownloadsItsArchiveAsItsCallerWithoutOtherCredentials() throws Exception {
    String ticket = ticket(DOWNLOADER, APP, dir.resolve(APP));
    // ?node= names another member: a ticket is for this member's file, never sent on.
    Answer answer = request(HttpMethod.GET, "/api/v1/archives/" + APP + "?node=n9", ticket);
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    assertThat(answer.bytes()).isEqualTo(Files.readAllBytes(dir.resolve(APP)));
    assertThat(request(HttpMethod.HEAD, "/api/v1/archives/" + APP,
        ticket(DOWNLOADER, APP, dir.resolve(APP))).status()).isEqualTo(200);
  }

  @Test
  void aTicketNotValidForThisDownloadIs401() throws Exception {
    // Forged (never issued), or issued for another archive.
    assertThat(request(HttpMethod.GET, "/api/v1/archives/" + APP, "A".repeat(43)).status())
        .isEqualTo(401);
    String forWeb = ticket(DOWNLOADER, WEB, dir.resolve(WEB));
    Answer other = request(HttpMethod.GET, "/api/v1/archives/" + APP, forWeb);
    assertThat(other.status()).isEqualTo(401);
    assertThat(new JsonObject(other.body()).getString("message")).isEqualTo("Unauthorized");
    // Issued for a file the name no longer denotes (replaced since).
    String stale = ticket(DOWNLOADER, APP, dir.resolve(WEB));
    assertThat(request(HttpMethod.GET, "/api/v1/archives/" + APP, stale).status())
        .isEqualTo(401);
  }

  @Test
  void theTicketsCallerIsCheckedAgainHere() throws Exception {
    Answer refused = request(HttpMethod.GET, "/api/v1/archives/" + APP,
        ticket(READER, APP, dir.resolve(APP)));
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.body()).contains("bob");
  }

  @Test
  void aTicketStandsForNothingButThatDownload() throws Exception {
    String ticket = ticket(DOWNLOADER, APP, dir.resolve(APP));
    assertThat(request(HttpMethod.DELETE, "/api/v1/archives/" + APP, ticket).status())
        .isEqualTo(401);
    assertThat(request(HttpMethod.GET, "/api/v1/archives/" + APP + "/inspect", ticket).status())
        .isEqualTo(401);
    assertThat(request(HttpMethod.PUT, "/api/v1/archives/" + APP + "/pin", ticket).status())
        .isEqualTo(401);
    assertThat(request(HttpMethod.GET, "/api/v1/archives", ticket).status()).isEqualTo(401);
    assertThat(dir.resolve(APP)).exists();
    // Those routes never looked at it.
    assertThat(redeemed).isEmpty();
  }

  /** A ticket as the holder issues it: for the caller, the name, and that file. */
  private String ticket(Caller caller, String name, Path file) throws Exception {
    String ticket = java.util.UUID.randomUUID().toString();
    issued.put(ticket, new FleetArchives.Ticketed(caller, name,
        (Long) Files.getAttribute(file, "unix:dev"), (Long) Files.getAttribute(file, "unix:ino")));
    return ticket;
  }

  /** A whole answer, its body as bytes. */
  private record Answer(int status, Buffer content) {
    byte[] bytes() {
      return content.getBytes();
    }

    String body() {
      return content.toString();
    }
  }

  private Answer request(HttpMethod method, String uri, String ticket) {
    // body() asked for in the callback that received the response, on the client's event loop:
    // asked for later, from a listener this thread added, it can miss an end already handled.
    return Await.result(http.request(new RequestOptions().setMethod(method).setURI(uri)
            .putHeader(FleetArchives.TICKET_HEADER, ticket))
        .compose(request -> request.send().compose(response -> response.body()
            .map(body -> new Answer(response.statusCode(), body)))));
  }

  /** This member as a fleet member: its tickets (single use); nothing else is asked of it. */
  private final class Holder implements FleetArchives {
    @Override
    public Optional<Ticketed> redeem(String ticket, String name) {
      redeemed.add(ticket);
      Ticketed grant = issued.remove(ticket);
      return grant != null && grant.name().equals(name) ? Optional.of(grant) : Optional.empty();
    }

    @Override
    public String node() {
      return "n1";
    }

    @Override
    public Future<Listing> list(Caller caller, JsonObject filters) {
      return Future.failedFuture(new AssertionError("not asked"));
    }

    @Override
    public Future<Optional<String>> locate(Caller caller, String name, Optional<String> node,
        boolean heldHere) {
      return Future.failedFuture(new AssertionError("not asked"));
    }

    @Override
    public Future<JsonObject> inspect(String node, Caller caller, String name) {
      return Future.failedFuture(new AssertionError("not asked"));
    }

    @Override
    public Future<Void> delete(String node, Caller caller, String name) {
      return Future.failedFuture(new AssertionError("not asked"));
    }

    @Override
    public Future<JsonObject> pin(String node, Caller caller, String name, boolean pinned) {
      return Future.failedFuture(new AssertionError("not asked"));
    }

    @Override
    public Future<Void> download(String node, Caller caller, RoutingContext ctx, String name) {
      return Future.failedFuture(new AssertionError("not asked"));
    }
  }
}
