package org.checkpointgateway.checkpoint;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Logger;
import static org.checkpointgateway.checkpoint.CheckpointService.NO_EVENTS;

import org.checkpointgateway.context.Futures;
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.archive.ArchiveDirectory;
import org.checkpointgateway.checkpoint.CheckpointEvent.Completed;
import org.checkpointgateway.checkpoint.CheckpointEvent.Failed;
import org.checkpointgateway.checkpoint.CheckpointEvent.Progress;
import org.checkpointgateway.checkpoint.CheckpointEvent.Queued;
import org.checkpointgateway.checkpoint.CheckpointEvent.Started;
import org.checkpointgateway.cri.CriClient;
import org.checkpointgateway.cri.RuntimeWatch;
import org.checkpointgateway.outcome.CheckpointFailedException;
import org.checkpointgateway.outcome.InsufficientStorageException;
import org.checkpointgateway.outcome.PodCheckpointFailedException;
import org.checkpointgateway.outcome.RuntimeCallFailedException;
import org.checkpointgateway.outcome.UnavailableException;
import org.checkpointgateway.metrics.GatewayMetrics;

/**
 * Checkpoints containers found through the CRI: weighed, admitted within the byte and
 * concurrency budget, written by the runtime within the caller's deadline, watched while they run.
 */
final class RuntimeCheckpointService implements DrainableCheckpointService {

  private static final Logger LOG = Logger.getLogger(RuntimeCheckpointService.class.getName());
  static final long DRAIN_POLL_MILLIS = 50;
  /** After the grace, how long cancelled checkpoints get to clean up and answer. */
  static final Duration CANCEL_WAIT = Duration.ofSeconds(5);
  /** The reason of a checkpoint whose archive was not there after the runtime's success. */
  static final String ARCHIVE_MISSING = "ArchiveMissing";

  private final Vertx vertx;
  private final RuntimeWatch runtime;
  private final ContainerCheckpointer checkpointer;
  private final ContainerLookup lookup;
  // Memory working set by container id: a burst against one container shares one stats call.
  private final SingleFlightCache<String, Long> weights;
  private final ArchiveDirectory archives;
  private final AdmissionController admission;
  private final ThroughputEstimator throughput;
  private final ArchiveSizePoller archiveSizes;
  private final ArchiveStats archiveStats;
  private final GatewayMetrics metrics;
  private final CheckpointSettings settings;
  // Completed when the gateway stops (its runs are cancelled through {@link #running}).
  private final Promise<Void> stopping = Promise.promise();
  // The checkpoints under way, cancelled all at once when stopping.
  private final RunningCheckpoints running;
  private volatile boolean draining;
  /** How stale the free-space figure may be: archives grow far slower than requests arrive. */
  static final long FREE_SPACE_TTL_NANOS = 1_000_000_000L;
  /**
   * How long the checkpoint directory opened after a free-space reading is used for archive
   * stats ({@link ArchiveStats}): two readings' age, so that under load it is opened again
   * before it gets too old.
   */
  static final long ARCHIVE_DIRECTORY_HELD_NANOS = 2 * FREE_SPACE_TTL_NANOS;
  private final FreeSpace freeSpace;
  // The weight of the checkpoints at the runtime now: what their archives are about to take of
  // the free space (a running one's bytes written so far count twice until it ends: cautious).
  private final AtomicLong spaceHeld = new AtomicLong();
  // What a free-space read that outlived its request was waiting for: made once, not per request.
  private final String readingFreeSpace;

