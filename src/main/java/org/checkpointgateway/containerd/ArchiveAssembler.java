package org.checkpointgateway.containerd;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipEncodingHelper;

/**
 * Writes a checkpoint archive in containerd 2.x's layout: {@code config.dump}, {@code spec.dump},
 * {@code status.dump}, CRIU's {@code stats-dump} and {@code dump.log}, the container log, and
 * {@code checkpoint/} with CRIU's images. Blocking: runs on a worker thread. The tar goes to a
 * temporary name beside the archive, is synced, and is renamed into place, so a reader never
 * sees half an archive.
 *
 * <p>Headers come from commons-compress; the file data is copied by the kernel
 * ({@link FileChannel#transferTo}, sendfile), not through Java buffers: CRIU's images are as big
 * as the container's memory, and a copy through a stream ran at a fraction of the disk's speed.
 */
final class ArchiveAssembler {

  static final String CHECKPOINT_DIRECTORY = "checkpoint";
  static final String STATS_DUMP = "stats-dump";
  static final String DUMP_LOG = "dump.log";
  static final String CONTAINER_LOG = "container.log";
  private static final int BLOCK = TarConstants.DEFAULT_RCDSIZE; // 512
  /** The stop flag is checked between chunks of this size. */
  private static final long CHUNK = 64L << 20;
  private static final Set<StandardOpenOption> CREATE_NEW =
      Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);

  /** The members that are not CRIU files. */
  record Members(byte[] configDump, byte[] specDump, byte[] statusDump, Path containerLog) {
  }

  private final BooleanSupplier stopped;

  /** @param stopped checked between chunks: when it holds, assembly stops with an exception */
  ArchiveAssembler(BooleanSupplier stopped) {
    this.stopped = stopped;
  }

  /**
   * Assembles the archive at {@code archive} from CRIU's {@code images} and {@code work}
   * directories. On failure the temporary file is removed and nothing is at {@code archive}.
   */
  void assemble(Members members, Path images, Path work, Path partial, Path archive)
      throws IOException {
    try (FileChannel out = FileChannel.open(partial, CREATE_NEW,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
      long now = System.currentTimeMillis();
      addBytes(out, "config.dump", members.configDump(), now);
      addBytes(out, "spec.dump", members.specDump(), now);
      addBytes(out, "status.dump", members.statusDump(), now);
      addFileIfPresent(out, STATS_DUMP, work.resolve(STATS_DUMP));
      addFileIfPresent(out, DUMP_LOG, work.resolve(DUMP_LOG));
      if (members.containerLog() != null) {
        addFileIfPresent(out, CONTAINER_LOG, members.containerLog());
      }
      TarArchiveEntry directory = new TarArchiveEntry(CHECKPOINT_DIRECTORY + "/");
      directory.setMode(040700);
      directory.setModTime(now);
      writeHeader(out, directory);
      for (Path image : list(images)) {
        if (!Files.isRegularFile(image)) {
          throw new IOException("unexpected entry in CRIU's image directory: " + image);
        }
        addFile(out, CHECKPOINT_DIRECTORY + "/" + image.getFileName(), image);
      }
      // End of archive: two zero blocks.
      writeFully(out, ByteBuffer.allocate(2 * BLOCK));
      out.force(true);
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

  private void addBytes(FileChannel out, String name, byte[] bytes, long mtime)
      throws IOException {
    checkStopped();
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setMode(0100600);
    entry.setSize(bytes.length);
    entry.setModTime(mtime);
    writeHeader(out, entry);
    writeFully(out, ByteBuffer.wrap(bytes));
    pad(out, bytes.length);
  }

  private void addFileIfPresent(FileChannel out, String name, Path file) throws IOException {
    if (Files.isRegularFile(file) && Files.isReadable(file)) {
      addFile(out, name, file);
    }
  }

  private void addFile(FileChannel out, String name, Path file) throws IOException {
    checkStopped();
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      // The size is taken with the file open: CRIU has finished with it, nothing appends.
      long size = in.size();
      TarArchiveEntry entry = new TarArchiveEntry(name);
      entry.setMode(0100600);
      entry.setSize(size);
      entry.setModTime(Files.getLastModifiedTime(file).toMillis());
      writeHeader(out, entry);
      long position = 0;
      while (position < size) {
        long copied = in.transferTo(position, Math.min(CHUNK, size - position), out);
        if (copied <= 0) {
          throw new IOException(file + " shrank while it was archived");
        }
        position += copied;
        checkStopped();
      }
      pad(out, size);
    }
  }

  private static void writeHeader(FileChannel out, TarArchiveEntry entry) throws IOException {
    if (entry.getName().length() >= TarConstants.NAMELEN) {
      throw new IOException("member name too long for a plain tar header: " + entry.getName());
    }
    byte[] header = new byte[BLOCK];
    // Star mode writes sizes beyond 8 GiB in binary, as GNU tar and Go's archive/tar read them.
    entry.writeEntryHeader(header, ZipEncodingHelper.getZipEncoding("UTF-8"), true);
    writeFully(out, ByteBuffer.wrap(header));
  }

  private static void pad(FileChannel out, long size) throws IOException {
    int rest = (int) (size % BLOCK);
    if (rest != 0) {
      writeFully(out, ByteBuffer.allocate(BLOCK - rest));
    }
  }

  private static void writeFully(FileChannel out, ByteBuffer bytes) throws IOException {
    while (bytes.hasRemaining()) {
      out.write(bytes);
    }
  }

  private void checkStopped() throws IOException {
    if (stopped.getAsBoolean()) {
      throw new InterruptedIOException("checkpoint stopped");
    }
  }
}
