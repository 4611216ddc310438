package org.checkpointgateway.api;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Logger;
import org.checkpointgateway.archive.Archive;
import org.checkpointgateway.archive.ArchiveStore;
import org.checkpointgateway.auth.ArchivePermissions;
import org.checkpointgateway.auth.Audit;
import org.checkpointgateway.auth.BearerAuthHandler;
import org.checkpointgateway.auth.Caller;
import org.checkpointgateway.outcome.ConflictException;
import org.checkpointgateway.outcome.UnauthenticatedException;

/**
 * {@code /api/v1/archives}: list, download (with ranges), inspect, delete, pin.
 *
 * <p>An archive of a namespace the caller may neither read nor download does not exist for that
 * caller: it is left out of lists and every request naming it answers 404 exactly as for a
 * missing archive, so names cannot be probed. A caller that may see an archive but not act on
 * it gets 403: download needs {@code archives:download}, inspect {@code archives:read}, delete,
 * pin and unpin {@code archives:delete}. An archive whose contents do not say its namespace is
 * for callers allowed every namespace only (see {@link Archive#namespacesToRead}).
 *
 * <p>A download sends the file the lookup checked, from a descriptor opened on a worker thread
 * (never by name on the event loop: a name may denote a link or a FIFO by then).
 *
 * <p>On a fleet member ({@link FleetArchives}) the list holds every member's archives, and an
 * archive another member holds is acted on there (docs/fleet.md); the checks above are in
 * {@link ArchiveActions}, which every member applies to its own archives.
 */
final class ArchiveRoutes {

  static final String BASE = "/api/v1/archives";
  private static final String ONE = BASE + "/:name";
  private static final Logger LOG = Logger.getLogger(ArchiveRoutes.class.getName());
  /** Where a download authenticated by a ticket keeps what the ticket vouched for. */
  private static final String TICKETED = ArchiveRoutes.class.getName() + ".ticketed";

  private final ArchiveStore store;
  private final ArchiveActions actions;
  private final Optional<FleetArchives> fleet;

  ArchiveRoutes(ArchiveStore store) {
    this(store, Optional.empty());
  }

  /** With {@code fleet}, other members' archives are listed and served through this one too. */
  ArchiveRoutes(ArchiveStore store, Optional<FleetArchives> fleet) {
    this.store = store;
    this.actions = new ArchiveActions(store);
    this.fleet = fleet;
  }

  /**
   * Mounted before authentication, on a fleet member: a download ({@code GET}, {@code HEAD})
   * that presents a ticket this member issued ({@link FleetArchives#TICKET_HEADER}) is
   * authenticated by it as the caller it was issued for, and served from this member's archive
   * of that name only; a ticket that is not valid for it (forged, expired, used, another archive)
   * is 401 as any bad credential. The header means nothing on any other route: those routes
   * authenticate as always, so a ticket can never stand for anything but that one download.
   */
  void mountTickets(Router router) {
    if (fleet.isEmpty()) {
      return;
    }
    FleetArchives members = fleet.get();
    Handler<RoutingContext> redeem = ctx -> {
      String ticket = ctx.request().getHeader(FleetArchives.TICKET_HEADER);
      if (ticket == null) {
        ctx.next();
        return;
      }
      // Read on before any answer (see mount): a refusal sent while the request's end is unread
      // left the kept-alive connection stuck before its next request.
      ctx.request().resume();
      Optional<FleetArchives.Ticketed> valid = members.redeem(ticket, ctx.pathParam("name"));
      if (valid.isEmpty()) {
        ctx.fail(new UnauthenticatedException("download ticket not valid for this archive"
            + " (unknown, expired, used, or another archive's)"));
        return;
      }
      ctx.put(TICKETED, valid.get());
      BearerAuthHandler.vouch(ctx, valid.get().caller());
      ctx.next();
    };
    router.get(ONE).handler(redeem);
    router.head(ONE).handler(redeem);
  }

  void mount(Router router, BearerAuthHandler authentication) {
    // No archive route reads a body. The router pauses every request for a body handler that
    // never comes here; an answer sent while the request's end is unread then leaves a kept-alive
    // connection stuck before its next request (seen as requests that never answer, under load).
    router.route(BASE).handler(ArchiveRoutes::readOn);
    router.route(BASE + "/*").handler(ArchiveRoutes::readOn);
    router.get(BASE).handler(this::list);
    Function<RoutingContext, String> name = BearerAuthHandler.params("name");
    // HEAD is not audited: no archive byte leaves.
    router.get(ONE).handler(authentication.audited("archive.download", name))
        .handler(this::download);
    router.head(ONE).handler(this::download);
    router.delete(ONE).handler(authentication.audited("archive.delete", name))
        .handler(this::delete);
    router.get(ONE + "/inspect").handler(authentication.audited("archive.inspect", name))
        .handler(this::inspect);
    router.put(ONE + "/pin").handler(authentication.audited("archive.pin", name))
        .handler(ctx -> pin(ctx, true));
    router.delete(ONE + "/pin").handler(authentication.audited("archive.unpin", name))
        .handler(ctx -> pin(ctx, false));
  }