  RuntimeCheckpointService(Vertx vertx, CriClient cri, RuntimeWatch runtime,
      ContainerCheckpointer checkpointer, ArchiveDirectory archives, AdmissionController admission,
      ThroughputEstimator throughput, GatewayMetrics metrics, CheckpointSettings settings) {
    this.vertx = vertx;
    this.runtime = runtime;
    this.checkpointer = checkpointer;
    this.lookup = new ContainerLookup(vertx, cri, settings.lookupMaxAge());
    // A runtime without stats still checkpoints; the container then only counts for concurrency.
    // A runtime that is away, silent or was left by every asker is no answer, though.
    this.weights = new SingleFlightCache<>(vertx, settings.lookupMaxAge(), (containerId, unwanted) ->
        cri.memoryWorkingSet(containerId, unwanted).recover(failure -> {
          if (failure instanceof RuntimeCallFailedException call
              && List.of("Canceled", "DeadlineExceeded", "Unavailable").contains(call.code())) {
            return Future.failedFuture(failure);
          }
          LOG.fine(() -> "no memory stats for " + containerId + ": " + failure.getMessage());
          return Future.succeededFuture(0L);
        }));
    this.archives = archives;
    this.readingFreeSpace = " while reading the free space of " + archives.path();
    this.freeSpace = new FreeSpace(this::readFreeSpace, FREE_SPACE_TTL_NANOS);
    this.admission = admission;
    this.throughput = throughput;
    this.archiveSizes = new ArchiveSizePoller(vertx, settings.progressInterval());
    this.running = new RunningCheckpoints(vertx);
    this.archiveStats = new ArchiveStats(vertx, archives.path(), ARCHIVE_DIRECTORY_HELD_NANOS,
        archives::onLocalFileSystem);
    this.metrics = metrics;
    this.settings = settings;
  }

  @Override
  public Future<PreparedCheckpoint> prepare(CheckpointTarget target, RequestContext context) {
    Future<PreparedCheckpoint> prepared = Futures.then(
        Futures.then(reachable(), ignored -> lookup.find(target, context)),
        container -> weigh(target, container.id(), context));
    return prepared.succeeded() ? prepared : prepared.recover(failure ->
        Future.failedFuture(asCheckpointFailure(target, noticed(failure))));
  }

  @Override
  public Future<List<PreparedCheckpoint>> preparePod(String namespace, String pod,
      RequestContext context) {
    CheckpointTarget podTarget = CheckpointTarget.wholePod(namespace, pod);
    return reachable()
        .compose(ignored -> lookup.findAll(namespace, pod, context))
        .compose(containers -> {
          List<Future<PreparedCheckpoint>> weighed = new ArrayList<>();
          containers.stream()
              .sorted(Comparator.comparing(ContainerLookup.Running::name))
              .forEach(container -> weighed.add(weigh(new CheckpointTarget(namespace, pod,
                  container.name()), container.id(), context)));
          return Future.all(weighed).map(all -> all.<PreparedCheckpoint>list());
        })
        .recover(failure -> Future.failedFuture(asCheckpointFailure(podTarget, noticed(failure))));
  }

  private Future<PreparedCheckpoint> weigh(CheckpointTarget target, String containerId,
      RequestContext context) {
    return Futures.then(weights.recent(containerId, context),
        weight -> Future.succeededFuture(new PreparedCheckpoint(target, containerId, weight)));
  }

  /**
   * A request that arrives while nobody can connect to the runtime gets the kubelet's answer at
   * once (its CRI call would fail to connect just the same), with what the connection said.
   */
  private Future<Void> reachable() {
    Optional<RuntimeCallFailedException> away = runtime.away();
    return away.isEmpty() ? Future.succeededFuture() : Future.failedFuture(away.get());
  }

  /** Tells the watch when a call found nobody at the socket, so every later request knows. */
  private Throwable noticed(Throwable failure) {
    if (RuntimeWatch.isDialFailure(failure)) {
      runtime.dialFailed((RuntimeCallFailedException) failure);
    }
    return failure;
  }

