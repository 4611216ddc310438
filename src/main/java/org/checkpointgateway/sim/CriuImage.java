package org.checkpointgateway.sim;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes the few CRIU image files a simulated archive carries, in CRIU's own format, so that
 * readers written against real archives (checkpointctl, crit, our inspector) can parse them.
 *
 * <p>An image starts with 32-bit little-endian magic numbers, then holds entries, each a 32-bit
 * little-endian length followed by that many bytes of protobuf. Ordinary images start with
 * {@code IMG_COMMON_MAGIC} and then their own magic; "service" files such as the stats file start
 * with {@code IMG_SERVICE_MAGIC} instead; {@code inventory.img} has its own magic only
 * (CRIU criu/image.c, {@code img_check_magic} and {@code head_magic}).
 *
 * <p>Magic values from CRIU's criu/include/magic.h (checkpoint-restore/criu, master):
 * {@code IMG_SERVICE_MAGIC 0x55105940} (Zlatoust), {@code STATS_MAGIC 0x57093306} (Ostashkov),
 * {@code INVENTORY_MAGIC 0x58313116} (Veliky Novgorod). checkpointctl's stats reader uses the same
 * two for {@code stats-dump}.
 */
final class CriuImage {

  static final int IMG_SERVICE_MAGIC = 0x55105940;
  static final int STATS_MAGIC = 0x57093306;
  static final int INVENTORY_MAGIC = 0x58313116;
  /** CRTOOLS_IMAGES_V1_1: images carry the common magic in their head. */
  static final int IMAGES_VERSION = 2;
  static final int PAGE_SIZE = 4096;

  private CriuImage() {
  }

  /**
   * CRIU's dump statistics (images/stats.proto, {@code dump_stats_entry}), times in microseconds.
   */
  record DumpStats(int freezingTime, int frozenTime, int memdumpTime, int memwriteTime,
                   long pagesScanned, long pagesSkippedParent, long pagesWritten) {
  }

  /** The {@code stats-dump} file: {@code StatsEntry { DumpStatsEntry dump = 1; }}. */
  static byte[] statsDump(DumpStats stats) {
    byte[] dump = message(out -> {
      out.writeUInt32(1, stats.freezingTime());
      out.writeUInt32(2, stats.frozenTime());
      out.writeUInt32(3, stats.memdumpTime());
      out.writeUInt32(4, stats.memwriteTime());
      out.writeUInt64(5, stats.pagesScanned());
      out.writeUInt64(6, stats.pagesSkippedParent());
      out.writeUInt64(7, stats.pagesWritten());
    });
    byte[] entry = message(out -> out.writeByteArray(1, dump));
    return image(entry, IMG_SERVICE_MAGIC, STATS_MAGIC);
  }

  /** {@code checkpoint/inventory.img}: {@code InventoryEntry { img_version = 1; fdinfo_per_id = 2; }}. */
  static byte[] inventory() {
    byte[] entry = message(out -> {
      out.writeUInt32(1, IMAGES_VERSION);
      out.writeBool(2, true);
    });
    return image(entry, INVENTORY_MAGIC);
  }

  private static byte[] image(byte[] entry, int... magics) {
    ByteBuffer buffer = ByteBuffer.allocate(4 * magics.length + 4 + entry.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int magic : magics) {
      buffer.putInt(magic);
    }
    return buffer.putInt(entry.length).put(entry).array();
  }

  private interface Fields {
    void write(CodedOutputStream out) throws IOException;
  }

  private static byte[] message(Fields fields) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      fields.write(out);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory cannot fail", e);
    }
  }
}
