package org.checkpointgateway.archive;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.checkpointgateway.archive.RetentionPolicies.Limits;
import org.checkpointgateway.archive.RetentionPolicies.Scoped;

/**
 * Which archives retention removes, decided from one listing: a pure function, so every rule is
 * testable without files or clocks.
 *
 * <p>Oldest first by modification time under each rule, as the checkpoint-restore-operator.
 * Pinned archives and archives being written are never removed and do not count toward a
 * number of archives; they do count toward a size, since they take the space. An archive busy
 * otherwise (being downloaded, or modified within the quiet period and not seen complete by this
 * gateway) counts like any other but is skipped; a later run removes it once it is free.
 *
 * <p>Policies ({@link RetentionPolicies}): an archive falls under the policy of its container,
 * else of its pod, else of its namespace, else under the global limits per container, per pod and
 * per namespace. Each applies to the group of archives under it, grouped by that policy's level:
 * first any archive larger than {@code maxCheckpointSize} goes, then the oldest beyond
 * {@code maxCheckpoints}, then the oldest while the group takes more than {@code maxTotalSize}.
 * An archive whose namespace is unknown falls under the global per-container limit only.
 *
 * <p>{@code retainOrphan: false}, decided by the same most specific policy (unset there means
 * true): an archive whose own metadata names a namespace, pod and container that the runtime's
 * census does not hold is removed first, before it counts toward any limit. Without a census
 * (the runtime could not say) nothing is an orphan.
 */
final class RetentionPlan {

  /** One archive to remove and the rule that removes it, for the log. */
  record Removal(Archive archive, String reason) {
  }

  static final Comparator<Archive> OLDEST_MODIFIED = Comparator.comparing(Archive::modified)
      .thenComparing(Archive::checkpointed).thenComparing(Archive::fileName);

  private RetentionPlan() {
  }

  static List<Removal> select(List<Archive> archives, RetentionOptions options, Instant now,
      Predicate<Archive> busy) {
    return select(archives, options, now, busy, archive -> false);
  }

  /**
   * @param listed every archive, in any order
   * @param busy archives that must not be removed now (downloads in flight)
   * @param seenComplete archives whose checkpoint this gateway saw complete: the quiet period,
   *     which protects files someone else may still be writing, does not hold them back
   */
  static List<Removal> select(List<Archive> listed, RetentionOptions options, Instant now,
      Predicate<Archive> busy, Predicate<Archive> seenComplete) {
    return select(listed, options, now, busy, seenComplete, Optional.empty());
  }

  /**
   * @param census the containers the runtime knows, taken after the listing; empty when unknown
   */
  static List<Removal> select(List<Archive> listed, RetentionOptions options, Instant now,
      Predicate<Archive> busy, Predicate<Archive> seenComplete,
      Optional<Set<ContainerCensus.Identity>> census) {
    List<Archive> archives = new ArrayList<>(listed);
    archives.sort(OLDEST_MODIFIED);
    Instant quietSince = now.minus(options.quietPeriod());
    Predicate<Archive> removable = a -> !a.pinned() && !a.beingWritten() && !busy.test(a)
        && (seenComplete.test(a) || !a.modified().isAfter(quietSince));
    Map<Archive, String> chosen = new LinkedHashMap<>();

    options.maxAge().ifPresent(maxAge -> {
      Instant oldest = now.minus(maxAge);
      for (Archive archive : archives) {
        if (archive.checkpointed().isBefore(oldest) && removable.test(archive)) {
          chosen.put(archive, "checkpointed before " + oldest + " (max age "
              + org.checkpointgateway.units.Durations.format(maxAge) + ")");
        }
      }
    });

    census.ifPresent(known -> {
      for (Archive archive : archives) {
        orphan(archive, known).filter(id -> removesOrphans(options.policies(), id)
            && removable.test(archive) && !chosen.containsKey(archive))
            .ifPresent(id -> chosen.put(archive, "orphan: the runtime knows no container "
                + id.namespace() + "/" + id.pod() + "/" + id.container() + " (retainOrphan: false)"));
      }
    });

    applyPolicies(archives, options, removable, chosen);

    options.maxBytes().ifPresent(maxBytes -> {
      long total = 0;
      for (Archive archive : archives) {
        if (!chosen.containsKey(archive)) {
          total += archive.size();
        }
      }
      for (Archive archive : archives) {
        if (total <= maxBytes) {
          break;
        }
        if (!chosen.containsKey(archive) && removable.test(archive)) {
          chosen.put(archive, "archives take more than " + maxBytes + " bytes");
          total -= archive.size();
        }
      }
    });

    List<Removal> removals = new ArrayList<>();
    for (Archive archive : archives) {
      String reason = chosen.get(archive);
      if (reason != null) {
        removals.add(new Removal(archive, reason));
      }
    }
    return removals;
  }

