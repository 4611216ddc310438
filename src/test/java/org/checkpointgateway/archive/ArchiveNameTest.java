package org.checkpointgateway.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ArchiveNameTest {

  @Test
  void gatewayAndKubeletNamesParse() {
    ArchiveName gateway = ArchiveName.parse(
        "checkpoint-demo_default-app-2026-11-27T19:20:31.118732410Z.tar").orElseThrow();
    assertThat(gateway.pod()).isEqualTo("demo");
    assertThat(gateway.namespaceAndContainer()).isEqualTo("default-app");
    assertThat(gateway.timestamp()).isEqualTo(Instant.parse("2026-11-27T19:20:31.118732410Z"));
    assertThat(gateway.unambiguousSplit()).hasValueSatisfying(split ->
        assertThat(split).containsExactly("default", "app"));

    // The kubelet's own: to the second, with the node's offset.
    ArchiveName kubelet = ArchiveName.parse(
        "checkpoint-counters_default-counter-2023-02-13T16:20:09+01:00.tar").orElseThrow();
    assertThat(kubelet.timestamp()).isEqualTo(Instant.parse("2023-02-13T15:20:09Z"));
  }

  @Test
  void dashesMakeTheNamespaceAmbiguous() {
    ArchiveName name = ArchiveName.parse(
        "checkpoint-web_team-a-nginx-proxy-2026-01-01T00:00:00.000000000Z.tar").orElseThrow();
    assertThat(name.namespaceCandidates()).containsExactly("team", "team-a", "team-a-nginx");
    assertThat(name.unambiguousSplit()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"..", ".", "", "notes.txt", ".checkpoint-gateway-pins.json",
      "checkpoint-demo_default-app.tar", "checkpoint-demo_default-app-2026-11-27T19:20:31Z.tar.gz",
      "checkpoint-../default-app-2026-11-27T19:20:31Z.tar",
      "checkpoint-demo_default-app-2026-11-27T19:20:31Z.tar/../../etc/passwd",
      "checkpoint-demo_../../etc-2026-11-27T19:20:31Z.tar",
      "checkpoint-demo_default/app-2026-11-27T19:20:31Z.tar",
      "checkpoint-demo_default-app-2026-13-45T19:20:31Z.tar"})
  void otherNamesAreNotArchives(String name) {
    assertThat(ArchiveName.isArchiveName(name)).isFalse();
  }
}
