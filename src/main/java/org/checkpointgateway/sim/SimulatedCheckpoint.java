package org.checkpointgateway.sim;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServerRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import runtime.v1.CheckpointContainerRequest;
import runtime.v1.CheckpointContainerResponse;

/**
 * One running CheckpointContainer call: its simulated progress, its archive growing on disk and
 * its single answer. Lives on the runtime's context; the archive writes run on worker threads,
 * chained so they happen in order and never overlap.
 */
final class SimulatedCheckpoint {

  private enum Phase { OPENING, RUNNING, FINISHING, ENDED }

  /** Why a checkpoint stops before completing. */
  enum Stop { CLIENT_CANCELLED, DEADLINE, SHUTDOWN }

  // Fewer, larger writes: a slow checkpoint would otherwise queue a tiny write every tick.
  private static final long MIN_PAGES_STEP = 8 * 1024;

  private final Vertx vertx;
  private final GrpcServerRequest<CheckpointContainerRequest, CheckpointContainerResponse> request;
  private final CheckpointContainerRequest message;
  private final SimulatedPods.Entry entry;
  private final SharedBandwidth bandwidth;
  private final CheckpointLedger ledger;
  private final long pagesSize;
  private final long fixedNanos;
  private final String authority;
  private final long grpcTimeoutMillis;
  private final boolean writeArchive;
  private final boolean instant;
  private final StandIns standIns;
  private final Promise<Void> ended = Promise.promise();

  private Phase phase = Phase.OPENING;
  private double doneBytes;
  private long simulatedNanos;
  private long pagesQueued;
  private boolean writeInFlight;
  private boolean clientGone;
  private boolean answered;
  private long deadlineTimer = -1;
  private long bytesWritten;
  private Future<?> writes = Future.succeededFuture();
  // Touched only by the chained blocking steps; volatile makes the hand-over between workers plain.
  private volatile SimulatedArchiveWriter writer;

  SimulatedCheckpoint(Vertx vertx, GrpcServerRequest<CheckpointContainerRequest, CheckpointContainerResponse> request,
                      CheckpointContainerRequest message, SimulatedPods.Entry entry, SharedBandwidth bandwidth,
                      CheckpointLedger ledger, long pagesCapBytes, String authority, long grpcTimeoutMillis,
                      boolean writeArchive, boolean instant, StandIns standIns) {
    this.vertx = vertx;
    this.request = request;
    this.message = message;
    this.entry = entry;
    this.bandwidth = bandwidth;
    this.ledger = ledger;
    this.pagesSize = Math.min(entry.seed().memoryBytes(), pagesCapBytes);
    this.fixedNanos = entry.seed().checkpointSeconds().map(s -> (long) (s * 1e9)).orElse(-1L);
    this.authority = authority;
    this.grpcTimeoutMillis = grpcTimeoutMillis;
    this.writeArchive = writeArchive;
    this.instant = instant;
    this.standIns = standIns;
  }

  /** Opens the archive and joins the shared bandwidth; stops by itself at {@code deadlineMillis} if > 0. */
  void start(long deadlineMillis) {
    ledger.started(entry.seed().memoryBytes());
    // A client reset surfaces as GrpcError.CANCELLED on the error handler; a closed connection
    // as an exception on the response.
    request.errorHandler(error -> clientGone(Stop.CLIENT_CANCELLED));
    request.response().exceptionHandler(error -> clientGone(Stop.CLIENT_CANCELLED));
    if (deadlineMillis > 0) {
      deadlineTimer = vertx.setTimer(deadlineMillis, id -> {
        deadlineTimer = -1;
        stop(Stop.DEADLINE);
      });
    }
    Instant now = Instant.now();
    SimulatorSeed.Pod pod = entry.pod();
    SimulatedArchiveWriter.Facts facts = new SimulatedArchiveWriter.Facts(entry.id(), entry.seed().name(),
        pod.name(), pod.namespace(), pod.uid(),
        Instant.EPOCH.plusNanos(entry.container().getCreatedAt()), now);
    Path location = Path.of(message.getLocation());
    Future<Long> open = writeArchive
        ? enqueue(() -> {
          writer = SimulatedArchiveWriter.open(location, facts, pagesSize);
          return 0L;
        })
        // No archive (load tests of the caller): an empty file in its place, as little disk work
        // as a file can be, since a caller checks that what the runtime reported exists.
        : standIns.make(location);
    open.onComplete(opened -> {
      if (phase != Phase.OPENING) {
        return; // stopped meanwhile: the abort step queued behind the open cleans up
      }
      if (opened.failed()) {
        fail(opened.cause().getMessage());
      } else if (instant) {
        phase = Phase.RUNNING;
        complete();
      } else {
        phase = Phase.RUNNING;
        bandwidth.add(this);
      }
    });
  }

  /** Stops a checkpoint that has not ended; the future completes once its archive is deleted. */
  Future<Void> stop(Stop why) {
    if (phase == Phase.ENDED) {
      return ended.future();
    }
    phase = Phase.ENDED;
    bandwidth.remove(this);
    cancelDeadline();
    GrpcStatus status = switch (why) {
      case CLIENT_CANCELLED -> GrpcStatus.CANCELLED;
      case DEADLINE -> GrpcStatus.DEADLINE_EXCEEDED;
      case SHUTDOWN -> GrpcStatus.UNAVAILABLE;
    };
    String text = switch (why) {
      case CLIENT_CANCELLED -> "context canceled";
      case DEADLINE -> "context deadline exceeded";
      case SHUTDOWN -> "runtime shutting down";
    };
    answer(status, text);
    return discard(CheckpointObservation.Outcome.CANCELLED, status, text);
  }

