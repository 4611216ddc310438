package org.checkpointgateway.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.checkpointgateway.archive.criu.CoreEntry;
import org.checkpointgateway.archive.criu.DumpStatsEntry;
import org.checkpointgateway.archive.criu.InventoryEntry;
import org.checkpointgateway.archive.criu.PstreeEntry;
import org.checkpointgateway.archive.criu.StatsEntry;
import org.checkpointgateway.archive.criu.TaskCoreEntry;

/**
 * Checkpoint archives laid out as CRI-O, containerd 2.x and Podman write them, with known
 * contents: the metadata members each engine writes, CRIU images in CRIU's file format
 * (magic numbers, then length-prefixed protobuf entries), memory pages and a root-fs diff of
 * known sizes.
 */
public final class ArchiveFixtures {

  public static final int IMG_COMMON_MAGIC = 0x54564319;
  public static final int IMG_SERVICE_MAGIC = 0x55105940;
  public static final int STATS_MAGIC = 0x57093306;
  public static final int INVENTORY_MAGIC = 0x58313116;
  public static final int PSTREE_MAGIC = 0x50273030;
  public static final int CORE_MAGIC = 0x55053847;

  public static final Instant CREATED = Instant.parse("2026-03-01T09:00:00.123456789Z");
  public static final Instant CHECKPOINTED = Instant.parse("2026-03-02T10:30:00.5Z");
  /** Known dump statistics: freezing 1200 us, frozen 56000, memdump 30000, memwrite 21000, 9000 pages scanned, 100 skipped, 8900 written. */
  public static final DumpStatsEntry STATS = DumpStatsEntry.newBuilder()
      .setFreezingTime(1200).setFrozenTime(56000).setMemdumpTime(30000).setMemwriteTime(21000)
      .setPagesScanned(9000).setPagesSkippedParent(100).setPagesWritten(8900).setPagesLazy(0)
      .build();
  public static final long PAGES_1 = 3 * 4096;
  public static final long PAGES_2 = 5 * 4096;
  public static final long ROOTFS_DIFF = 10_240;
  /** The gateway's archive-name timestamps. */
  public static final java.time.format.DateTimeFormatter TIMESTAMP = java.time.format.DateTimeFormatter
      .ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(java.time.ZoneOffset.UTC);

  private ArchiveFixtures() {
  }

  /** A tar under construction: members in the order given. */
  public static final class Builder {
    private final List<Object[]> members = new ArrayList<>();

    public Builder file(String name, byte[] content) {
      members.add(new Object[] {name, content});
      return this;
    }

    public Builder json(String name, JsonObject content) {
      return file(name, content.encodePrettily().getBytes(StandardCharsets.UTF_8));
    }

    public Builder text(String name, String content) {
      return file(name, content.getBytes(StandardCharsets.UTF_8));
    }

    /** A member of {@code size} bytes of a repeating pattern (memory pages, a root-fs diff). */
    public Builder sized(String name, long size) {
      members.add(new Object[] {name, size});
      return this;
    }

    public Builder directory(String name) {
      members.add(new Object[] {name, null});
      return this;
    }

