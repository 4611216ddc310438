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
import org.checkpointgateway.context.Confined;
import org.checkpointgateway.error.GatewayException;
import org.checkpointgateway.error.OverloadedException;

/**
 * Decides when a checkpoint may go to the runtime: at most {@code maxConcurrent} at once and at
 * most {@code maxInflightBytes} of weight at once (a checkpoint heavier than the whole budget runs
 * alone rather than never), with at most {@code maxQueued} waiting. Waiters are served strictly in
 * order: FIFO within a namespace, round-robin across namespaces, so one tenant's burst cannot
 * starve another and a heavy checkpoint is never overtaken for ever by lighter ones.
 *
 * <p>All state lives on one Vert.x context, so it needs no locks; callers on any event loop get
 * their answers back on their own context.
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

  private final Context context;
  private final Limits limits;
  private final ThroughputEstimator throughput;
  private final Map<String, ArrayDeque<Waiter>> queues = new HashMap<>();
  // Namespaces with waiters, in the order they are served next.
  private final ArrayDeque<String> rotation = new ArrayDeque<>();
  private volatile int running;
  private volatile long bytesInFlight;
  private volatile int queued;
  private boolean positionsScheduled;
  private GatewayException closedWith;

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
    return running;
  }

  public long bytesInFlight() {
    return bytesInFlight;
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
    Promise<Permit> answer = Promise.promise();
    Waiter waiter = new Waiter(namespace, weightBytes, Confined.replyToCaller(), answer, listener);
    context.runOnContext(ignored -> enqueue(waiter, request));
    request.onCancel(() -> context.runOnContext(nothing -> leaveQueue(waiter,
        RequestContext.canceled(" while queued"))));
    return answer.future();
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
      waiter.fail(closedWith);
      return;
    }
    if (queued == 0 && fits(waiter.weight)) {
      start(waiter);
      return;
    }
    if (queued >= limits.maxQueued()) {
      waiter.fail(new OverloadedException("too many checkpoints waiting (" + queued
          + " queued, the limit is " + limits.maxQueued() + "); retry later", retryAfterSeconds()));
      return;
    }
    if (request.expired()) {
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

  private boolean fits(long weight) {
    return running < limits.maxConcurrent()
        && (running == 0 || bytesInFlight + weight <= limits.maxInflightBytes());
  }

  private void start(Waiter waiter) {
    running++;
    bytesInFlight += waiter.weight;
    waiter.admit(new GrantedPermit(waiter));
  }

  /** Starts waiters in order for as long as the next one fits. */
  private void dispatch() {
    while (!rotation.isEmpty()) {
      String namespace = rotation.peekFirst();
      ArrayDeque<Waiter> queue = queues.get(namespace);
      Waiter next = queue.peekFirst();
      if (!fits(next.weight)) {
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
    long waitingBytes = bytesInFlight;
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
    long bytesAhead = bytesInFlight;
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

  private final class GrantedPermit implements Permit {
    private final Waiter waiter;
    private final Duration waited;
    private boolean released;

    GrantedPermit(Waiter waiter) {
      this.waiter = waiter;
      this.waited = Duration.ofNanos(System.nanoTime() - waiter.enqueuedAt);
    }

    @Override
    public void release() {
      context.runOnContext(ignored -> {
        if (!released) {
          released = true;
          running--;
          bytesInFlight -= waiter.weight;
          dispatch();
        }
      });
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
