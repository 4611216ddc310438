package org.checkpointgateway.fleet;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Whether messages from this member reach another one: proven by a round trip before the first
 * request goes there and remembered until that member leaves, so that in steady state a check
 * is a set lookup; a link that failed its probe fails requests at once for {@link #RETRY_AFTER},
 * then the next request probes it again.
 *
 * <p>Two failures would leave a Vert.x event-bus request unanswered until its send timeout (the
 * whole deadline), because a request does not report a failed write. A connection that cannot
 * be made (refused, or a TLS handshake this member fails: the other's certificate is of another
 * CA) fails a write through a producer at once. A member that refuses this member's certificate
 * is silent instead: TLS 1.3 completes the client's side of the handshake before the server
 * checks the client's certificate, so the connection opens, the message is written, and then
 * the server closes the connection with {@code bad_certificate}; nothing tells the sender that
 * the message was dropped. Only an answer proves the link.
 */
final class LinkCheck {

  /**
   * How long a member may take to answer a probe: as long as the event bus may take to connect
   * (a cold TLS handshake between busy JVMs took 2.4 s here).
   */
  static final Duration PROBE_TIMEOUT = Duration.ofMillis(FleetTransport.CONNECT_TIMEOUT_MILLIS);
  /** How long a failed probe answers requests at once; the next request after it probes again. */
  static final Duration RETRY_AFTER = PROBE_TIMEOUT;

  private static final Logger LOG = Logger.getLogger(LinkCheck.class.getName());

  private record Failure(Throwable cause, long atNanos) {
  }

  private final Vertx vertx;
  private final Set<String> proven = ConcurrentHashMap.newKeySet();
  /** The probe in flight per member: the requests waiting for one link share it. */
  private final Map<String, Future<Void>> probes = new ConcurrentHashMap<>();
  /** The last failed probe per member whose link has not worked since. */
  private final Map<String, Failure> failed = new ConcurrentHashMap<>();

  LinkCheck(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Succeeds once {@code owner}'s member has answered; fails when it cannot be reached. */
  Future<Void> check(String owner) {
    if (proven.contains(owner)) {
      return Future.succeededFuture();
    }
    Failure last = failed.get(owner);
    // A recent failure answers at once; an older one is checked again (a probe may also have
    // timed out on a member that was only starved of CPU for a moment).
    return last != null && System.nanoTime() - last.atNanos() < RETRY_AFTER.toNanos()
        ? Future.failedFuture(last.cause()) : probe(owner);
  }

  private Future<Void> probe(String owner) {
    Future<Void> running = probes.get(owner);
    if (running != null) {
      return running;
    }
    Promise<Void> probe = Promise.promise();
    running = probes.putIfAbsent(owner, probe.future());
    if (running != null) {
      return running;
    }
    probe.future().onComplete(done -> {
      if (done.succeeded()) {
        proven(owner);
      } else if (!(done.cause() instanceof ReplyException reply
          && reply.failureType() == ReplyFailure.NO_HANDLERS)) {
        // (No handlers: a member still starting; not a link failure to remember.)
        if (failed.put(owner, new Failure(done.cause(), System.nanoTime())) == null) {
          LOG.warning(() -> "cannot reach node " + owner + " over the event bus: "
              + done.cause().getMessage());
        }
      }
      probes.remove(owner, probe.future());
    });
    // A connection that cannot be made fails this write (and every write queued for it) at once.
    vertx.eventBus().<JsonObject>sender(Wire.cancelAddress(owner))
        .write(new JsonObject().put("id", "link-probe"))
        .onFailure(probe::tryFail);
    vertx.eventBus().request(Wire.linkAddress(owner), null,
            new DeliveryOptions().setSendTimeout(PROBE_TIMEOUT.toMillis()))
        .onComplete(answer -> {
          if (answer.succeeded()) {
            probe.tryComplete();
          } else if (answer.cause() instanceof ReplyException reply
              && reply.failureType() == ReplyFailure.TIMEOUT) {
            probe.tryFail(new IllegalStateException("no answer over the event bus within "
                + PROBE_TIMEOUT.toSeconds() + " s"));
          } else {
            probe.tryFail(answer.cause());
          }
        });
    return probe.future();
  }

  /** {@code owner} answered: the connection to it works. */
  void proven(String owner) {
    proven.add(owner);
    failed.remove(owner);
  }

  /** A member that left may come back on another connection: check it again. */
  void lost(String owner) {
    proven.remove(owner);
    failed.remove(owner);
  }
}
