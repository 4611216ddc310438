package org.checkpointgateway.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.checkpointgateway.sim.SimTesting.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SimulateCommandTest {

  @TempDir
  Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @Test
  void aBadValueInTheSeedExitsWithTwoAndOneLineNamingFileAndKey() throws Exception {
    Path seed = dir.resolve("pods.yaml");
    Files.writeString(seed, "pods: [{namespace: a, name: b, containers: [{name: c, memoryBytes: -1}]}]\n");

    int exit = run("--socket", dir.resolve("s.sock").toString(), "--pods", seed.toString());

    assertThat(exit).isEqualTo(2);
    assertThat(stderrLines()).containsExactly(
        "simulate: " + seed + ": pods[0].containers[0].memoryBytes: must be a positive number");
    assertThat(Files.exists(dir.resolve("s.sock"))).isFalse();
  }

  @Test
  void aMissingOrUnreadableSeedExitsWithTwoAndOneLine() throws Exception {
    Path broken = dir.resolve("broken.yaml");
    Files.writeString(broken, "pods: [unclosed\n");

    int missing = run("--socket", dir.resolve("s.sock").toString(), "--pods", dir.resolve("nope.yaml").toString());
    int unreadable = run("--socket", dir.resolve("s.sock").toString(), "--pods", broken.toString());

    assertThat(missing).isEqualTo(2);
    assertThat(unreadable).isEqualTo(2);
    assertThat(stderrLines()).hasSize(2);
    assertThat(stderrLines()[0]).isEqualTo("simulate: --pods " + dir.resolve("nope.yaml") + ": no such file");
    assertThat(stderrLines()[1]).startsWith("simulate: " + broken + ": not valid YAML:");
  }

  @Test
  void servingSaysWhereWithWhichTransportAndWhatSeed() throws Exception {
    SimulateCommand command = new SimulateCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    new CommandLine(command).parseArgs("--socket", dir.resolve("s.sock").toString());

    SimulateCommand.Serving serving = command.serve(SimulatorSeed.defaultSeed());
    try {
      String line = out.toString(StandardCharsets.UTF_8).strip();
      assertThat(line).contains("unix://" + dir.resolve("s.sock").toAbsolutePath())
          .containsPattern("transport (epoll|NIO)")
          .contains(SimulatorSeed.defaultSeed().pods().size() + " pods")
          .contains(SimulatorSeed.defaultSeed().containerCount() + " containers");
      assertThat(Files.exists(dir.resolve("s.sock"))).isTrue();
    } finally {
      await(serving.runtime().close());
      await(serving.vertx().close());
    }
    assertThat(Files.exists(dir.resolve("s.sock"))).isFalse();
  }

  private int run(String... args) {
    return new CommandLine(new SimulateCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8))).execute(args);
  }

  private String[] stderrLines() {
    return err.toString(StandardCharsets.UTF_8).lines().toArray(String[]::new);
  }
}
