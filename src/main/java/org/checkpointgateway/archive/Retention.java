package org.checkpointgateway.archive;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.checkpointgateway.archive.RetentionPlan.Removal;

/**
 * Applies {@link RetentionOptions} to the checkpoint directory after each completed checkpoint
 * and on a timer. Runs happen one at a time on the archive store's context (triggers during a
 * run coalesce into one more run), so they cannot race each other, downloads or deletions; the
 * file work is asynchronous and never blocks an event loop.
 */
public final class Retention implements RetentionStats {

  private static final Logger LOG = Logger.getLogger(Retention.class.getName());

  private final Vertx vertx;
  private final LocalArchiveStore store;
  private final RetentionOptions options;
  private final ArchiveDirectory directory;
  private final ContainerCensus census;
  private final AtomicLong removedArchives = new AtomicLong();
  private final AtomicLong removedBytes = new AtomicLong();
  private final AtomicLong runs = new AtomicLong();
  // On the store's context only.
  private Future<?> tail = Future.succeededFuture();
  private Future<Report> queued;
  private long timer = -1;
  private volatile boolean stopped;

  /** What one run removed. */
  public record Report(List<String> removed, long bytes) {
  }

  Retention(Vertx vertx, LocalArchiveStore store, ArchiveDirectory directory,
      RetentionOptions options, ContainerCensus census) {
    this.vertx = vertx;
    this.census = census;
    this.store = store;
    this.options = options;
    this.directory = directory;
    if (options.enabled()) {
      directory.onCompleted(archive -> run());
      store.context().runOnContext(ignored -> timer = vertx.setPeriodic(
          options.interval().toMillis(), id -> run()));
    }
  }

  public RetentionOptions options() {
    return options;
  }

  /**
   * Runs retention now, or joins the run that is waiting to start. Succeeds with an empty report
   * when no rule is set.
   */
  public Future<Report> run() {
    if (!options.enabled() || stopped) {
      return Future.succeededFuture(new Report(List.of(), 0));
    }
    return store.onContext(() -> {
      if (queued != null) {
        return queued;
      }
      Promise<Report> next = Promise.promise();
      queued = next.future();
      tail = tail.transform(ignored -> {
        queued = null;
        return runOnce().onComplete(next);
      });
      return next.future();
    });
  }

  /** Stops the timer; a run under way finishes. */
  public void stop() {
    stopped = true;
    store.context().runOnContext(ignored -> {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
    });
  }

  @Override
  public long removedArchives() {
    return removedArchives.get();
  }

  @Override
  public long removedBytes() {
    return removedBytes.get();
  }

  @Override
  public long runs() {
    return runs.get();
  }

  private Future<Report> runOnce() {
    return store.listHere().compose(archives -> census().map(known -> RetentionPlan.select(
        archives, options, Instant.now(), store::isDownloading,
        archive -> directory.isCompletedHere(archive.path()), known))).compose(plan -> {
      List<String> removed = new ArrayList<>();
      long[] bytes = {0};
      Future<Void> chain = Future.succeededFuture();
      for (Removal removal : plan) {
        chain = chain.compose(ignored -> removeOne(removal).map(done -> {
          if (done) {
            removed.add(removal.archive().fileName());
            bytes[0] += removal.archive().size();
          }
          return null;
        }));
      }
      return chain.map(ignored -> new Report(List.copyOf(removed), bytes[0]));
    }).onComplete(outcome -> {
      runs.incrementAndGet();
      if (outcome.failed()) {
        LOG.log(Level.WARNING, "retention run failed: " + outcome.cause().getMessage());
      }
    });
  }

  /**
   * The containers the runtime knows, asked after the listing so that every listed archive's
   * container, if it still exists, is in it; empty (nothing is an orphan) when no policy removes
   * orphans or the runtime cannot say: unknown is not absent.
   */
  private Future<Optional<Set<ContainerCensus.Identity>>> census() {
    if (!options.policies().removesOrphans()) {
      return Future.succeededFuture(Optional.empty());
    }
    Promise<Optional<Set<ContainerCensus.Identity>>> back = Promise.promise();
    Future<Set<ContainerCensus.Identity>> asked;
    try {
      asked = census.containers();
    } catch (RuntimeException e) {
      asked = Future.failedFuture(e);
    }
    // The answer comes on the runtime client's context; the plan reads the store's state.
    asked.map(Optional::of).otherwise(failure -> {
      LOG.warning(() -> "retention removes no orphans this run: the runtime could not say which"
          + " containers exist (" + failure.getMessage() + ")");
      return Optional.empty();
    }).onComplete(outcome -> store.context().runOnContext(ignored -> back.handle(outcome)));
    return back.future();
  }

  /** Removes one archive unless it became busy since the listing; true when it is gone. */
  private Future<Boolean> removeOne(Removal removal) {
    Archive archive = removal.archive();
    if (store.isDownloading(archive) || store.isWriting(archive)) {
      return Future.succeededFuture(false);
    }
    // A marker may have come since the listing: asked again just before the removal.
    return store.isPinned(archive).compose(pinned -> pinned ? Future.succeededFuture(false)
        : removeUnpinned(removal));
  }

  private Future<Boolean> removeUnpinned(Removal removal) {
    Archive archive = removal.archive();
    // A download may have begun while the marker was asked.
    if (store.isDownloading(archive) || store.isWriting(archive)) {
      return Future.succeededFuture(false);
    }
    return store.removeHere(archive)
        .map(ignored -> {
          removedArchives.incrementAndGet();
          removedBytes.addAndGet(archive.size());
          LOG.info(() -> "retention removed " + archive.fileName() + " (" + archive.size()
              + " bytes): " + removal.reason());
          return true;
        })
        .otherwise(failure -> {
          LOG.warning(() -> "retention could not remove " + archive.fileName() + ": "
              + failure.getMessage());
          return false;
        });
  }
}
