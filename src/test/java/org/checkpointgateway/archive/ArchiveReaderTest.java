package org.checkpointgateway.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.time.Instant;
import org.checkpointgateway.support.ArchiveFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Inspection of archives laid out as each engine writes them. */
class ArchiveReaderTest {

  @TempDir
  Path dir;

  static final Instant WHEN = Instant.parse("2026-03-02T10:30:00Z");

  @Test
  void crioArchive() throws IOException {
    Path archive = ArchiveFixtures.crio(dir.resolve("crio.tar"), "team-a", "web-7d9", "nginx-proxy", WHEN);
    ArchiveInspection inspection = ArchiveReader.inspect(archive, Files.size(archive));
    ArchiveFacts facts = inspection.facts();

    assertThat(facts.engine()).isEqualTo("CRI-O");
    assertThat(facts.manager()).isEqualTo("cri-o");
    assertThat(facts.namespace()).isEqualTo("team-a");
    assertThat(facts.pod()).isEqualTo("web-7d9");
    assertThat(facts.container()).isEqualTo("nginx-proxy");
    assertThat(facts.containerId()).isEqualTo("crio-nginx-proxy-0123456789abcdef");
    assertThat(facts.runtime()).isEqualTo("crun");
    assertThat(facts.image()).isEqualTo("quay.io/example/app:1.0");
    assertThat(facts.imageRef()).isEqualTo("quay.io/example/app@sha256:0123");
    assertThat(facts.createdTime()).isEqualTo(ArchiveFixtures.CREATED.toString());
    // Written with a +01:00 offset; the same instant.
    assertThat(facts.checkpointedTime()).isEqualTo(ArchiveFixtures.CHECKPOINTED);
    assertThat(inspection.command()).containsExactly("java", "-jar", "app.jar");
    assertCommonImages(inspection, archive);
  }

  @Test
  void containerdArchiveIsReadFromItsOwnAnnotationsAndStatusDump() throws IOException {
    Path archive = ArchiveFixtures.containerd(dir.resolve("ctrd.tar"), "kube-system", "dns-abc", "coredns", WHEN);
    ArchiveInspection inspection = ArchiveReader.inspect(archive, Files.size(archive));
    ArchiveFacts facts = inspection.facts();

    assertThat(facts.engine()).isEqualTo("containerd");
    assertThat(facts.manager()).isNull();
    assertThat(facts.namespace()).isEqualTo("kube-system");
    assertThat(facts.pod()).isEqualTo("dns-abc");
    assertThat(facts.container()).isEqualTo("coredns");
    assertThat(facts.runtime()).isEqualTo("io.containerd.runc.v2");
    assertThat(inspection.command()).containsExactly("redis-server");
    assertThat(inspection.members()).extracting(ArchiveInspection.Member::name)
        .contains("status.dump", "container.log");
    assertCommonImages(inspection, archive);
  }

  @Test
  void theOperatorsOtherIdentitySourcesNameTheContainer() throws IOException {
    // The engine-neutral org.criu.checkpoint.* annotations, as the checkpoint-restore-operator reads them.
    Path criu = ArchiveFixtures.builder()
        .json("spec.dump", new io.vertx.core.json.JsonObject().put("annotations",
            new io.vertx.core.json.JsonObject().put("org.criu.checkpoint.pod.namespace", "ops")
                .put("org.criu.checkpoint.pod.name", "batch-7")
                .put("org.criu.checkpoint.container.name", "worker")))
        .writeTo(dir.resolve("criu.tar"), WHEN);
    ArchiveFacts facts = ArchiveReader.facts(criu);
    assertThat(List.of(facts.namespace(), facts.pod(), facts.container()))
        .containsExactly("ops", "batch-7", "worker");
    // CRI-O's labels: a JSON map inside one annotation.
    Path crioLabels = ArchiveFixtures.builder()
        .json("spec.dump", new io.vertx.core.json.JsonObject().put("annotations",
            new io.vertx.core.json.JsonObject().put("io.kubernetes.cri-o.Labels",
                new io.vertx.core.json.JsonObject().put("io.kubernetes.pod.namespace", "ops")
                    .put("io.kubernetes.pod.name", "batch-8")
                    .put("io.kubernetes.container.name", "worker").encode())))
        .writeTo(dir.resolve("labels.tar"), WHEN);
    facts = ArchiveReader.facts(crioLabels);
    assertThat(List.of(facts.namespace(), facts.pod(), facts.container()))
        .containsExactly("ops", "batch-8", "worker");
  }

