package org.checkpointgateway.fleet;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.function.Function;
import org.checkpointgateway.api.ErrorMapper;
import org.checkpointgateway.auth.Caller;
import org.checkpointgateway.outcome.ForwardedException;
import org.checkpointgateway.outcome.OverloadedException;
import org.checkpointgateway.outcome.UnavailableException;

/**
 * The jobs' and archives' requests between members: an operation, its arguments and the
 * caller (which the answering member checks again), answered with {@code ok} or with the
 * status, reason and message its own routes would have answered.
 */
final class ViewsWire {

  /** How long a member may take to answer a listing, a lookup or an archive action. */
  static final Duration ANSWER_WITHIN = Duration.ofSeconds(5);

  private ViewsWire() {
  }

  static String jobsAddress(String node) {
    return Wire.address(node, "jobs");
  }

  /** Where owners send the events of jobs a member's callers watch (each names its watch). */
  static String jobEventsAddress(String node) {
    return Wire.address(node, "job-events");
  }

  static String archivesAddress(String node) {
    return Wire.address(node, "archives");
  }

  static JsonObject request(String op, Caller caller) {
    return new JsonObject().put("op", op).put("caller", new JsonObject()
        .put("subject", caller.subject())
        .put("permissions", new JsonArray(caller.permissions()))
        .put("groups", new JsonArray(caller.groups())));
  }

  /** Asks {@code node}; its failure answer as a {@link ForwardedException}, silence as a 503. */
  static Future<Object> ask(Vertx vertx, String address, String node, JsonObject request,
      Duration timeout) {
    return vertx.eventBus().<JsonObject>request(address, request,
            new DeliveryOptions().setSendTimeout(timeout.toMillis()))
        .recover(failure -> Future.failedFuture(unanswered(node, failure)))
        .map(reply -> {
          JsonObject body = reply.body();
          if (body.containsKey("retryAfterSeconds")) {
            // The member's own 429, Retry-After and all (a download ticket it could not issue).
            throw new OverloadedException(body.getString("message"),
                body.getLong("retryAfterSeconds"));
          }
          if (body.containsKey("status")) {
            throw new ForwardedException(body.getInteger("status"), body.getString("reason"),
                body.getString("message"));
          }
          return body.getValue("ok");
        });
  }

  /** Whether {@code failure} means the member did not answer (rather than answered "no"). */
  static boolean silent(Throwable failure) {
    return failure instanceof UnavailableException;
  }

  /** Serves one operation: its outcome goes back as {@code ok} or as the failure's answer. */
  static void answer(Message<JsonObject> message, Function<JsonObject, Future<?>> operation) {
    Future<?> outcome;
    try {
      outcome = operation.apply(message.body());
    } catch (RuntimeException e) {
      outcome = Future.failedFuture(e);
    }
    outcome.onComplete(done -> {
      if (done.succeeded()) {
        message.reply(new JsonObject().put("ok", done.result()));
        return;
      }
      Throwable failure = done.cause();
      JsonObject answer = new JsonObject().put("status", ErrorMapper.status(failure))
          .put("reason", ErrorMapper.reason(failure)).put("message", ErrorMapper.message(failure));
      if (failure instanceof OverloadedException overloaded) {
        answer.put("retryAfterSeconds", overloaded.retryAfterSeconds());
      }
      message.reply(answer);
    });
  }

  private static UnavailableException unanswered(String node, Throwable cause) {
    if (cause instanceof ReplyException reply && reply.failureType() == ReplyFailure.TIMEOUT) {
      return new UnavailableException("node " + node + " did not answer within "
          + ANSWER_WITHIN.toSeconds() + " s");
    }
    return new UnavailableException("node " + node + " cannot be reached: " + cause.getMessage());
  }
}
