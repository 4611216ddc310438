package org.checkpointgateway.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.StrictVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The runs the gateway's stop cancels: each on its own event loop, none that already ended. */
class RunningCheckpointsTest {

  Vertx vertx;
  RunningCheckpoints running;

  @BeforeEach
  void start() {
    vertx = StrictVertx.create();
    running = new RunningCheckpoints(vertx);
  }

  @AfterEach
  void stop() {
    Await.result(vertx.close());
    StrictVertx.assertNeverBlocked(vertx);
  }

  /** A run listed on {@code context}: the context it was cancelled on, once it is. */
  record Run(RequestContext context, Future<Context> cancelledOn, Runnable unlist) {
  }

  Run listedOn(Context on) {
    return Await.result(call(on, () -> listedHere()));
  }

  Run listedHere() {
    RequestContext run = RequestContext.cancellable(Duration.ofMinutes(5)).cancellableChild();
    Promise<Context> cancelledOn = Promise.promise();
    run.onCancel(() -> cancelledOn.complete(Vertx.currentContext()));
    return new Run(run, cancelledOn.future(), running.add(run));
  }

  static io.netty.channel.EventLoop loopOf(Context context) {
    return ((ContextInternal) context).nettyEventLoop();
  }

  static <T> Future<T> call(Context on, Supplier<T> what) {
    Promise<T> result = Promise.promise();
    on.runOnContext(ignored -> result.complete(what.get()));
    return result.future();
  }

  @Test
  void theStopCancelsEveryRunOnItsOwnLoop() {
    List<Context> loops = twoLoops();
    List<Run> runs = new ArrayList<>();
    List<Context> listedOn = new ArrayList<>();
    for (Context loop : loops) {
      for (int i = 0; i < 3; i++) {
        runs.add(listedOn(loop));
        listedOn.add(loop);
      }
    }
    running.stopAll();
    for (int i = 0; i < runs.size(); i++) {
      assertThat(loopOf(Await.result(runs.get(i).cancelledOn()))).isSameAs(loopOf(listedOn.get(i)));
      assertThat(runs.get(i).context().isCancelled()).isTrue();
    }
  }

  /** Contexts on two different event loops (getOrCreateContext keeps to one from a thread). */
  List<Context> twoLoops() {
    VertxInternal internal = (VertxInternal) vertx;
    ContextInternal one = internal.createEventLoopContext();
    ContextInternal other = internal.createEventLoopContext();
    for (int i = 0; i < 16 && other.nettyEventLoop() == one.nettyEventLoop(); i++) {
      other = internal.createEventLoopContext();
    }
    assertThat(other.nettyEventLoop()).isNotSameAs(one.nettyEventLoop());
    return List.of(one, other);
  }

  @Test
  void aCancelThatEndsOtherRunsLetsTheStopReachTheRest() {
    // A pod's runs share a request: one run's cancel can end the others and take them out of
    // the list while the stop walks it.
    Context loop = vertx.getOrCreateContext();
    List<Run> runs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      runs.add(listedOn(loop));
    }
    Await.result(call(loop, () -> {
      // The last listed is walked first: its cancel takes the others out.
      runs.get(3).context().onCancel(() -> runs.subList(0, 3).forEach(run -> run.unlist().run()));
      return true;
    }));
    running.stopAll();
    for (Run run : runs) {
      Await.result(run.cancelledOn());
    }
  }

  @Test
  void runsOnDuplicatesOfALoopsContextShareItsList() {
    // As HTTP requests: each runs on a duplicate of its event loop's context.
    ContextInternal loop = (ContextInternal) vertx.getOrCreateContext();
    List<Run> runs = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      runs.add(listedOn(loop.duplicate()));
    }
    assertThat(running.loopsListed()).isEqualTo(1);
    running.stopAll();
    for (Run run : runs) {
      assertThat(loopOf(Await.result(run.cancelledOn()))).isSameAs(loop.nettyEventLoop());
    }
  }

  @Test
  void aRunBegunOffAnEventLoopIsCancelledToo() {
    Run offLoop = listedHere(); // the test's own thread
    running.stopAll();
    assertThat(Await.result(offLoop.cancelledOn())).isNotNull();
  }

  @Test
  void aRunThatEndedIsNotCancelledAndOneListedAfterTheStopIsAtOnce() {
    Context loop = vertx.getOrCreateContext();
    Run ended = listedOn(loop);
    Run goingOn = listedOn(loop);
    Run endedElsewhere = listedOn(loop);
    Await.result(call(loop, () -> {
      ended.unlist().run();
      return true;
    }));
    // Taken out on a worker: done on its loop, before anything asked of that loop later.
    Await.result(vertx.executeBlocking(() -> {
      endedElsewhere.unlist().run();
      return true;
    }));
    Await.result(call(loop, () -> true));
    running.stopAll();
    Await.result(goingOn.cancelledOn());
    Await.result(call(loop, () -> true)); // the stop's task on that loop has run
    assertThat(ended.context().isCancelled()).isFalse();
    assertThat(endedElsewhere.context().isCancelled()).isFalse();

    Run late = listedOn(loop);
    assertThat(late.context().isCancelled()).isTrue();
  }
}
