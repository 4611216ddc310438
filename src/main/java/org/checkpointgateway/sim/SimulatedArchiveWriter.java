package org.checkpointgateway.sim;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes one checkpoint archive the way CRI-O and containerd lay it out, growing on disk while
 * the simulated checkpoint runs. Every method blocks: callers run them off the event loop, one
 * after the other.
 */
final class SimulatedArchiveWriter {

  /** The engine name readers show; CRI-O writes cri-o here, Podman libpod. */
  static final String CONTAINER_MANAGER = "checkpoint-gateway-simulator";
  static final String PAGES_MEMBER = "checkpoint/pages-1.img";
  private static final int CHUNK = 64 * 1024;
  private static final byte[] PATTERN = pattern();
  private static final Set<PosixFilePermission> OWNER_RW = PosixFilePermissions.fromString("rw-------");

  private final Path location;
  private final FileChannel channel;
  private final TarArchiveOutputStream tar;
  private final long pagesSize;
  private long pagesWritten;
  private boolean closed;

  private SimulatedArchiveWriter(Path location, FileChannel channel, long pagesSize) {
    this.location = location;
    this.channel = channel;
    this.pagesSize = pagesSize;
    OutputStream out = Channels.newOutputStream(channel);
    this.tar = new TarArchiveOutputStream(out);
    this.tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
  }

  /** What the metadata members say about the checkpointed container. */
  record Facts(String containerId, String containerName, String podName, String podNamespace,
               String podUid, Instant createdTime, Instant checkpointedTime) {
  }

