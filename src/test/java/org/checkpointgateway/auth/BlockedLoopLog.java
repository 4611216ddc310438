package org.checkpointgateway.auth;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Vert.x for tests with a tight blocked-loop check, and a record of the checker's "has been
 * blocked" warnings so a test can assert the event loop never blocked.
 */
final class BlockedLoopLog extends Handler {

  // Vert.x 5 logs blocked threads under this name (BlockedThreadChecker.LOGGER_NAME's logger).
  private static final String CHECKER_LOGGER = "io.vertx.core.impl.BlockedThreadChecker";
  // Held strongly: JUL keeps loggers weakly and would drop our handler with the logger.
  private static final Logger LOGGER = Logger.getLogger(CHECKER_LOGGER);

  static {
    // Netty 4.2's adaptive allocator registers its JFR events on the first buffer allocation,
    // which initialises JFR's metadata on the event loop: a one-off 300-400 ms stall seen in
    // BearerAuthHandlerTest, unrelated to the code under test. Must be set before Netty loads.
    if (System.getProperty("io.netty.jfr.enabled") == null) {
      System.setProperty("io.netty.jfr.enabled", "false");
    }
  }

  private final List<String> warnings = new CopyOnWriteArrayList<>();

  private BlockedLoopLog() {}

  static BlockedLoopLog install() {
    BlockedLoopLog log = new BlockedLoopLog();
    LOGGER.addHandler(log);
    return log;
  }

  static Vertx strictVertx() {
    return Vertx.vertx(new VertxOptions()
        .setMaxEventLoopExecuteTime(200).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
        .setBlockedThreadCheckInterval(100)
        .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
        // Log where the loop is stuck at the first warning, not after the default 5 s.
        .setWarningExceptionTime(200).setWarningExceptionTimeUnit(TimeUnit.MILLISECONDS));
  }

  List<String> blockedWarnings() {
    return warnings.stream().filter(m -> m.contains("has been blocked")).toList();
  }

  void uninstall() {
    LOGGER.removeHandler(this);
  }

  @Override
  public void publish(LogRecord record) {
    warnings.add(String.valueOf(record.getMessage()));
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}
