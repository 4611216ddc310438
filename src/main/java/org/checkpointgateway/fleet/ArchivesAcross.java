package org.checkpointgateway.fleet;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.checkpointgateway.api.ArchiveActions;
import org.checkpointgateway.api.FleetArchives;
import org.checkpointgateway.auth.ArchivePermissions;
import org.checkpointgateway.auth.Caller;
import org.checkpointgateway.outcome.ConflictException;
import org.checkpointgateway.outcome.NotFoundException;
import org.checkpointgateway.outcome.UnavailableException;

/**
 * Archives across the fleet (docs/fleet.md): listings, lookups, inspect, delete and pin travel
 * over the event bus with the caller, and the holder acts through its own {@link ArchiveActions}
 * (its permission checks); a download is the holder's own HTTP answer, piped to the caller with
 * backpressure, asked with a ticket the holder issued for that caller and that archive after
 * checking {@code archives:download} itself. The caller's credentials (a token, a client
 * certificate) never leave the member they were presented to.
 */
final class ArchivesAcross implements FleetArchives {

  /** Request headers that decide a download's answer: passed on to the holder. */
  private static final List<CharSequence> ASKED = List.of("Range", "If-Range",
      HttpHeaders.IF_NONE_MATCH);
  /** Hop-by-hop headers of the holder's answer: this connection has its own. */
  private static final List<String> HOP = List.of("connection", "keep-alive",
      "transfer-encoding", "upgrade", "proxy-connection");

  private final Vertx vertx;
  private final String node;
  private final Members members;
  private final ArchiveActions actions;
  private final IMap<String, String> statuses;
  private final MemberApi http;
  private final DownloadTickets tickets;
  private MessageConsumer<JsonObject> consumer;

  /**
   * @param maxTickets download tickets outstanding at most (--cluster-download-tickets)
   * @param apiCa the CA bundle other members' HTTPS API is trusted by (--cluster-api-ca);
   *     empty: the JVM's trust store
   */
  ArchivesAcross(Vertx vertx, String node, Members members, ArchiveActions actions,
      HazelcastInstance hazelcast, int maxTickets, Optional<io.vertx.core.buffer.Buffer> apiCa) {
    this.vertx = vertx;
    this.node = node;
    this.members = members;
    this.actions = actions;
    this.tickets = new DownloadTickets(maxTickets, node, System::nanoTime);
    this.statuses = hazelcast.getMap(NodeStatuses.MAP);
    this.http = new MemberApi(vertx, apiCa);
  }

  Future<Void> start() {
    consumer = vertx.eventBus().consumer(ViewsWire.archivesAddress(node),
        message -> ViewsWire.answer(message, this::serve));
    return consumer.completion();
  }

  /** Other members' HTTPS API is trusted by {@code ca} from now on (--cluster-api-ca changed). */
  Future<Boolean> trustApiCa(io.vertx.core.buffer.Buffer ca) {
    return http.trust(ca);
  }

