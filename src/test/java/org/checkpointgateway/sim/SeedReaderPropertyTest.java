package org.checkpointgateway.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.checkpointgateway.support.GatewayFixture;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The seed file is text a person writes, so every text must give a seed or the documented error:
 * an {@link IllegalArgumentException} whose one short line starts with the source's name (YAML
 * that cannot be read, a top level that is not a mapping) or with the key of the bad value; never
 * another exception, never a multi-line or unbounded message, never a hang.
 */
class SeedReaderPropertyTest {

  static final String SOURCE = "fuzz.yaml";
  /** A message names a key and echoes at most a short piece of the value. */
  static final int MAX_MESSAGE = 600;
  static final String KEY = "(?:[A-Za-z0-9_-]+|\"(?:[^\"\\\\]|\\\\.)*\")";
  static final Pattern DOCUMENTED = Pattern.compile(Pattern.quote(SOURCE) + ": .+|"
      + "(?:pods(?:\\[\\d+\\](?:\\.containers(?:\\[\\d+\\](?:\\." + KEY + ")?)?|\\." + KEY + ")?)?"
      + "|" + KEY + "): .+");

  /** Pieces of YAML, the structural and the surprising: tags, anchors, odd scalars. */
  static final List<String> FRAGMENTS = List.of("pods:", "- namespace: a", "  name: b",
      "containers:", "- name: c", "memoryBytes: ", "checkpointSeconds: ", "fail: ", "state: ",
      "uid: ", "bandwidthBytesPerSecond: ", "pagesCapBytes: ", "runtimeName: ", "runtimeVersion: ",
      "unimplemented: ", "writeArchives: ", "instantCheckpoints: ", "http2MaxConcurrentStreams: ",
      "1", "-1", "0", "1.5", "1e400", "-.inf", ".nan", "0x1F", "0o17", "99999999999999999999999",
      "true", "yes", "~", "null", "2001-12-14t21:59:43.10-05:00", "!!binary AAAA", "!!binary *",
      "!!int x", "!!float y", "!!timestamp z", "!!set {a, b}", "!!omap [a: 1]", "!!str 1",
      "!!java.lang.Object {}", "!!python/object:x {}", "&a [1, 2]", "*a", "*undefined", "<<: *a",
      "? [a, b]", ": v", "[", "]", "{", "}", ",", "- ", "  ", "\t", "\n", "\n  ", "\n    ", "'",
      "\"", "\"\\u0000\\u001b[2J\"", "|", ">-", "#", "%YAML 1.1", "---", "...", "@", "`", "\u00e9",
      "\ud83d\ude00", "\u0000", "\u001b", "\r", "UNKNOWN: CRIU failed", "OK: fine", "ready",
      "notready", "running", "exited", "paused", "a".repeat(300));

  @Test
  void randomFragmentsGiveASeedOrTheDocumentedError() {
    Gen<String> texts = lists().of(Generate.pick(FRAGMENTS)).ofSizeBetween(0, 40)
        .zip(lists().of(Generate.pick(List.of("", " ", "\n", "\n  ", "\n    - "))).ofSize(40),
            (pieces, glue) -> {
              StringBuilder text = new StringBuilder();
              for (int i = 0; i < pieces.size(); i++) {
                text.append(pieces.get(i)).append(glue.get(i));
              }
              return text.toString();
            });
    withinAMinute(() -> qt().withExamples(1500).forAll(texts)
        .checkAssert(SeedReaderPropertyTest::seedOrDocumentedError));
  }

  @Test
  void mutatedValidSeedsGiveASeedOrTheDocumentedError() throws IOException {
    List<String> valid = List.of(GatewayFixture.SEED, Files.readString(Path.of("conf/simulator.yaml")));
    Gen<String> texts = Generate.pick(valid).zip(
        lists().of(integers().between(0, Integer.MAX_VALUE)).ofSizeBetween(1, 8),
        Generate.pick(FRAGMENTS), SeedReaderPropertyTest::mutate);
    withinAMinute(() -> qt().withExamples(1500).forAll(texts)
        .checkAssert(SeedReaderPropertyTest::seedOrDocumentedError));
  }

