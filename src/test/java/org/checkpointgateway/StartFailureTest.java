package org.checkpointgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.checkpointgateway.support.MainProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A start that fails after the embedded simulator came up says why in one line that names what
 * to change, exits with the documented code, and leaves no temporary directory or socket behind.
 */
class StartFailureTest {

  @TempDir
  Path dir;

  @Test
  void aPortInUseIsNamedWithItsAddress() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        MainProcess gateway = MainProcess.gateway(dir, "--port",
            Integer.toString(taken.getLocalPort()))) {
      assertThat(gateway.exitCode()).as(gateway.output()).isEqualTo(1);
      assertThat(lastLine(gateway)).isEqualTo("checkpoint-gateway: cannot start: cannot listen on "
          + "127.0.0.1:" + taken.getLocalPort() + ": address already in use (another process "
          + "listens there; choose another --port)");
      // The default checkpoint directory stays; the simulator's directory and socket do not.
      assertThat(gateway.temporaryFiles()).as(gateway.output()).containsExactly("checkpoint-gateway");
    }
  }

  @Test
  void anUnusableCheckpointDirectoryIsABadValue() throws IOException {
    Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
    try (MainProcess gateway = MainProcess.gateway(dir, "--port", "0",
        "--checkpoint-dir", file.resolve("checkpoints").toString())) {
      assertThat(gateway.exitCode()).as(gateway.output()).isEqualTo(2);
      assertThat(lastLine(gateway)).isEqualTo("checkpoint-gateway: cannot start: --checkpoint-dir "
          + file.resolve("checkpoints") + ": cannot use it as the checkpoint directory ("
          + file.resolve("checkpoints") + ": not a directory)");
      assertThat(gateway.temporaryFiles()).as(gateway.output()).isEmpty();
    }
  }

  private static String lastLine(MainProcess gateway) {
    return gateway.output().strip().lines().reduce((first, second) -> second).orElse("");
  }
}
