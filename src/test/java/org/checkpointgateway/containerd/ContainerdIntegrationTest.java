package org.checkpointgateway.containerd;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.GatewayFixture;
import org.checkpointgateway.support.HttpAnswer;
import org.checkpointgateway.support.StrictVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway in front of each real containerd test peer ({@code .ci/containerd/setup} starts
 * 1.6 and 2.x), with pods and containers made through CRI as the kubelet makes them.
 */
class ContainerdIntegrationTest {

  @Nested
  class OnContainerd16 extends Cases {

    OnContainerd16() {
      super(ContainerdPeer.Version.V1_6);
    }

    @Test
    void withoutTheFallbackTheRealContainerIsFoundAndContainerdAnswersUnimplemented() {
      gateway(false);

      HttpAnswer answer = gateway.post(path("app"), gateway.adminToken());

      // Not a 404: the lookup found the real pod and container; containerd 1.6 lacks the call.
      assertThat(answer.status()).isEqualTo(500);
      assertThat(answer.body()).isEqualTo("checkpointing of " + pod.namespace() + "/" + pod.name()
          + "/app failed (rpc error: code = Unimplemented desc = "
          + "method CheckpointContainer not implemented)");
      assertThat(gateway.archives()).isEmpty();
    }
  }

  @Nested
  class OnContainerd2 extends Cases {

    OnContainerd2() {
      super(ContainerdPeer.Version.V2);
    }

    @Test
    void withoutTheFallbackTheCriCheckpointsAlone() {
      containerd.requireCriuDump();
      gateway(false);

      HttpAnswer answer = gateway.post(path("app"), gateway.adminToken());

      assertThat(answer.status()).as(answer.body()).isEqualTo(200);
      assertThat(gateway.archives()).hasSize(1);
    }
  }

  abstract class Cases {

    final ContainerdPeer.Version version;
    @TempDir
    Path dir;
    Vertx vertx;
    ContainerdPeer containerd;
    GatewayFixture gateway;
    ContainerdPeer.Pod pod;

    Cases(ContainerdPeer.Version version) {
      this.version = version;
    }

    @BeforeEach
    void start() {
      vertx = StrictVertx.create();
      containerd = ContainerdPeer.connect(vertx, version, dir.resolve("logs"));
      pod = containerd.runPod("team-a", "web-" + System.nanoTime() % 100000, "app",
          List.of("sleep", "3600"));
    }

    @AfterEach
    void stop() {
      if (gateway != null) {
        gateway.close();
      }
      if (containerd != null) {
        containerd.close();
      }
      Await.result(vertx.close());
      StrictVertx.assertNeverBlocked(vertx);
    }

    GatewayFixture gateway(boolean taskCheckpoint) {
      gateway = GatewayFixture.withoutRuntime(vertx, dir);
      gateway.startGateway(gateway.settings()
          .override("criEndpoint", containerd.endpoint(), "--cri-endpoint")
          .override("containerdTaskCheckpoint", Boolean.toString(taskCheckpoint),
              "--containerd-task-checkpoint"));
      return gateway;
    }

    String path(String container) {
      return "/checkpoint/" + pod.namespace() + "/" + pod.name() + "/" + container;
    }

    @Test
    void unknownPodAndContainerAre404() {
      gateway(true);

      HttpAnswer noPod = gateway.post("/checkpoint/" + pod.namespace() + "/no-such-pod/app",
          gateway.adminToken());
      HttpAnswer otherNamespace = gateway.post("/checkpoint/default/" + pod.name() + "/app",
          gateway.adminToken());
      HttpAnswer noContainer = gateway.post(path("nope"), gateway.adminToken());

      assertThat(noPod.status()).isEqualTo(404);
      assertThat(noPod.body()).isEqualTo("pod does not exist");
      assertThat(otherNamespace.status()).isEqualTo(404);
      assertThat(otherNamespace.body()).isEqualTo("pod does not exist");
      assertThat(noContainer.status()).isEqualTo(404);
      assertThat(noContainer.body()).isEqualTo("container nope does not exist");
    }

    @Test
    void anExitedContainerIsTheKubelets500NotFoundAndNoRuntimeOperation() {
      ContainerdPeer.Pod exited = containerd.runPod("team-a", "once-" + System.nanoTime() % 100000,
          "once", List.of("true"));
      Await.until("the container to exit", () -> !Await.result(containerd.running(exited.containerId())));
      gateway(true);

      HttpAnswer answer = gateway.post("/checkpoint/team-a/" + exited.name() + "/once",
          gateway.adminToken());

      assertThat(answer.status()).isEqualTo(500);
      assertThat(answer.body()).isEqualTo("checkpointing of team-a/" + exited.name()
          + "/once failed (container once not found)");
      assertThat(gateway.send(HttpMethod.GET, "/metrics", gateway.token("p", "metrics:read")).body())
          .contains("kubelet_runtime_operations_total{operation_type=\"checkpoint_container\"} 0.0\n");
      assertThat(gateway.archives()).isEmpty();
    }

    @Test
    void readinessNamesContainerdAndItsVersion() {
      gateway(true);

      HttpAnswer ready = Await.until("readiness",
          () -> gateway.request(HttpMethod.GET, "/readyz", null), a -> a.status() == 200);

      JsonObject runtime = new JsonObject(ready.body()).getJsonObject("runtime");
      assertThat(runtime.getString("name")).isEqualTo("containerd");
      assertThat(runtime.getString("version")).startsWith(version.versionPrefix);
      assertThat(runtime.getString("apiVersion")).isEqualTo("v1");
    }
  }
}