  @Override
  public Future<CheckpointResult> run(PreparedCheckpoint checkpoint, RequestContext request,
      Consumer<CheckpointEvent> events) {
    CheckpointTarget target = checkpoint.target();
    long begun = System.nanoTime();
    // Ended by the request's cancel or the gateway's stop: one value to the runtime. Listening on
    // a gateway-wide signal from every run would pile up listeners for the life of the process.
    RequestContext context = request.cancellableChild();
    Runnable stopListening = request.onCancel(context::cancel);
    Runnable unlist = running.add(context);
    long weight = checkpoint.weightBytes();
    // Each step runs at once when the one before answered at once (Futures.then): in steady
    // state only the runtime's call waits.
    Future<CheckpointResult> outcome = Futures.then(draining
        ? Future.<Void>failedFuture(new UnavailableException("the gateway is stopping"))
        : ensureSpaceFor(weight, context),
        ignored -> Futures.then(admission.admit(target.namespace(), weight, context,
            (position, ahead) -> events.accept(new Queued(target.container(), position, ahead))),
            permit -> {
              metrics.queueWait(target.namespace(), permit.waited());
              Future<Long> held = holdSpaceFor(weight, context);
              return Futures.then(held, bytes -> execute(checkpoint, context, events))
                  .onComplete(done -> {
                    if (held.succeeded()) {
                      releaseSpace(held.result(), done);
                    }
                    permit.release();
                  });
            }));
    Promise<CheckpointResult> result = Promise.promise();
    outcome.onComplete(done -> {
      Throwable failure = done.failed() ? asCheckpointFailure(target, done.cause()) : null;
      stopListening.run();
      unlist.run();
      metrics.checkpointEnded(failure, System.nanoTime() - begun);
      if (events != NO_EVENTS) {
        events.accept(failure == null
            ? new Completed(target.container(), done.result().items(),
                done.result().archiveBytes(), done.result().duration())
            : new Failed(target.container(), failure));
      }
      if (failure == null) {
        result.complete(done.result());
      } else {
        result.fail(failure);
      }
    });
    return result.future();
  }

  /** On arrival: refused at once when the archive cannot fit beside those being written. */
  private Future<Void> ensureSpaceFor(long weight, RequestContext context) {
    return Futures.then(freeSpace(context), free -> {
      long held = spaceHeld.get();
      return fits(free, held, weight) ? Future.<Void>succeededFuture()
          : Future.failedFuture(noSpace(free, held, weight));
    });
  }

  /**
   * Once admitted, just before the runtime is called: the archive's weight is held against the
   * free space until the checkpoint ends, so that checkpoints admitted together cannot all count
   * on the same free bytes (four 1.5 MiB archives on a 5 MiB disk: three run, one gets 507).
   */
  private Future<Long> holdSpaceFor(long weight, RequestContext context) {
    return Futures.then(freeSpace(context), free -> {
      while (true) {
        long held = spaceHeld.get();
        if (!fits(free, held, weight)) {
          return Future.failedFuture(noSpace(free, held, weight));
        }
        if (spaceHeld.compareAndSet(held, held + weight)) {
          return Future.succeededFuture(weight);
        }
      }
    });
  }

  private void releaseSpace(long weight, AsyncResult<CheckpointResult> done) {
    spaceHeld.addAndGet(-weight);
    if (done.succeeded()) {
      // The archive now takes what was held: count it against the last reading until the next
      // (no file-system call per checkpoint).
      freeSpace.written(done.result().archiveBytes());
    } else if (done.cause() instanceof CheckpointFailedException failed
        && failed.reason().equals(ARCHIVE_MISSING)) {
      freeSpace.forget(); // the directory may be gone: made again before the next checkpoint
    }
  }

  private boolean fits(long free, long held, long weight) {
    return free - held >= weight + settings.diskReserveBytes();
  }

  private InsufficientStorageException noSpace(long free, long held, long weight) {
    return new InsufficientStorageException(String.format(
        "not enough space in %s for the archive: %d bytes free, %d of them held for the "
            + "checkpoints running, %d needed (%d of memory to write and %d to keep free)",
        archives.path(), free, held, weight + settings.diskReserveBytes(), weight,
        settings.diskReserveBytes()));
  }

  /**
   * Usable bytes in the checkpoint directory, asked of the file system at most every
   * {@link #FREE_SPACE_TTL_NANOS} and once at a time ({@link FreeSpace}). The directory is made
   * again if someone removed it.
   */
  private Future<Long> freeSpace(RequestContext context) {
    Long recent = freeSpace.recent();
    if (recent != null) {
      return Future.succeededFuture(recent); // nothing to wait for: no bound, no text
    }
    // A hung file system must not hold a request past its deadline.
    return context.bound(vertx, freeSpace.read(), readingFreeSpace);
  }

  private Future<Long> readFreeSpace() {
    return archives.ensureExists()
        .compose(ignored -> vertx.fileSystem().fsProps(archives.path().toString()))
        .map(fs -> {
          // The directory archive stats go through is opened again (nothing waits for it).
          archiveStats.reopenSoon();
          return fs.usableSpace();
        });
  }