  private static void readOn(RoutingContext ctx) {
    ctx.request().resume();
    ctx.next();
  }

  private void list(RoutingContext ctx) {
    Caller caller = BearerAuthHandler.caller(ctx);
    JsonObject filters = new JsonObject();
    for (String filter : List.of("namespace", "pod", "container")) {
      Optional.ofNullable(ctx.request().getParam(filter)).ifPresent(v -> filters.put(filter, v));
    }
    Future<JsonArray> local = actions.list(caller, filters);
    if (fleet.isEmpty()) {
      local.onSuccess(items -> json(ctx.response(), new JsonObject().put("items", items)))
          .onFailure(ctx::fail);
      return;
    }
    FleetArchives members = fleet.get();
    Future<FleetArchives.Listing> others = members.list(caller, filters);
    Future.all(local, others).onSuccess(both -> {
      List<JsonObject> items = new java.util.ArrayList<>();
      local.result().forEach(item -> items.add(((JsonObject) item).put("node", members.node())));
      others.result().items().forEach(item -> items.add((JsonObject) item));
      // Oldest first across the fleet, as on one node.
      items.sort(java.util.Comparator.comparing(
          item -> java.time.Instant.parse(item.getString("modified"))));
      JsonObject body = new JsonObject().put("items", new JsonArray(items));
      if (!others.result().unavailable().isEmpty()) {
        body.put("unavailable", new JsonArray(others.result().unavailable()));
      }
      json(ctx.response(), body);
    }).onFailure(ctx::fail);
  }

  /**
   * The member that holds the named archive for this caller: empty for this one (its own lookup
   * answers, 404 included), as on a single node.
   */
  private Future<Optional<String>> holder(RoutingContext ctx) {
    if (fleet.isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    Caller caller = BearerAuthHandler.caller(ctx);
    String name = ctx.pathParam("name");
    Optional<String> node = Optional.ofNullable(ctx.request().getParam("node"));
    return (node.isPresent() ? Future.succeededFuture(false) : actions.visible(caller, name))
        .compose(here -> fleet.get().locate(caller, name, node, here));
  }

  private void download(RoutingContext ctx) {
    HttpServerResponse response = ctx.response();
    FleetArchives.Ticketed ticketed = ctx.get(TICKETED);
    // A ticket is for this member's own archive: it is never forwarded.
    Future<Void> answered = ticketed != null ? downloadHere(ctx, Optional.of(ticketed))
        : holder(ctx).compose(node -> node.isPresent()
            ? fleet.get().download(node.get(), BearerAuthHandler.caller(ctx), ctx,
                ctx.pathParam("name"))
            : downloadHere(ctx, Optional.empty()));
    answered.onFailure(failure -> {
      if (response.headWritten()) {
        // The caller went away mid-download (it may resume with a Range): not a server error.
        LOG.fine(() -> "download of " + ctx.pathParam("name") + " ended early: " + failure.getMessage());
        // A response already ended by sendFile hears of no close: tell the audit log here.
        Audit.cutShort(ctx);
        response.reset();
      } else {
        ctx.fail(failure);
      }
    });
  }

  /** @param ticketed what a ticket vouched for, when one authenticated the request */
  private Future<Void> downloadHere(RoutingContext ctx,
      Optional<FleetArchives.Ticketed> ticketed) {
    HttpServerRequest request = ctx.request();
    HttpServerResponse response = ctx.response();
    return permitted(ctx, ArchivePermissions.DOWNLOAD).compose(archive -> {
      if (ticketed.isPresent() && (ticketed.get().device() != archive.identity().device()
          || ticketed.get().inode() != archive.identity().inode())) {
        // The name now denotes another file than the one the ticket was issued for.
        return Future.failedFuture(new UnauthenticatedException("download ticket for another"
            + " file of that name"));
      }
      if (archive.beingWritten()) {
        return Future.failedFuture(new ConflictException("archive " + archive.fileName()
            + " is being written"));
      }
      String etag = archive.etag();
      if (matches(request.getHeader(HttpHeaders.IF_NONE_MATCH), etag)) {
        return response.putHeader(HttpHeaders.ETAG, etag).setStatusCode(304).end();
      }
      // If-Range with another validator: the caller's partial copy is stale, send it all.
      String ifRange = request.getHeader("If-Range");
      Optional<ByteRange> range = ifRange != null && !ifRange.trim().equals(etag) ? Optional.empty()
          : ByteRange.parse(request.getHeader("Range"), archive.size());
      long offset = range.map(ByteRange::first).orElse(0L);
      long length = range.map(ByteRange::length).orElse(archive.size());
      if (request.method() == HttpMethod.HEAD) {
        return describe(response, archive, range)
            .putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(length)).end();
      }
      return store.startDownload(archive).compose(download -> {
        response.closeHandler(ignored -> download.release());
        describe(response, archive, range);
        // HTTP/1 sends the open channel (zero-copy). Vert.x's HTTP/2 sendFile takes only a name
        // and checks and opens it on the event loop (a stalled network file system would stall
        // the loop): the name of the open descriptor, opened and read on workers, reaches the
        // same file.
        Future<Void> sent = request.version() == HttpVersion.HTTP_2
            ? sendByWorkers(ctx, download.path(), offset, length)
            : response.sendFile(download.channel(), offset, length);
        return sent.andThen(ignored -> download.release());
      });
    });
  }

