package org.checkpointgateway.archive;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.checkpointgateway.archive.ArchiveInspection.DumpStats;
import org.checkpointgateway.archive.ArchiveInspection.Member;
import org.checkpointgateway.archive.ArchiveInspection.Sizes;
import org.checkpointgateway.archive.criu.CoreEntry;
import org.checkpointgateway.archive.criu.DumpStatsEntry;
import org.checkpointgateway.archive.criu.InventoryEntry;
import org.checkpointgateway.archive.criu.PstreeEntry;
import org.checkpointgateway.archive.criu.StatsEntry;

/**
 * Reads checkpoint archives: what their metadata members say and what an inspector shows. The
 * tar is walked by {@link TarReader}, which seeks from header to header: the memory pages
 * (gigabytes) and the root-fs diff are never read, only the few small members asked for, and
 * every reading stays within its {@link ArchiveLimits}.
 *
 * <p>Every method blocks (callers run them on worker threads) and reads only the channel it is
 * given, which {@link SafeOpen} opened. Whatever the file holds, the only failure is an
 * {@link IOException} ({@link InspectionLimitException} when a limit is passed).
 */
final class ArchiveReader {

  /** spec.dump is tens of KiB; a metadata member larger than this is not one a runtime wrote. */
  static final long MAX_JSON_BYTES = 8L << 20;
  private static final long MAX_IMAGE_BYTES = 4L << 20;
  private static final int MAX_PROCESSES = 4096;
  private static final Set<String> METADATA = Set.of("config.dump", "spec.dump", "status.dump",
      "stats-dump", "checkpoint/inventory.img", "checkpoint/pstree.img");

  private ArchiveReader() {
  }

  /** The metadata members' account of the container. */
  static ArchiveFacts facts(SeekableByteChannel archive, ArchiveLimits limits) throws IOException {
    try {
      return facts(Opened.read(archive, limits));
    } catch (RuntimeException e) {
      throw malformed(e);
    }
  }

  /** Everything an inspector shows. */
  static ArchiveInspection inspect(SeekableByteChannel archive, long archiveSize,
      ArchiveLimits limits) throws IOException {
    try {
      return inspect(Opened.read(archive, limits), archiveSize);
    } catch (RuntimeException e) {
      throw malformed(e);
    }
  }

  /** {@link #facts(SeekableByteChannel, ArchiveLimits)} of the regular file {@code archive} is. */
  static ArchiveFacts facts(Path archive) throws IOException {
    try (SafeOpen.Opened file = SafeOpen.open(archive, FileIdentity.lstat(archive))) {
      return facts(file.channel(), ArchiveLimits.DEFAULTS);
    }
  }

  /** {@link #inspect(SeekableByteChannel, long, ArchiveLimits)} of the regular file {@code archive} is. */
  static ArchiveInspection inspect(Path archive, long archiveSize) throws IOException {
    try (SafeOpen.Opened file = SafeOpen.open(archive, FileIdentity.lstat(archive))) {
      return inspect(file.channel(), archiveSize, ArchiveLimits.DEFAULTS);
    }
  }

  private static IOException malformed(RuntimeException e) {
    return new IOException("malformed archive: " + e, e);
  }

