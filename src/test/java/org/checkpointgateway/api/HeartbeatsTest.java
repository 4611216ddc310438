package org.checkpointgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.StrictVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One timer beats for every event stream of an event loop (it replaced a timer per stream): each
 * stream joined hears every beat, whatever joins or leaves around it, and a stream that left
 * hears none.
 */
class HeartbeatsTest {

  static final long INTERVAL_MILLIS = 20;

  Vertx vertx;
  Context context;
  Heartbeats heartbeats;

  static final class Counted extends Heartbeats.Beating {
    final AtomicInteger beats = new AtomicInteger();
    Runnable onBeat = () -> { };

    @Override
    void beat() {
      beats.incrementAndGet();
      onBeat.run();
    }
  }

  @BeforeEach
  void start() {
    vertx = StrictVertx.create();
    context = vertx.getOrCreateContext();
    heartbeats = onLoop(() -> new Heartbeats(context, INTERVAL_MILLIS));
  }

  @AfterEach
  void stop() {
    onLoop(() -> {
      heartbeats.close();
      return null;
    });
    StrictVertx.assertNeverBlocked(vertx);
    Await.result(vertx.close());
  }

  @Test
  void everyStreamJoinedHearsEveryBeatWhoeverLeavesAroundIt() {
    List<Counted> streams = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      streams.add(new Counted());
    }
    onLoop(() -> {
      streams.forEach(heartbeats::join);
      // Joining twice does not make a stream beat twice.
      heartbeats.join(streams.get(0));
      return null;
    });
    Await.until("five beats each", () -> streams.stream().allMatch(s -> s.beats.get() >= 5));
    // The first, a middle one and the last of the list leave; the others beat on.
    onLoop(() -> {
      heartbeats.leave(streams.get(0));
      heartbeats.leave(streams.get(2));
      heartbeats.leave(streams.get(4));
      heartbeats.leave(streams.get(4));
      return null;
    });
    int[] atLeave = onLoop(() -> streams.stream().mapToInt(s -> s.beats.get()).toArray());
    Await.until("the two left in to beat five more times",
        () -> streams.get(1).beats.get() >= atLeave[1] + 5 && streams.get(3).beats.get() >= atLeave[3] + 5);
    int[] later = onLoop(() -> streams.stream().mapToInt(s -> s.beats.get()).toArray());
    assertThat(later[0]).isEqualTo(atLeave[0]);
    assertThat(later[2]).isEqualTo(atLeave[2]);
    assertThat(later[4]).isEqualTo(atLeave[4]);
    // Beats apart by no more than about the interval: the two still in kept together.
    assertThat(Math.abs(later[1] - later[3])).isLessThanOrEqualTo(1);
  }

  @Test
  void aStreamThatLeavesDuringItsBeatDoesNotStopTheOthers() {
    Counted leaving = new Counted();
    Counted staying = new Counted();
    Counted rejoining = new Counted();
    leaving.onBeat = () -> heartbeats.leave(leaving);
    onLoop(() -> {
      heartbeats.join(staying);
      heartbeats.join(leaving);
      return null;
    });
    Await.until("three beats of the one that stays", () -> staying.beats.get() >= 3);
    assertThat(leaving.beats.get()).isEqualTo(1);
    // A stream can join after others left: the list is whole.
    onLoop(() -> {
      heartbeats.join(rejoining);
      return null;
    });
    Await.until("the newcomer to beat", Duration.ofSeconds(5), () -> rejoining.beats.get() >= 3);
    assertThat(leaving.beats.get()).isEqualTo(1);
  }

  /** Streams join and leave on their event loop: so do these. */
  private <T> T onLoop(java.util.function.Supplier<T> action) {
    Promise<T> done = Promise.promise();
    context.runOnContext(ignored -> {
      try {
        done.complete(action.get());
      } catch (RuntimeException e) {
        done.fail(e);
      }
    });
    return Await.result(done.future());
  }
}
