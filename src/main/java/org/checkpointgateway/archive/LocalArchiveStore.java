package org.checkpointgateway.archive;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.channels.FileChannel;
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
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.checkpointgateway.context.Confined;
import org.checkpointgateway.outcome.ConflictException;
import org.checkpointgateway.outcome.LimitExceededException;
import org.checkpointgateway.outcome.NotFoundException;
import org.checkpointgateway.outcome.OverloadedException;

/** The checkpoint directory on the local file system, its state confined to one context. */
final class LocalArchiveStore implements ArchiveStore {

  /** Inspections run on their own pool of {@link ArchiveLimits#inspectMaxConcurrent} threads. */
  static final String INSPECT_POOL = "checkpoint-gateway-inspect";
  private static final Logger LOG = Logger.getLogger(LocalArchiveStore.class.getName());
  static final Comparator<Archive> OLDEST_FIRST =
      Comparator.comparing(Archive::checkpointed).thenComparing(Archive::fileName);

  private final Vertx vertx;
  private final ArchiveDirectory directory;
  private final Context context;
  private final Confined state;
  private final KeepMarkers pins;
  private final ArchiveLimits limits;
  // Admitted inspections (running or waiting for the pool); no queue beyond the pool's threads.
  private final Semaphore inspections;
  private final WorkerExecutor inspectPool;
  // Everything below is touched on `context` only.
  private final Map<String, Integer> downloads = new HashMap<>();
  private final Set<String> removing = new HashSet<>();
  private final Map<String, Cached> facts = new HashMap<>();

  /**
   * Facts of one file as it was: another file under the name, or a rewrite, changes the
   * identity. Null facts (a file that is no checkpoint, or too big to read) are kept too, so that
   * listings do not read such a file again and again.
   */
  private record Cached(FileIdentity identity, ArchiveFacts facts) {
  }

  LocalArchiveStore(Vertx vertx, ArchiveDirectory directory, ArchiveLimits limits) {
    this.vertx = vertx;
    this.directory = directory;
    this.context = vertx.getOrCreateContext();
    this.state = Confined.to(context);
    this.pins = new KeepMarkers(vertx, directory.path());
    this.limits = limits;
    this.inspections = new Semaphore(limits.inspectMaxConcurrent());
    this.inspectPool = vertx.createSharedWorkerExecutor(INSPECT_POOL, limits.inspectMaxConcurrent());
  }

  @Override
  public Future<Void> start() {
    return onContext(pins::migrate);
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
    if (!inspections.tryAcquire()) {
      return Future.failedFuture(new OverloadedException("too many archive inspections at once"
          + " (--inspect-max-concurrent " + limits.inspectMaxConcurrent() + "); try again shortly", 1));
    }
    return inspectPool.<ArchiveInspection>executeBlocking(() -> {
      try (SafeOpen.Opened file = SafeOpen.open(archive.path(), archive.identity())) {
        return ArchiveReader.inspect(file.channel(), archive.size(), limits);
      }
    }, false)
        .andThen(ignored -> inspections.release())
        .recover(failure -> Future.failedFuture(readFailure(archive, failure)));
  }

  private static Throwable readFailure(Archive archive, Throwable failure) {
    String name = archive.fileName();
    if (failure instanceof NoSuchFileException) {
      return notFound(name);
    } else if (failure instanceof SafeOpen.ArchiveChangedException) {
      return changed(archive, failure);
    } else if (failure instanceof InspectionLimitException) {
      return new LimitExceededException("archive " + name + " is too big to inspect: "
          + failure.getMessage());
    }
    return new ConflictException("archive " + name + " cannot be inspected"
        + (archive.beingWritten() ? " while it is being written" : "") + ": "
        + failure.getMessage());
  }

  private static ConflictException changed(Archive archive, Throwable failure) {
    return new ConflictException("archive " + archive.fileName() + " changed after it was looked"
        + " up (" + failure.getMessage().replace(archive.path().toString(), "it") + "); try again");
  }

  @Override
  public Future<Download> startDownload(Archive archive) {
    Future<Runnable> registered = onContext(() -> {
      String name = archive.fileName();
      if (removing.contains(name)) {
        return Future.failedFuture(notFound(name));
      }
      downloads.merge(name, 1, Integer::sum);
      return Future.succeededFuture(() -> context.runOnContext(
          ignored -> downloads.computeIfPresent(name, (k, n) -> n > 1 ? n - 1 : null)));
    });
    return registered.compose(unregister -> vertx.<SafeOpen.Opened>executeBlocking(
            () -> SafeOpen.open(archive.path(), archive.identity()), false)
        .transform(opened -> {
          if (opened.failed()) {
            unregister.run();
            Throwable failure = opened.cause();
            return Future.failedFuture(failure instanceof NoSuchFileException
                ? notFound(archive.fileName())
                : failure instanceof SafeOpen.ArchiveChangedException
                    ? changed(archive, failure) : failure);
          }
          return Future.succeededFuture(new OpenDownload(opened.result(), unregister));
        }));
  }

