package org.checkpointgateway.context;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.StrictVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Work on the owner's context, answers on the caller's: the one way state is confined. */
class ConfinedTest {

  Vertx vertx;
  Context owner;
  Context caller;
  Confined state;

  @BeforeEach
  void start() {
    vertx = StrictVertx.create();
    owner = vertx.getOrCreateContext();
    caller = vertx.getOrCreateContext();
    state = Confined.to(owner);
  }

  @AfterEach
  void stop() {
    Await.result(vertx.close());
    StrictVertx.assertNeverBlocked(vertx);
  }

  /** Runs {@code ask} on the caller's context; completes with the contexts the test recorded. */
  Future<List<Context>> from(Context context, java.util.function.Function<List<Context>, Future<?>> ask) {
    List<Context> seen = new CopyOnWriteArrayList<>();
    Promise<List<Context>> done = Promise.promise();
    context.runOnContext(ignored -> ask.apply(seen).onComplete(outcome -> {
      seen.add(Vertx.currentContext());
      done.complete(seen);
    }));
    return done.future();
  }

  @Test
  void workRunsOnTheOwnersContextAndAnswersOnTheCallers() {
    List<Context> seen = Await.result(from(caller, contexts -> state.call(() -> {
      contexts.add(Vertx.currentContext());
      return "value";
    })));
    assertThat(seen).containsExactly(owner, caller);
  }

  @Test
  void aThrowBecomesAFailureOnTheCallersContext() {
    Promise<Throwable> failure = Promise.promise();
    caller.runOnContext(ignored -> state.call(() -> {
      throw new IllegalStateException("refused");
    }).onFailure(e -> {
      assertThat(Vertx.currentContext()).isSameAs(caller);
      failure.complete(e);
    }));
    assertThat(Await.result(failure.future())).hasMessage("refused");
  }

  @Test
  void aLaterOutcomeAlsoAnswersOnTheCallersContext() {
    Promise<String> later = Promise.promise();
    Future<List<Context>> seen = from(caller, contexts -> state.compose(() -> {
      contexts.add(Vertx.currentContext());
      return later.future();
    }));
    owner.runOnContext(ignored -> later.complete("done"));
    assertThat(Await.result(seen)).containsExactly(owner, caller);
  }

  @Test
  void aCallerOutsideVertxIsAnsweredOnTheOwnersContext() {
    Promise<Integer> gate = Promise.promise();
    Promise<Context> answeredOn = Promise.promise();
    state.compose(gate::future).onComplete(ignored -> answeredOn.complete(Vertx.currentContext()));
    owner.runOnContext(ignored -> gate.complete(1));
    assertThat(Await.result(answeredOn.future())).isSameAs(owner);
  }

  @Test
  void repliesToACallerRunInATaskOfTheirOwnEvenOnTheOwnersContext() {
    List<String> order = new CopyOnWriteArrayList<>();
    Promise<Void> done = Promise.promise();
    owner.runOnContext(ignored -> {
      Executor reply = Confined.replyToCaller();
      reply.execute(() -> {
        order.add("reply");
        done.complete();
      });
      order.add("rest of the owner's task");
    });
    Await.result(done.future());
    assertThat(order).containsExactly("rest of the owner's task", "reply");
  }
}