  /** The runtime's part: admitted, with progress reported until it ends. */
  private Future<CheckpointResult> execute(PreparedCheckpoint checkpoint, RequestContext context,
      Consumer<CheckpointEvent> events) {
    CheckpointTarget target = checkpoint.target();
    Path archive = archives.newArchivePath(target.namespace(), target.pod(), target.container());
    long started = System.nanoTime();
    // Progress only for someone listening: its archive size costs a file-system read.
    long ticker = -1;
    if (events != NO_EVENTS) {
      Duration estimate = throughput.estimate(checkpoint.weightBytes());
      events.accept(new Started(target.container(), checkpoint.containerId(),
          checkpoint.weightBytes(), estimate));
      ticker = reportProgress(target.container(), archive, started, estimate, events);
    }
    long progressTimer = ticker;
    archives.writing(archive);
    Promise<CheckpointResult> result = Promise.promise();
    Futures.then(callRuntime(checkpoint.containerId(), archive, context),
            ignored -> {
              Future<Long> size = writtenArchive(target, archive);
              return size.isComplete() ? size : context.bound(vertx, size, CHECKING_THE_ARCHIVE);
            })
        .onComplete(done -> {
          if (done.succeeded()) {
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            throughput.record(checkpoint.weightBytes(), took);
            ended(archive, progressTimer, true);
            result.complete(new CheckpointResult(List.of(archive.toString()), done.result(), took));
            return;
          }
          Throwable failure = stopping.future().isComplete()
              && done.cause() instanceof RuntimeCallFailedException
              ? RequestContext.canceled(": the gateway is stopping") : done.cause();
          archives.discard(archive).onComplete(discarded -> {
            ended(archive, progressTimer, false);
            result.fail(failure);
          });
        });
    return result.future();
  }

  /** What the wait for the archive's stat is called when it outlives the request. */
  private static final String CHECKING_THE_ARCHIVE = " while checking the archive";

  private void ended(Path archive, long progressTimer, boolean completed) {
    if (progressTimer != -1) {
      vertx.cancelTimer(progressTimer);
      archiveSizes.forget(archive);
    }
    archives.written(archive);
    if (completed) {
      archives.completed(archive);
    }
  }

  /** Every progress interval, a progress event; returns the timer to cancel when it ends. */
  private long reportProgress(String container, Path archive, long started, Duration estimate,
      Consumer<CheckpointEvent> events) {
    archiveSizes.watch(archive);
    return vertx.setPeriodic(settings.progressInterval().toMillis(), id -> {
      Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
      events.accept(new Progress(container, elapsed, estimatedFraction(elapsed, estimate),
          archiveSizes.size(archive)));
    });
  }

  @Override
  public Future<CheckpointResult> runPod(List<PreparedCheckpoint> checkpoints,
      RequestContext context, Consumer<CheckpointEvent> events) {
    List<Future<CheckpointResult>> runs = checkpoints.stream()
        .map(checkpoint -> run(checkpoint, context, events)).toList();
    return Future.join(runs).transform(ignored -> {
      List<String> items = new ArrayList<>();
      Map<String, Throwable> failures = new LinkedHashMap<>();
      long bytes = 0;
      Duration longest = Duration.ZERO;
      for (int i = 0; i < runs.size(); i++) {
        Future<CheckpointResult> run = runs.get(i);
        if (run.succeeded()) {
          items.addAll(run.result().items());
          bytes += run.result().archiveBytes();
          longest = longest.compareTo(run.result().duration()) < 0 ? run.result().duration() : longest;
        } else {
          failures.put(checkpoints.get(i).target().container(), run.cause());
        }
      }
      CheckpointTarget pod = checkpoints.get(0).target();
      return failures.isEmpty()
          ? Future.succeededFuture(new CheckpointResult(items, bytes, longest))
          : Future.failedFuture(new PodCheckpointFailedException(pod.namespace(), pod.pod(),
              failures, items));
    });
  }

  @Override
  public Future<Void> drain(Duration grace) {
    draining = true;
    Promise<Void> drained = Promise.promise();
    admission.close(new UnavailableException("the gateway is stopping"))
        .onComplete(ignored -> {
          long graceEnds = System.nanoTime() + grace.toNanos();
          long giveUp = graceEnds + CANCEL_WAIT.toNanos();
          // Checkpoints end on many event loops; the admission count is where they meet.
          vertx.setPeriodic(DRAIN_POLL_MILLIS, id -> {
            long now = System.nanoTime();
            if (now > graceEnds) {
              stopAll(); // cancel what still runs; its answers still go out
            }
            if (admission.running() == 0 || now > giveUp) {
              vertx.cancelTimer(id);
              stopAll();
              archiveStats.close();
              drained.complete();
            }
          });
        });
    return drained.future();
  }

