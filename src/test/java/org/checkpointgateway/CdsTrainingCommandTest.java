package org.checkpointgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cds-training} under {@code -XX:ArchiveClassesAtExit} makes an archive that a JVM maps,
 * holding the classes of a fleet member's start and of a checkpoint request (docs/operations.md).
 * Processes of their own: the archive is written when the JVM exits.
 */
class CdsTrainingCommandTest {

  @TempDir
  Path dir;
  private String classPath;

  @Test
  void theTrainingStartMakesAnArchiveOfAMembersStartAndARequest() throws Exception {
    Path archive = dir.resolve("gateway.jsa");
    Process training = main(dir.resolve("training.log"), List.of(
        "-XX:ArchiveClassesAtExit=" + archive, "-Xlog:cds=error", "-Djava.io.tmpdir=" + dir),
        "cds-training");
    assertThat(training.waitFor(180, TimeUnit.SECONDS)).as("training ends").isTrue();
    String log = Files.readString(dir.resolve("training.log"));
    assertThat(training.exitValue()).as(log).isZero();
    assertThat(log).contains("checkpointed default/demo/app (200)");
    // Nothing of the training is left behind: its checkpoint directory was a temporary one.
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left.map(path -> path.getFileName().toString())
          .filter(name -> !name.startsWith("cp-")))
          .containsExactlyInAnyOrder("gateway.jsa", "training.log");
    }

    // -Xshare:on: a JVM that cannot map the archive fails instead of starting without it.
    Process print = main(dir.resolve("print.log"), List.of("-XX:SharedArchiveFile=" + archive,
        "-Xshare:on", "-XX:+PrintSharedArchiveAndExit"));
    assertThat(print.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String classes = Files.readString(dir.resolve("print.log"));
    assertThat(print.exitValue()).as(classes).isZero();
    assertThat(classes)
        // Hazelcast's member start, Vert.x's clustered event bus, a request's routing
        .contains("com.hazelcast.instance.impl.Node app_loader",
            "io.vertx.spi.cluster.hazelcast.HazelcastClusterManager app_loader",
            "io.vertx.ext.web.impl.RoutingContextImpl app_loader",
            "org.checkpointgateway.fleet.Forwarder app_loader");
  }

  /** {@code java JVM... -cp CLASSPATH Main ARGS...}, its output in {@code log}. */
  private Process main(Path log, List<String> jvm, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-Dio.netty.jfr.enabled=false");
    command.addAll(jvm);
    if (classPath == null) {
      classPath = classPath(); // once: a jar made again is not the one archived
    }
    command.addAll(List.of("-cp", classPath, "org.checkpointgateway.Main"));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
        .start();
  }

  /**
   * This test's class path with each directory (target/classes ...) packed as a jar: the JVM
   * archives classes from jars only, and refuses a class path with a non-empty directory.
   */
  private String classPath() throws IOException {
    List<String> entries = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path path = Path.of(entry);
      if (!Files.isDirectory(path)) {
        entries.add(entry);
        continue;
      }
      Path jar = dir.resolve("cp-" + entries.size() + ".jar");
      try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
          Stream<Path> files = Files.walk(path)) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          out.putNextEntry(new JarEntry(path.relativize(file).toString().replace(File.separatorChar, '/')));
          Files.copy(file, out);
          out.closeEntry();
        }
      }
      entries.add(jar.toString());
    }
    return String.join(File.pathSeparator, entries);
  }
}
