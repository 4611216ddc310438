package org.checkpointgateway.api;

import io.vertx.core.Future;
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
import org.checkpointgateway.error.ConflictException;
import org.checkpointgateway.error.ForbiddenException;
import org.checkpointgateway.error.NotFoundException;

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
 */
final class ArchiveRoutes {

  static final String BASE = "/api/v1/archives";
  private static final String ONE = BASE + "/:name";
  private static final Logger LOG = Logger.getLogger(ArchiveRoutes.class.getName());

  private final ArchiveStore store;

  ArchiveRoutes(ArchiveStore store) {
    this.store = store;
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
    Optional<String> namespace = Optional.ofNullable(ctx.request().getParam("namespace"));
    Optional<String> pod = Optional.ofNullable(ctx.request().getParam("pod"));
    Optional<String> container = Optional.ofNullable(ctx.request().getParam("container"));
    store.list().onSuccess(archives -> {
      JsonArray items = new JsonArray();
      for (Archive archive : archives) {
        if (may(caller, ArchivePermissions.READ, archive)
            && namespace.map(n -> archive.namespace().filter(n::equals).isPresent()).orElse(true)
            && pod.map(archive.pod()::equals).orElse(true)
            && container.map(c -> archive.container().filter(c::equals).isPresent()).orElse(true)) {
          items.add(ArchiveJson.summary(archive));
        }
      }
      json(ctx.response(), new JsonObject().put("items", items));
    }).onFailure(ctx::fail);
  }

  private void download(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    HttpServerResponse response = ctx.response();
    permitted(ctx, ArchivePermissions.DOWNLOAD).compose(archive -> {
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
        // HTTP/1 sends the open channel (zero-copy); Vert.x's HTTP/2 sends only by name, and
        // opens it on a worker: the name of the open descriptor reaches the same file.
        Future<Void> sent = request.version() == HttpVersion.HTTP_2
            ? response.sendFile(download.path(), offset, length)
            : response.sendFile(download.channel(), offset, length);
        return sent.andThen(ignored -> download.release());
      });
    }).onFailure(failure -> {
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
    permitted(ctx, ArchivePermissions.READ)
        .compose(archive -> store.inspect(archive)
            .map(inspection -> ArchiveJson.inspection(archive, inspection)))
        .onSuccess(body -> json(ctx.response(), body))
        .onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    Caller caller = BearerAuthHandler.caller(ctx);
    permitted(ctx, ArchivePermissions.DELETE)
        .compose(archive -> store.delete(archive).map(ignored -> archive))
        .onSuccess(archive -> {
          LOG.info(() -> "archive " + archive.fileName() + " (" + archive.size()
              + " bytes) deleted by " + caller.subject());
          ctx.response().setStatusCode(204).end();
        })
        .onFailure(ctx::fail);
  }

  private void pin(RoutingContext ctx, boolean pinned) {
    permitted(ctx, ArchivePermissions.DELETE)
        .compose(archive -> store.pin(archive, pinned))
        .onSuccess(archive -> json(ctx.response(), ArchiveJson.summary(archive)))
        .onFailure(ctx::fail);
  }

  /**
   * The named archive if the caller may read or download it (the same 404 as a missing one
   * otherwise) and may {@code action} it (403 otherwise).
   */
  private Future<Archive> permitted(RoutingContext ctx, String action) {
    Caller caller = BearerAuthHandler.caller(ctx);
    String name = ctx.pathParam("name");
    return store.find(name).compose(archive -> {
      if (!may(caller, ArchivePermissions.READ, archive)
          && !may(caller, ArchivePermissions.DOWNLOAD, archive)) {
        return Future.failedFuture(new NotFoundException("no archive named " + name));
      }
      return may(caller, action, archive)
          ? Future.succeededFuture(archive)
          : Future.failedFuture(new ForbiddenException(caller.subject(), action, "archives",
              String.join(",", archive.namespacesToRead().orElse(List.of("*")))));
    });
  }

  /** Whether the caller may {@code action} the archive: its namespaces', or every namespace. */
  private static boolean may(Caller caller, String action, Archive archive) {
    return archive.namespacesToRead()
        .map(namespaces -> ArchivePermissions.may(caller, action, namespaces))
        .orElseGet(() -> ArchivePermissions.mayEveryNamespace(caller, action));
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
