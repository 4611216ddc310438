package org.checkpointgateway.archive;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Which archives retention removes, decided from one listing: a pure function, so every rule is
 * testable without files or clocks.
 *
 * <p>Oldest first under each rule. Pinned archives and archives being written are never removed
 * and do not count toward {@code perContainer}; they do count toward {@code maxBytes}, since they
 * take the space. An archive busy otherwise (being downloaded, or modified within the quiet
 * period) counts like any other but is skipped; a later run removes it once it is free.
 */
final class RetentionPlan {

  /** One archive to remove and the rule that removes it, for the log. */
  record Removal(Archive archive, String reason) {
  }

  private RetentionPlan() {
  }

  /**
   * @param archives every archive, oldest first
   * @param busy archives that must not be removed now (downloads in flight)
   */
  static List<Removal> select(List<Archive> archives, RetentionOptions options, Instant now,
      Predicate<Archive> busy) {
    Instant quietSince = now.minus(options.quietPeriod());
    Predicate<Archive> removable = a -> !a.pinned() && !a.beingWritten() && !busy.test(a)
        && !a.modified().isAfter(quietSince);
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

    options.perContainer().ifPresent(keep -> {
      Map<String, List<Archive>> byContainer = new LinkedHashMap<>();
      for (Archive archive : archives) {
        if (!archive.pinned() && !archive.beingWritten()) {
          byContainer.computeIfAbsent(archive.containerKey(), k -> new ArrayList<>()).add(archive);
        }
      }
      byContainer.forEach((container, ofOne) -> {
        int excess = ofOne.size() - keep;
        for (int i = 0; i < excess; i++) {
          Archive archive = ofOne.get(i);
          if (removable.test(archive)) {
            chosen.putIfAbsent(archive, "more than " + keep + " archives of " + container);
          }
        }
      });
    });

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
}
