package org.checkpointgateway.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Every java.util.logging record of the process while open: what an operator's log would hold. */
public final class CapturedLogs extends Handler implements AutoCloseable {

  private final List<LogRecord> records = new CopyOnWriteArrayList<>();

  private CapturedLogs() {
    setLevel(Level.ALL);
  }

  public static CapturedLogs start() {
    CapturedLogs logs = new CapturedLogs();
    Logger.getLogger("").addHandler(logs);
    return logs;
  }

  public List<LogRecord> records() {
    return List.copyOf(records);
  }

  /** The records of one logger (by name, as java.util.logging names them). */
  public List<LogRecord> from(Class<?> type) {
    return records.stream().filter(r -> type.getName().equals(r.getLoggerName())).toList();
  }

  @Override
  public void publish(LogRecord record) {
    records.add(record);
  }

  @Override
  public void flush() {
  }

  @Override
  public void close() {
    Logger.getLogger("").removeHandler(this);
  }
}
