package org.checkpointgateway.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import org.checkpointgateway.outcome.ConflictException;
import org.checkpointgateway.outcome.NotFoundException;
import org.checkpointgateway.support.ArchiveFixtures;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.Fifo;
import org.checkpointgateway.support.StrictVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Only the file a lookup checked is read or served: each attack swaps something in under the
 * archive's name between the lookup and the open, in the window the old code left open.
 */
class ArchiveIdentityTest {

  static final Instant WHEN = Instant.parse("2026-03-01T08:00:00Z");

  @TempDir
  Path dir;
  Vertx vertx;
  ArchiveStore store;
  Path archive;
  Path secret;
  String name;

  @BeforeEach
  void start() throws IOException {
    vertx = StrictVertx.create();
    ArchiveDirectory directory = new ArchiveDirectory(vertx, dir.resolve("checkpoints"));
    Await.result(directory.ensureExists());
    store = ArchiveStore.create(vertx, directory);
    Await.result(store.start());
    archive = ArchiveFixtures.small(directory.path(), "default", "demo", "app", WHEN);
    name = archive.getFileName().toString();
    // Outside the directory, as long as the archive, so a followed name would fill a download.
    secret = Files.writeString(dir.resolve("secret"), "S".repeat((int) Files.size(archive)));
  }

  @AfterEach
  void stop() {
    Await.result(vertx.close());
    StrictVertx.assertNeverBlocked(vertx);
  }

  /** Moves the archive out of the way, as an attacker swapping its name would. */
  private void moveArchiveAway() throws IOException {
    Files.move(archive, dir.resolve("moved.tar"), StandardCopyOption.ATOMIC_MOVE);
  }

  @Test
  void aSymbolicLinkSwappedInAfterTheLookupIsNeverFollowed() throws IOException {
    Archive found = Await.result(store.find(name));
    moveArchiveAway();
    Files.createSymbolicLink(archive, secret);

    assertThat(Await.failure(store.startDownload(found))).isInstanceOf(ConflictException.class)
        .hasMessageContaining("changed after it was looked up").hasMessageContaining("symbolic link");
    assertThat(Await.failure(store.inspect(found))).isInstanceOf(ConflictException.class);
    assertThat(Await.failure(store.find(name))).isInstanceOf(NotFoundException.class);
  }

  @Test
  void aFifoSwappedInAfterTheLookupIsNotWaitedOn() throws IOException {
    Archive found = Await.result(store.find(name));
    moveArchiveAway();
    Fifo.make(archive);

    // Opening the FIFO by name would wait for a writer that never comes: Await would time out.
    assertThat(Await.failure(store.startDownload(found))).isInstanceOf(ConflictException.class)
        .hasMessageContaining("no longer a regular file");
    assertThat(Await.failure(store.inspect(found))).isInstanceOf(ConflictException.class)
        .hasMessageContaining("no longer a regular file");
    assertThat(Await.failure(store.find(name))).isInstanceOf(NotFoundException.class);
    // No worker thread is left waiting in an open().
    assertThat(Await.result(vertx.executeBlocking(() -> "a worker is free", false)))
        .isEqualTo("a worker is free");
  }

  @Test
  void anotherFileWithTheSameSizeAndTimeIsRefused() throws IOException {
    Archive found = Await.result(store.find(name));
    Path impostor = Files.writeString(dir.resolve("checkpoints/impostor"), Files.readString(secret));
    Files.setLastModifiedTime(impostor, Files.getLastModifiedTime(archive));
    Files.move(impostor, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

    assertThat(Await.failure(store.startDownload(found))).isInstanceOf(ConflictException.class)
        .hasMessageContaining("no longer the file that was looked up");
    assertThat(Await.failure(store.inspect(found))).isInstanceOf(ConflictException.class);
  }

  @Test
  void aDownloadReadsTheFileItOpenedWhateverTheNameDenotesAfterwards() throws IOException {
    byte[] original = Files.readAllBytes(archive);
    ArchiveStore.Download download = Await.result(store.startDownload(Await.result(store.find(name))));
    moveArchiveAway();
    Files.createSymbolicLink(archive, secret);

    FileChannel channel = download.channel();
    ByteBuffer read = ByteBuffer.allocate(original.length);
    while (read.hasRemaining() && channel.read(read, read.position()) > 0) {
      // keep reading
    }
    assertThat(read.array()).isEqualTo(original);
    // The name of the open descriptor (what HTTP/2 sends by) reaches the same file.
    assertThat(Files.readAllBytes(Path.of(download.path()))).isEqualTo(original);
    download.release();
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void aFileOtherNamesLinkToNamesNoNamespace() throws IOException {
    assertThat(Await.result(store.find(name)).namespacesToRead()).contains(java.util.List.of("default"));
    Files.createLink(dir.resolve("elsewhere.tar"), archive);
    Archive linked = Await.result(store.find(name));
    assertThat(linked.identity().links()).isEqualTo(2);
    assertThat(linked.facts().namespace()).isEqualTo("default");
    assertThat(linked.namespacesToRead()).isEmpty();
  }
}
