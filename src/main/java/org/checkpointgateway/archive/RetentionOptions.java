package org.checkpointgateway.archive;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What retention keeps. Every rule is off by default; with none set retention never runs.
 *
 * @param perContainer keep at most this many unpinned archives of each container (the newest)
 * @param maxBytes remove the oldest archives while all archives together take more bytes than this
 * @param maxAge remove archives checkpointed longer ago than this
 * @param interval how often retention runs besides after each checkpoint
 * @param quietPeriod an archive modified more recently than this is never removed, unless this
 *     gateway made it and saw its checkpoint complete: something outside this gateway (the
 *     kubelet itself, sharing the directory) may still be writing it
 * @param policies the checkpoint-restore-operator's policies; {@code perContainer} is the
 *     shorthand of their global {@code maxCheckpointsPerContainer}
 */
public record RetentionOptions(OptionalInt perContainer, OptionalLong maxBytes,
    Optional<Duration> maxAge, Duration interval, Duration quietPeriod,
    RetentionPolicies policies) {

  public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
  public static final Duration DEFAULT_QUIET_PERIOD = Duration.ofMinutes(1);
  public static final RetentionOptions OFF = new RetentionOptions(OptionalInt.empty(),
      OptionalLong.empty(), Optional.empty(), DEFAULT_INTERVAL, DEFAULT_QUIET_PERIOD);

  /** The flags' rules alone, without policies. */
  public RetentionOptions(OptionalInt perContainer, OptionalLong maxBytes,
      Optional<Duration> maxAge, Duration interval, Duration quietPeriod) {
    this(perContainer, maxBytes, maxAge, interval, quietPeriod, RetentionPolicies.NONE);
  }

  public RetentionOptions {
    java.util.Objects.requireNonNull(policies, "policies");
    if (perContainer.isPresent() && perContainer.getAsInt() < 1) {
      throw new IllegalArgumentException("perContainer must be at least 1");
    }
    if (maxBytes.isPresent() && maxBytes.getAsLong() < 1) {
      throw new IllegalArgumentException("maxBytes must be at least 1");
    }
    if (maxAge.isPresent() && (maxAge.get().isNegative() || maxAge.get().isZero())) {
      throw new IllegalArgumentException("maxAge must be positive");
    }
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive");
    }
    if (quietPeriod.isNegative()) {
      throw new IllegalArgumentException("quietPeriod must not be negative");
    }
  }

  /** Whether any rule is set. */
  public boolean enabled() {
    return perContainer.isPresent() || maxBytes.isPresent() || maxAge.isPresent()
        || policies.enabled();
  }
}
