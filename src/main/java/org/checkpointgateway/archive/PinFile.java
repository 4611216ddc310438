package org.checkpointgateway.archive;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.CopyOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * The pinned archive names, kept in {@code .checkpoint-gateway-pins.json} in the checkpoint
 * directory so that pins survive restarts and travel with the archives. Written to a temporary
 * file and renamed over the old one, so a crash leaves either the old or the new list. Used only
 * from the archive store's context.
 */
final class PinFile {

  private final Vertx vertx;
  private final Path file;
  private final Path temporary;
  private final Set<String> names = new TreeSet<>();
  // Saves run one after the other: two writers of one temporary file would mix their lists.
  private Future<Void> saving = Future.succeededFuture();

  PinFile(Vertx vertx, Path directory) {
    this.vertx = vertx;
    this.file = directory.resolve(ArchiveStore.PINS_FILE);
    this.temporary = directory.resolve(ArchiveStore.PINS_FILE + ".tmp");
  }

  /**
   * Reads the list; a missing file is an empty list. A file that cannot be read stops start-up:
   * starting with no pins would let retention remove archives someone pinned.
   */
  Future<Void> load() {
    return vertx.fileSystem().exists(temporary.toString())
        .compose(left -> left ? vertx.fileSystem().delete(temporary.toString()) : Future.succeededFuture())
        .compose(ignored -> vertx.fileSystem().exists(file.toString()))
        .compose(exists -> exists ? vertx.fileSystem().readFile(file.toString())
            .compose(this::parse) : Future.succeededFuture());
  }

  private Future<Void> parse(Buffer content) {
    try {
      JsonArray pinned = new JsonObject(content).getJsonArray("pinned", new JsonArray());
      pinned.forEach(name -> names.add(String.valueOf(name)));
      return Future.succeededFuture();
    } catch (DecodeException | ClassCastException e) {
      return Future.failedFuture(new IllegalStateException(file + ": not a pins file ("
          + e.getMessage() + "); fix or remove it"));
    }
  }

  boolean contains(String name) {
    return names.contains(name);
  }

  /** Pins or unpins; saves when that changed the list. */
  Future<Void> set(String name, boolean pinned) {
    boolean changed = pinned ? names.add(name) : names.remove(name);
    if (!changed) {
      return saving;
    }
    Buffer content = new JsonObject().put("pinned", new JsonArray(names.stream().toList()))
        .toBuffer();
    saving = saving.otherwiseEmpty().compose(ignored -> save(content));
    return saving;
  }

  private Future<Void> save(Buffer content) {
    return vertx.fileSystem().writeFile(temporary.toString(), content)
        .compose(ignored -> vertx.fileSystem().move(temporary.toString(), file.toString(),
            new CopyOptions().setAtomicMove(true).setReplaceExisting(true)));
  }
}
