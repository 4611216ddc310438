package org.checkpointgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import org.checkpointgateway.sim.SimulatorSeed;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.GatewayTestBase;
import org.checkpointgateway.support.HttpAnswer;
import org.junit.jupiter.api.Test;

/**
 * Lookups share the runtime's answers: a burst costs the runtime one look at the node, yet a pod
 * started a moment ago is found and "does not exist" is only said after a fresh look.
 */
class SharedLookupRouteTest extends GatewayTestBase {

  long listPodSandboxCalls() {
    return fixture.runtime.calls("ListPodSandbox");
  }

  void startGatewayWithLookupMaxAge(String maxAge) {
    fixture.startGateway(fixture.settings().override("lookupMaxAge", maxAge, "--lookup-max-age"));
  }

  @Test
  void aBurstOfCheckpointsLooksAtTheNodeOnce() {
    startGatewayWithLookupMaxAge("1m");
    long sandboxes = listPodSandboxCalls();
    long containers = fixture.runtime.calls("ListContainers");
    long stats = fixture.runtime.calls("ContainerStats");
    String token = fixture.adminToken();

    List<Future<HttpAnswer>> burst = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      burst.add(fixture.request(HttpMethod.POST, "/checkpoint/default/demo/app", token));
    }
    assertThat(burst).extracting(answer -> Await.result(answer).status()).containsOnly(200);

    assertThat(listPodSandboxCalls() - sandboxes).isEqualTo(1);
    assertThat(fixture.runtime.calls("ListContainers") - containers).isEqualTo(1);
    assertThat(fixture.runtime.calls("ContainerStats") - stats).isEqualTo(1);
    assertThat(fixture.runtime.calls("CheckpointContainer")).isEqualTo(20);
  }

  @Test
  void aPodStartedAfterTheLastLookIsFoundAtOnce() {
    startGatewayWithLookupMaxAge("1m");
    String token = fixture.adminToken();
    assertThat(fixture.post("/checkpoint/default/demo/app", token).status()).isEqualTo(200);
    long sandboxes = listPodSandboxCalls();

    Await.result(fixture.runtime.addPods(SimulatorSeed.parse("""
        pods:
          - namespace: default
            name: newcomer
            containers:
              - {name: web, memoryBytes: 1048576}
        """, "newcomer")));

    assertThat(fixture.post("/checkpoint/default/newcomer/web", token).status()).isEqualTo(200);
    assertThat(listPodSandboxCalls() - sandboxes).isEqualTo(1);
  }

  @Test
  void notFoundIsOnlyAnsweredFromALookTakenAfterTheRequest() {
    startGatewayWithLookupMaxAge("1m");
    String token = fixture.adminToken();
    assertThat(fixture.post("/checkpoint/default/demo/app", token).status()).isEqualTo(200);
    long sandboxes = listPodSandboxCalls();

    HttpAnswer pod = fixture.post("/checkpoint/default/nosuchpod/app", token);
    assertThat(pod.status()).isEqualTo(404);
    assertThat(pod.body()).isEqualTo("pod does not exist");
    assertThat(listPodSandboxCalls() - sandboxes).isEqualTo(1);

    HttpAnswer container = fixture.post("/checkpoint/default/demo/nosuchcontainer", token);
    assertThat(container.status()).isEqualTo(404);
    assertThat(container.body()).isEqualTo("container nosuchcontainer does not exist");
    assertThat(listPodSandboxCalls() - sandboxes).isEqualTo(2);

    // A known container is still answered from the picture the last miss took.
    assertThat(fixture.post("/checkpoint/default/demo/sidecar", token).status()).isEqualTo(200);
    assertThat(listPodSandboxCalls() - sandboxes).isEqualTo(2);
  }

  @Test
  void zeroAsksTheRuntimeForEveryRequest() {
    startGatewayWithLookupMaxAge("0");
    long sandboxes = listPodSandboxCalls();
    String token = fixture.adminToken();
    for (int i = 0; i < 3; i++) {
      assertThat(fixture.post("/checkpoint/default/demo/app", token).status()).isEqualTo(200);
    }
    assertThat(listPodSandboxCalls() - sandboxes).isEqualTo(3);
  }
}
