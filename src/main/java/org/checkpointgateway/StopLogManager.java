package org.checkpointgateway;

import java.util.logging.LogManager;

/**
 * The JDK's LogManager resets (silences) every handler in a shutdown hook of its own, which may
 * run before or while the gateway's stop hook logs that it is stopping and when it stopped; those
 * lines were lost at random. This manager ignores that reset until the stop hook says it is done.
 * Installed by {@link Main#main} through {@code java.util.logging.manager}.
 */
public final class StopLogManager extends LogManager {

  private static volatile boolean stopped;

  /** Called by the stop hook when it has logged its last line. */
  static void stopped() {
    stopped = true;
    if (LogManager.getLogManager() instanceof StopLogManager manager) {
      manager.resetNow();
    }
  }

  @Override
  public void reset() {
    // Also called when the configuration is first read, with no handlers yet: harmless to skip
    // then, and the JDK's shutdown reset must wait for the stop hook.
    if (stopped) {
      super.reset();
    }
  }

  private void resetNow() {
    super.reset();
  }
}
