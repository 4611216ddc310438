package org.checkpointgateway.loadtest;

import com.sun.management.ThreadMXBean;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;
import org.checkpointgateway.archive.ArchiveDirectory;
import org.checkpointgateway.auth.Caller;
import org.checkpointgateway.checkpoint.AdmissionController;
import org.checkpointgateway.checkpoint.ThroughputEstimator;
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.metrics.GatewayMetrics;

/**
 * What the small parts of a checkpoint request cost, in one process: bytes allocated per
 * operation (exact, the thread's own counter: the same on a busy machine as on a quiet one) and
 * the thread's CPU per operation; for admission, the wall time of admit-then-release done one
 * after another from an event loop (the 1-in-flight case, where thread hops are the cost).
 * A second opinion beside the load tests when the machine is too busy for their throughput:
 * {@code java -cp checkpoint-gateway.jar:checkpoint-gateway-loadtest.jar org.checkpointgateway.loadtest.PathCosts}.
 */
public final class PathCosts {

  private static final ThreadMXBean MX = (ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final int OPERATIONS = 200_000;

  private PathCosts() {
  }

  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      ArchiveDirectory archives = new ArchiveDirectory(vertx, Path.of("/nonexistent/archives"));
      measure("archive name", i -> archives.newArchivePath("default", "bench", "app"));
      Caller caller = new Caller("bench", List.of("checkpoint:*"));
      measure("permission check", i -> caller.may("checkpoint:create:default"));
      GatewayMetrics metrics = GatewayMetrics.create(GatewayMetrics.prometheusRegistry());
      Duration took = Duration.ofNanos(100_000);
      measure("metrics: CRI call", i -> metrics.criCall("CheckpointContainer", "OK", took));
      measure("metrics: checkpoint ended", i -> metrics.checkpointEnded(null, took));
      measure("metrics: queue wait", i -> metrics.queueWait("default", Duration.ZERO));
      for (int round = 1; round <= 2; round++) {
        admission(vertx, round);
      }
      for (int round = 1; round <= 2; round++) {
        boundWait(vertx, round);
      }
    } finally {
      vertx.close().await();
    }
  }

  private static void measure(String name, IntConsumer operation) {
    for (int i = 0; i < OPERATIONS; i++) {
      operation.accept(i); // warm up: compiled before it is measured
    }
    long thread = Thread.currentThread().getId();
    long allocated = MX.getThreadAllocatedBytes(thread);
    long cpu = MX.getCurrentThreadCpuTime();
    for (int i = 0; i < OPERATIONS; i++) {
      operation.accept(i);
    }
    System.out.printf("%-28s %7.0f bytes/op %7.0f ns/op (thread CPU)%n", name,
        (MX.getThreadAllocatedBytes(thread) - allocated) / (double) OPERATIONS,
        (MX.getCurrentThreadCpuTime() - cpu) / (double) OPERATIONS);
  }

  /** Admit then release, 100,000 times in sequence, from another context than the line's. */
  private static void admission(Vertx vertx, int round) throws Exception {
    Context line = vertx.getOrCreateContext();
    Context callers = vertx.getOrCreateContext();
    AdmissionController admission = new AdmissionController(line,
        new AdmissionController.Limits(4096, Long.MAX_VALUE / 4, 100_000),
        new ThroughputEstimator());
    RequestContext later = RequestContext.withTimeout(Duration.ofMinutes(5));
    int count = 100_000;
    CompletableFuture<Long> done = new CompletableFuture<>();
    callers.runOnContext(ignored -> {
      long begun = System.nanoTime();
      int[] left = {count};
      Runnable[] next = new Runnable[1];
      next[0] = () -> admission.admit("default", 1 << 26, later, (position, ahead) -> { })
          .onSuccess(permit -> {
            permit.release();
            if (--left[0] == 0) {
              done.complete(System.nanoTime() - begun);
            } else if (left[0] % 64 == 0) {
              callers.runOnContext(nothing -> next[0].run()); // keeps the stack shallow
            } else {
              next[0].run();
            }
          });
      next[0].run();
    });
    System.out.printf("admission, round %d          %7.0f ns/op wall (admit + release)%n", round,
        done.get() / (double) count);
  }

  /**
   * A wait bounded by a request's deadline (the archive's size check, a free-space read), whose
   * work ends on the waiter's own context, as a file-system call's does: 200,000 in sequence on
   * one event loop; bytes and CPU of that thread per wait (timer armed and cancelled included).
   */
  private static void boundWait(Vertx vertx, int round) throws Exception {
    Context loop = vertx.getOrCreateContext();
    RequestContext context = RequestContext.withTimeout(Duration.ofMinutes(5));
    int count = OPERATIONS;
    CompletableFuture<long[]> done = new CompletableFuture<>();
    loop.runOnContext(ignored -> {
      long thread = Thread.currentThread().getId();
      long allocated = MX.getThreadAllocatedBytes(thread);
      long cpu = MX.getCurrentThreadCpuTime();
      int[] left = {count};
      Runnable[] next = new Runnable[1];
      next[0] = () -> {
        Promise<Long> work = Promise.promise();
        context.bound(vertx, work.future(), " while checking the archive").onSuccess(size -> {
          if (--left[0] == 0) {
            done.complete(new long[] {MX.getThreadAllocatedBytes(thread) - allocated,
                MX.getCurrentThreadCpuTime() - cpu});
          } else if (left[0] % 64 == 0) {
            loop.runOnContext(nothing -> next[0].run()); // keeps the stack shallow
          } else {
            next[0].run();
          }
        });
        work.complete(4096L);
      };
      next[0].run();
    });
    long[] spent = done.get();
    System.out.printf("bounded wait, round %d       %7.0f bytes/op %7.0f ns/op (thread CPU)%n",
        round, spent[0] / (double) count, spent[1] / (double) count);
  }
}