  /** A download's open file and its registration, both let go once. */
  private static final class OpenDownload implements Download {
    private final SafeOpen.Opened file;
    private final Runnable unregister;
    private final AtomicBoolean released = new AtomicBoolean();

    OpenDownload(SafeOpen.Opened file, Runnable unregister) {
      this.file = file;
      this.unregister = unregister;
    }

    @Override
    public FileChannel channel() {
      return file.channel();
    }

    @Override
    public String path() {
      return file.path().toString();
    }

    @Override
    public void release() {
      if (released.compareAndSet(false, true)) {
        try {
          file.close();
        } catch (IOException e) {
          LOG.fine(() -> "closing a download: " + e.getMessage());
        }
        unregister.run();
      }
    }
  }

  @Override
  public Future<Void> delete(Archive archive) {
    return onContext(() -> {
      String name = archive.fileName();
      if (directory.isBeingWritten(archive.path())) {
        return Future.failedFuture(new ConflictException("archive " + name + " is being written"));
      }
      return pins.isPinned(name).compose(pinned -> {
        if (pinned) {
          return Future.failedFuture(new ConflictException("archive " + name
              + " is pinned (" + KeepMarkers.markerOf(name) + "); unpin it first"));
        }
        if (downloads.containsKey(name)) {
          return Future.failedFuture(new ConflictException("archive " + name
              + " is being downloaded"));
        }
        return removeHere(archive);
      });
    });
  }

  @Override
  public Future<Archive> pin(Archive archive, boolean pinned) {
    return onContext(() -> pins.set(archive.fileName(), pinned)
        .map(ignored -> new Archive(archive.name(), archive.path(), archive.size(),
            archive.modified(), archive.facts(), pinned, archive.beingWritten(),
            archive.identity())));
  }

  @Override
  public Retention startRetention(RetentionOptions options, ContainerCensus census) {
    return new Retention(vertx, this, directory, options, census);
  }

  // ---- on the store's context ----

  Context context() {
    return context;
  }

  boolean isDownloading(Archive archive) {
    return downloads.containsKey(archive.fileName());
  }

  /** Asked of the directory each time: anyone may make or remove a marker at any moment. */
  Future<Boolean> isPinned(Archive archive) {
    return pins.isPinned(archive.fileName());
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
          Set<String> names = new HashSet<>();
          for (String path : paths) {
            names.add(Path.of(path).getFileName().toString());
          }
          for (String name : names) {
            if (ArchiveName.isArchiveName(name)) {
              // A file that vanishes or is not a plain file is simply not there.
              found.add(findHere(name, names.contains(KeepMarkers.markerOf(name))).otherwiseEmpty());
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
        .onSuccess(ignored -> {
          facts.remove(name);
          directory.forget(archive.path());
        })
        .eventually(() -> {
          removing.remove(name);
          return Future.succeededFuture();
        });
  }

  private Future<Archive> findHere(String name) {
    // The caller's text becomes a path (its marker's) only once it is an archive name: "x%00"
    // or "../y" never reach the file system.
    if (!ArchiveName.isArchiveName(name)) {
      return Future.failedFuture(notFound(name));
    }
    return pins.isPinned(name).compose(pinned -> findHere(name, pinned));
  }

  /** {@code pinned}: whether the listing that found the name also found its marker. */
  private Future<Archive> findHere(String name, boolean pinned) {
    ArchiveName parsed = ArchiveName.parse(name).orElse(null);
    if (parsed == null || removing.contains(name)) {
      return Future.failedFuture(notFound(name));
    }
    Path path = directory.path().resolve(name);
    return vertx.executeBlocking(() -> FileIdentity.lstat(path), false)
        .recover(failure -> Future.failedFuture(notFound(name)))
        .compose(identity -> {
          // lstat does not follow links: a symbolic link is not an archive, wherever it points.
          if (!identity.isRegularFile()) {
            return Future.failedFuture(notFound(name));
          }
          return factsHere(name, path, identity).map(known -> new Archive(parsed, path,
              identity.size(), Instant.ofEpochMilli(identity.modified().toMillis()), known,
              pinned, directory.isBeingWritten(path), identity));
        });
  }

  private Future<ArchiveFacts> factsHere(String name, Path path, FileIdentity identity) {
    Cached cached = facts.get(name);
    if (cached != null && cached.identity().equals(identity)) {
      return Future.succeededFuture(cached.facts());
    }
    return vertx.executeBlocking(() -> {
      try (SafeOpen.Opened file = SafeOpen.open(path, identity)) {
        return ArchiveReader.facts(file.channel(), limits);
      }
    }, false).transform(read -> {
      ArchiveFacts known = read.succeeded() ? read.result() : null;
      Throwable failure = read.cause();
      if (failure != null) {
        LOG.fine(() -> "cannot read the metadata of " + name + ": " + failure.getMessage());
      }
      // A file being written, swapped or removed may read differently in a moment.
      boolean settled = !directory.isBeingWritten(path) && !(failure instanceof NoSuchFileException)
          && !(failure instanceof SafeOpen.ArchiveChangedException);
      if (settled) {
        facts.put(name, new Cached(identity, known));
      }
      return Future.succeededFuture(known);
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
    return state.compose(work);
  }
}
