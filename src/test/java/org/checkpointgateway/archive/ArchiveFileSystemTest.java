package org.checkpointgateway.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which file system holds the checkpoint directory decides where archives are checked. */
class ArchiveFileSystemTest {

  private final Vertx vertx = Vertx.vertx();
  @TempDir
  Path dir;

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void theProbeNamesTheDirectorysFileSystemAndMakesTheDirectoryFirst() throws Exception {
    ArchiveDirectory archives = new ArchiveDirectory(vertx, dir.resolve("made/by/probe"));
    assertThat(archives.onLocalFileSystem()).as("unknown before the probe").isFalse();
    String type = archives.probeFileSystem().await();
    assertThat(Files.isDirectory(dir.resolve("made/by/probe"))).isTrue();
    assertThat(type).isEqualTo(Files.getFileStore(dir).type());
    assertThat(archives.onLocalFileSystem()).isEqualTo(ArchiveDirectory.isLocal(type));
  }

  @Test
  void onlyFileSystemsThatCannotHangOnAServerOrADaemonAreLocal() {
    for (String local : new String[] {"tmpfs", "ext4", "xfs", "btrfs", "overlay"}) {
      assertThat(ArchiveDirectory.isLocal(local)).as(local).isTrue();
    }
    for (String remote : new String[] {"nfs", "nfs4", "cifs", "fuse", "fuse.sshfs", "9p", "ceph",
        "", "EXT4"}) {
      assertThat(ArchiveDirectory.isLocal(remote)).as(remote).isFalse();
    }
  }
}
