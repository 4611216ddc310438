package org.checkpointgateway.checkpoint;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.checkpointgateway.context.RequestContext;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.checkpointgateway.context.Confined;
import org.checkpointgateway.outcome.GatewayException;
import org.checkpointgateway.outcome.OverloadedException;

/**
 * Decides when a checkpoint may go to the runtime: at most {@code maxConcurrent} at once and at
 * most {@code maxInflightBytes} of weight at once (a checkpoint heavier than the whole budget runs
 * alone rather than never), with at most {@code maxQueued} waiting. Waiters are served strictly in
 * order: FIFO within a namespace, round-robin across namespaces, so one tenant's burst cannot
 * starve another and a heavy checkpoint is never overtaken for ever by lighter ones.
 *
 * <p>The line lives on one Vert.x context, so it needs no locks; callers on any event loop get
 * their answers back on their own context. What runs (count and bytes) is one atomic value: a
 * request that finds nobody waiting and room in the budget takes its place on its own thread,
 * without a hop to that context and back (two thread hand-offs, more than all the rest of
 * admission costs). Once anyone waits, newcomers go to the line behind them, so the order holds.
 */
public final class AdmissionController {

  /** The limits; validated by the configuration. */
  public record Limits(int maxConcurrent, long maxInflightBytes, int maxQueued) {
  }

  /** Leave to run: release it exactly once when the runtime is done. */
  public interface Permit {
    void release();

    /** How long the checkpoint waited for admission. */
    Duration waited();
  }

  /** Told to each waiter when its place in the line changes. */
  public interface QueueListener {
    void queued(int position, long bytesAhead);
  }

  /** What runs: changed only by compare-and-set, so the budget holds whichever thread admits. */
  private record Use(int running, long bytes) {
  }

  private final Context context;
  private final Limits limits;
  private final ThroughputEstimator throughput;
  private final Map<String, ArrayDeque<Waiter>> queues = new HashMap<>();
  // Namespaces with waiters, in the order they are served next.
  private final ArrayDeque<String> rotation = new ArrayDeque<>();
  private final AtomicReference<Use> use = new AtomicReference<>(new Use(0, 0));
  // Requests on their way to the line or in it: while there are any, nobody takes the fast path.
  private final AtomicInteger waiting = new AtomicInteger();
  private volatile int queued;
  private boolean positionsScheduled;
  private volatile GatewayException closedWith;

  /** @param context the one context the state lives on */
  public AdmissionController(Context context, Limits limits, ThroughputEstimator throughput) {
    this.context = context;
    this.limits = limits;
    this.throughput = throughput;
  }

  public Limits limits() {
    return limits;
  }

  public int running() {
    return use.get().running();
  }

  public long bytesInFlight() {
    return use.get().bytes();
  }

  public int queued() {
    return queued;
  }

  /**
   * Waits for leave to run a checkpoint of {@code weightBytes} in {@code namespace}.
   *
   * @return a Permit; or a failed Future: {@link OverloadedException} when the queue is full,
   *     a {@code DeadlineExceeded} runtime failure when the request's deadline passes while
   *     queued, a {@code Canceled} one when the request is cancelled while queued
   */
  public Future<Permit> admit(String namespace, long weightBytes, RequestContext request,
      QueueListener listener) {
    if (closedWith == null && waiting.get() == 0 && tryStart(weightBytes)) {
      return Future.succeededFuture(new GrantedPermit(weightBytes, Duration.ZERO));
    }
    waiting.incrementAndGet();
    Promise<Permit> answer = Promise.promise();
    Waiter waiter = new Waiter(namespace, weightBytes, Confined.replyToCaller(), answer, listener);
    context.runOnContext(ignored -> enqueue(waiter, request));
    Runnable stopListening = request.onCancel(() -> context.runOnContext(nothing ->
        leaveQueue(waiter, RequestContext.canceled(" while queued"))));
    return answer.future().onComplete(ignored -> stopListening.run());
  }

