package org.checkpointgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.checkpointgateway.config.GatewayOptions.HttpLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code http.*}: --http-header-timeout, --http-idle-timeout, --max-connections ... */
class HttpLimitsOptionTest {

  @TempDir
  Path dir;

  @Test
  void defaults() {
    HttpLimits http = GatewayOptions.from(new Settings()).http();
    assertThat(http).isEqualTo(HttpLimits.DEFAULT);
    assertThat(http.headerTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(http.idleTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(http.maxHeaderSize()).isEqualTo(8192);
    assertThat(http.maxConnections()).isBetween(64, 16_384);
    assertThat(http.h2c()).isFalse();
  }

  @Test
  void flagsOverrideTheFile() throws IOException {
    Path file = Files.writeString(dir.resolve("gateway.yaml"),
        "http:\n  headerTimeout: 5s\n  idleTimeout: 2m\n  maxConnections: 10\n  maxHeaderSize: 16Ki\n");
    HttpLimits http = GatewayOptions.from(Settings.fromYamlFile(file)
        .override("http.maxConnections", "20", "--max-connections")
        .override("http.h2c", "true", "--http-h2c")).http();
    assertThat(http).isEqualTo(new HttpLimits(Duration.ofSeconds(5), Duration.ofMinutes(2), 20,
        16_384, true));
  }

  @Test
  void badValuesStopStartUpNamingTheFlag() {
    assertThatThrownBy(() -> GatewayOptions.from(new Settings()
        .override("http.headerTimeout", "0", "--http-header-timeout")))
        .isInstanceOf(ConfigException.class).hasMessage("--http-header-timeout: must be more than 0");
    assertThatThrownBy(() -> GatewayOptions.from(new Settings()
        .override("http.maxConnections", "0", "--max-connections")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("--max-connections: must be between 1 and 10000000, got 0");
    assertThatThrownBy(() -> GatewayOptions.from(new Settings()
        .override("http.maxHeaderSize", "100", "--http-max-header-size")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("--http-max-header-size: must be between 1Ki and 1Mi, got 100");
  }

  @Test
  void theShippedConfigFileSaysTheDefaults() {
    HttpLimits shipped = GatewayOptions.from(Settings.fromYamlFile(Path.of("conf/gateway.yaml")))
        .http();
    assertThat(shipped).isEqualTo(HttpLimits.DEFAULT);
  }
}
