package org.checkpointgateway.checkpoint;

import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.checkpointgateway.context.RequestContext;

/**
 * The checkpoints under way, for the gateway's stop to cancel each on its own event loop.
 *
 * <p>Each event loop lists its own runs, linked in and out by that loop's thread only: a run
 * costs a node, not an entry in a map shared by every loop (whose adds and removes were about
 * 1% of the gateway's CPU at 256 in flight). A run begun off an event loop (a test's thread, a
 * worker) goes into one concurrent set instead. {@link #stopAll} asks each loop to cancel its
 * runs; a run listed after that is cancelled at once.
 */
final class RunningCheckpoints {

  private final Vertx vertx;
  // One list per event loop that ever ran a checkpoint (a map, not a thread-local slot per
  // service: nothing stays in the loops' threads when a service is dropped).
  private final Map<EventLoop, LoopRuns> loops = new ConcurrentHashMap<>();
  private final Set<Elsewhere> elsewhere = ConcurrentHashMap.newKeySet();
  private volatile boolean stopped;

  RunningCheckpoints(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * Lists {@code run} (a cancellable context) until the returned action takes it out; cancels it
   * at once when the gateway has already stopped.
   */
  Runnable add(RequestContext run) {
    Runnable unlist = listed(run);
    if (stopped) {
      run.cancel();
    }
    return unlist;
  }

  private Runnable listed(RequestContext run) {
    Context context = vertx.getOrCreateContext();
    if (context instanceof ContextInternal internal && internal.isEventLoopContext()
        && internal.nettyEventLoop().inEventLoop()) {
      // By the loop, not the context: each HTTP request runs on a duplicate of its loop's context.
      LoopRuns runs = loops.get(internal.nettyEventLoop());
      if (runs == null) {
        runs = loops.computeIfAbsent(internal.nettyEventLoop(),
            loop -> new LoopRuns(internal.unwrap()));
      }
      Node node = new Node(runs, run);
      runs.link(node);
      return node;
    }
    Elsewhere one = new Elsewhere(context, run);
    elsewhere.add(one);
    return () -> elsewhere.remove(one);
  }

  /** How many event loops have a list (for tests: one per loop, however many runs). */
  int loopsListed() {
    return loops.size();
  }

  /** Cancels every run listed, each on its own loop; later ones are cancelled as they come. */
  void stopAll() {
    stopped = true;
    for (LoopRuns runs : loops.values()) {
      runs.context.runOnContext(ignored -> runs.cancelAll());
    }
    for (Elsewhere one : elsewhere) {
      one.context().runOnContext(ignored -> one.run().cancel());
    }
  }

  private record Elsewhere(Context context, RequestContext run) {
  }

  /** One loop's runs, touched by that loop's thread only. */
  private static final class LoopRuns {
    final ContextInternal context;
    Node first;

    LoopRuns(ContextInternal context) {
      this.context = context;
    }

    void link(Node node) {
      node.next = first;
      if (first != null) {
        first.previous = node;
      }
      first = node;
    }

    void cancelAll() {
      // Cancelling a run may end it, or others, and unlink them: a copy is walked.
      List<RequestContext> runs = new ArrayList<>();
      for (Node node = first; node != null; node = node.next) {
        runs.add(node.run);
      }
      runs.forEach(RequestContext::cancel);
    }
  }

  /** A run in its loop's list; running it takes the run out (once). */
  private static final class Node implements Runnable {
    final LoopRuns runs;
    final RequestContext run;
    Node previous;
    Node next;
    boolean unlisted;

    Node(LoopRuns runs, RequestContext run) {
      this.runs = runs;
      this.run = run;
    }

    @Override
    public void run() {
      if (!runs.context.nettyEventLoop().inEventLoop()) {
        // A run ends on its own loop; should one end elsewhere, the list is still its loop's.
        runs.context.runOnContext(ignored -> run());
        return;
      }
      if (unlisted) {
        return;
      }
      unlisted = true;
      if (previous == null) {
        runs.first = next;
      } else {
        previous.next = next;
      }
      if (next != null) {
        next.previous = previous;
      }
      previous = null;
      next = null;
    }
  }
}
