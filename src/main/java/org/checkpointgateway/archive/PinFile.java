package org.checkpointgateway.archive;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.CopyOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Logger;
import org.checkpointgateway.error.InsufficientStorageException;

/**
 * The pinned archive names, kept in {@code .checkpoint-gateway-pins.json} in the checkpoint
 * directory so that pins survive restarts and travel with the archives. Written to a temporary
 * file and renamed over the old one, so a crash leaves either the old or the new list. The list
 * in memory changes only once the new one is saved: a pin that could not be saved is no pin
 * (it would keep deletes away on this run and be gone after a restart). Used only from the
 * archive store's context.
 */
final class PinFile {

  private static final Logger LOG = Logger.getLogger(PinFile.class.getName());

  private final Vertx vertx;
  private final Path file;
  private final Path temporary;
  // Replaced, never changed in place, and only by a saved list.
  private Set<String> names = new TreeSet<>();
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
      Set<String> loaded = new TreeSet<>();
      pinned.forEach(name -> loaded.add(String.valueOf(name)));
      names = loaded;
      return Future.succeededFuture();
    } catch (DecodeException | ClassCastException e) {
      return Future.failedFuture(new IllegalStateException(file + ": not a pins file ("
          + e.getMessage() + "); fix or remove it"));
    }
  }

  boolean contains(String name) {
    return names.contains(name);
  }

  /**
   * Pins or unpins once the saves before have ended (whatever their outcome), from the list as
   * it is then; saves when that changes the list, and takes the new list only when it is saved.
   * An {@code InsufficientStorageException} when it cannot be saved.
   */
  Future<Void> set(String name, boolean pinned) {
    Future<Void> result = saving.otherwiseEmpty().compose(ignored -> {
      if (names.contains(name) == pinned) {
        return Future.succeededFuture();
      }
      Set<String> next = new TreeSet<>(names);
      if (pinned) {
        next.add(name);
      } else {
        next.remove(name);
      }
      return save(next).onSuccess(saved -> names = next);
    });
    saving = result;
    return result;
  }

  private Future<Void> save(Set<String> list) {
    Buffer content = new JsonObject().put("pinned", new JsonArray(List.copyOf(list))).toBuffer();
    return vertx.fileSystem().writeFile(temporary.toString(), content)
        .compose(ignored -> vertx.fileSystem().move(temporary.toString(), file.toString(),
            new CopyOptions().setAtomicMove(true).setReplaceExisting(true)))
        .recover(failure -> {
          LOG.warning(() -> "cannot save " + file + ": " + failure.getMessage());
          return Future.failedFuture(new InsufficientStorageException("cannot save the pins in"
              + " the checkpoint directory (" + reason(failure) + "); the pins are unchanged"));
        });
  }

  /** Why a file operation failed, without the paths (they are for the log, not the caller). */
  private static String reason(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root instanceof java.nio.file.FileSystemException fs && fs.getReason() != null) {
      return fs.getReason();
    }
    return root.getClass().getSimpleName();
  }
}
