package org.checkpointgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.checkpointgateway.config.GatewayOptions.StreamLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code streams.bufferBytes} / {@code --stream-buffer-bytes}, {@code streams.stallTimeout} / {@code --stream-stall-timeout}. */
class StreamLimitsOptionTest {

  @TempDir
  Path dir;

  @Test
  void defaultsAreWhatTheShippedFileSays() {
    StreamLimits defaults = GatewayOptions.from(new Settings()).streams();
    assertThat(defaults).isEqualTo(new StreamLimits(64 * 1024, Duration.ofSeconds(30)));
    assertThat(GatewayOptions.from(Settings.fromYamlFile(Path.of("conf/gateway.yaml"))).streams())
        .isEqualTo(defaults);
  }

  @Test
  void flagsOverrideTheFile() throws IOException {
    Path file = Files.writeString(dir.resolve("gateway.yaml"),
        "streams:\n  bufferBytes: 1Mi\n  stallTimeout: 2m\n");
    assertThat(GatewayOptions.from(Settings.fromYamlFile(file)).streams())
        .isEqualTo(new StreamLimits(1 << 20, Duration.ofMinutes(2)));

    Settings settings = Settings.fromYamlFile(file)
        .override("streams.bufferBytes", "8Ki", "--stream-buffer-bytes")
        .override("streams.stallTimeout", "500ms", "--stream-stall-timeout");
    assertThat(GatewayOptions.from(settings).streams())
        .isEqualTo(new StreamLimits(8192, Duration.ofMillis(500)));
  }

  @Test
  void badValuesStopStartUpNamingTheFlag() {
    assertThatThrownBy(() -> GatewayOptions.from(new Settings()
        .override("streams.bufferBytes", "100", "--stream-buffer-bytes")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("--stream-buffer-bytes: must be between 1Ki and 2Gi");
    assertThatThrownBy(() -> GatewayOptions.from(new Settings()
        .override("streams.bufferBytes", "4Gi", "--stream-buffer-bytes")))
        .hasMessage("--stream-buffer-bytes: must be between 1Ki and 2Gi");
    assertThatThrownBy(() -> GatewayOptions.from(new Settings()
        .override("streams.stallTimeout", "0", "--stream-stall-timeout")))
        .hasMessage("--stream-stall-timeout: must be more than 0");
    assertThatThrownBy(() -> GatewayOptions.from(new Settings()
        .override("streams.stallTimeout", "soon", "--stream-stall-timeout")))
        .hasMessageStartingWith("--stream-stall-timeout: must be a duration");
  }
}
