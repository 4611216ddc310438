package org.checkpointgateway.api;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.checkpointgateway.error.RangeNotSatisfiableException;

/**
 * One byte range of a {@code Range} request (RFC 9110, 14.1.2), inclusive at both ends. Only a
 * single range is served: a header with several, or one that does not parse, is ignored and the
 * whole archive sent, as the RFC allows.
 */
record ByteRange(long first, long last) {

  private static final Pattern SINGLE = Pattern.compile("\\s*bytes\\s*=\\s*(\\d*)\\s*-\\s*(\\d*)\\s*",
      Pattern.CASE_INSENSITIVE);
  private static final int MAX_DIGITS = 18;

  long length() {
    return last - first + 1;
  }

  String contentRange(long completeLength) {
    return "bytes " + first + "-" + last + "/" + completeLength;
  }

  /**
   * The range asked for by {@code header} of a representation of {@code size} bytes; empty when
   * the whole is to be sent.
   *
   * @throws RangeNotSatisfiableException when the range starts at or past the end
   */
  static Optional<ByteRange> parse(String header, long size) {
    if (header == null) {
      return Optional.empty();
    }
    Matcher m = SINGLE.matcher(header);
    if (!m.matches() || m.group(1).length() > MAX_DIGITS || m.group(2).length() > MAX_DIGITS) {
      return Optional.empty();
    }
    String from = m.group(1);
    String to = m.group(2);
    if (from.isEmpty()) {
      if (to.isEmpty()) {
        return Optional.empty();
      }
      long suffix = Long.parseLong(to);
      if (suffix == 0 || size == 0) {
        throw new RangeNotSatisfiableException(header.trim(), size);
      }
      return Optional.of(new ByteRange(Math.max(0, size - suffix), size - 1));
    }
    long first = Long.parseLong(from);
    if (!to.isEmpty() && Long.parseLong(to) < first) {
      return Optional.empty(); // not a valid range: ignored
    }
    long last = to.isEmpty() ? size - 1 : Long.parseLong(to);
    if (first >= size) {
      throw new RangeNotSatisfiableException(header.trim(), size);
    }
    return Optional.of(new ByteRange(first, Math.min(last, size - 1)));
  }
}