  Future<Void> stop() {
    http.close();
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  /** This member's side: the caller travelled with the request and is checked again here. */
  private Future<?> serve(JsonObject request) {
    Caller caller = Wire.caller(request);
    String name = request.getString("name");
    return switch (request.getString("op")) {
      case "list" -> actions.list(caller, request.getJsonObject("filters"))
          .map(items -> {
            JsonArray mine = new JsonArray();
            items.forEach(item -> mine.add(((JsonObject) item).put("node", node)));
            return mine;
          });
      case "visible" -> actions.visible(caller, name);
      case "inspect" -> actions.inspect(caller, name);
      case "delete" -> actions.delete(caller, name);
      case "pin" -> actions.pin(caller, name, request.getBoolean("pinned"));
      // The same checks as a download here; the ticket stands for them at the HTTP route.
      case "ticket" -> actions.permitted(caller, name, ArchivePermissions.DOWNLOAD)
          .map(archive -> tickets.issue(new Ticketed(caller, name, archive.identity().device(),
              archive.identity().inode())));
      default -> Future.failedFuture(new IllegalArgumentException(request.getString("op")));
    };
  }

  @Override
  public String node() {
    return node;
  }

  @Override
  public Future<Listing> list(Caller caller, JsonObject filters) {
    List<String> others = others();
    List<Future<Object>> asked = others.stream().map(other -> ask(other,
        ViewsWire.request("list", caller).put("filters", filters))).toList();
    return Future.join(asked).otherwiseEmpty().map(ignored -> {
      JsonArray items = new JsonArray();
      List<String> silent = new ArrayList<>();
      for (int i = 0; i < others.size(); i++) {
        Future<Object> answer = asked.get(i);
        if (answer.succeeded()) {
          items.addAll((JsonArray) answer.result());
        } else {
          silent.add(others.get(i));
        }
      }
      return new Listing(items, silent);
    });
  }

  @Override
  public Future<Optional<String>> locate(Caller caller, String name, Optional<String> chosen,
      boolean heldHere) {
    if (chosen.isPresent()) {
      if (chosen.get().equals(node)) {
        return Future.succeededFuture(Optional.empty());
      }
      return members.has(chosen.get()) ? Future.succeededFuture(chosen)
          : Future.failedFuture(new NotFoundException("no fleet member named " + chosen.get()));
    }
    List<String> others = others();
    List<Future<Object>> asked = others.stream().map(other -> ask(other,
        ViewsWire.request("visible", caller).put("name", name))).toList();
    return Future.join(asked).otherwiseEmpty().compose(ignored -> {
      List<String> holders = new ArrayList<>();
      List<String> silent = new ArrayList<>();
      if (heldHere) {
        holders.add(node);
      }
      for (int i = 0; i < others.size(); i++) {
        Future<Object> answer = asked.get(i);
        if (answer.failed()) {
          silent.add(others.get(i));
        } else if (Boolean.TRUE.equals(answer.result())) {
          holders.add(others.get(i));
        }
      }
      if (holders.size() > 1) {
        return Future.failedFuture(new ConflictException("archive " + name
            + " is held by nodes " + String.join(", ", holders.stream().sorted().toList())
            + "; choose one with ?node=NAME"));
      }
      if (holders.isEmpty() && !silent.isEmpty()) {
        // Not knowing is not "no such archive": it may be on the silent member.
        return Future.failedFuture(new UnavailableException("archive " + name
            + " not found on the members that answered; no answer from node "
            + String.join(", node ", silent)));
      }
      return Future.succeededFuture(holders.isEmpty() || holders.get(0).equals(node)
          ? Optional.empty() : Optional.of(holders.get(0)));
    });
  }

  @Override
  public Future<JsonObject> inspect(String holder, Caller caller, String name) {
    return ask(holder, ViewsWire.request("inspect", caller).put("name", name))
        .map(JsonObject.class::cast);
  }

  @Override
  public Future<Void> delete(String holder, Caller caller, String name) {
    return ask(holder, ViewsWire.request("delete", caller).put("name", name)).mapEmpty();
  }

  @Override
  public Future<JsonObject> pin(String holder, Caller caller, String name, boolean pinned) {
    return ask(holder, ViewsWire.request("pin", caller).put("name", name).put("pinned", pinned))
        .map(JsonObject.class::cast);
  }

  @Override
  public Future<Void> download(String holder, Caller caller, RoutingContext ctx, String name) {
    Future<String> ticket = ask(holder, ViewsWire.request("ticket", caller).put("name", name))
        .map(String.class::cast);
    return ticket.compose(ignored -> vertx.executeBlocking(
            () -> Optional.ofNullable(statuses.get(holder)), false))
        .compose(status -> status.isEmpty()
            ? Future.failedFuture(new UnavailableException("node " + holder
                + " has not published its URL"))
            : pipe(new JsonObject(status.get()).getString("advertiseUrl"), holder, ctx, name,
                ticket.result()));
  }

  @Override
  public Optional<Ticketed> redeem(String ticket, String name) {
    return tickets.redeem(ticket, name);
  }

  /** The holder's answer to the same request, status, headers and body, to the caller. */
  private Future<Void> pipe(String base, String holder, RoutingContext ctx, String name,
      String ticket) {
    HttpServerRequest request = ctx.request();
    HttpServerResponse response = ctx.response();
    RequestOptions options = new RequestOptions().setAbsoluteURI(base + "/api/v1/archives/"
            + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20") + "?node="
            + URLEncoder.encode(holder, StandardCharsets.UTF_8))
        .setMethod(request.method())
        .setIdleTimeout(ViewsWire.ANSWER_WITHIN.toMillis() * 12)
        .putHeader(TICKET_HEADER, ticket);
    for (CharSequence header : ASKED) {
      String value = request.getHeader(header);
      if (value != null) {
        options.putHeader(header, value);
      }
    }
    return http.client().request(options)
        .recover(failure -> Future.failedFuture(MemberApi.unreachable(holder, base, failure)))
        .compose(outbound -> {
          response.closeHandler(ignored -> outbound.reset());
          return outbound.send().recover(failure -> Future.failedFuture(
              new UnavailableException("node " + holder + " did not answer the download: "
                  + failure.getMessage())));
        })
        .compose(answer -> {
          response.setStatusCode(answer.statusCode());
          MultiMap headers = answer.headers();
          headers.forEach((key, value) -> {
            if (!HOP.contains(key.toLowerCase(java.util.Locale.ROOT))) {
              response.headers().add(key, value);
            }
          });
          if (!headers.contains(HttpHeaders.CONTENT_LENGTH)) {
            response.setChunked(true);
          }
          // Reads from the holder only as fast as the caller takes them.
          return answer.pipeTo(response);
        });
  }

  private Future<Object> ask(String other, JsonObject request) {
    return ViewsWire.ask(vertx, ViewsWire.archivesAddress(other), other, request,
        ViewsWire.ANSWER_WITHIN);
  }

  private List<String> others() {
    return members.names().stream().filter(name -> !name.equals(node)).toList();
  }
}
