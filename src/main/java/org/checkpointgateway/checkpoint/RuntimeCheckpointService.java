package org.checkpointgateway.checkpoint;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.file.FileProps;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.logging.Logger;
import static org.checkpointgateway.checkpoint.CheckpointService.NO_EVENTS;

import org.checkpointgateway.archive.ArchiveDirectory;
import org.checkpointgateway.checkpoint.CheckpointEvent.Completed;
import org.checkpointgateway.checkpoint.CheckpointEvent.Failed;
import org.checkpointgateway.checkpoint.CheckpointEvent.Progress;
import org.checkpointgateway.checkpoint.CheckpointEvent.Queued;
import org.checkpointgateway.checkpoint.CheckpointEvent.Started;
import org.checkpointgateway.cri.CriClient;
import org.checkpointgateway.error.CheckpointFailedException;
import org.checkpointgateway.error.InsufficientStorageException;
import org.checkpointgateway.error.PodCheckpointFailedException;
import org.checkpointgateway.error.RuntimeCallFailedException;
import org.checkpointgateway.error.UnavailableException;
import org.checkpointgateway.metrics.GatewayMetrics;

/**
 * Checkpoints containers found through the CRI: weighed, admitted within the byte and
 * concurrency budget, written by the runtime within the caller's deadline, watched while they run.
 */
final class RuntimeCheckpointService implements CheckpointControl {

  private static final Logger LOG = Logger.getLogger(RuntimeCheckpointService.class.getName());
  static final long DRAIN_POLL_MILLIS = 50;
  /** After the grace, how long cancelled checkpoints get to clean up and answer. */
  static final Duration CANCEL_WAIT = Duration.ofSeconds(5);

  private final Vertx vertx;
  private final CriClient cri;
  private final ContainerCheckpointer checkpointer;
  private final ContainerLookup lookup;
  // Memory working set by container id: a burst against one container shares one stats call.
  private final SharedFetches<String, Long> weights;
  private final ArchiveDirectory archives;
  private final AdmissionController admission;
  private final ThroughputEstimator throughput;
  private final GrowingArchives growing;
  private final GatewayMetrics metrics;
  private final CheckpointSettings settings;
  // Completed when the gateway stops: every running checkpoint watches it.
  private final Promise<Void> stopping = Promise.promise();
  // The abandon signals of the checkpoints under way, completed all at once when stopping.
  private final Set<Runnable> running = ConcurrentHashMap.newKeySet();
  private volatile boolean draining;
  /** How stale the free-space figure may be: archives grow far slower than requests arrive. */
  static final long FREE_SPACE_TTL_NANOS = 1_000_000_000L;
  // {usable bytes, when asked (nanoTime)}, replaced whole so that readers need no lock.
  private volatile long[] freeSpace;

  RuntimeCheckpointService(Vertx vertx, CriClient cri, ContainerCheckpointer checkpointer,
      ArchiveDirectory archives, AdmissionController admission, ThroughputEstimator throughput,
      GatewayMetrics metrics, CheckpointSettings settings) {
    this.vertx = vertx;
    this.cri = cri;
    this.checkpointer = checkpointer;
    this.lookup = new ContainerLookup(vertx, cri, settings.lookupMaxAge());
    // A runtime without stats still checkpoints; the container then only counts for concurrency.
    this.weights = new SharedFetches<>(vertx, settings.lookupMaxAge(),
        containerId -> cri.memoryWorkingSet(containerId).otherwise(failure -> {
          LOG.fine(() -> "no memory stats for " + containerId + ": " + failure.getMessage());
          return 0L;
        }));
    this.archives = archives;
    this.admission = admission;
    this.throughput = throughput;
    this.growing = new GrowingArchives(vertx, settings.progressInterval());
    this.metrics = metrics;
    this.settings = settings;
  }

  @Override
  public Future<PreparedCheckpoint> prepare(CheckpointTarget target) {
    return lookup.find(target)
        .compose(container -> weigh(target, container.id()))
        .recover(failure -> Future.failedFuture(asCheckpointFailure(target, failure)));
  }