  /** Fails every waiter with {@code failure} and every later request too (the gateway is stopping). */
  public Future<Void> close(GatewayException failure) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(ignored -> {
      closedWith = failure;
      List<Waiter> all = new ArrayList<>();
      queues.values().forEach(all::addAll);
      all.forEach(waiter -> leaveQueue(waiter, failure));
      done.complete();
    });
    return done.future();
  }

  private void enqueue(Waiter waiter, RequestContext request) {
    if (closedWith != null) {
      waiting.decrementAndGet();
      waiter.fail(closedWith);
      return;
    }
    if (queued == 0 && tryStart(waiter.weight)) {
      start(waiter);
      return;
    }
    if (queued >= limits.maxQueued()) {
      waiting.decrementAndGet();
      waiter.fail(new OverloadedException("too many checkpoints waiting (" + queued
          + " queued, the limit is " + limits.maxQueued() + "); retry later", retryAfterSeconds()));
      return;
    }
    if (request.expired()) {
      waiting.decrementAndGet();
      waiter.fail(expired(waiter));
      return;
    }
    queues.computeIfAbsent(waiter.namespace, ns -> {
      rotation.addLast(ns);
      return new ArrayDeque<>();
    }).addLast(waiter);
    queued++;
    long delayMillis = Math.max(1, request.remainingMillis());
    waiter.timer = context.owner().setTimer(delayMillis, id -> leaveQueue(waiter, expired(waiter)));
    schedulePositions();
  }

  /** Takes room for {@code weight} if it fits now; from any thread. */
  private boolean tryStart(long weight) {
    while (true) {
      Use now = use.get();
      boolean fits = now.running() < limits.maxConcurrent()
          && (now.running() == 0 || now.bytes() + weight <= limits.maxInflightBytes());
      if (!fits) {
        return false;
      }
      if (use.compareAndSet(now, new Use(now.running() + 1, now.bytes() + weight))) {
        return true;
      }
    }
  }

  /** A waiter whose room {@link #tryStart} took leaves the waiting and runs. */
  private void start(Waiter waiter) {
    waiting.decrementAndGet();
    waiter.admit(new GrantedPermit(waiter.weight,
        Duration.ofNanos(System.nanoTime() - waiter.enqueuedAt)));
  }

  /** Starts waiters in order for as long as the next one fits. */
  private void dispatch() {
    while (!rotation.isEmpty()) {
      String namespace = rotation.peekFirst();
      ArrayDeque<Waiter> queue = queues.get(namespace);
      Waiter next = queue.peekFirst();
      if (!tryStart(next.weight)) {
        break;
      }
      queue.pollFirst();
      rotation.pollFirst();
      if (queue.isEmpty()) {
        queues.remove(namespace);
      } else {
        rotation.addLast(namespace);
      }
      queued--;
      context.owner().cancelTimer(next.timer);
      start(next);
    }
    schedulePositions();
  }

  private void leaveQueue(Waiter waiter, GatewayException failure) {
    ArrayDeque<Waiter> queue = queues.get(waiter.namespace);
    if (queue == null || !queue.remove(waiter)) {
      return; // already admitted or gone
    }
    queued--;
    waiting.decrementAndGet();
    context.owner().cancelTimer(waiter.timer);
    if (queue.isEmpty()) {
      queues.remove(waiter.namespace);
      rotation.remove(waiter.namespace);
    }
    waiter.fail(failure);
    // The head may have been this waiter, and what stands behind it may fit.
    dispatch();
  }

  private GatewayException expired(Waiter waiter) {
    return RequestContext.deadlineExceeded(String.format(
        " while queued (waited %.1fs for admission)", (System.nanoTime() - waiter.enqueuedAt) / 1e9));
  }

  private long retryAfterSeconds() {
    long waitingBytes = bytesInFlight();
    for (ArrayDeque<Waiter> queue : queues.values()) {
      for (Waiter waiter : queue) {
        waitingBytes += waiter.weight;
      }
    }
    double seconds = waitingBytes / throughput.bytesPerSecond();
    return Math.max(1, Math.min(300, (long) Math.ceil(seconds)));
  }

  // A burst of arrivals changes every position; tell waiters once per turn of the loop.
  private void schedulePositions() {
    if (!positionsScheduled && queued > 0) {
      positionsScheduled = true;
      context.runOnContext(ignored -> {
        positionsScheduled = false;
        reportPositions();
      });
    }
  }

  /** Walks the line in the order it will be served, telling each waiter whose place moved. */
  private void reportPositions() {
    List<Iterator<Waiter>> lines = new ArrayList<>();
    for (String namespace : rotation) {
      lines.add(queues.get(namespace).iterator());
    }
    int position = 0;
    long bytesAhead = bytesInFlight();
    boolean more = true;
    while (more) {
      more = false;
      for (Iterator<Waiter> line : lines) {
        if (line.hasNext()) {
          more = true;
          Waiter waiter = line.next();
          position++;
          if (waiter.reportedPosition != position) {
            waiter.reportedPosition = position;
            waiter.tellQueued(position, bytesAhead);
          }
          bytesAhead += waiter.weight;
        }
      }
    }
  }

  /** Released once (the flag), from any thread; only a line to serve costs a hop. */
  private final class GrantedPermit extends AtomicBoolean implements Permit {
    private final long weight;
    private final Duration waited;

    GrantedPermit(long weight, Duration waited) {
      this.weight = weight;
      this.waited = waited;
    }

    @Override
    public void release() {
      if (!compareAndSet(false, true)) {
        return;
      }
      use.updateAndGet(now -> new Use(now.running() - 1, now.bytes() - weight));
      // A waiter counted before this read is served by this dispatch or finds the room itself
      // when it reaches the line; one counted after it finds the room itself.
      if (waiting.get() > 0) {
        context.runOnContext(ignored -> dispatch());
      }
    }

    @Override
    public Duration waited() {
      return waited;
    }
  }

  /** One request in line. Answers travel back to the caller's context. */
  private static final class Waiter {
    final String namespace;
    final long weight;
    final Executor caller;
    final Promise<Permit> answer;
    final QueueListener listener;
    final long enqueuedAt = System.nanoTime();
    long timer = -1;
    int reportedPosition;

    Waiter(String namespace, long weight, Executor caller, Promise<Permit> answer,
        QueueListener listener) {
      this.namespace = namespace;
      this.weight = weight;
      this.caller = caller;
      this.answer = answer;
      this.listener = listener;
    }

    void admit(Permit permit) {
      onCaller(() -> {
        if (!answer.tryComplete(permit)) {
          permit.release(); // the caller gave up in the same instant
        }
      });
    }

    void fail(Throwable failure) {
      onCaller(() -> answer.tryFail(failure));
    }

    void tellQueued(int position, long bytesAhead) {
      onCaller(() -> {
        if (!answer.future().isComplete()) {
          listener.queued(position, bytesAhead);
        }
      });
    }

    private void onCaller(Runnable action) {
      caller.execute(action);
    }
  }
}
