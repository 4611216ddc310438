package org.checkpointgateway.cri;

import io.vertx.core.Vertx;
import java.util.logging.Logger;
import runtime.v1.VersionResponse;

/**
 * Asks the runtime for its {@code Version} on a timer, so that readiness reflects a runtime that
 * answered recently, and logs when it arrives, goes away and returns. Runs on one event loop.
 */
public final class RuntimeWatch {

  /** A probe costs one tiny unary call over a unix socket: cheap enough to run every second. */
  public static final long PROBE_INTERVAL_MILLIS = 1000;

  private static final Logger LOG = Logger.getLogger(RuntimeWatch.class.getName());

  private final Vertx vertx;
  private final CriClient cri;
  private final CriEndpoint endpoint;
  private volatile VersionResponse version;
  private volatile String notReadyReason = "the runtime has not answered yet";
  private long timerId = -1;

  public RuntimeWatch(Vertx vertx, CriClient cri, CriEndpoint endpoint) {
    this.vertx = vertx;
    this.cri = cri;
    this.endpoint = endpoint;
  }

  /** Starts probing now and then every {@link #PROBE_INTERVAL_MILLIS}. */
  public void start() {
    probe();
    timerId = vertx.setPeriodic(PROBE_INTERVAL_MILLIS, id -> probe());
  }

  public void stop() {
    vertx.cancelTimer(timerId);
  }

  /** The runtime's last answer, or null while it is not ready. */
  public VersionResponse version() {
    return version;
  }

  /** Why the runtime is not ready (meaningful only when {@link #version()} is null). */
  public String notReadyReason() {
    return notReadyReason;
  }

  private void probe() {
    cri.version().onComplete(answer -> {
      if (answer.succeeded()) {
        if (version == null) {
          VersionResponse v = answer.result();
          LOG.info(() -> "runtime ready at " + endpoint + ": " + v.getRuntimeName() + " "
              + v.getRuntimeVersion() + " (CRI " + v.getRuntimeApiVersion() + ")");
        }
        version = answer.result();
      } else {
        String reason = "runtime at " + endpoint + " does not answer: " + answer.cause().getMessage();
        if (version != null || !reason.equals(notReadyReason)) {
          LOG.warning(reason);
        }
        notReadyReason = reason;
        version = null;
      }
    });
  }
}
