package org.checkpointgateway.loadtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The empty archives the instant scenarios leave, removed between windows and points (nothing
 * is in flight then): at 15,000 checkpoints a second, a run with warm-ups long enough for the
 * gateway's JIT made over three million files and used up every inode of the memory file system
 * it runs on (2026-12-02: the runtime then failed every checkpoint with "open ...").
 */
final class Scratch {

  private Scratch() {
  }

  /** Deletes the regular files directly in each of {@code directories} (missing ones: none). */
  static void clear(List<Path> directories) {
    for (Path directory : directories) {
      try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
        for (Path file : files) {
          if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(file);
          }
        }
      } catch (NoSuchFileException gone) {
        // nothing made there yet
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
