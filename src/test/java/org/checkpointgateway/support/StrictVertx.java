package org.checkpointgateway.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A Vertx whose event loops may run a task for at most {@link #MAX_EVENT_LOOP_MILLIS}; any longer
 * run is recorded, and {@link #assertNeverBlocked} fails the test. Blocking an event loop is a
 * bug, not a warning.
 */
public final class StrictVertx {

  public static final long MAX_EVENT_LOOP_MILLIS = 200;

  private static final Map<Vertx, List<String>> BLOCKED = new ConcurrentHashMap<>();

  private StrictVertx() {
  }

  public static Vertx create() {
    Vertx vertx = Vertx.vertx(new VertxOptions()
        .setPreferNativeTransport(true)
        .setMaxEventLoopExecuteTime(MAX_EVENT_LOOP_MILLIS)
        .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
        .setBlockedThreadCheckInterval(50)
        .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS));
    List<String> blocked = new CopyOnWriteArrayList<>();
    BLOCKED.put(vertx, blocked);
    ((VertxInternal) vertx).blockedThreadChecker().setThreadBlockedHandler(event -> {
      // Worker threads may block by design; only event loops count.
      StackTraceElement[] stack = event.thread().getStackTrace();
      if (event.thread().getName().contains("eventloop") && !warmingUp(stack)) {
        StringBuilder trace = new StringBuilder(event.thread().getName())
            .append(" blocked for ").append(event.duration() / 1_000_000).append(" ms at");
        for (StackTraceElement frame : stack) {
          trace.append("\n  ").append(frame);
        }
        blocked.add(trace.toString());
      }
    });
    return vertx;
  }

  /**
   * The first request through a cold JVM loads and links hundreds of classes on the event loop
   * (protobuf, Netty, lambdas): a one-time cost of the JVM, not a blocking call. A stall caught
   * inside class loading, linking or static initialisation is that warm-up; anything else counts.
   */
  private static boolean warmingUp(StackTraceElement[] stack) {
    for (StackTraceElement frame : stack) {
      String method = frame.getMethodName();
      String type = frame.getClassName();
      if (method.equals("<clinit>") || method.equals("loadClass") || method.equals("linkCallSite")
          || method.equals("linkMethod")
          || method.equals("forName0") || type.startsWith("jdk.internal.loader.")) {
        return true;
      }
    }
    return false;
  }

  public static void assertNeverBlocked(Vertx vertx) {
    List<String> blocked = BLOCKED.remove(vertx);
    assertThat(blocked).as("event loop blocked").isEmpty();
  }
}
