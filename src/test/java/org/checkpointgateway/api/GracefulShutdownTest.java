package org.checkpointgateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.checkpointgateway.api.CheckpointRouteTest.assertPlain;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.checkpointgateway.sim.CheckpointObservation;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.GatewayTestBase;
import org.checkpointgateway.support.HttpAnswer;
import org.junit.jupiter.api.Test;

/** Stopping with work in flight: not ready, new work refused, queued failed, running cancelled. */
class GracefulShutdownTest extends GatewayTestBase {




  @Test
  void runningWorkGetsTheGraceThenIsCancelledAndNothingIsLeftHalfWritten() {
    fixture.startGateway(fixture.settings()
        .override("maxConcurrent", "1", "--max-concurrent")
        .override("shutdownGrace", "2", "--shutdown-grace"));
    String token = fixture.adminToken();
    Future<CheckpointObservation> runtimeSaw = fixture.runtime.nextCheckpointEnded();
    Future<HttpAnswer> running = fixture.request(HttpMethod.POST, "/checkpoint/default/timed/blocker", token);
    Await.until("the checkpoint to run", () -> fixture.runtime.activeCheckpoints() == 1);
    Future<HttpAnswer> queued = fixture.request(HttpMethod.POST, "/checkpoint/default/timed/light", token);
    Await.until("the second to queue", () -> fixture.metric("checkpoint.queue.depth") == 1);

    Future<Void> closed = fixture.gateway.close();

    assertPlain(Await.result(queued), 503, "the gateway is stopping");
    HttpAnswer notReady = fixture.send(HttpMethod.GET, "/readyz", null);
    assertThat(notReady.status()).isEqualTo(503);
    assertThat(new JsonObject(notReady.body()).getString("reason"))
        .isEqualTo("the gateway is stopping");
    assertPlain(fixture.post("/checkpoint/default/demo/app", token), 503, "the gateway is stopping");
    assertThat(running.isComplete()).as("the running checkpoint is given its grace").isFalse();

    assertPlain(Await.result(running), 500, "checkpointing of default/timed/blocker failed "
        + "(rpc error: code = Canceled desc = context canceled: the gateway is stopping)");
    assertThat(Await.result(runtimeSaw).outcome()).isEqualTo(CheckpointObservation.Outcome.CANCELLED);
    Await.result(closed);
    assertThat(fixture.archives()).isEmpty();
  }

  @Test
  void workThatEndsWithinTheGraceCompletes() {
    fixture.startGateway(fixture.settings().override("shutdownGrace", "30", "--shutdown-grace"));
    Future<HttpAnswer> running = fixture.request(HttpMethod.POST, "/checkpoint/default/timed/half",
        fixture.adminToken());
    Await.until("the checkpoint to run", () -> fixture.runtime.activeCheckpoints() == 1);

    Await.result(fixture.gateway.close());
    assertThat(Await.result(running).status()).isEqualTo(200);
    assertThat(fixture.archives()).hasSize(1);
  }
}
