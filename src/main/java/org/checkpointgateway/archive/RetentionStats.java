package org.checkpointgateway.archive;

/**
 * Counters of what retention removed since start-up, readable from any thread (for metrics:
 * register them as function counters).
 */
public interface RetentionStats {

  /** Archives removed by retention. */
  long removedArchives();

  /** Bytes of the archives removed by retention. */
  long removedBytes();

  /** Completed retention runs, whether they removed anything or not. */
  long runs();
}
