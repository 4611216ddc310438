package org.checkpointgateway.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each rule alone and together, with pins, writes, downloads and the quiet period. */
class RetentionPlanTest {

  static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");

  static Archive archive(String ns, String container, int hoursAgo, long size, boolean pinned,
      boolean writing) {
    Instant when = NOW.minus(Duration.ofHours(hoursAgo));
    String name = "checkpoint-pod_" + ns + "-" + container + "-"
        + org.checkpointgateway.support.ArchiveFixtures.TIMESTAMP.format(when) + ".tar";
    return new Archive(ArchiveName.parse(name).orElseThrow(), Path.of("/d", name), size, when,
        new ArchiveFacts(ns, "pod", container, "CRI-O", "cri-o", null, null, null, null, null, when),
        pinned, writing, identity(size, when));
  }

  static FileIdentity identity(long size, Instant modified) {
    java.nio.file.attribute.FileTime time = java.nio.file.attribute.FileTime.from(modified);
    return new FileIdentity(1, size, 0100600, 1, size, time, time);
  }

  static Archive plain(String container, int hoursAgo) {
    return archive("ns", container, hoursAgo, 100, false, false);
  }

  static RetentionOptions options(Integer perContainer, Long maxBytes, Duration maxAge) {
    return new RetentionOptions(perContainer == null ? OptionalInt.empty() : OptionalInt.of(perContainer),
        maxBytes == null ? OptionalLong.empty() : OptionalLong.of(maxBytes), Optional.ofNullable(maxAge),
        Duration.ofMinutes(1), Duration.ofMinutes(1));
  }

  static List<String> removed(List<Archive> archives, RetentionOptions options, Set<Archive> busy) {
    List<Archive> sorted = new ArrayList<>(archives);
    sorted.sort(LocalArchiveStore.OLDEST_FIRST);
    return RetentionPlan.select(sorted, options, NOW, busy::contains).stream()
        .map(r -> r.archive().container().orElseThrow() + "@" + Duration.between(
            r.archive().checkpointed(), NOW).toHours()).toList();
  }

  @Test
  void maxAgeRemovesOlderArchivesButNotPinnedOrBusyOnes() {
    Archive pinned = archive("ns", "a", 50, 100, true, false);
    Archive busy = plain("b", 49);
    List<Archive> all = List.of(plain("a", 72), pinned, busy, plain("c", 47), plain("a", 1));
    assertThat(removed(all, options(null, null, Duration.ofDays(2)), Set.of(busy)))
        .containsExactly("a@72");
  }

  @Test
  void perContainerKeepsTheNewestUnpinnedOfEachContainer() {
    List<Archive> all = List.of(plain("a", 5), plain("a", 4), archive("ns", "a", 3, 100, true, false),
        plain("a", 2), archive("ns", "a", 0, 100, false, true), plain("b", 9), plain("b", 8));
    // a: unpinned, finished: 5, 4, 2 -> keep 2; pinned 3 and the one being written are left alone.
    assertThat(removed(all, options(1, null, null), Set.of())).containsExactly("b@9", "a@5", "a@4");
    assertThat(removed(all, options(2, null, null), Set.of())).containsExactly("a@5");
  }

  @Test
  void perContainerTellsNamespacesApart() {
    List<Archive> all = List.of(archive("x", "a", 3, 1, false, false), archive("y", "a", 2, 1, false, false));
    assertThat(removed(all, options(1, null, null), Set.of())).isEmpty();
  }

  @Test
  void maxBytesRemovesOldestUntilUnderTheBudgetCountingEverything() {
    Archive pinned = archive("ns", "p", 10, 500, true, false);
    List<Archive> all = List.of(pinned, plain("a", 9), plain("b", 8), plain("c", 7), plain("d", 6));
    // 900 bytes in all, budget 700: the pinned 500 stays, so remove a and b (oldest unpinned).
    assertThat(removed(all, options(null, 700L, null), Set.of())).containsExactly("a@9", "b@8");
    // A budget below the pinned archive alone: everything removable goes, the pinned one stays.
    assertThat(removed(all, options(null, 100L, null), Set.of())).containsExactly("a@9", "b@8", "c@7", "d@6");
  }

  @Test
  void aBusyArchiveIsSkippedAndTheNextOldestGoesInstead() {
    Archive downloading = plain("a", 9);
    List<Archive> all = List.of(downloading, plain("b", 8), plain("c", 7));
    assertThat(removed(all, options(null, 250L, null), Set.of(downloading))).containsExactly("b@8");
  }

  @Test
  void recentlyModifiedArchivesAreLeftAlone() {
    // The kubelet may share the directory and be writing an archive we know nothing of.
    Archive fresh = new Archive(plain("a", 30).name(), plain("a", 30).path(), 100,
        NOW.minusSeconds(10), plain("a", 30).facts(), false, false,
        identity(100, NOW.minusSeconds(10)));
    assertThat(removed(List.of(fresh), options(null, null, Duration.ofDays(1)), Set.of())).isEmpty();
  }

  @Test
  void rulesCombineWithoutRemovingTwice() {
    List<Archive> all = List.of(plain("a", 100), plain("a", 90), plain("a", 1));
    assertThat(removed(all, options(1, 1L, Duration.ofDays(3)), Set.of()))
        .containsExactly("a@100", "a@90", "a@1");
  }
}
