package org.checkpointgateway.fleet;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageProducer;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Whether this member's event-bus connection to another one works. Vert.x drops a request whose
 * connection cannot be made (refused, or a TLS handshake that fails: a certificate of another
 * CA) and its caller would wait for the send timeout, the whole deadline. A message written
 * through a producer, though, reports that failure: until a member has answered once, each
 * request to it is accompanied by such a probe on the same connection, and a failed probe
 * answers the request at once.
 */
final class LinkCheck {

  private static final Logger LOG = Logger.getLogger(LinkCheck.class.getName());

  private final Vertx vertx;
  private final Set<String> proven = ConcurrentHashMap.newKeySet();

  LinkCheck(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Fails with the connection's failure when a message cannot reach {@code owner}'s member. */
  Future<Void> check(String owner) {
    if (proven.contains(owner)) {
      return Future.succeededFuture();
    }
    // The cancel address exists on every member and ignores an id it does not run.
    MessageProducer<JsonObject> probe = vertx.eventBus().sender(Wire.cancelAddress(owner));
    return probe.write(new JsonObject().put("id", "link-probe"))
        .onFailure(cause -> LOG.warning(() -> "cannot reach node " + owner
            + " over the event bus: " + cause));
  }

  /** {@code owner} answered a request: the connection to it works. */
  void proven(String owner) {
    proven.add(owner);
  }

  /** A member that left may come back on another connection: check it again. */
  void lost(String owner) {
    proven.remove(owner);
  }
}
