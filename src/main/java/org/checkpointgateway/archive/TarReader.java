package org.checkpointgateway.archive;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * Walks the members of a tar archive header by header, seeking past their data (gigabytes of
 * memory pages are never read), and reads the few members asked for. Reads what Go's
 * archive/tar, GNU tar and commons-compress write: ustar names with their prefix, GNU long names
 * ({@code L}) and base-256 numbers, pax extended headers ({@code x}: {@code path} and
 * {@code size}), and old GNU sparse members' extension headers.
 *
 * <p>Every byte read from the file counts against {@link ArchiveLimits#inspectMaxBytes}, and
 * every member against {@link ArchiveLimits#inspectMaxMembers}; passing either throws an
 * {@link InspectionLimitException}. So the work and the heap of one reading are bounded whatever
 * the file holds. Anything not a well-formed tar is an {@link IOException}; nothing else is thrown
 * for any content. Blocks: callers run it on a worker.
 */
final class TarReader {

  static final int BLOCK = 512;
  /** A pax or GNU long-name header bigger than this holds no real path (PATH_MAX is 4096). */
  static final int MAX_EXTENDED_HEADER = 64 * 1024;

  /** One member: its name as written, data size and offset, and tar type flag. */
  record Member(String name, long size, char type, long offset) {

    boolean isDirectory() {
      return type == '5' || name.endsWith("/");
    }

    boolean isFile() {
      return (type == '0' || type == '\0') && !name.endsWith("/");
    }

    boolean isSymbolicLink() {
      return type == '2';
    }
  }

  /** Called with each member in order. */
  interface Visitor {
    void member(Member member) throws IOException;
  }

  private final SeekableByteChannel channel;
  private final ArchiveLimits limits;
  private final long fileSize;
  private long bytesRead;

  TarReader(SeekableByteChannel channel, ArchiveLimits limits) throws IOException {
    this.channel = channel;
    this.limits = limits;
    this.fileSize = channel.size();
  }

  /** Bytes read from the file so far. */
  long bytesRead() {
    return bytesRead;
  }

  /** Visits every member; returns how many there are. */
  int members(Visitor visitor) throws IOException {
    int count = 0;
    long position = 0;
    String longName = null;
    String paxPath = null;
    long paxSize = -1;
    while (position < fileSize) {
      if (fileSize - position < BLOCK) {
        throw new IOException("not a tar archive: truncated header at offset " + position);
      }
      byte[] header = read(position, BLOCK);
      if (allZero(header)) {
        return count; // the end-of-archive marker
      }
      verifyChecksum(header, position);
      char type = (char) (header[156] & 0xff);
      long size = number(header, 124, 12, position);
      long data = position + BLOCK;
      switch (type) {
        case 'x', 'X' -> {
          for (String[] record : pax(read(data, extendedSize(size, position)), position)) {
            switch (record[0]) {
              case "path" -> paxPath = record[1];
              case "size" -> paxSize = decimal(record[1], position);
              default -> {
                // not needed to list members
              }
            }
          }
          position = next(data, size);
          continue;
        }
        case 'L' -> {
          longName = cString(read(data, extendedSize(size, position)), 0, (int) size);
          position = next(data, size);
          continue;
        }
        case 'g', 'K' -> { // global pax records, long link names: nothing we use
          position = next(data, size);
          continue;
        }
        default -> {
          // a member
        }
      }
      if (type == 'S' && header[482] != 0) {
        // Old GNU sparse: extension headers follow while each says another does.
        byte[] extension;
        do {
          if (fileSize - data < BLOCK) {
            throw new IOException("not a tar archive: truncated sparse header at offset " + data);
          }
          extension = read(data, BLOCK);
          data += BLOCK;
        } while (extension[504] != 0);
      }
      if (paxSize >= 0) {
        size = paxSize;
      }
      if ("123456".indexOf(type) >= 0) {
        size = 0; // links, devices, directories, FIFOs carry no data whatever the field says
      }
      String name = longName != null ? longName : paxPath != null ? paxPath : ustarName(header);
      if (++count > limits.inspectMaxMembers()) {
        throw new InspectionLimitException("the archive has more than "
            + limits.inspectMaxMembers() + " members (--inspect-max-members)");
      }
      visitor.member(new Member(name, size, type, data));
      position = next(data, size);
      longName = null;
      paxPath = null;
      paxSize = -1;
    }
    return count;
  }

  /** The data of a member of at most {@code max} bytes (checked by the caller). */
  byte[] content(Member member) throws IOException {
    if (member.size() > Integer.MAX_VALUE - 8) {
      throw new IOException(member.name() + " is too big to read");
    }
    return read(member.offset(), (int) member.size());
  }

  private byte[] read(long position, int length) throws IOException {
    if (length > limits.inspectMaxBytes() - bytesRead) {
      throw new InspectionLimitException("reading the archive takes more than "
          + limits.inspectMaxBytes() + " bytes (--inspect-max-bytes)");
    }
    bytesRead += length;
    ByteBuffer buffer = ByteBuffer.allocate(length);
    channel.position(position);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer) < 0) {
        throw new EOFException("the archive ends inside a member at offset " + position);
      }
    }
    return buffer.array();
  }

  /** Where the header after a member of {@code size} bytes of data starting at {@code data} is. */
  private long next(long data, long size) throws IOException {
    if (size > fileSize - data) {
      throw new EOFException("the archive ends inside a member at offset " + data);
    }
    long padded = size + (BLOCK - size % BLOCK) % BLOCK;
    return Math.min(data + padded, fileSize);
  }

  private static int extendedSize(long size, long position) throws IOException {
    if (size > MAX_EXTENDED_HEADER) {
      throw new IOException("extended header of " + size + " bytes at offset " + position
          + ": more than " + MAX_EXTENDED_HEADER);
    }
    return (int) size;
  }

  private static boolean allZero(byte[] block) {
    for (byte b : block) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  /** The header checksum: its bytes summed with the checksum field as spaces (signed, by old tars). */
  private static void verifyChecksum(byte[] header, long position) throws IOException {
    long stored = octal(header, 148, 8, position);
    long unsigned = 0;
    long signed = 0;
    for (int i = 0; i < BLOCK; i++) {
      byte b = i >= 148 && i < 156 ? (byte) ' ' : header[i];
      unsigned += b & 0xff;
      signed += b;
    }
    if (stored != unsigned && stored != signed) {
      throw new IOException("not a tar archive: bad header checksum at offset " + position);
    }
  }

  /** A numeric field: octal digits, or base-256 when its first byte has the high bit set (GNU). */
  private static long number(byte[] header, int offset, int length, long position) throws IOException {
    if ((header[offset] & 0x80) == 0) {
      return octal(header, offset, length, position);
    }
    if ((header[offset] & 0x40) != 0) {
      throw new IOException("negative number in the header at offset " + position);
    }
    long value = header[offset] & 0x3f;
    for (int i = offset + 1; i < offset + length; i++) {
      if (value > (Long.MAX_VALUE >>> 8)) {
        throw new IOException("number too big in the header at offset " + position);
      }
      value = value << 8 | (header[i] & 0xff);
    }
    return value;
  }

  private static long octal(byte[] header, int offset, int length, long position) throws IOException {
    int i = offset;
    int end = offset + length;
    while (i < end && header[i] == ' ') {
      i++;
    }
    long value = 0;
    for (; i < end && header[i] != 0 && header[i] != ' '; i++) {
      if (header[i] < '0' || header[i] > '7') {
        throw new IOException("not a tar archive: bad number in the header at offset " + position);
      }
      value = value << 3 | (header[i] - '0'); // at most 12 digits: no overflow
    }
    for (; i < end; i++) {
      if (header[i] != 0 && header[i] != ' ') {
        throw new IOException("not a tar archive: bad number in the header at offset " + position);
      }
    }
    return value;
  }

  /** The ustar name: {@code prefix/name} when the ustar prefix field is used (not by GNU tar). */
  private static String ustarName(byte[] header) {
    String name = cString(header, 0, 100);
    boolean ustar = header[257] == 'u' && header[258] == 's' && header[259] == 't'
        && header[260] == 'a' && header[261] == 'r' && header[262] == 0;
    if (ustar && header[345] != 0) {
      return cString(header, 345, 155) + "/" + name;
    }
    return name;
  }

  private static String cString(byte[] bytes, int offset, int length) {
    int end = offset;
    while (end < offset + length && bytes[end] != 0) {
      end++;
    }
    return new String(bytes, offset, end - offset, StandardCharsets.UTF_8);
  }

  /** pax records, {@code "<length> <key>=<value>\n"} each. */
  private static java.util.List<String[]> pax(byte[] data, long position) throws IOException {
    java.util.List<String[]> records = new java.util.ArrayList<>();
    int i = 0;
    while (i < data.length && data[i] != 0) {
      int length = 0;
      int digits = 0;
      int start = i;
      while (i < data.length && data[i] >= '0' && data[i] <= '9' && digits < 8) {
        length = length * 10 + (data[i++] - '0');
        digits++;
      }
      if (digits == 0 || i >= data.length || data[i] != ' ' || length <= i - start + 1
          || length > data.length - start || data[start + length - 1] != '\n') {
        throw new IOException("malformed pax header at offset " + position);
      }
      int keyStart = i + 1;
      int equals = keyStart;
      int recordEnd = start + length - 1;
      while (equals < recordEnd && data[equals] != '=') {
        equals++;
      }
      if (equals == recordEnd) {
        throw new IOException("malformed pax header at offset " + position);
      }
      records.add(new String[] {
          new String(data, keyStart, equals - keyStart, StandardCharsets.UTF_8),
          new String(data, equals + 1, recordEnd - equals - 1, StandardCharsets.UTF_8)});
      i = start + length;
    }
    return records;
  }

  private static long decimal(String value, long position) throws IOException {
    if (value.isEmpty() || value.length() > 18 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IOException("malformed pax size at offset " + position);
    }
    return Long.parseLong(value);
  }
}