  @Test
  void wellFormedYamlOfAnyShapeGivesASeedOrTheDocumentedError() {
    // Real YAML (dumped by SnakeYAML) reaches the validation of every key with every kind of value.
    Gen<Object> values = Generate.pick(List.<Object>of(1, -1, 0, Long.MAX_VALUE,
        new java.math.BigInteger("123456789012345678901234567890"), 1.5, Double.NaN,
        Double.POSITIVE_INFINITY, -0.0, true, false, "", " ", "x", "UNKNOWN: no", "OK: yes",
        "ready", "notready", "running", "exited", "created", "line\nbreak", "\u001b[31m",
        "b".repeat(500), new byte[] {1, 2}, new java.util.Date(0), List.of(), List.of(1, "a"),
        Map.of(), Map.of("k", "v"), Map.of(1, 2)));
    List<String> keys = List.of("namespace", "name", "uid", "state", "containers", "memoryBytes",
        "checkpointSeconds", "fail", "bandwidthBytesPerSecond", "pagesCapBytes", "runtimeName",
        "runtimeVersion", "unimplemented", "writeArchives", "instantCheckpoints",
        "http2MaxConcurrentStreams", "pods", "colour", "weird: key", "line\nkey");
    Gen<Map<Object, Object>> containers = lists().of(Generate.pick(keys)).ofSizeBetween(0, 5)
        .zip(lists().of(values).ofSize(5), SeedReaderPropertyTest::mapOf);
    Gen<Map<Object, Object>> pods = lists().of(Generate.pick(keys)).ofSizeBetween(0, 5)
        .zip(lists().of(values).ofSize(5), lists().of(containers).ofSizeBetween(0, 3),
            (k, v, c) -> {
              Map<Object, Object> pod = mapOf(k, v);
              pod.put("namespace", "ns");
              pod.put("name", "p" + k.size());
              if (!c.isEmpty()) {
                pod.put("containers", c);
              }
              return pod;
            });
    Gen<String> texts = lists().of(Generate.pick(keys)).ofSizeBetween(0, 6)
        .zip(lists().of(values).ofSize(6), lists().of(pods).ofSizeBetween(0, 3), (k, v, p) -> {
          Map<Object, Object> top = mapOf(k, v);
          if (!p.isEmpty()) {
            top.put("pods", p);
          }
          DumperOptions options = new DumperOptions();
          options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
          return new Yaml(options).dump(top);
        });
    withinAMinute(() -> qt().withExamples(1500).forAll(texts)
        .checkAssert(SeedReaderPropertyTest::seedOrDocumentedError));
  }

  @Test
  void theDocumentedFormIsWhatTheExamplesShow() {
    // The property's own yardstick, against messages the seed tests spell out.
    assertThat(DOCUMENTED.matcher("pods[0].containers[1].memoryBytes: must be a positive number").matches()).isTrue();
    assertThat(DOCUMENTED.matcher("fuzz.yaml: not valid YAML: while parsing").matches()).isTrue();
    assertThat(DOCUMENTED.matcher("pods[2].\"a: b\": unknown key (known: name)").matches()).isTrue();
    assertThat(DOCUMENTED.matcher("For input string: \"x\"").matches()).isFalse();
    seedOrDocumentedError(GatewayFixture.SEED);
  }

  static void seedOrDocumentedError(String yaml) {
    SimulatorSeed[] seed = {null};
    Throwable thrown = catchThrowable(() -> seed[0] = SimulatorSeed.parse(yaml, SOURCE));
    if (thrown == null) {
      // What a seed promises its users.
      assertThat(seed[0].pods()).allSatisfy(pod -> {
        assertThat(pod.namespace()).isNotBlank();
        assertThat(pod.name()).isNotBlank();
        assertThat(pod.containers()).allSatisfy(c -> assertThat(c.name()).isNotBlank());
      });
      assertThat(seed[0].bandwidthBytesPerSecond()).isPositive();
      return;
    }
    assertThat(thrown).as("for %s", show(yaml)).isExactlyInstanceOf(IllegalArgumentException.class);
    String message = thrown.getMessage();
    assertThat(message).as("for %s", show(yaml)).isNotNull()
        .hasSizeLessThanOrEqualTo(MAX_MESSAGE)
        .matches(DOCUMENTED)
        .doesNotContainPattern("\\p{Cntrl}");
  }

  private static String mutate(String text, List<Integer> edits, String fragment) {
    StringBuilder s = new StringBuilder(text);
    for (int edit : edits) {
      int at = s.length() == 0 ? 0 : edit % s.length();
      switch (edit % 4) {
        case 0 -> s.insert(at, fragment);
        case 1 -> s.delete(at, Math.min(s.length(), at + 1 + edit % 20));
        case 2 -> s.replace(at, Math.min(s.length(), at + 1), fragment);
        default -> {
          // a line repeated: duplicate keys, deeper or shallower indentation
          int start = s.lastIndexOf("\n", at) + 1;
          int end = s.indexOf("\n", at);
          s.insert(start, s.substring(start, end < 0 ? s.length() : end + 1));
        }
      }
    }
    return s.toString();
  }

  private static Map<Object, Object> mapOf(List<String> keys, List<Object> values) {
    Map<Object, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      map.put(keys.get(i), values.get(i));
    }
    return map;
  }

  private static void withinAMinute(Runnable property) {
    // A parser that loops shows as a failure here, not as a build that never ends.
    assertTimeoutPreemptively(Duration.ofSeconds(60), property::run);
  }

  private static String show(String yaml) {
    List<String> lines = new ArrayList<>(List.of(yaml.split("\n", -1)));
    return yaml.length() > 400 ? yaml.substring(0, 400) + "..." : String.join("\\n", lines);
  }
}
