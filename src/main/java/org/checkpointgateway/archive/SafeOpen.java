package org.checkpointgateway.archive;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Opens an archive for reading only if it is still the regular file a listing looked at. Between
 * that look and an open by name, the name may come to denote something else: a symbolic link
 * (whose target would be served), a FIFO (whose open waits for a writer, holding a thread for
 * good), another file. So the name is opened with {@code O_NOFOLLOW} (a link fails) and
 * {@code O_NONBLOCK} (a FIFO opens at once instead of waiting), the open descriptor is checked to
 * be a regular file of the same device, inode, size and times, and the file is read through
 * {@code /proc/self/fd/N}, which reaches the open descriptor's file whatever the name denotes by
 * then. Linux only; every call blocks, so callers run it on a worker.
 */
final class SafeOpen {

  private interface LibC extends Library {
    int open(String path, int flags);

    int close(int fd);
  }

  private static final LibC LIBC = Native.load("c", LibC.class);
  private static final int O_RDONLY = 0;
  private static final int O_NONBLOCK = 04000;
  private static final int O_CLOEXEC = 02000000;
  // Not the same on every architecture: arm, arm64 and powerpc differ from the generic value.
  private static final int O_NOFOLLOW = switch (System.getProperty("os.arch").toLowerCase(Locale.ROOT)) {
    case "aarch64", "arm", "ppc64", "ppc64le" -> 0100000;
    default -> 0400000;
  };
  private static final int ENOENT = 2;
  private static final int ELOOP = 40;

  private SafeOpen() {
  }

  /**
   * The file {@code path} denotes, open for reading, when it is the regular file
   * {@code expected} describes. Closing the result closes its channel and descriptor.
   *
   * @throws NoSuchFileException when nothing has that name any more
   * @throws ArchiveChangedException when the name now denotes another file, a changed file, or
   *     not a regular file
   */
  static Opened open(Path path, FileIdentity expected) throws IOException {
    int fd = LIBC.open(path.toString(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
      int errno = Native.getLastError();
      if (errno == ENOENT) {
        throw new NoSuchFileException(path.toString());
      } else if (errno == ELOOP) {
        throw new ArchiveChangedException(path + " is now a symbolic link");
      }
      throw new IOException("cannot open " + path + " (errno " + errno + ")");
    }
    Opened opened = new Opened(fd);
    try {
      FileIdentity actual = FileIdentity.stat(opened.path());
      if (!actual.isRegularFile()) {
        throw new ArchiveChangedException(path + " is no longer a regular file");
      }
      if (!actual.equals(expected)) {
        throw new ArchiveChangedException(path + " is no longer the file that was looked up");
      }
      // A regular file: opening it again through the descriptor cannot block.
      opened.channel = FileChannel.open(opened.path(), StandardOpenOption.READ);
      return opened;
    } catch (IOException | RuntimeException e) {
      opened.close();
      throw e;
    }
  }

  /** A checked regular file, open: its descriptor and a channel reading it. Closes once. */
  static final class Opened implements java.io.Closeable {
    private final int fd;
    private FileChannel channel;
    private boolean closed;

    private Opened(int fd) {
      this.fd = fd;
    }

    FileChannel channel() {
      return channel;
    }

    /** A name for the open file while this is open: {@code /proc/self/fd/N}. */
    Path path() {
      return Path.of("/proc/self/fd/" + fd);
    }

    @Override
    public synchronized void close() throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      LIBC.close(fd);
      if (channel != null) {
        channel.close();
      }
    }
  }

  /** The name no longer denotes the file that was checked. */
  static final class ArchiveChangedException extends IOException {
    ArchiveChangedException(String message) {
      super(message);
    }
  }
}