  /**
   * An empty file in the archive's place (mode 0600 when new), for a runtime that writes no
   * archives: a caller checks that what the runtime reported exists. An empty file holds nothing
   * to hide, so one left over keeps its mode. Straight through NIO: Vert.x's file system first
   * resolves each path it has not seen against the class path (a stat, a realpath and a class-path
   * lookup per new file), which cost the simulator more than the file itself.
   *
   * @throws IOException with a message shaped like the runtimes' ({@code open <path>: <reason>})
   */
  static long standIn(Path location) throws IOException {
    try {
      FileChannel.open(location, EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING), PosixFilePermissions.asFileAttribute(OWNER_RW)).close();
      return 0;
    } catch (IOException e) {
      throw new IOException("open " + location + ": " + reason(e), e);
    }
  }

  /**
   * Creates the archive (mode 0600, like the runtimes) and writes everything up to the memory pages.
   *
   * @throws IOException with a message shaped like the runtimes' ({@code open <path>: <reason>})
   */
  static SimulatedArchiveWriter open(Path location, Facts facts, long pagesSize) throws IOException {
    FileChannel channel;
    try {
      channel = FileChannel.open(location, EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING), PosixFilePermissions.asFileAttribute(OWNER_RW));
      // The attribute only applies to new files; an archive left over must not stay readable.
      Files.setPosixFilePermissions(location, OWNER_RW);
    } catch (IOException e) {
      throw new IOException("open " + location + ": " + reason(e), e);
    }
    SimulatedArchiveWriter writer = new SimulatedArchiveWriter(location, channel, pagesSize);
    try {
      writer.member("config.dump", config(facts).encodePrettily().getBytes(StandardCharsets.UTF_8));
      writer.member("spec.dump", spec(facts).encodePrettily().getBytes(StandardCharsets.UTF_8));
      // checkpointctl refuses an archive without this directory entry.
      TarArchiveEntry images = new TarArchiveEntry("checkpoint/");
      images.setMode(0700);
      writer.tar.putArchiveEntry(images);
      writer.tar.closeArchiveEntry();
      writer.member("checkpoint/inventory.img", CriuImage.inventory());
      TarArchiveEntry pages = new TarArchiveEntry(PAGES_MEMBER);
      pages.setSize(pagesSize);
      pages.setMode(0600);
      writer.tar.putArchiveEntry(pages);
      writer.tar.flush();
    } catch (IOException | RuntimeException e) {
      writer.abort();
      throw e;
    }
    return writer;
  }

  /** Writes memory pages up to {@code target} bytes of the pages member; returns the archive size. */
  long writePagesUpTo(long target) throws IOException {
    long end = Math.min(target, pagesSize);
    while (pagesWritten < end) {
      int offset = (int) (pagesWritten % CHUNK);
      int length = (int) Math.min(CHUNK - offset, end - pagesWritten);
      tar.write(PATTERN, offset, length);
      pagesWritten += length;
    }
    tar.flush();
    return channel.size();
  }

  /** Completes the pages, writes the closing members and closes the archive; returns its size. */
  long finish(CriuImage.DumpStats stats, String dumpLog) throws IOException {
    writePagesUpTo(pagesSize);
    tar.closeArchiveEntry();
    member("stats-dump", CriuImage.statsDump(stats));
    member("dump.log", dumpLog.getBytes(StandardCharsets.UTF_8));
    tar.finish();
    long size = channel.size();
    close();
    return size;
  }

  /** Closes and deletes a partial archive; returns how many bytes it had reached. */
  long abort() {
    long size = 0;
    try {
      size = channel.isOpen() ? channel.size() : 0;
    } catch (IOException ignored) {
      // the size is informative only
    }
    close();
    try {
      Files.deleteIfExists(location);
    } catch (IOException ignored) {
      // nothing better to do: the archive was partial anyway and the caller already failed
    }
    return size;
  }

  private void member(String name, byte[] content) throws IOException {
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setSize(content.length);
    entry.setMode(0600);
    tar.putArchiveEntry(entry);
    tar.write(content);
    tar.closeArchiveEntry();
  }

  private void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      // Closing the tar stream would pad and finish a partial archive: close the file instead.
      channel.close();
    } catch (IOException ignored) {
      // a failed close of a file we are done with changes nothing for the caller
    }
  }

  private static JsonObject config(Facts facts) {
    return new JsonObject()
        .put("id", facts.containerId())
        .put("name", facts.containerName())
        .put("rootfsImage", SimulatedPods.IMAGE)
        .put("rootfsImageRef", SimulatedPods.IMAGE_REF)
        .put("rootfsImageName", SimulatedPods.IMAGE)
        .put("runtime", "runc")
        .put("createdTime", facts.createdTime().toString())
        .put("checkpointedTime", facts.checkpointedTime().toString());
  }

  private static JsonObject spec(Facts facts) {
    return new JsonObject()
        .put("ociVersion", "1.0.2-dev")
        .put("process", new JsonObject()
            .put("args", new JsonArray().add("sleep").add("infinity"))
            .put("cwd", "/"))
        .put("root", new JsonObject().put("path", "rootfs"))
        .put("hostname", facts.podName())
        .put("annotations", new JsonObject()
            .put(SimulatedPods.POD_NAME, facts.podName())
            .put(SimulatedPods.POD_NAMESPACE, facts.podNamespace())
            .put(SimulatedPods.POD_UID, facts.podUid())
            .put(SimulatedPods.CONTAINER_NAME, facts.containerName())
            // containerd's names too: the checkpoint-restore-operator reads its archive identity
            // from these (or CRI-O's Labels, or org.criu.checkpoint.*), not the kubelet's labels.
            .put("io.kubernetes.cri.sandbox-namespace", facts.podNamespace())
            .put("io.kubernetes.cri.sandbox-name", facts.podName())
            .put("io.kubernetes.cri.container-name", facts.containerName())
            .put("io.container.manager", CONTAINER_MANAGER));
  }

  private static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException fse && fse.getReason() != null) {
      return fse.getReason();
    }
    return String.valueOf(e.getMessage());
  }

  private static byte[] pattern() {
    byte[] bytes = new byte[CHUNK];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (i * 31 + (i >>> 8));
    }
    return bytes;
  }
}