  /**
   * The archive's identity when its own metadata gives all of it and the census lacks it; a name
   * proves nothing (any file can be given one), so an archive identified by its name alone is
   * never an orphan.
   */
  private static Optional<ContainerCensus.Identity> orphan(Archive archive,
      Set<ContainerCensus.Identity> known) {
    ArchiveFacts facts = archive.facts();
    if (facts == null || facts.namespace() == null || facts.pod() == null
        || facts.container() == null) {
      return Optional.empty();
    }
    ContainerCensus.Identity id = new ContainerCensus.Identity(facts.namespace(), facts.pod(),
        facts.container());
    return known.contains(id) ? Optional.empty() : Optional.of(id);
  }

  /** The most specific policy naming the container decides, else the global setting. */
  private static boolean removesOrphans(RetentionPolicies policies, ContainerCensus.Identity id) {
    return RetentionPolicies.find(policies.containers(), id.namespace(), id.pod(), id.container())
        .or(() -> RetentionPolicies.find(policies.pods(), id.namespace(), id.pod(), id.container()))
        .or(() -> RetentionPolicies.find(policies.namespaces(), id.namespace(), id.pod(),
            id.container()))
        .map(policy -> policy.limits().removesOrphans())
        .orElse(policies.perContainer().removesOrphans());
  }

  /** Each archive under its most specific policy, each policy over its group. */
  private static void applyPolicies(List<Archive> archives, RetentionOptions options,
      Predicate<Archive> removable, Map<Archive, String> chosen) {
    RetentionPolicies policies = options.policies();
    OptionalInt perContainer = policies.perContainer().maxCheckpoints().isPresent()
        ? policies.perContainer().maxCheckpoints() : options.perContainer();
    Limits globalContainer = new Limits(perContainer, policies.perContainer().maxCheckpointSize(),
        policies.perContainer().maxTotalSize());
    // Groups by their level and key, each with its limits; archives oldest first in each.
    Map<String, Group> groups = new LinkedHashMap<>();
    for (Archive archive : archives) {
      String ns = archive.namespace().orElse(null);
      String pod = archive.pod();
      String container = archive.container().orElse(null);
      Scoped specific = ns == null ? null
          : RetentionPolicies.find(policies.containers(), ns, pod, container)
              .or(() -> RetentionPolicies.find(policies.pods(), ns, pod, container))
              .or(() -> RetentionPolicies.find(policies.namespaces(), ns, pod, container))
              .orElse(null);
      if (specific != null) {
        String level = specific.container() != null ? "container"
            : specific.pod() != null ? "pod" : "namespace";
        String key = specific.container() != null ? archive.containerKey()
            : specific.pod() != null ? ns + "/" + pod : ns;
        add(groups, level + " policy of " + key, specific.limits(), archive);
      } else {
        add(groups, "archives of " + archive.containerKey(), globalContainer, archive);
        if (ns != null) {
          add(groups, "archives of pod " + ns + "/" + pod, policies.perPod(), archive);
          add(groups, "archives of namespace " + ns, policies.perNamespace(), archive);
        }
      }
    }
    groups.forEach((name, group) -> group.apply(name, removable, chosen));
  }

  private static void add(Map<String, Group> groups, String name, Limits limits, Archive archive) {
    if (limits.isSet()) {
      groups.computeIfAbsent(name, key -> new Group(limits, new ArrayList<>())).archives().add(archive);
    }
  }

  /** The archives under one policy at one level, oldest first. */
  private record Group(Limits limits, List<Archive> archives) {

    void apply(String name, Predicate<Archive> removable, Map<Archive, String> chosen) {
      limits.maxCheckpointSize().ifPresent(max -> {
        for (Archive archive : archives) {
          if (archive.size() > max && removable.test(archive)) {
            chosen.putIfAbsent(archive, "larger than " + max + " bytes (" + name + ")");
          }
        }
      });
      limits.maxCheckpoints().ifPresent(keep -> {
        List<Archive> counted = archives.stream()
            .filter(a -> !a.pinned() && !a.beingWritten() && !chosen.containsKey(a)).toList();
        for (int i = 0; i < counted.size() - keep; i++) {
          if (removable.test(counted.get(i))) {
            chosen.put(counted.get(i), "more than " + keep + " " + name);
          }
        }
      });
      limits.maxTotalSize().ifPresent(max -> {
        long total = sum(archives, a -> chosen.containsKey(a) ? 0L : a.size());
        for (Archive archive : archives) {
          if (total <= max) {
            break;
          }
          if (!chosen.containsKey(archive) && removable.test(archive)) {
            chosen.put(archive, name + " take more than " + max + " bytes");
            total -= archive.size();
          }
        }
      });
    }

    private static long sum(List<Archive> archives, Function<Archive, Long> size) {
      return archives.stream().mapToLong(size::apply).sum();
    }
  }
}
