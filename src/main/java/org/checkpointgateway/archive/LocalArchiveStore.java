package org.checkpointgateway.archive;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.file.FileProps;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.checkpointgateway.error.ConflictException;
import org.checkpointgateway.error.NotFoundException;

/** The checkpoint directory on the local file system, its state confined to one context. */
final class LocalArchiveStore implements ArchiveStore {

  private static final Logger LOG = Logger.getLogger(LocalArchiveStore.class.getName());
  static final Comparator<Archive> OLDEST_FIRST =
      Comparator.comparing(Archive::checkpointed).thenComparing(Archive::fileName);

  private final Vertx vertx;
  private final ArchiveDirectory directory;
  private final Context context;
  private final PinFile pins;
  // Everything below is touched on `context` only.
  private final Map<String, Integer> downloads = new HashMap<>();
  private final Set<String> removing = new HashSet<>();
  private final Map<String, Cached> facts = new HashMap<>();

  /** Facts of one version of a file: a rewrite changes size or modification time. */
  private record Cached(long size, long modified, ArchiveFacts facts) {
  }

  LocalArchiveStore(Vertx vertx, ArchiveDirectory directory) {
    this.vertx = vertx;
    this.directory = directory;
    this.context = vertx.getOrCreateContext();
    this.pins = new PinFile(vertx, directory.path());
  }

  @Override
  public Future<Void> start() {
    return onContext(pins::load);
  }

  @Override
  public Future<List<Archive>> list() {
    return onContext(this::listHere);
  }

  @Override
  public Future<Archive> find(String name) {
    return onContext(() -> findHere(name));
  }

  @Override
  public Future<ArchiveInspection> inspect(Archive archive) {
    return vertx.<ArchiveInspection>executeBlocking(
            () -> ArchiveReader.inspect(archive.path(), archive.size()), false)
        .recover(failure -> Future.failedFuture(failure instanceof NoSuchFileException
            ? notFound(archive.fileName())
            : new ConflictException("archive " + archive.fileName() + " cannot be inspected"
                + (archive.beingWritten() ? " while it is being written" : "") + ": "
                + failure.getMessage())));
  }

  @Override
  public Future<Download> startDownload(Archive archive) {
    return onContext(() -> {
      String name = archive.fileName();
      if (removing.contains(name)) {
        return Future.failedFuture(notFound(name));
      }
      downloads.merge(name, 1, Integer::sum);
      AtomicBoolean released = new AtomicBoolean();
      return Future.succeededFuture(() -> {
        if (released.compareAndSet(false, true)) {
          context.runOnContext(ignored -> downloads.computeIfPresent(name, (k, n) -> n > 1 ? n - 1 : null));
        }
      });
    });
  }

  @Override
  public Future<Void> delete(Archive archive) {
    return onContext(() -> {
      String name = archive.fileName();
      if (directory.isBeingWritten(archive.path())) {
        return Future.failedFuture(new ConflictException("archive " + name + " is being written"));
      }
      if (pins.contains(name)) {
        return Future.failedFuture(new ConflictException("archive " + name
            + " is pinned; unpin it first"));
      }
      if (downloads.containsKey(name)) {
        return Future.failedFuture(new ConflictException("archive " + name
            + " is being downloaded"));
      }
      return removeHere(archive);
    });
  }

  @Override
  public Future<Archive> pin(Archive archive, boolean pinned) {
    return onContext(() -> pins.set(archive.fileName(), pinned)
        .map(ignored -> new Archive(archive.name(), archive.path(), archive.size(),
            archive.modified(), archive.facts(), pinned, archive.beingWritten())));
  }

  @Override
  public Retention startRetention(RetentionOptions options) {
    return new Retention(vertx, this, directory, options);
  }

  // ---- on the store's context ----

  Context context() {
    return context;
  }

  boolean isDownloading(Archive archive) {
    return downloads.containsKey(archive.fileName());
  }

  boolean isPinned(Archive archive) {
    return pins.contains(archive.fileName());
  }

  boolean isWriting(Archive archive) {
    return directory.isBeingWritten(archive.path());
  }

