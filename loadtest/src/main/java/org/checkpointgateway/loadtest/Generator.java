package org.checkpointgateway.loadtest;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;

/**
 * The load generator: non-blocking, on the harness's event loops.
 *
 * <ul>
 *   <li>Closed loop: N requests in flight; each answer sends the next. Latency is from send to
 *       answer. A warm-up is run and thrown away, then a measured window.</li>
 *   <li>Open loop: requests at a fixed rate whatever the answers do. Latency counts from the
 *       <em>intended</em> send time, so a server (or generator) that falls behind shows it in
 *       the numbers instead of slowing the load (no coordinated omission).</li>
 * </ul>
 * Every request is accounted for: answered, failed by kind, or lost (no answer by the drain
 * deadline).
 */
final class Generator {

  private final Vertx vertx;
  private final List<Context> contexts = new ArrayList<>();

  Generator(Vertx vertx, int eventLoops) {
    this.vertx = vertx;
    for (int i = 0; i < eventLoops; i++) {
      // From a non-Vert.x thread each call makes a context on the next event loop.
      contexts.add(vertx.getOrCreateContext());
    }
  }

  /** What one point measured. */
  record Point(String mode, int inFlight, double ratePerSecond, long sent, long succeeded,
               double seconds, Histogram latency, java.util.Map<String, Long> errors, long lost,
               long answeredInAll) {

    /** Nothing failed, nothing went missing, and something was answered. */
    boolean clean() {
      return errors.isEmpty() && lost == 0 && answeredInAll > 0;
    }

    double throughput() {
      return seconds > 0 ? succeeded / seconds : 0;
    }

    JsonObject json() {
      JsonObject errorJson = new JsonObject();
      errors.forEach(errorJson::put);
      JsonObject json = new JsonObject().put("mode", mode);
      if (mode.equals("closed")) {
        json.put("inFlight", inFlight);
      } else {
        json.put("ratePerSecond", ratePerSecond);
      }
      return json.put("sent", sent).put("succeeded", succeeded)
          .put("seconds", Math.round(seconds * 1000) / 1000.0)
          .put("throughputPerSecond", Math.round(throughput() * 10) / 10.0)
          .put("latencyMs", Latency.percentiles(latency))
          .put("errors", errorJson)
          .put("lost", lost)
          .put("answeredInAll", answeredInAll);
    }
  }

  /**
   * Closed loop: {@code inFlight} requests at all times for {@code warmup} (discarded) then
   * {@code measure}; then waits up to {@code drain} for the last answers.
   */
  Point closed(Call call, int inFlight, Duration warmup, Duration measure, Duration drain)
      throws InterruptedException {
    return closed(call, inFlight, warmup, measure, drain, () -> { }, () -> { });
  }

  /** As above; {@code begin} and {@code end} run (on this thread) as the measured window opens and closes. */
  Point closed(Call call, int inFlight, Duration warmup, Duration measure, Duration drain, Runnable begin,
               Runnable end) throws InterruptedException {
    Latency latency = new Latency();
    AtomicLong sent = new AtomicLong();
    AtomicLong outstanding = new AtomicLong();
    AtomicLong measuredSent = new AtomicLong();
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    CountDownLatch done = new CountDownLatch(inFlight);
    for (int i = 0; i < inFlight; i++) {
      Context context = contexts.get(i % contexts.size());
      context.runOnContext(v -> loop(call, latency, sent, outstanding, stop, done));
    }
    Thread.sleep(warmup.toMillis());
    begin.run();
    latency.reset();
    long measuredFrom = sent.get();
    long begun = System.nanoTime();
    Thread.sleep(measure.toMillis());
    Histogram histogram = latency.histogram();
    end.run();
    long succeeded = latency.succeeded();
    double seconds = (System.nanoTime() - begun) / 1e9;
    measuredSent.set(sent.get() - measuredFrom);
    stop.set(true);
    boolean drained = done.await(drain.toMillis(), TimeUnit.MILLISECONDS);
    long lost = drained ? 0 : outstanding.get();
    // Failures of the warm-up and the drain count too: nothing may go missing unseen.
    return new Point("closed", inFlight, 0, measuredSent.get(), succeeded, seconds, histogram, latency.errors(),
        lost, latency.answered());
  }

  private void loop(Call call, Latency latency, AtomicLong sent, AtomicLong outstanding,
                    java.util.concurrent.atomic.AtomicBoolean stop, CountDownLatch done) {
    if (stop.get()) {
      done.countDown();
      return;
    }
    long start = System.nanoTime();
    sent.incrementAndGet();
    outstanding.incrementAndGet();
    call.send().onComplete(answer -> {
      outstanding.decrementAndGet();
      if (answer.succeeded()) {
        latency.success(System.nanoTime() - start);
        loop(call, latency, sent, outstanding, stop, done);
      } else {
        latency.error(Call.describe(answer.cause()));
        // A failure may come back at once: go round the event loop rather than deeper in the stack.
        vertx.getOrCreateContext().runOnContext(v -> loop(call, latency, sent, outstanding, stop, done));
      }
    });
  }

  /**
   * Open loop: {@code count} requests at {@code ratePerSecond}, the i-th intended at
   * start + i/rate; request i is built by {@code calls}. Waits up to {@code drain} after the
   * last send for the answers. {@code onAnswer} sees every latency (ns from intended send).
   */
  Point open(IntFunction<Call> calls, int count, double ratePerSecond, Duration drain, Listener listener)
      throws InterruptedException {
    Latency latency = new Latency();
    AtomicLong sent = new AtomicLong();
    CountDownLatch answered = new CountDownLatch(count);
    long intervalNanos = (long) (1e9 / ratePerSecond);
    long begun = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
    int loops = contexts.size();
    for (int k = 0; k < loops; k++) {
      int first = k;
      contexts.get(k).runOnContext(v -> {
        // Each event loop sends every loops-th request; a 1 ms tick sends all that are due.
        int[] next = {first};
        vertx.setPeriodic(1, 1, timer -> {
          long now = System.nanoTime();
          while (next[0] < count && begun + next[0] * intervalNanos <= now) {
            int i = next[0];
            long intended = begun + i * intervalNanos;
            next[0] += loops;
            sent.incrementAndGet();
            listener.sent(i);
            Call call = calls.apply(i);
            call.send().onComplete(answer -> {
              long took = System.nanoTime() - intended;
              if (answer.succeeded()) {
                latency.success(took);
              } else {
                latency.error(Call.describe(answer.cause()));
              }
              listener.answered(i, answer.succeeded(), took);
              answered.countDown();
            });
          }
          if (next[0] >= count) {
            vertx.cancelTimer(timer);
          }
        });
      });
    }
    long sendSeconds = (long) Math.ceil(count / ratePerSecond);
    boolean all = answered.await(sendSeconds * 1000 + drain.toMillis(), TimeUnit.MILLISECONDS);
    double seconds = (System.nanoTime() - begun) / 1e9;
    Histogram histogram = latency.histogram();
    return new Point("open", 0, ratePerSecond, sent.get(), latency.succeeded(), seconds, histogram,
        latency.errors(), all ? 0 : answered.getCount(), latency.answered());
  }

  /** Sees each open-loop request sent and answered (any thread). */
  interface Listener {
    Listener NONE = new Listener() {
    };

    default void sent(int index) {
    }

    default void answered(int index, boolean succeeded, long nanosFromIntended) {
    }
  }
}
