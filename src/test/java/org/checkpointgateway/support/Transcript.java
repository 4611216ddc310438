package org.checkpointgateway.support;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Shell transcripts in Markdown: the {@code ```sh} blocks of one section, each with the
 * {@code ```text} block right after it showing what the commands print, and whether an actual
 * output has the shape of the one shown.
 * <p>Shape means: the same lines, whitespace runs counted as one space, where a line {@code ...}
 * stands for any number of lines. Values that differ from run to run are compared by kind: UUIDs,
 * RFC 3339 timestamps, decimal numbers, {@code content-length} and SSE {@code id} values. A line
 * that is JSON (or an SSE {@code data:} line holding JSON) is compared as JSON: the same keys in
 * the same order, the same types, strings by the rule above, integers exactly (but
 * {@link #VARYING_INTEGERS}), decimals by kind.
 */
public final class Transcript {

  /** Integers that depend on timing: how much of an archive was written when an event went out. */
  static final Set<String> VARYING_INTEGERS = Set.of("archiveBytes");
  static final String ANY_LINES = "...";

  private static final Pattern UUID = Pattern.compile(
      "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final Pattern TIMESTAMP = Pattern.compile(
      "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z");
  private static final Pattern DECIMAL = Pattern.compile("\\d+\\.\\d+");
  private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)^content-length: \\d+$");
  private static final Pattern SSE_ID = Pattern.compile("^id: \\d+$");

  /** Commands to run, and the output shown for them (null when none is shown). */
  public record Step(String commands, List<String> expected) {
  }

  private record Block(String language, List<String> lines, int start, int end) {
  }

  private Transcript() {
  }

  /** The steps of the section under {@code heading} (a whole line such as {@code ## Tour}). */
  public static List<Step> steps(String markdown, String heading) {
    List<String> lines = markdown.lines().toList();
    int from = lines.indexOf(heading);
    if (from < 0) {
      throw new IllegalArgumentException("no section " + heading);
    }
    String level = heading.substring(0, heading.indexOf(' ') + 1);
    int to = from + 1;
    while (to < lines.size() && !lines.get(to).startsWith(level)) {
      to++;
    }
    List<Block> blocks = blocks(lines.subList(from + 1, to));
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < blocks.size(); i++) {
      Block block = blocks.get(i);
      if (!block.language().equals("sh")) {
        continue;
      }
      Block next = i + 1 < blocks.size() ? blocks.get(i + 1) : null;
      boolean shown = next != null && next.language().equals("text")
          && lines.subList(from + 1 + block.end() + 1, from + 1 + next.start()).stream()
              .allMatch(String::isBlank);
      steps.add(new Step(String.join("\n", block.lines()), shown ? next.lines() : null));
    }
    return steps;
  }

  private static List<Block> blocks(List<String> lines) {
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (!lines.get(i).startsWith("```")) {
        continue;
      }
      String language = lines.get(i).substring(3).trim();
      int end = i + 1;
      while (end < lines.size() && !lines.get(end).equals("```")) {
        end++;
      }
      blocks.add(new Block(language, List.copyOf(lines.subList(i + 1, end)), i, end));
      i = end;
    }
    return blocks;
  }

  /** Null when {@code actual} has the shape of {@code expected}; else the first difference. */
  public static String difference(List<String> expected, List<String> actual) {
    return match(nonBlank(expected), 0, nonBlank(actual), 0);
  }

  private static List<String> nonBlank(List<String> lines) {
    return lines.stream().map(String::strip).filter(line -> !line.isEmpty()).toList();
  }

  private static String match(List<String> expected, int e, List<String> actual, int a) {
    if (e == expected.size()) {
      return a == actual.size() ? null : "unexpected line: " + actual.get(a);
    }
    if (expected.get(e).equals(ANY_LINES)) {
      String first = null;
      for (int skip = a; skip <= actual.size(); skip++) {
        String rest = match(expected, e + 1, actual, skip);
        if (rest == null) {
          return null;
        }
        first = first == null ? rest : first;
      }
      return first;
    }
    if (a == actual.size()) {
      return "missing line: " + expected.get(e);
    }
    String line = lineDifference(expected.get(e), actual.get(a));
    return line != null ? line : match(expected, e + 1, actual, a + 1);
  }

  private static String lineDifference(String expected, String actual) {
    String prefix = expected.startsWith("data: ") ? "data: " : "";
    String json = expected.substring(prefix.length());
    if (json.startsWith("{") || json.startsWith("[")) {
      if (!actual.startsWith(prefix)) {
        return "expected " + expected + "\n  but got " + actual;
      }
      try {
        String difference = jsonDifference("$", Json.decodeValue(json),
            Json.decodeValue(actual.substring(prefix.length())));
        return difference == null ? null
            : difference + "\n  expected " + expected + "\n  but got  " + actual;
      } catch (DecodeException e) {
        return "expected JSON like " + expected + "\n  but got " + actual;
      }
    }
    return text(expected).equals(text(actual)) ? null
        : "expected " + expected + "\n  but got  " + actual;
  }

  private static String jsonDifference(String where, Object expected, Object actual) {
    if (expected instanceof JsonObject object) {
      if (!(actual instanceof JsonObject other)) {
        return where + ": expected an object, got " + actual;
      }
      if (!List.copyOf(object.fieldNames()).equals(List.copyOf(other.fieldNames()))) {
        return where + ": keys " + other.fieldNames() + " instead of " + object.fieldNames();
      }
      for (String key : object.fieldNames()) {
        Object want = object.getValue(key);
        Object got = other.getValue(key);
        String difference = VARYING_INTEGERS.contains(key) && integral(want) && integral(got) ? null
            : jsonDifference(where + "." + key, want, got);
        if (difference != null) {
          return difference;
        }
      }
      return null;
    }
    if (expected instanceof JsonArray array) {
      if (!(actual instanceof JsonArray other) || other.size() != array.size()) {
        return where + ": expected an array of " + array.size() + ", got " + actual;
      }
      for (int i = 0; i < array.size(); i++) {
        String difference = jsonDifference(where + "[" + i + "]", array.getValue(i), other.getValue(i));
        if (difference != null) {
          return difference;
        }
      }
      return null;
    }
    if (expected instanceof String text) {
      return actual instanceof String other && text(text).equals(text(other)) ? null
          : where + ": expected \"" + text + "\", got " + actual;
    }
    if (integral(expected)) {
      return integral(actual) && ((Number) expected).longValue() == ((Number) actual).longValue()
          ? null : where + ": expected " + expected + ", got " + actual;
    }
    if (expected instanceof Number) {
      return actual instanceof Number && !integral(actual) ? null
          : where + ": expected a decimal, got " + actual;
    }
    return java.util.Objects.equals(expected, actual) ? null
        : where + ": expected " + expected + ", got " + actual;
  }

  private static boolean integral(Object value) {
    return value instanceof Integer || value instanceof Long || value instanceof java.math.BigInteger;
  }

  /** A line with the values that differ from run to run replaced by their kind. */
  static String text(String line) {
    String text = line.strip().replaceAll("\\s+", " ");
    if (CONTENT_LENGTH.matcher(text).matches()) {
      return "content-length: <n>";
    }
    if (SSE_ID.matcher(text).matches()) {
      return "id: <n>";
    }
    text = UUID.matcher(text).replaceAll("<uuid>");
    text = TIMESTAMP.matcher(text).replaceAll("<time>");
    return DECIMAL.matcher(text).replaceAll("<decimal>");
  }
}