  private void stopAll() {
    if (stopping.tryComplete()) {
      running.stopAll();
    }
  }

  /**
   * The runtime's call, once it is reachable. A request accepted before the runtime went away
   * (restarted, its socket removed) waits for it within the deadline, and a call that could not
   * connect never reached the runtime: it waits for the runtime's return and is made again.
   */
  private Future<Void> callRuntime(String containerId, Path archive, RequestContext context) {
    Future<Void> back = runtime.whenBack();
    if (!back.isComplete()) {
      // Told when the wait ends: a probe may have learnt more since (a broken connection, then
      // nobody at the socket).
      return context.bound(vertx, back, () -> runtime.away().map(away ->
              " while waiting for the runtime to return (" + away.description() + ")").orElse(""))
          .compose(ignored -> callRuntime(containerId, archive, context));
    }
    long called = System.nanoTime();
    return checkpointer.checkpoint(containerId, archive, context)
        .transform(done -> {
          Throwable failure = done.cause();
          if (done.failed() && RuntimeWatch.isDialFailure(failure) && !context.expired()
              && !context.isCancelled()) {
            runtime.dialFailed((RuntimeCallFailedException) failure);
            return callRuntime(containerId, archive, context);
          }
          // The only place the kubelet's runtime operations are counted: one per call that
          // reached the runtime (a dial failure made again did not), whatever the mechanism.
          metrics.runtimeCheckpoint(done.failed(), System.nanoTime() - called);
          if (done.failed() && RuntimeWatch.isConnectionLost(failure) && !context.isCancelled()) {
            // Marked before this run lets its admission slot go: the next one waits for a probe.
            runtime.connectionLost((RuntimeCallFailedException) failure);
          }
          return done.succeeded() ? Future.<Void>succeededFuture() : Future.<Void>failedFuture(failure);
        });
  }

  /**
   * The archive's size, once its {@code lstat} shows a regular file: a runtime's success is not
   * taken for an archive when the directory was removed under it (or the name replaced).
   */
  private Future<Long> writtenArchive(CheckpointTarget target, Path archive) {
    Future<BasicFileAttributes> found = archiveStats.lstat(archive);
    return found.isComplete() ? regularFileSize(target, archive, found)
        : found.transform(stat -> regularFileSize(target, archive, stat));
  }

  private static Future<Long> regularFileSize(CheckpointTarget target, Path archive,
      AsyncResult<BasicFileAttributes> found) {
    if (found.succeeded() && found.result().isRegularFile()) {
      return Future.succeededFuture(found.result().size());
    }
    String what = found.succeeded() ? "is not a regular file (" + kind(found.result()) + ")"
        : "is missing (" + (found.cause() instanceof NoSuchFileException
            ? "no such file or directory" : found.cause().getMessage()) + ")";
    return Future.failedFuture(new CheckpointFailedException(target.toString(),
        "the runtime reported success but the archive " + archive + " " + what,
        ARCHIVE_MISSING));
  }

  private static String kind(BasicFileAttributes attributes) {
    return attributes.isDirectory() ? "a directory" : attributes.isSymbolicLink() ? "a symbolic link"
        : "a special file";
  }

  private static Throwable asCheckpointFailure(CheckpointTarget target, Throwable failure) {
    return failure instanceof RuntimeCallFailedException runtime
        ? new CheckpointFailedException(target.toString(), runtime)
        : failure;
  }

  /**
   * 90% at the estimated time, then creeping towards 99% as the overrun grows: monotonic, never
   * claiming done before the runtime says so, and never frozen when the estimate was low.
   */
  static double estimatedFraction(Duration elapsed, Duration estimate) {
    double e = elapsed.toNanos();
    double expected = Math.max(1, estimate.toNanos());
    return e <= expected ? 0.9 * e / expected : 0.9 + 0.09 * (1 - expected / e);
  }
}