  /** HTTP/2's code for a stream cut by a failure of ours (RFC 9113 7). */
  private static final long INTERNAL_ERROR = 2;

  /** The file's bytes from offset, length of them, read on workers as the caller takes them. */
  private static Future<Void> sendByWorkers(RoutingContext ctx, String path, long offset,
      long length) {
    HttpServerResponse response = ctx.response();
    return ctx.vertx().fileSystem().open(path, new OpenOptions().setRead(true).setWrite(false)
            .setCreate(false))
        .compose(file -> {
          response.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(length));
          file.setReadPos(offset).setReadLength(length);
          // The pipe ends the response when the file is read; a read that fails resets the
          // response instead, so the caller cannot take a short body for the archive. The file
          // is closed however it ended.
          return file.pipe().endOnFailure(false).to(response)
              .onFailure(failed -> response.reset(INTERNAL_ERROR))
              .eventually(file::close);
        });
  }

  private static HttpServerResponse describe(HttpServerResponse response, Archive archive,
      Optional<ByteRange> range) {
    range.ifPresent(r -> response.setStatusCode(206)
        .putHeader(HttpHeaders.CONTENT_RANGE, r.contentRange(archive.size())));
    return response.putHeader(HttpHeaders.ETAG, archive.etag())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/x-tar")
        .putHeader(HttpHeaders.ACCEPT_RANGES, "bytes")
        .putHeader(HttpHeaders.LAST_MODIFIED,
            DateTimeFormatter.RFC_1123_DATE_TIME.format(archive.modified().atOffset(ZoneOffset.UTC)))
        .putHeader("Content-Disposition", "attachment; filename=\"" + archive.fileName() + "\"");
  }

  private void inspect(RoutingContext ctx) {
    Caller caller = BearerAuthHandler.caller(ctx);
    String name = ctx.pathParam("name");
    holder(ctx).compose(node -> node.isPresent()
            ? fleet.get().inspect(node.get(), caller, name)
            : actions.inspect(caller, name))
        .onSuccess(body -> json(ctx.response(), body))
        .onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    Caller caller = BearerAuthHandler.caller(ctx);
    String name = ctx.pathParam("name");
    holder(ctx).compose(node -> node.isPresent()
            ? fleet.get().delete(node.get(), caller, name)
            : actions.delete(caller, name))
        .onSuccess(ignored -> ctx.response().setStatusCode(204).end())
        .onFailure(ctx::fail);
  }

  private void pin(RoutingContext ctx, boolean pinned) {
    Caller caller = BearerAuthHandler.caller(ctx);
    String name = ctx.pathParam("name");
    holder(ctx).compose(node -> node.isPresent()
            ? fleet.get().pin(node.get(), caller, name, pinned)
            : actions.pin(caller, name, pinned))
        .onSuccess(summary -> json(ctx.response(), summary))
        .onFailure(ctx::fail);
  }

  private Future<Archive> permitted(RoutingContext ctx, String action) {
    return actions.permitted(BearerAuthHandler.caller(ctx), ctx.pathParam("name"), action);
  }

  private static boolean matches(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null) {
      return false;
    }
    for (String candidate : ifNoneMatch.split(",")) {
      String tag = candidate.trim();
      if (tag.equals("*") || tag.equals(etag) || tag.equals("W/" + etag)) {
        return true;
      }
    }
    return false;
  }

  private static void json(HttpServerResponse response, JsonObject body) {
    response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
  }
}
