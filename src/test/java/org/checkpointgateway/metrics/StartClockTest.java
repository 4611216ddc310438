package org.checkpointgateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** Each start phase is logged once, in ms after the JVM started (the fleet's formation figures). */
class StartClockTest {

  @Test
  void aPhaseIsLoggedOnceWithTheMillisecondsSinceTheJvmStarted() {
    Logger logger = Logger.getLogger(StartClock.class.getName());
    List<String> lines = new CopyOnWriteArrayList<>();
    Handler handler = new Handler() {
      @Override
      public void publish(LogRecord record) {
        lines.add(record.getMessage());
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    logger.addHandler(handler);
    try {
      long sinceJvmStart = System.currentTimeMillis() - ProcessHandle.current().info()
          .startInstant().orElseThrow().toEpochMilli();
      StartClock.mark("test phase");
      StartClock.mark("test phase");
      assertThat(lines).hasSize(1);
      assertThat(lines.get(0)).matches("start: test phase at \\d+ ms");
      long at = Long.parseLong(lines.get(0).replaceAll("\\D", ""));
      // Counted from the JVM's start, not from the class's first use (10 ms ticks in /proc).
      assertThat(at).isGreaterThanOrEqualTo(sinceJvmStart - 20);
    } finally {
      logger.removeHandler(handler);
    }
  }
}
