package org.checkpointgateway.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A forwarded stream's last event and the owner's reply arrive on different threads at once: the
 * outcome must still be handed on after every event the owner counted before it (a race here
 * ended a forwarded stream without its terminal event, seen in FleetProcessTest).
 */
class ForwardedStreamOrderTest {

  private static final int EVENTS = 3;
  private static final int ROUNDS = 20_000;

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void theOutcomeNeverOvertakesAnEventCountedBeforeIt() throws Exception {
    Context caller = vertx.getOrCreateContext();
    CyclicBarrier together = new CyclicBarrier(2);
    List<Integer> eventsBeforeOutcome = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      List<JsonObject> handedOn = new ArrayList<>(); // touched on the caller's context only
      CompletableFuture<Integer> outcome = new CompletableFuture<>();
      Forwarder.Stream stream = new Forwarder.Stream(caller, handedOn::add);
      for (int i = 0; i < EVENTS - 1; i++) {
        stream.event(new JsonObject().put("n", i));
      }
      Thread last = new Thread(() -> {
        await(together);
        stream.event(new JsonObject().put("n", EVENTS - 1));
      });
      last.start();
      await(together);
      stream.outcomeAfter(EVENTS, () -> outcome.complete(handedOn.size()));
      eventsBeforeOutcome.add(outcome.get(10, TimeUnit.SECONDS));
      last.join(10_000);
    }
    assertThat(eventsBeforeOutcome).as("events handed on when the outcome ran, per round")
        .allMatch(count -> count == EVENTS);
  }

  private static void await(CyclicBarrier barrier) {
    try {
      barrier.await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
