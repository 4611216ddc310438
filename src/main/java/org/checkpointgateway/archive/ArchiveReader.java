package org.checkpointgateway.archive;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;
import org.checkpointgateway.archive.ArchiveInspection.DumpStats;
import org.checkpointgateway.archive.ArchiveInspection.Member;
import org.checkpointgateway.archive.ArchiveInspection.Sizes;
import org.checkpointgateway.archive.criu.CoreEntry;
import org.checkpointgateway.archive.criu.DumpStatsEntry;
import org.checkpointgateway.archive.criu.InventoryEntry;
import org.checkpointgateway.archive.criu.PstreeEntry;
import org.checkpointgateway.archive.criu.StatsEntry;

/**
 * Reads checkpoint archives. Every method blocks: callers run them on worker threads.
 *
 * <p>The tar is read with commons-compress's {@link TarFile}, which seeks from header to header:
 * the memory pages (gigabytes) and the root-fs diff are never read, only the few small members
 * asked for. ({@code TarArchiveInputStream} skips by reading, so reading the metadata of a
 * containerd archive, whose {@code checkpoint/} directory comes first, would read it all.) The
 * file is opened without following symbolic links.
 */
final class ArchiveReader {

  /** spec.dump is tens of KiB; a metadata member larger than this is not one a runtime wrote. */
  static final long MAX_JSON_BYTES = 8L << 20;
  private static final long MAX_IMAGE_BYTES = 4L << 20;
  private static final int MAX_PROCESSES = 4096;

  private ArchiveReader() {
  }

  /** The metadata members' account of the container. */
  static ArchiveFacts facts(Path archive) throws IOException {
    try (Opened opened = open(archive)) {
      return facts(opened);
    }
  }

  /** Everything an inspector shows. */
  static ArchiveInspection inspect(Path archive, long archiveSize) throws IOException {
    try (Opened opened = open(archive)) {
      ArchiveFacts facts = facts(opened);
      JsonObject spec = opened.json("spec.dump");
      List<String> command = new ArrayList<>();
      if (spec != null && spec.getValue("process") instanceof JsonObject process
          && process.getValue("args") instanceof JsonArray args) {
        args.forEach(arg -> command.add(String.valueOf(arg)));
      }
      long criuImages = 0;
      long pages = 0;
      long rootfsDiff = 0;
      List<Member> members = new ArrayList<>();
      for (TarArchiveEntry entry : opened.tar.getEntries()) {
        String name = normalise(entry.getName());
        if (entry.isFile() && name.startsWith("checkpoint/")) {
          criuImages += entry.getSize();
          if (name.startsWith("checkpoint/pages-")) {
            pages += entry.getSize();
          }
        } else if (entry.isFile() && name.equals("rootfs-diff.tar")) {
          rootfsDiff = entry.getSize();
        }
        if (members.size() < ArchiveInspection.MAX_MEMBERS) {
          members.add(new Member(name, entry.getSize(), type(entry)));
        }
      }
      return new ArchiveInspection(facts, List.copyOf(command),
          new Sizes(archiveSize, criuImages, pages, rootfsDiff), dumpStats(opened),
          imagesVersion(opened), processes(opened), List.copyOf(members),
          opened.tar.getEntries().size());
    }
  }

  private static ArchiveFacts facts(Opened opened) throws IOException {
    JsonObject config = opened.json("config.dump");
    JsonObject spec = opened.json("spec.dump");
    JsonObject status = opened.json("status.dump");
    if (config == null && spec == null && status == null) {
      throw new IOException("no config.dump, spec.dump or status.dump: not a container checkpoint");
    }
    JsonObject annotations = object(spec, "annotations");
    JsonObject labels = object(status, "labels");
    String manager = string(annotations, "io.container.manager");
    String engine = manager == null ? ArchiveFacts.CONTAINERD : switch (manager) {
      case "cri-o" -> ArchiveFacts.CRIO;
      case "libpod" -> ArchiveFacts.PODMAN;
      case "checkpoint-gateway-simulator" -> ArchiveFacts.SIMULATOR;
      default -> manager;
    };
    // CRI-O and the simulator annotate with the kubelet's label names, containerd with its own
    // io.kubernetes.cri.* names; containerd's status.dump carries the kubelet's labels too.
    String namespace = first(string(annotations, "io.kubernetes.pod.namespace"),
        string(annotations, "io.kubernetes.cri.sandbox-namespace"),
        string(labels, "io.kubernetes.pod.namespace"));
    String pod = first(string(annotations, "io.kubernetes.pod.name"),
        string(annotations, "io.kubernetes.cri.sandbox-name"),
        string(labels, "io.kubernetes.pod.name"));
    String container = first(string(annotations, "io.kubernetes.container.name"),
        string(annotations, "io.kubernetes.cri.container-name"),
        crioMetadataName(string(annotations, "io.kubernetes.cri-o.Metadata")),
        string(labels, "io.kubernetes.container.name"),
        string(object(status, "metadata"), "name"),
        // Podman: no Kubernetes names, only its own container name.
        ArchiveFacts.PODMAN.equals(engine) ? string(config, "name") : null);
    return new ArchiveFacts(namespace, pod, container, engine, manager,
        first(string(config, "id"), string(status, "id")),
        first(string(config, "rootfsImageName"), string(config, "rootfsImage"),
            string(object(status, "image"), "image")),
        first(string(config, "rootfsImageRef"), string(status, "image_ref")),
        string(config, "runtime"),
        first(string(config, "createdTime"), string(annotations, "io.kubernetes.cri-o.Created")),
        instant(first(string(config, "checkpointedTime"), string(config, "checkpointedAt"))));
  }

