package org.checkpointgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code containerdTaskCheckpoint} / {@code --containerd-task-checkpoint}. */
class ContainerdTaskCheckpointOptionTest {

  @TempDir
  Path dir;

  @Test
  void onByDefault() {
    assertThat(GatewayOptions.from(new Settings()).containerdTaskCheckpoint()).isTrue();
  }

  @Test
  void theFlagOverridesTheFile() throws IOException {
    Path file = Files.writeString(dir.resolve("gateway.yaml"), "containerdTaskCheckpoint: true\n");

    Settings settings = Settings.fromYamlFile(file)
        .override("containerdTaskCheckpoint", "FALSE", "--containerd-task-checkpoint");

    assertThat(GatewayOptions.from(settings).containerdTaskCheckpoint()).isFalse();
  }

  @Test
  void aYamlBooleanIsRead() throws IOException {
    Path file = Files.writeString(dir.resolve("gateway.yaml"), "containerdTaskCheckpoint: false\n");

    assertThat(GatewayOptions.from(Settings.fromYamlFile(file)).containerdTaskCheckpoint()).isFalse();
  }

  @Test
  void anythingElseStopsStartUpNamingTheFlag() {
    Settings settings = new Settings()
        .override("containerdTaskCheckpoint", "yes", "--containerd-task-checkpoint");

    assertThatThrownBy(() -> GatewayOptions.from(settings))
        .isInstanceOf(ConfigException.class)
        .hasMessage("--containerd-task-checkpoint: must be true or false, got yes");
  }

  @Test
  void theShippedConfigFileIsValidAndSaysTrue() {
    assertThat(GatewayOptions.from(Settings.fromYamlFile(Path.of("conf/gateway.yaml")))
        .containerdTaskCheckpoint()).isTrue();
  }
}
