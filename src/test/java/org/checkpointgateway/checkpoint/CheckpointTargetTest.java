package org.checkpointgateway.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A whole pod is a target of its own kind, not a container with a name that happens to be empty. */
class CheckpointTargetTest {

  @Test
  void aWholePodSaysSoAndNamesOnlyThePod() {
    CheckpointTarget pod = CheckpointTarget.wholePod("default", "demo");
    assertThat(pod.isWholePod()).isTrue();
    assertThat(pod).hasToString("default/demo");
  }

  @Test
  void aContainerIsNotTheWholePod() {
    CheckpointTarget container = new CheckpointTarget("default", "demo", "app");
    assertThat(container.isWholePod()).isFalse();
    assertThat(container).hasToString("default/demo/app");
  }
}
