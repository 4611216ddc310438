package org.checkpointgateway.cri;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.outcome.RuntimeCallFailedException;
import runtime.v1.VersionResponse;

/**
 * Watches the runtime: every probe interval it checks that the socket is there and asks for the
 * runtime's {@code Version} with a short deadline, so that readiness reflects a runtime that
 * stopped answering (frozen, gone, its socket removed) within a second or two, and logs when it
 * arrives, goes away and returns.
 *
 * <p>The runtime is <em>away</em> while nobody can connect to its socket (no such file, connection
 * refused): a probe or any call that failed to connect says so, and the first probe that is
 * answered again ends it. Callers use that to answer new requests at once and to hold requests
 * already accepted until the runtime returns. A runtime that accepts connections but does not
 * answer (frozen) is not ready but not away: calls to it wait within their own deadlines.
 */
public final class RuntimeWatch {

  private static final Logger LOG = Logger.getLogger(RuntimeWatch.class.getName());
  /**
   * Until the runtime first answers, a probe may take this long: the first call sets up the
   * connection and, with the embedded simulator in a cold JVM, loads both ends' classes, which
   * took over a second on a busy machine and logged a warning on a clean start. Readiness is 503
   * meanwhile anyway ("has not answered yet").
   */
  static final Duration FIRST_ANSWER_TIMEOUT = Duration.ofSeconds(10);

  /** While away: why, and what completes when the runtime answers again. */
  private record Away(RuntimeCallFailedException failure, Promise<Void> back) {
  }

  private final Vertx vertx;
  private final CriClient cri;
  private final CriEndpoint endpoint;
  private final RuntimeProbe probe;
  private final AtomicReference<Away> away = new AtomicReference<>();
  // The socket's lstat runs on a thread of its own: a worker pool busy with a slow disk must not
  // delay readiness, and the event loop starts that one thread once, not one per probe.
  private final WorkerExecutor lstat;
  private volatile VersionResponse version;
  private volatile String notReadyReason = "the runtime has not answered yet";
  private volatile boolean stopped;
  private volatile long timerId = -1;
  // Touched on the watch's context only.
  private boolean probing;
  private boolean everAnswered;

  public RuntimeWatch(Vertx vertx, CriClient cri, CriEndpoint endpoint, RuntimeProbe probe) {
    this.vertx = vertx;
    this.cri = cri;
    this.endpoint = endpoint;
    this.probe = probe;
    this.lstat = vertx.createSharedWorkerExecutor("checkpoint-gateway-runtime-watch", 1);
  }

  /** Starts probing now and then every probe interval, on a context of its own. */
  public void start() {
    Context context = vertx.getOrCreateContext();
    context.runOnContext(ignored -> {
      if (!stopped) {
        probe();
        timerId = vertx.setPeriodic(probe.interval().toMillis(), id -> probe());
      }
    });
  }

  public void stop() {
    stopped = true;
    vertx.cancelTimer(timerId);
    lstat.close();
  }

  /** Whether the runtime answered its last probe (what readiness and its gauge report). */
  public boolean ready() {
    return version != null;
  }

  /** The runtime's last answer in plain values, or why it is not ready. */
  public RuntimeStatus status() {
    VersionResponse answer = version;
    return answer == null ? new RuntimeStatus.NotReady(notReadyReason)
        : new RuntimeStatus.Ready(answer.getRuntimeName(), answer.getRuntimeVersion(),
            answer.getRuntimeApiVersion());
  }

  /** While nobody can connect to the runtime's socket, the failure that says so. */
  public Optional<RuntimeCallFailedException> away() {
    return Optional.ofNullable(away.get()).map(Away::failure);
  }

  /** Completes at once while the runtime is not away; else when it answers again. */
  public Future<Void> whenBack() {
    Away now = away.get();
    return now == null ? Future.succeededFuture() : now.back().future();
  }

