package org.checkpointgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.checkpointgateway.archive.RetentionPolicies;
import org.checkpointgateway.archive.RetentionPolicies.Limits;
import org.checkpointgateway.archive.RetentionPolicies.Scoped;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code retention.global}, {@code .namespaces}, {@code .pods}, {@code .containers}: the operator's model. */
class RetentionPolicyOptionTest {

  static final long GI = 1L << 30;

  @TempDir
  Path dir;

  RetentionPolicies read(String yaml) throws IOException {
    return GatewayOptions.from(Settings.fromYamlFile(Files.writeString(dir.resolve("g.yaml"), yaml)))
        .retention().policies();
  }

  @Test
  void theIssuesExampleReadsAsTheOperatorMeansIt() throws IOException {
    RetentionPolicies policies = read("""
        retention:
          global: {maxCheckpointsPerContainer: 10, maxTotalSizePerNamespace: 50Gi, retainOrphan: true}
          namespaces:
            - {namespace: team-a, maxCheckpoints: 5, maxCheckpointSize: 4Gi}
          containers:
            - {namespace: team-a, pod: web, container: nginx, maxCheckpoints: 2}
        """);

    assertThat(policies.perContainer()).isEqualTo(new Limits(OptionalInt.of(10), OptionalLong.empty(),
        OptionalLong.empty()));
    assertThat(policies.perNamespace().maxTotalSize()).hasValue(50 * GI);
    assertThat(policies.perPod().isSet()).isFalse();
    assertThat(policies.namespaces()).containsExactly(new Scoped("team-a", null, null,
        new Limits(OptionalInt.of(5), OptionalLong.of(4 * GI), OptionalLong.empty())));
    assertThat(policies.containers()).containsExactly(new Scoped("team-a", "web", "nginx",
        new Limits(OptionalInt.of(2), OptionalLong.empty(), OptionalLong.empty())));
  }

  @Test
  void offUnlessSomethingIsSetAndTheFlagIsTheGlobalShorthand() throws IOException {
    assertThat(GatewayOptions.from(new Settings()).retention().enabled()).isFalse();
    assertThat(GatewayOptions.from(Settings.fromYamlFile(Path.of("conf/gateway.yaml")))
        .retention().enabled()).isFalse();
    Settings flag = new Settings().override("retention.perContainer", "3", "--retain-per-container");
    assertThat(GatewayOptions.from(flag).retention().policies().perContainer().maxCheckpoints())
        .hasValue(3);
    Path file = Files.writeString(dir.resolve("both.yaml"),
        "retention: {global: {maxCheckpointsPerContainer: 4}}\n");
    assertThatThrownBy(() -> GatewayOptions.from(Settings.fromYamlFile(file)
        .override("retention.perContainer", "3", "--retain-per-container")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("disagree");
  }

  @Test
  void retainOrphanIsReadAtEachLevelAndAGlobalTrueSetsNothing() throws IOException {
    RetentionPolicies policies = read("""
        retention:
          global: {retainOrphan: false}
          namespaces:
            - {namespace: keep, retainOrphan: true}
          containers:
            - {namespace: a, pod: b, container: c, maxCheckpoints: 2, retainOrphan: false}
        """);
    assertThat(policies.perContainer().removesOrphans()).isTrue();
    assertThat(policies.namespaces().get(0).limits().retainOrphan()).hasValue(true);
    assertThat(policies.containers().get(0).limits().removesOrphans()).isTrue();
    assertThat(GatewayOptions.from(Settings.fromYamlFile(Files.writeString(dir.resolve("t.yaml"),
        "retention: {global: {retainOrphan: true}}\n"))).retention().enabled()).isFalse();
    assertThat(GatewayOptions.from(Settings.fromYamlFile(Files.writeString(dir.resolve("f.yaml"),
        "retention: {global: {retainOrphan: false}}\n"))).retention().enabled()).isTrue();
  }

  @Test
  void mistakesStopStartUpNamingWhere() {
    assertThatThrownBy(() -> read("retention: {global: {maxCheckpointSize: 4}}\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("give a unit (4Mi");
    assertThatThrownBy(() -> read("retention: {global: {retainOrphan: maybe}}\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("must be true or false, got maybe");
    assertThatThrownBy(() -> read("retention: {pods: [{namespace: a, pod: b, maxCheckpoint: 3}]}\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("[0].maxCheckpoint: unknown setting");
    assertThatThrownBy(() -> read("retention: {pods: [{namespace: a, maxCheckpoints: 3}]}\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("[0].pod: required");
    assertThatThrownBy(() -> read("retention: {namespaces: [{namespace: a}]}\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("sets no limit");
    assertThatThrownBy(() -> read("retention: {namespaces: [{namespace: a, maxCheckpoints: 0}]}\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("at least 1");
    assertThatThrownBy(() -> read("retention: {global: {maxCheckpointsPerPods: 3}}\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("unknown setting");
  }
}
