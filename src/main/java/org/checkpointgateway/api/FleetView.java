package org.checkpointgateway.api;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;
import org.checkpointgateway.checkpoint.Forwarding;
import org.checkpointgateway.outcome.NotFoundException;

/** What the HTTP layer sees of the fleet this gateway belongs to, if any (docs/fleet.md). */
public interface FleetView {

  /** A single node: pods elsewhere do not exist and there are no members to list. */
  FleetView NONE = new FleetView() {
    @Override
    public Forwarding forwarding() {
      return Forwarding.NONE;
    }

    @Override
    public Future<List<JsonObject>> nodes() {
      return Future.failedFuture(new NotFoundException(
          "this gateway is not a fleet member (it was started without --cluster-name)"));
    }
  };

  /** This member's name in the fleet; empty on a single node. */
  default Optional<String> node() {
    return Optional.empty();
  }

  /** Where checkpoints of pods this member does not run go. */
  Forwarding forwarding();

  /**
   * Every member, by name: {@code name}, {@code advertiseUrl}, {@code runtimeReady},
   * {@code checkpointsRunning}, {@code checkpointsQueued}, {@code bytesInFlight},
   * {@code joinedAt}, as each last published them (every second).
   */
  Future<List<JsonObject>> nodes();

  /** The other members' archives; empty on a single node (and {@code ?node=} is not read). */
  default Optional<FleetArchives> archives() {
    return Optional.empty();
  }

  /** The other members' jobs; empty on a single node. */
  default Optional<FleetJobs> jobs() {
    return Optional.empty();
  }
}