  /** Completes once the call ended and was recorded (for a stopped one: its archive deleted). */
  Future<Void> ended() {
    return ended.future();
  }

  boolean usesBandwidth() {
    return fixedNanos < 0;
  }

  void advance(long elapsedNanos, double bandwidthShare) {
    simulatedNanos += elapsedNanos;
    if (usesBandwidth()) {
      doneBytes += bandwidthShare;
    }
  }

  boolean isDone() {
    return fraction() >= 1.0;
  }

  /** Writes the pages that the progress so far stands for, unless a write is still running. */
  void progressed() {
    long target = (long) (fraction() * pagesSize);
    if (writeInFlight || target - pagesQueued < MIN_PAGES_STEP) {
      return;
    }
    writeInFlight = true;
    pagesQueued = target;
    enqueue(() -> writer.writePagesUpTo(target)).onComplete(written -> {
      writeInFlight = false;
      if (phase != Phase.RUNNING) {
        return;
      }
      if (written.failed()) {
        fail("write " + message.getLocation() + ": " + written.cause().getMessage());
      } else {
        bytesWritten = written.result();
      }
    });
  }

  /** Called by the shared bandwidth once the simulated work is done: finish the archive, answer OK. */
  void complete() {
    phase = Phase.FINISHING;
    // Formatted only for an archive that holds them: not once per stand-in.
    CriuImage.DumpStats stats = writeArchive ? dumpStats() : null;
    String log = writeArchive ? dumpLog(stats) : null;
    enqueue(() -> writer.finish(stats, log)).onComplete(finished -> {
      if (phase != Phase.FINISHING) {
        return;
      }
      if (finished.failed()) {
        fail("write " + message.getLocation() + ": " + finished.cause().getMessage());
        return;
      }
      phase = Phase.ENDED;
      cancelDeadline();
      bytesWritten = finished.result();
      answer(GrpcStatus.OK, "");
      end(CheckpointObservation.Outcome.COMPLETED, GrpcStatus.OK, "");
    });
  }

  private void clientGone(Stop why) {
    clientGone = true;
    stop(why);
  }

  private void fail(String text) {
    phase = Phase.ENDED;
    bandwidth.remove(this);
    cancelDeadline();
    answer(GrpcStatus.UNKNOWN, text);
    discard(CheckpointObservation.Outcome.FAILED, GrpcStatus.UNKNOWN, text);
  }

  private Future<Void> discard(CheckpointObservation.Outcome outcome, GrpcStatus status, String text) {
    enqueue(() -> writer == null ? 0L : writer.abort()).onComplete(aborted -> {
      if (aborted.succeeded()) {
        bytesWritten = Math.max(bytesWritten, aborted.result());
      }
      end(outcome, status, text);
    });
    return ended.future();
  }

  private void end(CheckpointObservation.Outcome outcome, GrpcStatus status, String text) {
    ledger.ended(entry.seed().memoryBytes());
    ledger.record(new CheckpointObservation(entry.id(), message.getLocation(), message.getTimeout(),
        grpcTimeoutMillis, authority, outcome, status, text, bytesWritten, Duration.ofNanos(simulatedNanos)));
    ended.tryComplete();
  }

  private void answer(GrpcStatus status, String text) {
    if (answered || clientGone) {
      return;
    }
    answered = true;
    try {
      if (status == GrpcStatus.OK) {
        request.response().end(CheckpointContainerResponse.getDefaultInstance());
      } else {
        request.response().status(status).statusMessage(text).end();
      }
    } catch (IllegalStateException streamClosed) {
      // The stream failed or closed under us (a reset racing the answer): nobody is listening.
    }
  }

  private Future<Long> enqueue(Callable<Long> step) {
    if (!writeArchive) {
      // Nothing touches the disk: every step is done at once, on the runtime's context.
      return Future.succeededFuture(0L);
    }
    Future<Long> next = writes.transform(previous -> vertx.executeBlocking(step, false));
    writes = next;
    return next;
  }

  private void cancelDeadline() {
    if (deadlineTimer >= 0) {
      vertx.cancelTimer(deadlineTimer);
      deadlineTimer = -1;
    }
  }

  private double fraction() {
    if (!usesBandwidth()) {
      return Math.min(1.0, (double) simulatedNanos / fixedNanos);
    }
    long memory = entry.seed().memoryBytes();
    return memory == 0 ? 1.0 : Math.min(1.0, doneBytes / memory);
  }

  private CriuImage.DumpStats dumpStats() {
    int total = (int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMicros(simulatedNanos));
    long pages = entry.seed().memoryBytes() / CriuImage.PAGE_SIZE;
    // CRI-O keeps the container frozen for the whole dump; most of it goes to writing pages.
    int freezing = total / 100;
    int memdump = total / 5;
    return new CriuImage.DumpStats(freezing, total, memdump, total - freezing - memdump, pages, 0, pages);
  }

  private String dumpLog(CriuImage.DumpStats stats) {
    return "(00.000000) Version: 3.19 (simulated by checkpoint-gateway)\n"
        + "(00.000100) Dumping container " + entry.id() + "\n"
        + "(00.000200) Pages scanned: " + stats.pagesScanned() + ", written: " + stats.pagesWritten() + "\n"
        + String.format(Locale.ROOT, "(%09.6f) Dumping finished successfully%n", simulatedNanos / 1e9);
  }
}