  private static ArchiveInspection inspect(Opened opened, long archiveSize) throws IOException {
    ArchiveFacts facts = facts(opened);
    JsonObject spec = opened.json("spec.dump");
    List<String> command = new ArrayList<>();
    if (spec != null && spec.getValue("process") instanceof JsonObject process
        && process.getValue("args") instanceof JsonArray args) {
      args.forEach(arg -> command.add(String.valueOf(arg)));
    }
    return new ArchiveInspection(facts, List.copyOf(command),
        new Sizes(archiveSize, opened.criuImages, opened.pages, opened.rootfsDiff),
        dumpStats(opened), imagesVersion(opened), processes(opened), List.copyOf(opened.listed),
        opened.count);
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
    // The checkpoint-restore-operator's other two sources: CRI-O's labels (a JSON map in one
    // annotation) and the engine-neutral org.criu.checkpoint.* annotations.
    JsonObject crioLabels = jsonAnnotation(string(annotations, "io.kubernetes.cri-o.Labels"));
    String namespace = first(string(annotations, "io.kubernetes.pod.namespace"),
        string(annotations, "io.kubernetes.cri.sandbox-namespace"),
        string(annotations, "org.criu.checkpoint.pod.namespace"),
        string(crioLabels, "io.kubernetes.pod.namespace"),
        string(labels, "io.kubernetes.pod.namespace"));
    String pod = first(string(annotations, "io.kubernetes.pod.name"),
        string(annotations, "io.kubernetes.cri.sandbox-name"),
        string(annotations, "org.criu.checkpoint.pod.name"),
        string(crioLabels, "io.kubernetes.pod.name"),
        string(labels, "io.kubernetes.pod.name"));
    String container = first(string(annotations, "io.kubernetes.container.name"),
        string(annotations, "io.kubernetes.cri.container-name"),
        string(annotations, "org.criu.checkpoint.container.name"),
        string(crioLabels, "io.kubernetes.container.name"),
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
    TarReader.Member pstree = opened.wanted.get("checkpoint/pstree.img");
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

  /**
   * One walk of an archive: the members listed (the first {@link ArchiveInspection#MAX_MEMBERS}),
   * its sizes, and the metadata members by name (the first of each name), read on demand.
   */
  private static final class Opened implements TarReader.Visitor {
    final TarReader tar;
    final Map<String, TarReader.Member> wanted = new HashMap<>();
    final List<Member> listed = new ArrayList<>();
    // spec.dump is asked for twice; read and parse it once.
    private final Map<String, JsonObject> parsed = new HashMap<>();
    int count;
    long criuImages;
    long pages;
    long rootfsDiff;

    private Opened(TarReader tar) {
      this.tar = tar;
    }

    static Opened read(SeekableByteChannel archive, ArchiveLimits limits) throws IOException {
      Opened opened = new Opened(new TarReader(archive, limits));
      opened.count = opened.tar.members(opened);
      return opened;
    }

    @Override
    public void member(TarReader.Member entry) {
      String name = normalise(entry.name());
      if (entry.isFile() && name.startsWith("checkpoint/")) {
        criuImages += entry.size();
        if (name.startsWith("checkpoint/pages-")) {
          pages += entry.size();
        }
      } else if (entry.isFile() && name.equals("rootfs-diff.tar")) {
        rootfsDiff = entry.size();
      }
      if (listed.size() < ArchiveInspection.MAX_MEMBERS) {
        listed.add(new Member(name, entry.size(), type(entry)));
      }
      if (METADATA.contains(name) || name.startsWith("checkpoint/core-") && name.endsWith(".img")) {
        wanted.putIfAbsent(name, entry);
      }
    }

    JsonObject json(String member) throws IOException {
      TarReader.Member entry = wanted.get(member);
      if (entry == null || !entry.isFile() || entry.size() > MAX_JSON_BYTES) {
        return null;
      }
      if (parsed.containsKey(member)) {
        return parsed.get(member);
      }
      try {
        JsonObject json = new JsonObject(new String(tar.content(entry), StandardCharsets.UTF_8));
        parsed.put(member, json);
        return json;
      } catch (DecodeException | ClassCastException e) {
        throw new IOException(member + " is not a JSON object: " + e.getMessage(), e);
      }
    }

    byte[] imageEntry(String member, int magic) throws IOException {
      TarReader.Member entry = wanted.get(member);
      if (entry == null) {
        return null;
      }
      List<byte[]> list = imageEntries(entry, magic);
      return list.isEmpty() ? null : list.get(0);
    }

    List<byte[]> imageEntries(TarReader.Member entry, int magic) throws IOException {
      if (!entry.isFile() || entry.size() > MAX_IMAGE_BYTES) {
        throw new IOException(entry.name() + " is not a CRIU image this reader accepts");
      }
      try (InputStream in = new ByteArrayInputStream(tar.content(entry))) {
        return CriuImageReader.entries(in, magic);
      } catch (InspectionLimitException e) {
        throw e;
      } catch (IOException e) {
        throw new IOException(entry.name() + ": " + e.getMessage(), e);
      }
    }
  }

  static String normalise(String name) {
    String n = name;
    while (n.startsWith("./")) {
      n = n.substring(2);
    }
    return n.endsWith("/") ? n.substring(0, n.length() - 1) : n;
  }

  private static String type(TarReader.Member entry) {
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

  /** An annotation holding a JSON object, or null. */
  private static JsonObject jsonAnnotation(String value) {
    if (value == null) {
      return null;
    }
    try {
      return new JsonObject(value);
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
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