  Future<List<Archive>> listHere() {
    return vertx.fileSystem().readDir(directory.path().toString())
        .recover(failure -> {
          LOG.log(Level.WARNING, "cannot list " + directory.path() + ": " + failure.getMessage());
          return Future.succeededFuture(List.of());
        })
        .compose(paths -> {
          List<Future<Archive>> found = new ArrayList<>();
          for (String path : paths) {
            String name = Path.of(path).getFileName().toString();
            if (ArchiveName.isArchiveName(name)) {
              // A file that vanishes or is not a plain file is simply not there.
              found.add(findHere(name).otherwiseEmpty());
            }
          }
          return Future.all(found).map(all -> {
            List<Archive> archives = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
              Archive archive = all.resultAt(i);
              if (archive != null) {
                archives.add(archive);
              }
            }
            archives.sort(OLDEST_FIRST);
            // Forget cached facts of files that are gone.
            Set<String> present = new HashSet<>();
            archives.forEach(a -> present.add(a.fileName()));
            facts.keySet().retainAll(present);
            return archives;
          });
        });
  }

  /** Deletes without asking whether it may: the callers have. */
  Future<Void> removeHere(Archive archive) {
    String name = archive.fileName();
    removing.add(name);
    return vertx.fileSystem().delete(archive.path().toString())
        .recover(failure -> Future.failedFuture(failure instanceof NoSuchFileException
            || failure.getCause() instanceof NoSuchFileException ? notFound(name) : failure))
        .compose(ignored -> {
          facts.remove(name);
          return pins.contains(name) ? pins.set(name, false) : Future.<Void>succeededFuture();
        })
        .eventually(() -> {
          removing.remove(name);
          return Future.succeededFuture();
        });
  }

  private Future<Archive> findHere(String name) {
    ArchiveName parsed = ArchiveName.parse(name).orElse(null);
    if (parsed == null || removing.contains(name)) {
      return Future.failedFuture(notFound(name));
    }
    Path path = directory.path().resolve(name);
    return vertx.fileSystem().lprops(path.toString())
        .recover(failure -> Future.failedFuture(notFound(name)))
        .compose(props -> {
          // lprops does not follow links: a symbolic link is not an archive, wherever it points.
          if (!props.isRegularFile() || props.isSymbolicLink()) {
            return Future.failedFuture(notFound(name));
          }
          return factsHere(name, path, props).map(known -> new Archive(parsed, path, props.size(),
              Instant.ofEpochMilli(props.lastModifiedTime()), known, pins.contains(name),
              directory.isBeingWritten(path)));
        });
  }

  private Future<ArchiveFacts> factsHere(String name, Path path, FileProps props) {
    Cached cached = facts.get(name);
    if (cached != null && cached.size() == props.size()
        && cached.modified() == props.lastModifiedTime()) {
      return Future.succeededFuture(cached.facts());
    }
    return vertx.executeBlocking(() -> ArchiveReader.facts(path), false)
        .map(read -> {
          if (!directory.isBeingWritten(path)) {
            facts.put(name, new Cached(props.size(), props.lastModifiedTime(), read));
          }
          return read;
        })
        .otherwise(failure -> {
          LOG.fine(() -> "cannot read the metadata of " + name + ": " + failure.getMessage());
          return null;
        });
  }

  static NotFoundException notFound(String name) {
    return new NotFoundException("no archive named " + name);
  }

  /**
   * Runs {@code work} on the store's context and completes on the caller's context (or, for a
   * caller outside Vert.x, on the store's).
   */
  <T> Future<T> onContext(Supplier<Future<T>> work) {
    Context caller = Vertx.currentContext();
    Promise<T> promise = Promise.promise();
    context.runOnContext(ignored -> {
      Future<T> result;
      try {
        result = work.get();
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onComplete(outcome -> {
        if (caller == null || caller == context) {
          promise.handle(outcome);
        } else {
          caller.runOnContext(back -> promise.handle(outcome));
        }
      });
    });
    return promise.future();
  }
}
