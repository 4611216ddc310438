package org.checkpointgateway.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import org.checkpointgateway.support.ArchiveFixtures;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** Archive names: every name the kubelet or the gateway writes parses back; nothing else escapes. */
class ArchiveNamePropertiesTest {

  /** A DNS label (namespaces, containers): lower-case alphanumerics and inner dashes. */
  static Gen<String> label(int max) {
    Gen<Character> alnum = arbitrary().pick(chars("abcdefghijklmnopqrstuvwxyz0123456789"));
    Gen<Character> inner = arbitrary().pick(chars("abcdefghijklmnopqrstuvwxyz0123456789-"));
    return lists().of(inner).ofSizeBetween(0, max - 2).zip(alnum, alnum, (middle, first, last) -> {
      StringBuilder label = new StringBuilder().append(first);
      middle.forEach(label::append);
      return middle.isEmpty() && first == last ? label.toString() : label.append(last).toString();
    });
  }

  /** A pod name: a DNS subdomain, dots allowed. */
  static final Gen<String> PODS = lists().of(label(20)).ofSizeBetween(1, 4)
      .map(parts -> String.join(".", parts));
  static final Gen<Instant> TIMES = longs().between(946_684_800_000_000_000L, 4_102_444_800_000_000_000L)
      .map(nanos -> Instant.ofEpochSecond(0, nanos));
  static final DateTimeFormatter KUBELET = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx");

  static Character[] chars(String s) {
    return s.chars().mapToObj(c -> (char) c).toArray(Character[]::new);
  }

  static String name(String pod, String namespace, String container, String timestamp) {
    return "checkpoint-" + pod + "_" + namespace + "-" + container + "-" + timestamp + ".tar";
  }

  @Test
  void everyNameTheGatewayWritesParsesBack() {
    qt().forAll(PODS, label(63), label(63), TIMES).checkAssert((pod, namespace, container, time) -> {
      ArchiveName name = ArchiveName.parse(name(pod, namespace, container,
          ArchiveFixtures.TIMESTAMP.format(time))).orElseThrow();
      assertThat(name.pod()).isEqualTo(pod);
      assertThat(name.namespaceAndContainer()).isEqualTo(namespace + "-" + container);
      assertThat(name.timestamp()).isEqualTo(time);
      assertThat(name.namespaceCandidates()).contains(namespace);
      if (!namespace.contains("-") && !container.contains("-")) {
        assertThat(name.unambiguousSplit()).hasValueSatisfying(split ->
            assertThat(split).containsExactly(namespace, container));
      }
    });
  }

  @Test
  void everyNameTheKubeletWritesParsesBack() {
    Gen<String> pods = PODS.zip(label(63), label(63), (pod, ns, c) -> pod + "_" + ns + "-" + c);
    qt().forAll(pods, TIMES, integers().between(-12 * 4, 14 * 4))
        .checkAssert((podAndRest, time, quarters) -> {
          String pod = podAndRest.substring(0, podAndRest.indexOf('_'));
          Instant second = time.truncatedTo(ChronoUnit.SECONDS);
          String stamp = KUBELET.format(second.atOffset(ZoneOffset.ofTotalSeconds(quarters * 900)));
          ArchiveName name = ArchiveName.parse("checkpoint-" + podAndRest + "-" + stamp + ".tar")
              .orElseThrow();
          assertThat(name.timestamp()).isEqualTo(second);
          assertThat(name.pod()).isEqualTo(pod);
        });
  }

  @Test
  void noParsedNameLeavesTheDirectory() {
    Gen<String> valid = PODS.zip(label(63), label(63), (pod, ns, c) -> name(pod, ns, c,
        "2026-03-01T08:00:00.000000000Z"));
    // Valid names with one character put in anywhere, and anything at all.
    Gen<String> mutated = valid.zip(integers().between(0, 10_000), arbitrary().pick(chars("/.\\_\0 Z:%")),
        (name, at, c) -> name.substring(0, at % (name.length() + 1)) + c + name.substring(at % (name.length() + 1)));
    Gen<String> anything = strings().allPossible().ofLengthBetween(0, 700).mix(mutated, 70);
    qt().forAll(anything).checkAssert(candidate -> ArchiveName.parse(candidate).ifPresent(name -> {
      assertThat(name.name()).isEqualTo(candidate).startsWith("checkpoint-").endsWith(".tar")
          .doesNotContain("/", "\0").hasSizeLessThanOrEqualTo(512);
      // One plain file name inside the directory, whatever dots it holds.
      java.nio.file.Path inside = java.nio.file.Path.of("/checkpoints").resolve(candidate).normalize();
      assertThat(inside.getParent()).isEqualTo(java.nio.file.Path.of("/checkpoints"));
      assertThat(inside.getFileName().toString()).isEqualTo(candidate);
      assertThat(name.namespaceCandidates()).isNotEmpty()
          .allSatisfy(ns -> assertThat(ns).matches("[a-z0-9][a-z0-9-]*"));
    }));
  }
}