  @Override
  public Future<List<PreparedCheckpoint>> preparePod(String namespace, String pod) {
    CheckpointTarget podTarget = new CheckpointTarget(namespace, pod, "");
    return lookup.findAll(namespace, pod)
        .compose(containers -> {
          List<Future<PreparedCheckpoint>> weighed = new ArrayList<>();
          containers.stream()
              .sorted(Comparator.comparing(ContainerLookup.Running::name))
              .forEach(container -> weighed.add(weigh(new CheckpointTarget(namespace, pod,
                  container.name()), container.id())));
          return Future.all(weighed).map(all -> all.<PreparedCheckpoint>list());
        })
        .recover(failure -> Future.failedFuture(asCheckpointFailure(podTarget, failure)));
  }

  private Future<PreparedCheckpoint> weigh(CheckpointTarget target, String containerId) {
    return weights.recent(containerId)
        .map(weight -> new PreparedCheckpoint(target, containerId, weight));
  }

  @Override
  public Future<CheckpointResult> run(PreparedCheckpoint checkpoint, Deadline deadline,
      Future<Void> cancel, Consumer<CheckpointEvent> events) {
    CheckpointTarget target = checkpoint.target();
    long begun = System.nanoTime();
    // Abandoned when the caller cancels or the gateway stops; listening on the gateway-wide
    // signal from every run would pile up listeners for the life of the process.
    Promise<Void> abandoning = Promise.promise();
    cancel.onComplete(ignored -> abandoning.tryComplete());
    // The stop signal comes from another event loop; the run's own context must act on it.
    io.vertx.core.Context own = vertx.getOrCreateContext();
    Runnable abandonOnOwnContext = () -> own.runOnContext(ignored -> abandoning.tryComplete());
    running.add(abandonOnOwnContext);
    if (stopping.future().isComplete()) {
      abandonOnOwnContext.run();
    }
    Future<Void> abandon = abandoning.future();
    Future<CheckpointResult> outcome = (draining
        ? Future.<Void>failedFuture(new UnavailableException("the gateway is stopping"))
        : ensureSpaceFor(checkpoint.weightBytes()))
        .compose(ignored -> admission.admit(target.namespace(), checkpoint.weightBytes(), deadline,
            abandon, (position, ahead) -> events.accept(
                new Queued(target.container(), position, ahead))))
        .compose(permit -> {
          metrics.queueWait(target.namespace(), permit.waited());
          return execute(checkpoint, deadline, abandon, events)
              .onComplete(ignored -> permit.release());
        })
        .recover(failure -> Future.failedFuture(asCheckpointFailure(target, failure)));
    return outcome.onComplete(done -> {
      running.remove(abandonOnOwnContext);
      metrics.checkpointEnded(done.failed() ? done.cause() : null,
          Duration.ofNanos(System.nanoTime() - begun));
      events.accept(done.succeeded()
          ? new Completed(target.container(), done.result().items(), done.result().archiveBytes(),
              done.result().duration())
          : new Failed(target.container(), done.cause()));
    });
  }

  private Future<Void> ensureSpaceFor(long weight) {
    return freeSpace().compose(free -> {
      long needed = weight + settings.diskReserveBytes();
      return free >= needed ? Future.<Void>succeededFuture()
          : Future.failedFuture(new InsufficientStorageException(String.format(
              "not enough space in %s for the archive: %d bytes free, %d needed "
                  + "(%d of memory to write and %d to keep free)",
              archives.path(), free, needed, weight, settings.diskReserveBytes())));
    });
  }

