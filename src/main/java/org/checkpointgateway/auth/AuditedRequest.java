package org.checkpointgateway.auth;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;

/** Glue between a request and the {@link Audit}: one record when its response is disposed. */
final class AuditedRequest {

  /** nginx's status for a request whose caller went away before the answer. */
  static final int CLIENT_CLOSED = 499;

  private static final String STATUS_KEY = AuditedRequest.class.getName() + ".status";
  private static final String RECORD_KEY = AuditedRequest.class.getName() + ".record";

  private AuditedRequest() {
  }

  /**
   * Records {@code action} by {@code caller} when the response ends or its connection closes, or
   * when the route says it was {@link #cutShort}. Uses the routing context's end handlers, which
   * are a list (a route's own {@code response.closeHandler} replaces only the context's close
   * hook, not these).
   */
  static void watch(RoutingContext ctx, Audit audit, Caller caller, String action,
      Function<RoutingContext, String> target) {
    boolean[] recorded = {false};
    Handler<Boolean> record = closed -> {
      // A closed connection fires the end handlers twice (failure, then end): the first counts.
      if (recorded[0]) {
        return;
      }
      recorded[0] = true;
      Integer told = ctx.get(STATUS_KEY);
      boolean aborted = closed && told == null;
      int status = told != null ? told
          : aborted && !ctx.response().headWritten() ? CLIENT_CLOSED
          : ctx.response().getStatusCode();
      audit.record(caller, action, targetOf(ctx, target), outcome(status, aborted), status);
    };
    ctx.put(RECORD_KEY, record);
    // A close before the route ended the response fires the handlers too, some as a success.
    ctx.addEndHandler(result -> record.handle(result.failed() || !ctx.response().ended()));
  }

  static void cutShort(RoutingContext ctx) {
    Handler<Boolean> record = ctx.get(RECORD_KEY);
    if (record != null) {
      record.handle(true);
    }
  }

  static void outcome(RoutingContext ctx, int status) {
    ctx.put(STATUS_KEY, status);
  }

  /** The word for how a request ended; the status gives the detail. */
  static String outcome(int status, boolean aborted) {
    if (aborted) {
      return "aborted";
    } else if (status == 202) {
      return "accepted";
    } else if (status < 400) {
      return "succeeded";
    } else if (status == 401 || status == 403) {
      return "denied";
    } else if (status == 404) {
      return "not_found";
    } else if (status < 500) {
      return "refused";
    }
    return "failed";
  }

  private static String targetOf(RoutingContext ctx, Function<RoutingContext, String> target) {
    try {
      String text = target.apply(ctx);
      return text != null ? text : "";
    } catch (RuntimeException e) {
      // A malformed request (an unreadable body) still gets its record.
      return "";
    }
  }
}
