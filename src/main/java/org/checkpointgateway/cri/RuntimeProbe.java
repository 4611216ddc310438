package org.checkpointgateway.cri;

import java.time.Duration;

/**
 * How often the runtime is asked whether it answers, and how long it gets to answer: readiness
 * turns 503 at most {@code interval + timeout} after the runtime stopped answering.
 */
public record RuntimeProbe(Duration interval, Duration timeout) {

  /** Half a second: a frozen runtime shows in readiness within about a second and a half. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(500);
  /** A Version call over a unix socket takes well under a millisecond; one second is unwell. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);

  public static final RuntimeProbe DEFAULT = new RuntimeProbe(DEFAULT_INTERVAL, DEFAULT_TIMEOUT);
}
