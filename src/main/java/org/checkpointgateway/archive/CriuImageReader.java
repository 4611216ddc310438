package org.checkpointgateway.archive;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the entries of a CRIU image file. An image starts with 32-bit little-endian magic
 * numbers: {@code IMG_COMMON_MAGIC} then the image's own magic for ordinary images,
 * {@code IMG_SERVICE_MAGIC} then its own for service files such as {@code stats-dump}, and the
 * image's own magic alone for {@code inventory.img}. Then come entries, each a 32-bit
 * little-endian length and that many bytes of protobuf (CRIU criu/image.c, criu/protobuf.c;
 * magic values from criu/include/magic.h).
 */
final class CriuImageReader {

  static final int IMG_COMMON_MAGIC = 0x54564319;
  static final int IMG_SERVICE_MAGIC = 0x55105940;
  static final int INVENTORY_MAGIC = 0x58313116;
  static final int PSTREE_MAGIC = 0x50273030;
  static final int CORE_MAGIC = 0x55053847;
  static final int STATS_MAGIC = 0x57093306;
  /** No image we read has entries anywhere near this; a bigger length means a corrupt file. */
  private static final int MAX_ENTRY_BYTES = 1 << 20;

  private CriuImageReader() {
  }

  /**
   * The entries of an image whose own magic is {@code magic}.
   *
   * @throws IOException when the magic does not match or an entry is cut short
   */
  static List<byte[]> entries(InputStream in, int magic) throws IOException {
    DataInputStream data = new DataInputStream(in);
    int first = littleEndianInt(data);
    if (first == IMG_COMMON_MAGIC || first == IMG_SERVICE_MAGIC) {
      first = littleEndianInt(data);
    }
    if (first != magic) {
      throw new IOException(String.format("not a CRIU image of magic 0x%08x (found 0x%08x)", magic, first));
    }
    List<byte[]> entries = new ArrayList<>();
    while (true) {
      int length;
      try {
        length = littleEndianInt(data);
      } catch (EOFException end) {
        return entries;
      }
      if (length < 0 || length > MAX_ENTRY_BYTES) {
        throw new IOException("CRIU image entry of implausible length " + length);
      }
      byte[] entry = new byte[length];
      data.readFully(entry);
      entries.add(entry);
    }
  }

  private static int littleEndianInt(DataInputStream data) throws IOException {
    return Integer.reverseBytes(data.readInt());
  }
}