  /**
   * A call failed to connect (see {@link #isDialFailure}): the runtime is away from now until a
   * probe is answered. Safe from any thread.
   */
  public void dialFailed(RuntimeCallFailedException failure) {
    Away fresh = new Away(failure, Promise.promise());
    Away before = away.getAndUpdate(now -> now == null ? fresh : new Away(failure, now.back()));
    version = null;
    notReadyReason = reason(failure);
    if (before == null) {
      LOG.warning(() -> "runtime at " + endpoint + " is away: " + failure.getMessage());
      // Connections made before may lead to a runtime nobody can reach by the socket any more
      // (its socket removed): from now on every event loop connects anew.
      cri.dropConnections();
    }
  }

  /**
   * The connection broke under a call (see {@link #isConnectionLost}): the runtime may have died
   * with it. Until a probe is answered it counts as away, so that a checkpoint admitted in the
   * same instant waits for it instead of meeting the dying connection.
   */
  public void connectionLost(RuntimeCallFailedException failure) {
    dialFailed(failure);
  }

  /** Whether the connection to the runtime broke under a call. */
  public static boolean isConnectionLost(Throwable failure) {
    return GrpcStatusTranslator.isConnectionLost(failure);
  }

  /** Whether a call failed before it reached the runtime (it can be made again). */
  public static boolean isDialFailure(Throwable failure) {
    return GrpcStatusTranslator.isDialFailure(failure);
  }

  private void probe() {
    if (probing || stopped) {
      return;
    }
    probing = true;
    String socket = endpoint.socketPath().toString();
    Duration timeout = everAnswered || probe.timeout().compareTo(FIRST_ANSWER_TIMEOUT) > 0
        ? probe.timeout() : FIRST_ANSWER_TIMEOUT;
    // A live connection still answers after the socket file was removed; nobody else can connect.
    lstat.executeBlocking(() -> unreachable(endpoint.socketPath()), false)
        .compose(unreachable -> unreachable == null ? cri.version(RequestContext.withTimeout(timeout))
            : Future.<VersionResponse>failedFuture(
                GrpcStatusTranslator.dialFailure(socket, unreachable)))
        .onComplete(answer -> {
          probing = false;
          if (stopped) {
            return;
          }
          if (answer.succeeded()) {
            answered(answer.result());
          } else if (isDialFailure(answer.cause())) {
            dialFailed((RuntimeCallFailedException) answer.cause());
          } else {
            silent(answer.cause(), timeout);
          }
        });
  }

  private void answered(VersionResponse answer) {
    everAnswered = true;
    Away was = away.getAndSet(null);
    if (version == null) {
      LOG.info(() -> "runtime ready at " + endpoint + ": " + answer.getRuntimeName() + " "
          + answer.getRuntimeVersion() + " (CRI " + answer.getRuntimeApiVersion() + ")");
    }
    version = answer;
    if (was != null) {
      was.back().tryComplete();
    }
  }

  /** Connected but no answer within the probe's timeout (frozen), or a broken answer. */
  private void silent(Throwable failure, Duration timeout) {
    String reason = reason(failure) + (failure instanceof RuntimeCallFailedException runtime
        && runtime.code().equals("DeadlineExceeded")
        ? " (no answer to Version within " + timeout.toMillis() + " ms)" : "");
    if (version != null || !reason.equals(notReadyReason)) {
      LOG.warning(reason);
    }
    notReadyReason = reason;
    version = null;
  }

  private String reason(Throwable failure) {
    return "runtime at " + endpoint + " does not answer: " + failure.getMessage();
  }

  /** Why nobody can connect to the socket, in Go's words; null when a connect may work. */
  private static String unreachable(Path socket) {
    try {
      Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return null;
    } catch (NoSuchFileException e) {
      return "no such file or directory";
    } catch (AccessDeniedException e) {
      return "permission denied";
    } catch (IOException e) {
      return null; // let the connection say what is wrong
    }
  }
}
