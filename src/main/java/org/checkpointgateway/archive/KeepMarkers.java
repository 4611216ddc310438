package org.checkpointgateway.archive;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.CopyOptions;
import io.vertx.core.file.FileSystem;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import org.checkpointgateway.outcome.ConflictException;
import org.checkpointgateway.outcome.InsufficientStorageException;

/**
 * Pins as the checkpoint-restore-operator keeps them: a marker file {@code <archive name>.keep}
 * beside the archive. A marker made by anyone pins (anything by that name, even a dangling link:
 * keeping an archive is the safe side); the gateway's own markers are empty files made with
 * {@code O_CREAT|O_EXCL} (never through a link someone put there) and removed by unlinking the
 * name. No name ending in {@code .keep} is an archive name, so markers never list as archives.
 * Gateways before this one kept pins in {@code .checkpoint-gateway-pins.json}: {@link #migrate}
 * turns that list into markers once and renames it out of the way.
 */
final class KeepMarkers {

  /** What makes an archive's marker of its name. */
  static final String SUFFIX = ".keep";

  private static final Logger LOG = Logger.getLogger(KeepMarkers.class.getName());

  private final FileSystem files;
  private final Path directory;

  KeepMarkers(Vertx vertx, Path directory) {
    this.files = vertx.fileSystem();
    this.directory = directory;
  }

  static String markerOf(String archiveName) {
    return archiveName + SUFFIX;
  }

  /**
   * Turns an old pins file into markers and renames it {@code <file>.migrated}, so that it is read
   * once; a pins file that cannot be read stops start-up (starting without its pins would let
   * retention remove archives someone pinned). Leaves of a stopped save go.
   */
  Future<Void> migrate() {
    String legacy = directory.resolve(ArchiveStore.PINS_FILE).toString();
    String temporary = legacy + ".tmp";
    return files.exists(temporary)
        .compose(left -> left ? files.delete(temporary) : Future.succeededFuture())
        .compose(ignored -> files.exists(legacy))
        .compose(exists -> !exists ? Future.succeededFuture() : files.readFile(legacy)
            .compose(content -> names(legacy, content))
            .compose(names -> {
              List<Future<Void>> made = new ArrayList<>();
              names.forEach(name -> made.add(set(name, true)));
              return Future.all(made);
            })
            .compose(all -> files.move(legacy, legacy + ".migrated",
                new CopyOptions().setReplaceExisting(true)))
            .onSuccess(moved -> LOG.info(() -> "pins of " + legacy + " are now "
                + SUFFIX + " markers beside the archives")));
  }

  private static Future<List<String>> names(String file, Buffer content) {
    try {
      List<String> names = new ArrayList<>();
      new JsonObject(content).getJsonArray("pinned", new JsonArray()).forEach(name -> {
        // Only archive names: a marker is made inside the directory and nowhere else.
        if (name instanceof String text && ArchiveName.isArchiveName(text)) {
          names.add(text);
        }
      });
      return Future.succeededFuture(names);
    } catch (DecodeException | ClassCastException e) {
      return Future.failedFuture(new IllegalStateException(file + ": not a pins file ("
          + e.getMessage() + "); fix or remove it"));
    }
  }

  /** Whether anything has the marker's name; an answer other than "no such file" pins too. */
  Future<Boolean> isPinned(String archiveName) {
    return files.lprops(directory.resolve(markerOf(archiveName)).toString())
        .map(true)
        .otherwise(failure -> !(failure instanceof NoSuchFileException
            || failure.getCause() instanceof NoSuchFileException));
  }

  /**
   * Makes or removes the archive's marker; nothing when it already is so. An
   * {@code InsufficientStorageException} when the directory refuses a marker, a
   * {@code ConflictException} when a marker cannot be removed.
   */
  Future<Void> set(String archiveName, boolean pinned) {
    String marker = directory.resolve(markerOf(archiveName)).toString();
    // createFile is O_CREAT|O_EXCL: it fails on any name already there, a link included.
    Future<Void> change = pinned ? files.createFile(marker, "rw-------") : files.delete(marker);
    return change.recover(failure -> {
      Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
      if (pinned ? cause instanceof FileAlreadyExistsException : cause instanceof NoSuchFileException) {
        return Future.succeededFuture();
      }
      LOG.warning(() -> "cannot " + (pinned ? "make " : "remove ") + marker + ": "
          + failure.getMessage());
      // Unlinking takes no space: what refuses it is the marker itself (a directory someone made).
      return Future.failedFuture(pinned
          ? new InsufficientStorageException("cannot save the pin in the checkpoint directory ("
              + reason(failure) + "); the pin is unchanged")
          : new ConflictException("cannot remove the pin " + markerOf(archiveName) + " ("
              + reason(failure) + "); the pin stays"));
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
