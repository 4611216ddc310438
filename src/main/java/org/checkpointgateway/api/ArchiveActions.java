package org.checkpointgateway.api;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;
import org.checkpointgateway.archive.Archive;
import org.checkpointgateway.archive.ArchiveStore;
import org.checkpointgateway.auth.ArchivePermissions;
import org.checkpointgateway.auth.Caller;
import org.checkpointgateway.outcome.ForbiddenException;
import org.checkpointgateway.outcome.NotFoundException;

/**
 * What a caller may do with this member's archives, checked the same way whether the request
 * came in here or through another fleet member ({@code FleetArchives}): the archives routes and
 * the fleet's archive endpoint both act through this.
 *
 * <p>An archive of a namespace the caller may neither read nor download does not exist for that
 * caller: it is left out of lists and every request naming it answers 404 exactly as for a
 * missing archive, so names cannot be probed. A caller that may see an archive but not act on
 * it gets 403.
 */
public final class ArchiveActions {

  private static final Logger LOG = Logger.getLogger(ArchiveRoutes.class.getName());

  private final ArchiveStore store;

  public ArchiveActions(ArchiveStore store) {
    this.store = store;
  }

  ArchiveStore store() {
    return store;
  }

  /**
   * Summaries of the archives the caller may read, filtered by {@code filters}' optional
   * {@code namespace}, {@code pod} and {@code container}.
   */
  public Future<JsonArray> list(Caller caller, JsonObject filters) {
    Optional<String> namespace = Optional.ofNullable(filters.getString("namespace"));
    Optional<String> pod = Optional.ofNullable(filters.getString("pod"));
    Optional<String> container = Optional.ofNullable(filters.getString("container"));
    return store.list().map(archives -> {
      JsonArray items = new JsonArray();
      for (Archive archive : archives) {
        if (may(caller, ArchivePermissions.READ, archive)
            && namespace.map(n -> archive.namespace().filter(n::equals).isPresent()).orElse(true)
            && pod.map(archive.pod()::equals).orElse(true)
            && container.map(c -> archive.container().filter(c::equals).isPresent()).orElse(true)) {
          items.add(ArchiveJson.summary(archive));
        }
      }
      return items;
    });
  }

  /** Whether an archive of this name exists for the caller (it may read or download it). */
  public Future<Boolean> visible(Caller caller, String name) {
    return store.find(name).map(archive -> may(caller, ArchivePermissions.READ, archive)
        || may(caller, ArchivePermissions.DOWNLOAD, archive))
        .otherwise(false);
  }

  /**
   * The named archive if the caller may read or download it (the same 404 as a missing one
   * otherwise) and may {@code action} it (403 otherwise).
   */
  public Future<Archive> permitted(Caller caller, String name, String action) {
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

  public Future<JsonObject> inspect(Caller caller, String name) {
    return permitted(caller, name, ArchivePermissions.READ)
        .compose(archive -> store.inspect(archive)
            .map(inspection -> ArchiveJson.inspection(archive, inspection)));
  }

  public Future<Void> delete(Caller caller, String name) {
    return permitted(caller, name, ArchivePermissions.DELETE)
        .compose(archive -> store.delete(archive).map(ignored -> {
          LOG.info(() -> "archive " + archive.fileName() + " (" + archive.size()
              + " bytes) deleted by " + caller.subject());
          return null;
        }));
  }

  /** Pins or unpins; the archive's summary afterwards. */
  public Future<JsonObject> pin(Caller caller, String name, boolean pinned) {
    return permitted(caller, name, ArchivePermissions.DELETE)
        .compose(archive -> store.pin(archive, pinned))
        .map(ArchiveJson::summary);
  }

  /** Whether the caller may {@code action} the archive: its namespaces', or every namespace. */
  private static boolean may(Caller caller, String action, Archive archive) {
    return archive.namespacesToRead()
        .map(namespaces -> ArchivePermissions.may(caller, action, namespaces))
        .orElseGet(() -> ArchivePermissions.mayEveryNamespace(caller, action));
  }
}
