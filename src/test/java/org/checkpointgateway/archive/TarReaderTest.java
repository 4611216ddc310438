package org.checkpointgateway.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.checkpointgateway.support.ArchiveFixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;

/**
 * The tar walk: it lists exactly what a tar writer wrote, and whatever bytes it is given it fails
 * only with an {@link IOException}, reads at most its byte limit and visits at most its member
 * limit.
 */
class TarReaderTest {

  static final ArchiveLimits TIGHT = new ArchiveLimits(8, 20_000, 1);
  static byte[] checkpoint;
  static List<Integer> headers;

  @BeforeAll
  static void aRealisticArchive(@TempDir Path dir) throws IOException {
    Path archive = ArchiveFixtures.crio(dir.resolve("crio.tar"), "team-a", "web", "nginx",
        Instant.parse("2026-03-01T08:00:00Z"));
    checkpoint = Files.readAllBytes(archive);
    headers = new ArrayList<>();
    for (int at = 0; at + 512 <= checkpoint.length; at += 512) {
      if (ustar(checkpoint, at)) {
        headers.add(at);
      }
    }
  }

  /** An in-memory file that counts the bytes read from it. */
  static final class Bytes implements SeekableByteChannel {
    final byte[] content;
    long position;
    long read;

    Bytes(byte[] content) {
      this.content = content;
    }

    @Override
    public int read(ByteBuffer dst) {
      if (position >= content.length) {
        return -1;
      }
      int n = (int) Math.min(dst.remaining(), content.length - position);
      dst.put(content, (int) position, n);
      position += n;
      read += n;
      return n;
    }

    @Override
    public int write(ByteBuffer src) {
      throw new NonWritableChannelException();
    }

    @Override
    public long position() {
      return position;
    }

    @Override
    public SeekableByteChannel position(long newPosition) {
      position = newPosition;
      return this;
    }

    @Override
    public long size() {
      return content.length;
    }

    @Override
    public SeekableByteChannel truncate(long size) {
      throw new NonWritableChannelException();
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {
    }
  }

  record Written(String name, int size, boolean directory) {
  }

  static final Gen<String> NAMES = lists().of(strings().betweenCodePoints('a', 'z').ofLengthBetween(1, 40)
      .mix(arbitrary().pick("é", "日本", "x y", "a.b", "-", "checkpoint", "pages-1.img")))
      .ofSizeBetween(1, 8).map(parts -> String.join("/", parts));
  static final Gen<Written> MEMBERS = NAMES.zip(integers().between(0, 1500), booleans().all(),
      (name, size, directory) -> new Written(name, directory ? 0 : size, directory));