  @Test
  void containerdStatusDumpAloneNamesTheContainer() throws IOException {
    // An archive whose spec.dump lacks the cri annotations: status.dump's labels still tell.
    io.vertx.core.json.JsonObject status = new io.vertx.core.json.JsonObject()
        .put("id", "abc").put("metadata", new io.vertx.core.json.JsonObject().put("name", "db"))
        .put("labels", new io.vertx.core.json.JsonObject()
            .put("io.kubernetes.pod.namespace", "prod").put("io.kubernetes.pod.name", "db-0"));
    Path archive = ArchiveFixtures.builder()
        .json("spec.dump", new io.vertx.core.json.JsonObject().put("ociVersion", "1.2.0"))
        .json("status.dump", status)
        .writeTo(dir.resolve("s.tar"), WHEN);
    ArchiveFacts facts = ArchiveReader.facts(archive);
    assertThat(facts.namespace()).isEqualTo("prod");
    assertThat(facts.pod()).isEqualTo("db-0");
    assertThat(facts.container()).isEqualTo("db");
    assertThat(facts.containerId()).isEqualTo("abc");
  }

  @Test
  void podmanArchiveHasNoKubernetesNames() throws IOException {
    Path archive = ArchiveFixtures.podman(dir.resolve("podman.tar"), "magical_murdock", WHEN);
    ArchiveInspection inspection = ArchiveReader.inspect(archive, Files.size(archive));
    ArchiveFacts facts = inspection.facts();

    assertThat(facts.engine()).isEqualTo("Podman");
    assertThat(facts.manager()).isEqualTo("libpod");
    assertThat(facts.namespace()).isNull();
    assertThat(facts.pod()).isNull();
    assertThat(facts.container()).isEqualTo("magical_murdock");
    assertThat(facts.containerId()).isEqualTo("f11d11844af0aaaaaaaa");
    assertCommonImages(inspection, archive);
  }

  private static void assertCommonImages(ArchiveInspection inspection, Path archive) throws IOException {
    ArchiveInspection.Sizes sizes = inspection.sizes();
    assertThat(sizes.archive()).isEqualTo(Files.size(archive));
    assertThat(sizes.memoryPages()).isEqualTo(ArchiveFixtures.PAGES_1 + ArchiveFixtures.PAGES_2);
    assertThat(sizes.rootfsDiff()).isEqualTo(ArchiveFixtures.ROOTFS_DIFF);
    long smallImages = Files.size(archive) > 0 ? inspection.members().stream()
        .filter(m -> m.name().startsWith("checkpoint/") && m.type().equals("file")
            && !m.name().startsWith("checkpoint/pages-"))
        .mapToLong(ArchiveInspection.Member::size).sum() : 0;
    assertThat(sizes.criuImages()).isEqualTo(sizes.memoryPages() + smallImages);
    assertThat(smallImages).isPositive();

    ArchiveInspection.DumpStats stats = inspection.dumpStats();
    assertThat(stats).isEqualTo(new ArchiveInspection.DumpStats(1200, 56000, 30000, 21000, 9000, 100, 8900, 0));
    assertThat(inspection.criuImagesVersion()).isEqualTo(2);
    assertThat(inspection.processes()).containsExactly(
        new ArchiveInspection.Process(1, 0, 1, 1, 3, "java"),
        new ArchiveInspection.Process(7, 1, 1, 1, 1, "sh"));
    assertThat(inspection.memberCount()).isEqualTo(inspection.members().size());
    assertThat(inspection.members()).extracting(ArchiveInspection.Member::name)
        .contains("checkpoint", "config.dump", "spec.dump", "stats-dump", "checkpoint/pages-1.img");
  }

  @Test
  void statsDumpWithTheWrongMagicIsRefused() throws IOException {
    byte[] wrong = ArchiveFixtures.stats();
    wrong[4] ^= 0x01;
    Path archive = ArchiveFixtures.builder()
        .json("config.dump", new io.vertx.core.json.JsonObject().put("id", "x"))
        .file("stats-dump", wrong)
        .writeTo(dir.resolve("bad.tar"), WHEN);
    assertThatThrownBy(() -> ArchiveReader.inspect(archive, Files.size(archive)))
        .isInstanceOf(IOException.class).hasMessageContaining("stats-dump");
  }

  @Test
  void aFileThatIsNoCheckpointIsRefused() throws IOException {
    Path notTar = Files.writeString(dir.resolve("x.tar"), "hello, not a tar at all");
    assertThatThrownBy(() -> ArchiveReader.facts(notTar)).isInstanceOf(IOException.class);
    Path otherTar = ArchiveFixtures.builder().text("README", "hi").writeTo(dir.resolve("y.tar"), WHEN);
    assertThatThrownBy(() -> ArchiveReader.facts(otherTar)).isInstanceOf(IOException.class)
        .hasMessageContaining("not a container checkpoint");
  }

  @Test
  void symbolicLinksAreNotFollowed() throws IOException {
    Path target = ArchiveFixtures.crio(dir.resolve("real.tar"), "a", "p", "c", WHEN);
    Path link = Files.createSymbolicLink(dir.resolve("link.tar"), target);
    assertThatThrownBy(() -> ArchiveReader.facts(link)).isInstanceOf(IOException.class);
  }
}
