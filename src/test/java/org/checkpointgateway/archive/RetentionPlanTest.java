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

  // ---- the operator's policies ----

  static Archive inPod(String ns, String pod, String container, int minutesAgo, long size,
      boolean pinned, boolean writing) {
    Instant when = NOW.minus(Duration.ofMinutes(minutesAgo + 120));
    String name = "checkpoint-" + pod + "_" + ns + "-" + container + "-"
        + org.checkpointgateway.support.ArchiveFixtures.TIMESTAMP.format(when) + ".tar";
    return new Archive(ArchiveName.parse(name).orElseThrow(), Path.of("/d", name), size, when,
        new ArchiveFacts(ns, pod, container, "containerd", null, null, null, null, null, null, when),
        pinned, writing, identity(size, when));
  }

  static Archive at(String ns, String pod, String container, int minutesAgo) {
    return inPod(ns, pod, container, minutesAgo, 100, false, false);
  }

  static RetentionPolicies.Limits count(int n) {
    return new RetentionPolicies.Limits(OptionalInt.of(n), OptionalLong.empty(), OptionalLong.empty());
  }

  static RetentionOptions policies(RetentionPolicies policies) {
    return new RetentionOptions(OptionalInt.empty(), OptionalLong.empty(), Optional.empty(),
        Duration.ofMinutes(1), Duration.ofMinutes(1), policies);
  }

  static List<String> names(List<RetentionPlan.Removal> removals) {
    return removals.stream().map(r -> r.archive().pod() + "/" + r.archive().container().orElseThrow()
        + "@" + (Duration.between(r.archive().modified(), NOW).toMinutes() - 120)).toList();
  }

  @Test
  void theMostSpecificPolicyDecidesContainerOverPodOverNamespaceOverGlobal() {
    RetentionPolicies policies = new RetentionPolicies(count(3), RetentionPolicies.Limits.NONE,
        RetentionPolicies.Limits.NONE,
        List.of(new RetentionPolicies.Scoped("team-a", "web", "nginx", count(1))),
        List.of(new RetentionPolicies.Scoped("team-a", "db", null, count(3))),
        List.of(new RetentionPolicies.Scoped("team-a", null, null, count(2))));
    List<Archive> all = List.of(
        at("team-a", "web", "nginx", 5), at("team-a", "web", "nginx", 4), at("team-a", "web", "nginx", 3),
        at("team-a", "web", "app", 9), at("team-a", "api", "app", 8), at("team-a", "web", "app", 2),
        at("team-a", "db", "pg", 7), at("team-a", "db", "pg", 6), at("team-a", "db", "pg", 1),
        at("other", "x", "y", 9), at("other", "x", "y", 8), at("other", "x", "y", 7), at("other", "x", "y", 6));

    assertThat(names(RetentionPlan.select(all, policies(policies), NOW, a -> false)))
        // nginx: its own policy keeps 1; web/app and api/app: team-a's namespace policy keeps 2
        // of the three (db has a pod policy of its own, keeping all 3); other/x/y: the global 3.
        .containsExactlyInAnyOrder("web/nginx@5", "web/nginx@4", "web/app@9", "x/y@9");
  }

  @Test
  void sizeLimitsRemoveBigArchivesAndTheOldestBeyondATotalCountingPinnedOnes() {
    RetentionPolicies.Limits sizes = new RetentionPolicies.Limits(OptionalInt.empty(),
        OptionalLong.of(500), OptionalLong.of(600));
    RetentionPolicies policies = new RetentionPolicies(RetentionPolicies.Limits.NONE,
        RetentionPolicies.Limits.NONE, sizes, List.of(), List.of(), List.of());
    List<Archive> all = List.of(inPod("n", "p", "big", 9, 900, false, false),
        inPod("n", "p", "bigpinned", 8, 900, true, false),
        inPod("n", "p", "c", 7, 100, false, false), inPod("n", "q", "c", 6, 100, false, false),
        inPod("n", "p", "c", 5, 100, false, false));
    // 900 too big; then the pinned 900 alone passes the 600 total: every unpinned one goes.
    assertThat(names(RetentionPlan.select(all, policies(policies), NOW, a -> false)))
        .containsExactly("p/big@9", "p/c@7", "q/c@6", "p/c@5");
  }

  @Test
  void theGatewaysOwnCompletedArchivesSkipTheQuietPeriodOthersDoNot() {
    Instant justNow = NOW.minusSeconds(5);
    Archive ours = new Archive(plain("a", 0).name(), Path.of("/d/ours"), 100, justNow,
        plain("a", 0).facts(), false, false, identity(100, justNow));
    Archive theirs = new Archive(plain("a", 1).name(), Path.of("/d/theirs"), 100, justNow.minusSeconds(1),
        plain("a", 1).facts(), false, false, identity(100, justNow.minusSeconds(1)));
    List<RetentionPlan.Removal> plan = RetentionPlan.select(List.of(ours, theirs),
        options(null, 1L, null), NOW, a -> false, a -> a == ours);
    assertThat(plan).extracting(r -> r.archive().path()).containsExactly(Path.of("/d/ours"));
  }

  /** Random archives of 2 namespaces x 2 pods x 2 containers, and random limits. */
  static Archive decode(int i, int bits) {
    return inPod("n" + (bits & 1), "p" + (bits >> 1 & 1), "c" + (bits >> 2 & 1),
        (bits >> 3 & 0xff) * 64 + i, 1 + (bits >> 11 & 0x3ff), (bits >> 21 & 7) == 0,
        (bits >> 24 & 15) == 0);
  }

  static RetentionPolicies.Limits limits(int bits) {
    return new RetentionPolicies.Limits(
        (bits & 3) == 0 ? OptionalInt.empty() : OptionalInt.of(1 + (bits >> 2 & 3)),
        (bits >> 4 & 3) == 0 ? OptionalLong.empty() : OptionalLong.of(200 + (bits >> 6 & 0x3ff)),
        (bits >> 16 & 3) == 0 ? OptionalLong.empty() : OptionalLong.of(500 + (bits >> 18 & 0xfff)));
  }

  @Test
  void neverRemovesPinnedWrittenOrBusyArchivesAndEveryCountLimitHolds() {
    org.quicktheories.QuickTheory.qt().forAll(
        org.quicktheories.generators.SourceDSL.lists().of(
            org.quicktheories.generators.SourceDSL.integers().allPositive()).ofSizeBetween(0, 40),
        org.quicktheories.generators.SourceDSL.integers().allPositive(),
        org.quicktheories.generators.SourceDSL.integers().allPositive(),
        org.quicktheories.generators.SourceDSL.integers().allPositive())
        .checkAssert((bits, global, scoped, busyBits) -> {
          List<Archive> all = new ArrayList<>();
          for (int i = 0; i < bits.size(); i++) {
            all.add(decode(i, bits.get(i)));
          }
          RetentionPolicies policies = new RetentionPolicies(limits(global), limits(global >> 8),
              limits(scoped), List.of(new RetentionPolicies.Scoped("n0", "p0", "c0", count(1))),
              List.of(), List.of(new RetentionPolicies.Scoped("n1", null, null, limits(scoped >> 4))));
          Set<Archive> busy = new java.util.HashSet<>();
          for (int i = 0; i < all.size(); i++) {
            if ((busyBits >> (i % 31) & 1) == 1 && i % 3 == 0) {
              busy.add(all.get(i));
            }
          }
          List<Archive> removed = RetentionPlan.select(all, policies(policies), NOW, busy::contains)
              .stream().map(RetentionPlan.Removal::archive).toList();
          assertThat(removed).doesNotHaveDuplicates()
              .noneMatch(a -> a.pinned() || a.beingWritten() || busy.contains(a));
          // n0/p0/c0 keeps at most one unpinned finished archive, but for busy ones among the
          // excess (skipped now, removed by a later run).
          List<Archive> kept = all.stream().filter(a -> a.container().orElseThrow().equals("c0")
              && a.pod().equals("p0") && a.namespace().orElseThrow().equals("n0")
              && !a.pinned() && !a.beingWritten() && !removed.contains(a)).toList();
          assertThat(kept.stream().filter(a -> !busy.contains(a)).count()).isLessThanOrEqualTo(1);
        });
  }

  // ---- retainOrphan: false ----

  static RetentionPolicies.Limits orphans(Boolean retain) {
    return new RetentionPolicies.Limits(OptionalInt.empty(), OptionalLong.empty(),
        OptionalLong.empty(), Optional.ofNullable(retain));
  }

  static ContainerCensus.Identity id(Archive archive) {
    return new ContainerCensus.Identity(archive.facts().namespace(), archive.facts().pod(),
        archive.facts().container());
  }

  @Test
  void orphansGoOnlyWhenTheCensusIsKnownNeverPinnedAndByTheMostSpecificPolicy() {
    org.quicktheories.QuickTheory.qt().forAll(
        org.quicktheories.generators.SourceDSL.lists().of(
            org.quicktheories.generators.SourceDSL.integers().allPositive()).ofSizeBetween(0, 40),
        org.quicktheories.generators.SourceDSL.integers().between(0, 255),
        org.quicktheories.generators.SourceDSL.integers().between(0, 2),
        org.quicktheories.generators.SourceDSL.booleans().all())
        .checkAssert((bits, censusBits, global, known) -> {
          List<Archive> all = new ArrayList<>();
          for (int i = 0; i < bits.size(); i++) {
            all.add(decode(i, bits.get(i)));
          }
          // The 8 identities decode() makes, those whose bit is set exist.
          Set<ContainerCensus.Identity> census = new java.util.HashSet<>();
          for (int b = 0; b < 8; b++) {
            if ((censusBits >> b & 1) == 1) {
              census.add(new ContainerCensus.Identity("n" + (b & 1), "p" + (b >> 1 & 1),
                  "c" + (b >> 2 & 1)));
            }
          }
          Boolean globalRetain = global == 0 ? null : global == 1;
          // n0/p1/c1 removes orphans whatever the global says; namespace n1 names no
          // retainOrphan, so its archives keep the operator's default (true) over a global false.
          RetentionPolicies policies = new RetentionPolicies(orphans(globalRetain),
              RetentionPolicies.Limits.NONE, RetentionPolicies.Limits.NONE,
              List.of(new RetentionPolicies.Scoped("n0", "p1", "c1", orphans(false))), List.of(),
              List.of(new RetentionPolicies.Scoped("n1", null, null, count(1000))));
          List<Archive> removed = RetentionPlan.select(all, policies(policies), NOW, a -> false,
              a -> false, known ? Optional.of(census) : Optional.empty())
              .stream().map(RetentionPlan.Removal::archive).toList();

          List<Archive> expected = !known ? List.of() : all.stream()
              .filter(a -> !a.pinned() && !a.beingWritten() && !census.contains(id(a)))
              .filter(a -> id(a).equals(new ContainerCensus.Identity("n0", "p1", "c1"))
                  || a.facts().namespace().equals("n0") && Boolean.FALSE.equals(globalRetain))
              .sorted(RetentionPlan.OLDEST_MODIFIED).toList();
          assertThat(removed).containsExactlyElementsOf(expected);
        });
  }

  @Test
  void anOrphanIdentifiedByItsNameAloneOrStillQuietIsKept() {
    Set<ContainerCensus.Identity> none = Set.of();
    RetentionPolicies policies = new RetentionPolicies(orphans(false), RetentionPolicies.Limits.NONE,
        RetentionPolicies.Limits.NONE, List.of(), List.of(), List.of());
    Archive old = at("ns", "web", "app", 10);
    Archive quiet = archive("ns", "app", 0, 100, false, false);
    Archive nameOnly = new Archive(old.name(), old.path().resolveSibling("x"), 1, old.modified(),
        null, false, false, old.identity());

    List<RetentionPlan.Removal> plan = RetentionPlan.select(List.of(old, quiet, nameOnly),
        policies(policies), NOW, a -> false, a -> false, Optional.of(none));
    assertThat(plan).extracting(RetentionPlan.Removal::archive).containsExactly(old);
    assertThat(plan.get(0).reason()).contains("orphan").contains("ns/web/app");
    // The gateway's own completed checkpoint is not held back by the quiet period.
    assertThat(RetentionPlan.select(List.of(quiet), policies(policies), NOW, a -> false,
        a -> true, Optional.of(none))).hasSize(1);
  }
}