  static byte[] tar(List<Written> members, int longFileMode) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, StandardCharsets.UTF_8.name())) {
      tar.setLongFileMode(longFileMode);
      for (Written member : members) {
        TarArchiveEntry entry = new TarArchiveEntry(member.directory() ? member.name() + "/" : member.name());
        entry.setSize(member.size());
        tar.putArchiveEntry(entry);
        tar.write(new byte[member.size()]);
        tar.closeArchiveEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static List<Written> walk(byte[] tar) throws IOException {
    List<Written> seen = new ArrayList<>();
    new TarReader(new Bytes(tar), ArchiveLimits.DEFAULTS).members(member -> seen.add(new Written(
        member.name().endsWith("/") ? member.name().substring(0, member.name().length() - 1) : member.name(),
        (int) member.size(), member.isDirectory())));
    return seen;
  }

  @Test
  void listsExactlyWhatATarWriterWrote() {
    qt().withExamples(300).forAll(lists().of(MEMBERS).ofSizeBetween(0, 20),
            arbitrary().pick(TarArchiveOutputStream.LONGFILE_POSIX, TarArchiveOutputStream.LONGFILE_GNU))
        .checkAssert((members, mode) -> {
          try {
            assertThat(walk(tar(members, mode))).isEqualTo(members);
          } catch (IOException e) {
            throw new AssertionError(e);
          }
        });
  }

  @Test
  void anyBytesFailOnlyAsDocumentedAndWithinTheLimits() {
    Gen<byte[]> random = lists().of(integers().between(0, 255)).ofSizeBetween(0, 4096).map(TarReaderTest::bytes);
    // A real checkpoint with bytes changed, its header checksums put right (so the damage gets
    // past them), and cut short or not.
    Gen<byte[]> mutated = lists().of(integers().between(0, Integer.MAX_VALUE)).ofSizeBetween(1, 24)
        .zip(integers().between(0, Integer.MAX_VALUE), booleans().all(), (changes, cut, aimed) -> {
          byte[] damaged = checkpoint.clone();
          for (int change : changes) {
            int at = aimed ? headers.get(change % headers.size()) + change % 512 : change % damaged.length;
            damaged[at] = (byte) (change >>> 9);
          }
          fixChecksums(damaged);
          return cut % 3 == 0 ? Arrays.copyOf(damaged, cut % damaged.length) : damaged;
        });
    qt().forAll(random.mix(mutated, 80), arbitrary().pick(TIGHT, ArchiveLimits.DEFAULTS))
        .checkAssert((content, limits) -> {
          Bytes file = new Bytes(content);
          int[] visited = {0};
          try {
            new TarReader(file, limits).members(member -> {
              visited[0]++;
              assertThat(member.offset()).isBetween(0L, (long) content.length);
              assertThat(member.size()).isNotNegative();
            });
          } catch (IOException documented) {
            // the only failure there may be
          }
          try {
            ArchiveReader.inspect(new Bytes(content), content.length, limits);
          } catch (IOException documented) {
            // likewise
          }
          assertThat(file.read).isLessThanOrEqualTo(limits.inspectMaxBytes());
          assertThat(visited[0]).isLessThanOrEqualTo(limits.inspectMaxMembers());
        });
  }

  @Test
  void anUndamagedCheckpointReadsWithinTheDefaults() throws IOException {
    ArchiveInspection inspection = ArchiveReader.inspect(new Bytes(checkpoint), checkpoint.length,
        ArchiveLimits.DEFAULTS);
    assertThat(inspection.facts().namespace()).isEqualTo("team-a");
    assertThat(inspection.processes()).hasSize(2);
  }

  @Test
  void theLimitsAreTheDocumentedFailures() {
    assertThatThrownBy(() -> ArchiveReader.inspect(new Bytes(checkpoint), checkpoint.length,
        new ArchiveLimits(3, 1 << 20, 1))).isInstanceOf(InspectionLimitException.class)
        .hasMessageContaining("more than 3 members (--inspect-max-members)");
    assertThatThrownBy(() -> ArchiveReader.inspect(new Bytes(checkpoint), checkpoint.length,
        new ArchiveLimits(1000, 2048, 1))).isInstanceOf(InspectionLimitException.class)
        .hasMessageContaining("more than 2048 bytes (--inspect-max-bytes)");
  }

  /** Headers other writers make: Go's archive/tar splits a long name into ustar prefix and name. */
  @Test
  void readsUstarPrefixesBase256SizesAndHeaderOnlyTypes() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] prefixed = header("pages-1.img", '0', 700);
    put(prefixed, 345, "checkpoint/deeper");
    out.write(checksummed(prefixed));
    out.write(new byte[1024]); // 700 bytes padded to 1024
    byte[] big = header("rootfs-diff.tar", '0', 0);
    Arrays.fill(big, 124, 136, (byte) 0);
    big[124] = (byte) 0x80; // base-256: 513 bytes
    big[134] = 0x02;
    big[135] = 0x01;
    out.write(checksummed(big));
    out.write(new byte[1024]);
    // A symbolic link whose size field says 5000: links carry no data, the next header follows.
    out.write(checksummed(header("link", '2', 5000)));
    out.write(checksummed(header("after", '0', 0)));
    out.write(new byte[1024]);
    assertThat(walk(out.toByteArray())).containsExactly(
        new Written("checkpoint/deeper/pages-1.img", 700, false),
        new Written("rootfs-diff.tar", 513, false),
        new Written("link", 0, false),
        new Written("after", 0, false));
  }

  @Test
  void aMemberRunningPastTheEndIsAnIOException() {
    byte[] tar = tar(List.of(new Written("a", 2000, false)), TarArchiveOutputStream.LONGFILE_POSIX);
    assertThatThrownBy(() -> walk(Arrays.copyOf(tar, 1024))).isInstanceOf(IOException.class)
        .hasMessageContaining("ends inside a member");
  }

  static byte[] header(String name, char type, long size) {
    byte[] h = new byte[512];
    put(h, 0, name);
    put(h, 100, "0000644");
    put(h, 124, String.format("%011o", size));
    h[156] = (byte) type;
    put(h, 257, "ustar");
    put(h, 263, "00");
    return h;
  }

  static void put(byte[] header, int at, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(bytes, 0, header, at, bytes.length);
  }

  static byte[] checksummed(byte[] header) {
    Arrays.fill(header, 148, 156, (byte) ' ');
    int sum = 0;
    for (byte b : header) {
      sum += b & 0xff;
    }
    put(header, 148, String.format("%06o", sum));
    header[154] = 0;
    return header;
  }

  static boolean ustar(byte[] bytes, int at) {
    return bytes[at + 257] == 'u' && bytes[at + 258] == 's' && bytes[at + 259] == 't'
        && bytes[at + 260] == 'a' && bytes[at + 261] == 'r';
  }

  static void fixChecksums(byte[] tar) {
    for (int at = 0; at + 512 <= tar.length; at += 512) {
      if (ustar(tar, at)) {
        byte[] header = Arrays.copyOfRange(tar, at, at + 512);
        System.arraycopy(checksummed(header), 0, tar, at, 512);
      }
    }
  }

  static byte[] bytes(List<Integer> values) {
    byte[] bytes = new byte[values.size()];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) values.get(i).intValue();
    }
    return bytes;
  }
}
