package org.checkpointgateway.api;

import java.util.Optional;
import org.checkpointgateway.outcome.RangeNotSatisfiableException;

/**
 * One byte range of a {@code Range} request (RFC 9110, 14.1.2), inclusive at both ends. Only a
 * single range is served: a header with several, or one that does not parse, is ignored and the
 * whole archive sent, as the RFC allows.
 *
 * <p>Parsed by one left-to-right scan (a regular expression with whitespace on both sides of
 * each part backtracked quadratically: 260 ms of event loop for 7,900 spaces), and only when the
 * value is at most {@link #MAX_LENGTH} characters: no single range is longer.
 */
record ByteRange(long first, long last) {

  /** {@code bytes=} and two 18-digit positions with room for stray spaces. */
  static final int MAX_LENGTH = 256;
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
    if (header == null || header.length() > MAX_LENGTH) {
      return Optional.empty();
    }
    Scanner in = new Scanner(header);
    in.spaces();
    if (!in.word("bytes")) {
      return Optional.empty();
    }
    in.spaces();
    if (!in.next('=')) {
      return Optional.empty();
    }
    in.spaces();
    String from = in.digits();
    in.spaces();
    if (!in.next('-')) {
      return Optional.empty();
    }
    in.spaces();
    String to = in.digits();
    in.spaces();
    if (!in.atEnd() || from.length() > MAX_DIGITS || to.length() > MAX_DIGITS) {
      return Optional.empty();
    }
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

  /** A cursor over the header: every step moves forward, so a parse is linear. */
  private static final class Scanner {
    private final String text;
    private int at;

    Scanner(String text) {
      this.text = text;
    }

    /** Skips ASCII white space (space, tab, line feed, vertical tab, form feed, return). */
    void spaces() {
      while (at < text.length() && " \t\n\u000b\f\r".indexOf(text.charAt(at)) >= 0) {
        at++;
      }
    }

    /** Takes {@code word} (lower-case ASCII) in any ASCII case. */
    boolean word(String word) {
      if (text.length() - at < word.length()) {
        return false;
      }
      for (int i = 0; i < word.length(); i++) {
        char c = text.charAt(at + i);
        if (c != word.charAt(i) && c != Character.toUpperCase(word.charAt(i))) {
          return false;
        }
      }
      at += word.length();
      return true;
    }

    boolean next(char c) {
      if (at < text.length() && text.charAt(at) == c) {
        at++;
        return true;
      }
      return false;
    }

    String digits() {
      int start = at;
      while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
        at++;
      }
      return text.substring(start, at);
    }

    boolean atEnd() {
      return at == text.length();
    }
  }
}