  /**
   * Usable bytes in the checkpoint directory, asked of the file system at most every
   * {@link #FREE_SPACE_TTL_NANOS}: a burst of requests shares one answer instead of each paying
   * two worker-pool round trips. The directory is made again if someone removed it.
   */
  private Future<Long> freeSpace() {
    long[] known = freeSpace;
    if (known != null && System.nanoTime() - known[1] < FREE_SPACE_TTL_NANOS) {
      return Future.succeededFuture(known[0]);
    }
    return archives.ensureExists()
        .compose(ignored -> vertx.fileSystem().fsProps(archives.path().toString()))
        .map(fs -> {
          freeSpace = new long[] {fs.usableSpace(), System.nanoTime()};
          return fs.usableSpace();
        });
  }

  /** The runtime's part: admitted, with progress reported until it ends. */
  private Future<CheckpointResult> execute(PreparedCheckpoint checkpoint, Deadline deadline,
      Future<Void> abandon, Consumer<CheckpointEvent> events) {
    CheckpointTarget target = checkpoint.target();
    Path archive = archives.newArchivePath(target.namespace(), target.pod(), target.container());
    long started = System.nanoTime();
    Duration estimate = throughput.estimate(checkpoint.weightBytes());
    events.accept(new Started(target.container(), checkpoint.containerId(),
        checkpoint.weightBytes(), estimate));
    // Progress only for someone listening: its archive size costs a file-system read.
    long ticker = events == NO_EVENTS ? -1
        : reportProgress(target.container(), archive, started, estimate, events);
    archives.writing(archive);
    return checkpointer.checkpoint(checkpoint.containerId(), archive, deadline.remaining(), abandon)
        // The plain kubelet answer has no place for the size: no file-system call for it.
        .compose(ignored -> events == NO_EVENTS ? Future.succeededFuture(CheckpointResult.UNMEASURED)
            : archiveSize(archive))
        .map(size -> {
          Duration took = Duration.ofNanos(System.nanoTime() - started);
          throughput.record(checkpoint.weightBytes(), took);
          return new CheckpointResult(List.of(archive.toString()), size, took);
        })
        .recover(failure -> archives.discard(archive).compose(ignored -> Future.failedFuture(
            stopping.future().isComplete() && failure instanceof RuntimeCallFailedException
                ? new RuntimeCallFailedException("Canceled", "context canceled: the gateway is stopping")
                : failure)))
        .onComplete(done -> {
          vertx.cancelTimer(ticker);
          growing.forget(archive);
          archives.written(archive);
          if (done.succeeded()) {
            archives.completed(archive);
          }
        });
  }

  /** Every progress interval, a progress event; returns the timer to cancel when it ends. */
  private long reportProgress(String container, Path archive, long started, Duration estimate,
      Consumer<CheckpointEvent> events) {
    growing.watch(archive);
    return vertx.setPeriodic(settings.progressInterval().toMillis(), id -> {
      Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
      events.accept(new Progress(container, elapsed, estimatedFraction(elapsed, estimate),
          growing.size(archive)));
    });
  }

  @Override
  public Future<CheckpointResult> runPod(List<PreparedCheckpoint> checkpoints, Deadline deadline,
      Future<Void> cancel, Consumer<CheckpointEvent> events) {
    List<Future<CheckpointResult>> runs = checkpoints.stream()
        .map(checkpoint -> run(checkpoint, deadline, cancel, events)).toList();
    return Future.join(runs).transform(ignored -> {
      List<String> items = new ArrayList<>();
      Map<String, Throwable> failures = new LinkedHashMap<>();
      long bytes = 0;
      Duration longest = Duration.ZERO;
      for (int i = 0; i < runs.size(); i++) {
        Future<CheckpointResult> run = runs.get(i);
        if (run.succeeded()) {
          items.addAll(run.result().items());
          long size = run.result().archiveBytes();
          bytes = size == CheckpointResult.UNMEASURED ? size : bytes + size;
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
              drained.complete();
            }
          });
        });
    return drained.future();
  }

  private void stopAll() {
    if (stopping.tryComplete()) {
      running.forEach(Runnable::run);
    }
  }

  private Future<Long> archiveSize(Path archive) {
    return vertx.fileSystem().props(archive.toString()).map(FileProps::size).otherwise(0L);
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
