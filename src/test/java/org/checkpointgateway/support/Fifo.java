package org.checkpointgateway.support;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Named pipes for tests: opening one for reading waits for a writer, for good if none comes. */
public final class Fifo {

  private Fifo() {
  }

  public static Path make(Path path) {
    try {
      Process mkfifo = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
      if (!mkfifo.waitFor(10, TimeUnit.SECONDS) || mkfifo.exitValue() != 0) {
        throw new AssertionError("mkfifo " + path + " failed: "
            + new String(mkfifo.getInputStream().readAllBytes()));
      }
      return path;
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
