package org.checkpointgateway.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * What the real clients require of a checkpoint archive, whichever path made it: Kubernetes'
 * node e2e test opens it with Go's tar reader (so: an uncompressed tar) and wants members named
 * exactly {@code spec.dump}, {@code config.dump} and {@code checkpoint/inventory.img} (a
 * {@code ./} prefix fails); checkpointctl wants a {@code checkpoint} directory entry; the
 * checkpoint-restore-operator reads namespace, pod and container from {@code spec.dump}'s
 * annotations (containerd's {@code io.kubernetes.cri.*}, which every path here writes).
 */
public final class ArchiveLayout {

  private ArchiveLayout() {
  }

  /** Fails unless {@code archive} is such an archive of that container. */
  public static void assertReadableByKubeletClients(Path archive, String namespace, String pod,
      String container) {
    byte[] header = new byte[512];
    List<String> names = new ArrayList<>();
    List<String> directories = new ArrayList<>();
    JsonObject spec = null;
    try (InputStream file = Files.newInputStream(archive)) {
      assertThat(file.readNBytes(header, 0, header.length)).as("a first tar header").isEqualTo(512);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    // Not gzip (1f 8b), not any other compression: a POSIX tar header, magic "ustar" at 257.
    assertThat(new String(header, 257, 5, StandardCharsets.US_ASCII)).as("tar magic of " + archive)
        .isEqualTo("ustar");
    try (InputStream file = Files.newInputStream(archive);
        TarArchiveInputStream tar = new TarArchiveInputStream(file)) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        names.add(entry.getName());
        if (entry.isDirectory()) {
          directories.add(entry.getName().replaceAll("/$", ""));
        }
        if (entry.getName().equals("spec.dump")) {
          spec = new JsonObject(new String(tar.readAllBytes(), StandardCharsets.UTF_8));
        }
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    assertThat(names).as("members of " + archive)
        .contains("spec.dump", "config.dump", "checkpoint/inventory.img")
        .noneMatch(name -> name.startsWith("./") || name.startsWith("/"));
    assertThat(directories).as("directory entries of " + archive).contains("checkpoint");
    JsonObject annotations = spec.getJsonObject("annotations");
    assertThat(annotations.getString("io.kubernetes.cri.sandbox-namespace")).isEqualTo(namespace);
    assertThat(annotations.getString("io.kubernetes.cri.sandbox-name")).isEqualTo(pod);
    assertThat(annotations.getString("io.kubernetes.cri.container-name")).isEqualTo(container);
  }
}
