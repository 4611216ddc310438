package org.checkpointgateway.support;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waiting in tests, always on an event or with a deadline; never on a fixed sleep. */
public final class Await {

  public static final Duration DEFAULT = Duration.ofSeconds(20);

  private Await() {
  }

  /** The result of a Future, from a test thread (never an event loop). */
  public static <T> T result(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture()
          .get(DEFAULT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError("future failed: " + e.getCause(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError("future did not complete in " + DEFAULT + ": " + e, e);
    }
  }

  /** The failure of a Future that must fail. */
  public static Throwable failure(Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(DEFAULT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError("future did not complete in " + DEFAULT + ": " + e, e);
    }
    throw new AssertionError("future succeeded but was expected to fail");
  }

  /** Polls {@code condition} until it holds or the deadline passes. */
  public static void until(String what, BooleanSupplier condition) {
    until(what, DEFAULT, condition);
  }

  /** Polls {@code condition} until it holds or {@code within} has passed. */
  public static void until(String what, Duration within, BooleanSupplier condition) {
    until(what, within, Duration.ofMillis(20), condition);
  }

  /** Polls {@code condition} every {@code every} (for costly probes) until it holds or {@code within} has passed. */
  public static void until(String what, Duration within, Duration every, BooleanSupplier condition) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(every.toMillis()); // the poll interval, not a wait for the condition
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** Polls a Future-returning probe until it yields a value accepted by {@code accept}. */
  public static <T> T until(String what, Supplier<Future<T>> probe, java.util.function.Predicate<T> accept) {
    long deadline = System.nanoTime() + DEFAULT.toNanos();
    while (true) {
      try {
        T value = probe.get().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        if (accept.test(value)) {
          return value;
        }
      } catch (Exception ignored) {
        // not yet
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
