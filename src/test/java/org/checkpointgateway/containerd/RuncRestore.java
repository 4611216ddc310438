package org.checkpointgateway.containerd;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Restores the CRIU images of a checkpoint archive into a new running container with
 * {@code runc restore}, the way a runtime restores a container: the bundle's config is the
 * archive's spec.dump with fresh namespaces and cgroup, on the original container's root file
 * system. The restored process's stdout (a pipe at checkpoint time) becomes a file here.
 */
final class RuncRestore implements AutoCloseable {

  private static final int ATTEMPTS = 5;

  private final Path dir;
  private final Path criu;
  private final String id;
  final Path stdout;

  private RuncRestore(Path dir, Path criu, String id) {
    this.dir = dir;
    this.criu = criu;
    this.id = id;
    this.stdout = dir.resolve("stdout");
  }

  /**
   * Restores {@code archive}, whose container's root file system is at {@code rootfs}, and
   * returns once runc reports the process restored.
   */
  static RuncRestore restore(Path archive, Path rootfs, Path criu, Path dir) throws Exception {
    RuncRestore restore = new RuncRestore(dir, criu, "restored-" + System.nanoTime());
    Path images = Files.createDirectories(dir.resolve("images"));
    Path bundle = Files.createDirectories(dir.resolve("bundle"));
    JsonObject spec = null;
    try (InputStream file = Files.newInputStream(archive);
        TarArchiveInputStream tar = new TarArchiveInputStream(file)) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        if (entry.getName().equals("spec.dump")) {
          spec = new JsonObject(new String(tar.readAllBytes()));
        } else if (entry.getName().startsWith("checkpoint/") && entry.isFile()) {
          Files.copy(tar, images.resolve(entry.getName().substring("checkpoint/".length())));
        }
      }
    }
    if (spec == null) {
      throw new AssertionError("no spec.dump in " + archive);
    }
    spec.getJsonObject("root").put("path", rootfs.toString());
    JsonObject linux = spec.getJsonObject("linux");
    // CRIU makes the namespaces it dumped; the sandbox's may be gone by now.
    JsonArray namespaces = new JsonArray();
    for (Object ns : linux.getJsonArray("namespaces")) {
      namespaces.add(new JsonObject().put("type", ((JsonObject) ns).getString("type")));
    }
    linux.put("namespaces", namespaces);
    linux.put("cgroupsPath", "/checkpoint-gateway-tests/" + restore.id);
    Files.writeString(bundle.resolve("config.json"), spec.encode());

    for (int attempt = 1; ; attempt++) {
      Process runc = restore.runc(List.of("restore", "--detach", "--image-path", images.toString(),
              "--work-path", Files.createDirectories(dir.resolve("work")).toString(),
              "--bundle", bundle.toString(), restore.id))
          .redirectOutput(restore.stdout.toFile())
          .redirectError(dir.resolve("runc-restore.err").toFile())
          .start();
      if (!runc.waitFor(60, TimeUnit.SECONDS)) {
        runc.destroyForcibly();
        throw new AssertionError("runc restore did not finish in 60 s");
      }
      if (runc.exitValue() == 0) {
        return restore;
      }
      String why = Files.readString(dir.resolve("runc-restore.err"))
          + readIfExists(dir.resolve("work/restore.log"));
      restore.delete();
      // PID 1 here reaps orphans slowly: a restore can meet a PID not yet released.
      if (attempt == ATTEMPTS || !why.contains("File exists")) {
        throw new AssertionError("runc restore failed (attempt " + attempt + "):\n" + tail(why));
      }
    }
  }

  private ProcessBuilder runc(List<String> args) {
    List<String> command = new ArrayList<>(List.of("runc", "--root", dir.resolve("runc").toString(),
        "--criu", criu.toString()));
    command.addAll(args);
    return new ProcessBuilder(command);
  }

  /** The numbers the restored process printed so far. */
  List<Long> counts() throws IOException {
    return Files.readAllLines(stdout).stream().filter(line -> line.matches("\\d+"))
        .map(Long::parseLong).toList();
  }

  private void delete() throws Exception {
    Process kill = runc(List.of("delete", "--force", id)).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    kill.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    delete();
  }

  private static String readIfExists(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file) : "";
  }

  private static String tail(String text) {
    String[] lines = text.split("\n");
    return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 25), lines.length));
  }
}