    /** Writes the archive (mode 0600) and sets its modification time. */
    public Path writeTo(Path archive, Instant modified) {
      try (OutputStream out = Files.newOutputStream(archive);
          TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        for (Object[] member : members) {
          String name = (String) member[0];
          if (member[1] == null) {
            TarArchiveEntry entry = new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
            tar.putArchiveEntry(entry);
            tar.closeArchiveEntry();
            continue;
          }
          TarArchiveEntry entry = new TarArchiveEntry(name);
          entry.setMode(0600);
          if (member[1] instanceof byte[] bytes) {
            entry.setSize(bytes.length);
            tar.putArchiveEntry(entry);
            tar.write(bytes);
          } else {
            long size = (Long) member[1];
            entry.setSize(size);
            tar.putArchiveEntry(entry);
            byte[] chunk = new byte[8192];
            Arrays.fill(chunk, (byte) 0x5a);
            for (long left = size; left > 0; left -= chunk.length) {
              tar.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
          }
          tar.closeArchiveEntry();
        }
        tar.finish();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      try {
        Files.setLastModifiedTime(archive, FileTime.from(modified));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return archive;
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The CRIU image directory every fixture carries: two processes, two page files. */
  static Builder criuImages(Builder b) {
    return b.directory("checkpoint")
        .file("checkpoint/core-1.img", image(CORE_MAGIC, core("java")))
        .file("checkpoint/core-7.img", image(CORE_MAGIC, core("sh")))
        .file("checkpoint/inventory.img", inventory())
        .sized("checkpoint/pages-1.img", PAGES_1)
        .sized("checkpoint/pages-2.img", PAGES_2)
        .file("checkpoint/pstree.img", image(PSTREE_MAGIC,
            PstreeEntry.newBuilder().setPid(1).setPpid(0).setPgid(1).setSid(1).addThreads(1)
                .addThreads(2).addThreads(3).build().toByteArray(),
            PstreeEntry.newBuilder().setPid(7).setPpid(1).setPgid(1).setSid(1).addThreads(7)
                .build().toByteArray()));
  }

  /** CRI-O: kubelet names in the annotations, io.container.manager cri-o, its Metadata annotation. */
  public static Path crio(Path archive, String namespace, String pod, String container, Instant modified) {
    JsonObject annotations = new JsonObject()
        .put("io.container.manager", "cri-o")
        .put("io.kubernetes.pod.namespace", namespace)
        .put("io.kubernetes.pod.name", pod)
        .put("io.kubernetes.container.name", container)
        .put("io.kubernetes.cri-o.Metadata", new JsonObject().put("name", container).encode())
        .put("io.kubernetes.cri-o.Created", CREATED.toString());
    return criuImages(builder())
        .json("config.dump", config("crio-" + container + "-0123456789abcdef", "k8s_" + container
            + "_" + pod + "_" + namespace + "_uid_0", "crun"))
        .json("spec.dump", spec(annotations, "java", "-jar", "app.jar"))
        .sized("rootfs-diff.tar", ROOTFS_DIFF)
        .text("deleted.files", "[]")
        .file("stats-dump", stats())
        .text("dump.log", "(00.000000) Version: 3.19\n")
        .writeTo(archive, modified);
  }

  /**
   * containerd 2.x: members sorted by name (checkpoint/ first), no io.container.manager, its own
   * io.kubernetes.cri.* annotations, and status.dump: the CRI ContainerStatus as JSON.
   */
  public static Path containerd(Path archive, String namespace, String pod, String container, Instant modified) {
    JsonObject annotations = new JsonObject()
        .put("io.kubernetes.cri.container-type", "container")
        .put("io.kubernetes.cri.container-name", container)
        .put("io.kubernetes.cri.sandbox-name", pod)
        .put("io.kubernetes.cri.sandbox-namespace", namespace)
        .put("io.kubernetes.cri.image-name", "docker.io/library/redis:7");
    JsonObject status = new JsonObject()
        .put("id", "ctrd" + container + "fedcba9876543210")
        .put("metadata", new JsonObject().put("name", container))
        .put("state", 1)
        .put("image", new JsonObject().put("image", "docker.io/library/redis:7"))
        .put("image_ref", "docker.io/library/redis@sha256:abc")
        .put("labels", new JsonObject().put("io.kubernetes.pod.namespace", namespace)
            .put("io.kubernetes.pod.name", pod).put("io.kubernetes.container.name", container));
    return criuImages(builder())
        .json("config.dump", config("ctrd" + container + "fedcba9876543210", container,
            "io.containerd.runc.v2"))
        .text("container.log", "ready\n")
        .text("dump.log", "(00.000000) Version: 4.0\n")
        .sized("rootfs-diff.tar", ROOTFS_DIFF)
        .json("spec.dump", spec(annotations, "redis-server"))
        .file("stats-dump", stats())
        .json("status.dump", status)
        .writeTo(archive, modified);
  }

  /** Podman: io.container.manager libpod, its own container name, no Kubernetes names. */
  public static Path podman(Path archive, String name, Instant modified) {
    JsonObject annotations = new JsonObject().put("io.container.manager", "libpod")
        .put("org.opencontainers.image.stopSignal", "15");
    return criuImages(builder())
        .json("config.dump", config("f11d11844af0aaaaaaaa", name, "crun"))
        .json("spec.dump", spec(annotations, "/usr/bin/wildfly"))
        .text("network.status", "[]")
        .sized("rootfs-diff.tar", ROOTFS_DIFF)
        .file("stats-dump", stats())
        .writeTo(archive, modified);
  }

  /** A small, valid archive of the given container (CRI-O layout) for listing and retention tests. */
  public static Path small(Path dir, String namespace, String pod, String container, Instant checkpointed) {
    String name = "checkpoint-" + pod + "_" + namespace + "-" + container + "-"
        + TIMESTAMP.format(checkpointed) + ".tar";
    JsonObject annotations = new JsonObject()
        .put("io.container.manager", "cri-o")
        .put("io.kubernetes.pod.namespace", namespace)
        .put("io.kubernetes.pod.name", pod)
        .put("io.kubernetes.container.name", container);
    return builder()
        .json("config.dump", config("id-" + container, container, "runc")
            .put("checkpointedTime", checkpointed.toString()))
        .json("spec.dump", spec(annotations, "sleep"))
        .sized("checkpoint/pages-1.img", 4096)
        .writeTo(dir.resolve(name), checkpointed);
  }

  static JsonObject config(String id, String name, String runtime) {
    return new JsonObject().put("id", id).put("name", name)
        .put("rootfsImage", "quay.io/example/app:1.0")
        .put("rootfsImageRef", "quay.io/example/app@sha256:0123")
        .put("rootfsImageName", "quay.io/example/app:1.0")
        .put("runtime", runtime)
        .put("createdTime", CREATED.toString())
        .put("checkpointedTime", "2026-03-02T11:30:00.5+01:00");
  }

  static JsonObject spec(JsonObject annotations, String... args) {
    return new JsonObject().put("ociVersion", "1.2.0")
        .put("process", new JsonObject().put("args", new JsonArray(List.of((Object[]) args))))
        .put("annotations", annotations);
  }

  public static byte[] stats() {
    return service(STATS_MAGIC, StatsEntry.newBuilder().setDump(STATS).build().toByteArray());
  }

  static byte[] inventory() {
    byte[] entry = InventoryEntry.newBuilder().setImgVersion(2).setFdinfoPerId(true).build().toByteArray();
    ByteBuffer b = ByteBuffer.allocate(8 + entry.length).order(ByteOrder.LITTLE_ENDIAN);
    return b.putInt(INVENTORY_MAGIC).putInt(entry.length).put(entry).array();
  }

  static byte[] core(String comm) {
    return CoreEntry.newBuilder().setMtype(CoreEntry.March.X86_64)
        .setTc(TaskCoreEntry.newBuilder().setTaskState(1).setExitCode(0).setPersonality(0)
            .setFlags(0).setBlkSigset(0).setComm(comm))
        .build().toByteArray();
  }

  static byte[] image(int magic, byte[]... entries) {
    return withMagics(new int[] {IMG_COMMON_MAGIC, magic}, entries);
  }

  static byte[] service(int magic, byte[]... entries) {
    return withMagics(new int[] {IMG_SERVICE_MAGIC, magic}, entries);
  }

  private static byte[] withMagics(int[] magics, byte[]... entries) {
    int size = 4 * magics.length;
    for (byte[] e : entries) {
      size += 4 + e.length;
    }
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    for (int m : magics) {
      b.putInt(m);
    }
    for (byte[] e : entries) {
      b.putInt(e.length).put(e);
    }
    return b.array();
  }
}
