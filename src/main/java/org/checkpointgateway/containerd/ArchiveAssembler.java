package org.checkpointgateway.containerd;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes a checkpoint archive in containerd 2.x's layout: {@code config.dump}, {@code spec.dump},
 * {@code status.dump}, CRIU's {@code stats-dump} and {@code dump.log}, the container log, and
 * {@code checkpoint/} with CRIU's images. Blocking: runs on a worker thread. The tar goes to a
 * temporary name beside the archive, is synced, and is renamed into place, so a reader never
 * sees half an archive.
 */
final class ArchiveAssembler {

  static final String CHECKPOINT_DIRECTORY = "checkpoint";
  static final String STATS_DUMP = "stats-dump";
  static final String DUMP_LOG = "dump.log";
  static final String CONTAINER_LOG = "container.log";
  private static final int BUFFER = 1 << 20;
  private static final Set<StandardOpenOption> CREATE_NEW =
      Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);

  /** The members that are not CRIU files. */
  record Members(byte[] configDump, byte[] specDump, byte[] statusDump, Path containerLog) {
  }

  private final BooleanSupplier stopped;

  /** @param stopped checked between buffers: when it holds, assembly stops with an exception */
  ArchiveAssembler(BooleanSupplier stopped) {
    this.stopped = stopped;
  }

  /**
   * Assembles the archive at {@code archive} from CRIU's {@code images} and {@code work}
   * directories. On failure the temporary file is removed and nothing is at {@code archive}.
   */
  void assemble(Members members, Path images, Path work, Path partial, Path archive)
      throws IOException {
    try (FileChannel channel = FileChannel.open(partial, CREATE_NEW,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
      OutputStream out = Channels.newOutputStream(channel);
      TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      long now = System.currentTimeMillis();
      addBytes(tar, "config.dump", members.configDump(), now);
      addBytes(tar, "spec.dump", members.specDump(), now);
      addBytes(tar, "status.dump", members.statusDump(), now);
      addFileIfPresent(tar, STATS_DUMP, work.resolve(STATS_DUMP));
      addFileIfPresent(tar, DUMP_LOG, work.resolve(DUMP_LOG));
      if (members.containerLog() != null) {
        addFileIfPresent(tar, CONTAINER_LOG, members.containerLog());
      }
      TarArchiveEntry directory = new TarArchiveEntry(CHECKPOINT_DIRECTORY + "/");
      directory.setMode(040700);
      directory.setModTime(now);
      tar.putArchiveEntry(directory);
      tar.closeArchiveEntry();
      for (Path image : list(images)) {
        if (!Files.isRegularFile(image)) {
          throw new IOException("unexpected entry in CRIU's image directory: " + image);
        }
        addFile(tar, CHECKPOINT_DIRECTORY + "/" + image.getFileName(), image);
      }
      tar.finish();
      out.flush();
      channel.force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(partial);
      throw e;
    }
    checkStopped();
    Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE);
    try (FileChannel directory = FileChannel.open(archive.getParent(), StandardOpenOption.READ)) {
      directory.force(true); // the rename itself survives a crash
    } catch (IOException ignored) {
      // Some file systems cannot sync a directory; the archive is complete either way.
    }
  }

  private static List<Path> list(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.sorted().toList();
    }
  }

  private void addBytes(TarArchiveOutputStream tar, String name, byte[] bytes, long mtime)
      throws IOException {
    checkStopped();
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setMode(0100600);
    entry.setSize(bytes.length);
    entry.setModTime(mtime);
    tar.putArchiveEntry(entry);
    tar.write(bytes);
    tar.closeArchiveEntry();
  }

  private void addFileIfPresent(TarArchiveOutputStream tar, String name, Path file)
      throws IOException {
    if (Files.isRegularFile(file) && Files.isReadable(file)) {
      addFile(tar, name, file);
    }
  }

  private void addFile(TarArchiveOutputStream tar, String name, Path file) throws IOException {
    checkStopped();
    try (InputStream in = Files.newInputStream(file)) {
      // The size is taken with the file open: CRIU has finished with it, nothing appends.
      long size = Files.size(file);
      TarArchiveEntry entry = new TarArchiveEntry(name);
      entry.setMode(0100600);
      entry.setSize(size);
      FileTime modified = Files.getLastModifiedTime(file);
      entry.setModTime(modified.toMillis());
      tar.putArchiveEntry(entry);
      byte[] buffer = new byte[BUFFER];
      long left = size;
      while (left > 0) {
        int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (read < 0) {
          throw new IOException(file + " shrank while it was archived");
        }
        tar.write(buffer, 0, read);
        left -= read;
        checkStopped();
      }
      tar.closeArchiveEntry();
    }
  }

  private void checkStopped() throws IOException {
    if (stopped.getAsBoolean()) {
      throw new InterruptedIOException("checkpoint stopped");
    }
  }
}
