package org.checkpointgateway.context;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * State confined to one Vert.x context, its owner's: work on the state runs there, so the state
 * needs no locks, and each answer goes back to the context of whoever asked, so that the caller's
 * code never runs on the owner's (a caller outside Vert.x is answered on the owner's). The one
 * way the job store, the archive store, admission control and the shared runtime fetches do it.
 */
public final class Confined {

  private final Context owner;

  private Confined(Context owner) {
    this.owner = owner;
  }

  /** State owned by {@code owner}. */
  public static Confined to(Context owner) {
    return new Confined(owner);
  }

  public Context owner() {
    return owner;
  }

  /** Runs {@code action} on the owner's context; nobody waits for it. */
  public void run(Runnable action) {
    owner.runOnContext(ignored -> action.run());
  }

  /**
   * Runs {@code action} on the owner's context; its value, or the exception it threw, answers on
   * the caller's context.
   */
  public <T> Future<T> call(Supplier<T> action) {
    return compose(() -> Future.succeededFuture(action.get()));
  }

  /**
   * Runs {@code work} on the owner's context; the outcome of the Future it returns (or the
   * exception it threw) answers on the caller's context. A caller on the owner's context is
   * answered as soon as the work ends: it is there already.
   */
  public <T> Future<T> compose(Supplier<Future<T>> work) {
    Context caller = Vertx.currentContext();
    Executor reply = caller == owner ? Runnable::run : replyTo(caller);
    Promise<T> answer = Promise.promise();
    owner.runOnContext(ignored -> {
      Future<T> result;
      try {
        result = work.get();
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onComplete(outcome -> reply.execute(() -> answer.handle(outcome)));
    });
    return answer.future();
  }

  /**
   * The way back to the current context, for answers given later and more than once: each action
   * runs on that context in a task of its own (never inside the owner's work, even when the
   * owner's context is the caller's), or at once for a caller outside Vert.x.
   */
  public static Executor replyToCaller() {
    return replyTo(Vertx.currentContext());
  }

  /**
   * Hands {@code outcome} to {@code handler} on {@code caller}'s context, whichever thread
   * settles it: at once when it is settled there (a hop through the context's task queue would
   * only add a task), else in a task there.
   */
  public static <T> void handleOn(Context caller, Future<T> outcome,
      Handler<AsyncResult<T>> handler) {
    outcome.onComplete(done -> {
      if (Vertx.currentContext() == caller) {
        handler.handle(done);
      } else {
        caller.runOnContext(ignored -> handler.handle(done));
      }
    });
  }

  private static Executor replyTo(Context caller) {
    return caller == null ? Runnable::run : action -> caller.runOnContext(ignored -> action.run());
  }
}