  private static DumpStats dumpStats(Opened opened) throws IOException {
    byte[] entry = opened.imageEntry("stats-dump", CriuImageReader.STATS_MAGIC);
    if (entry == null) {
      return null;
    }
    StatsEntry stats = StatsEntry.parseFrom(entry);
    if (!stats.hasDump()) {
      return null;
    }
    DumpStatsEntry d = stats.getDump();
    return new DumpStats(Integer.toUnsignedLong(d.getFreezingTime()),
        Integer.toUnsignedLong(d.getFrozenTime()), Integer.toUnsignedLong(d.getMemdumpTime()),
        Integer.toUnsignedLong(d.getMemwriteTime()), d.getPagesScanned(),
        d.getPagesSkippedParent(), d.getPagesWritten(), d.getPagesLazy());
  }

  private static Integer imagesVersion(Opened opened) throws IOException {
    byte[] entry = opened.imageEntry("checkpoint/inventory.img", CriuImageReader.INVENTORY_MAGIC);
    return entry == null ? null : InventoryEntry.parseFrom(entry).getImgVersion();
  }

  private static List<ArchiveInspection.Process> processes(Opened opened) throws IOException {
    TarArchiveEntry pstree = opened.entries.get("checkpoint/pstree.img");
    if (pstree == null) {
      return List.of();
    }
    List<ArchiveInspection.Process> processes = new ArrayList<>();
    for (byte[] bytes : opened.imageEntries(pstree, CriuImageReader.PSTREE_MAGIC)) {
      if (processes.size() >= MAX_PROCESSES) {
        break;
      }
      PstreeEntry p = PstreeEntry.parseFrom(bytes);
      String comm = null;
      byte[] core = opened.imageEntry("checkpoint/core-" + Integer.toUnsignedString(p.getPid()) + ".img",
          CriuImageReader.CORE_MAGIC);
      if (core != null) {
        CoreEntry entry = CoreEntry.parseFrom(core);
        comm = entry.hasTc() && entry.getTc().hasComm() ? entry.getTc().getComm() : null;
      }
      processes.add(new ArchiveInspection.Process(p.getPid(), p.getPpid(), p.getPgid(),
          p.getSid(), Math.max(1, p.getThreadsCount()), comm));
    }
    return List.copyOf(processes);
  }

  private static Opened open(Path archive) throws IOException {
    SeekableByteChannel channel = Files.newByteChannel(archive,
        Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
    try {
      return new Opened(new TarFile(channel));
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** An open archive and its members by name. */
  private static final class Opened implements AutoCloseable {
    final TarFile tar;
    final Map<String, TarArchiveEntry> entries = new LinkedHashMap<>();

    Opened(TarFile tar) {
      this.tar = tar;
      for (TarArchiveEntry entry : tar.getEntries()) {
        entries.putIfAbsent(normalise(entry.getName()), entry);
      }
    }

    JsonObject json(String member) throws IOException {
      TarArchiveEntry entry = entries.get(member);
      if (entry == null || !entry.isFile() || entry.getSize() > MAX_JSON_BYTES) {
        return null;
      }
      try (InputStream in = tar.getInputStream(entry)) {
        return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (DecodeException | ClassCastException e) {
        throw new IOException(member + " is not a JSON object: " + e.getMessage(), e);
      }
    }

    byte[] imageEntry(String member, int magic) throws IOException {
      TarArchiveEntry entry = entries.get(member);
      if (entry == null) {
        return null;
      }
      List<byte[]> list = imageEntries(entry, magic);
      return list.isEmpty() ? null : list.get(0);
    }

    List<byte[]> imageEntries(TarArchiveEntry entry, int magic) throws IOException {
      if (!entry.isFile() || entry.getSize() > MAX_IMAGE_BYTES) {
        throw new IOException(entry.getName() + " is not a CRIU image this reader accepts");
      }
      try (InputStream in = tar.getInputStream(entry)) {
        return CriuImageReader.entries(in, magic);
      } catch (IOException e) {
        throw new IOException(entry.getName() + ": " + e.getMessage(), e);
      }
    }

    @Override
    public void close() throws IOException {
      tar.close();
    }
  }

  static String normalise(String name) {
    String n = name;
    while (n.startsWith("./")) {
      n = n.substring(2);
    }
    return n.endsWith("/") ? n.substring(0, n.length() - 1) : n;
  }

  private static String type(TarArchiveEntry entry) {
    if (entry.isDirectory()) {
      return "directory";
    } else if (entry.isSymbolicLink()) {
      return "symlink";
    } else if (entry.isFile()) {
      return "file";
    }
    return "other";
  }

  private static JsonObject object(JsonObject parent, String key) {
    return parent != null && parent.getValue(key) instanceof JsonObject o ? o : null;
  }

  private static String string(JsonObject parent, String key) {
    return parent != null && parent.getValue(key) instanceof String s && !s.isBlank() ? s : null;
  }

  private static String crioMetadataName(String metadata) {
    if (metadata == null) {
      return null;
    }
    try {
      return string(new JsonObject(metadata), "name");
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  @SafeVarargs
  private static <T> T first(T... values) {
    for (T value : values) {
      if (value != null) {
        return value;
      }
    }
    return null;
  }

  private static Instant instant(String time) {
    if (time == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(time).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
