package org.checkpointgateway.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.checkpointgateway.archive.RetentionPolicies;
import org.checkpointgateway.archive.RetentionPolicies.Limits;
import org.checkpointgateway.units.Quantities;
import org.checkpointgateway.archive.RetentionPolicies.Scoped;

/**
 * Reads the checkpoint-restore-operator's retention policies from {@code retention.global},
 * {@code retention.namespaces}, {@code retention.pods} and {@code retention.containers}, with the
 * operator's key names. Nothing is on unless set: the operator's own defaults (10, 20 and 30
 * archives) are not switched on. Sizes need a unit ({@code 4Gi}): the operator's earlier releases
 * read a bare number as megabytes, its later ones as bytes, so a bare number is refused rather
 * than guessed. {@code retainOrphan: false} removes the archives of containers that the node's
 * runtime does not know (see {@code RetentionPlan}); a global {@code true} is the default and
 * sets nothing.
 */
final class RetentionPolicyConfig {

  static final String GLOBAL = "retention.global.";
  private RetentionPolicyConfig() {
  }

  /** {@code perContainer}: the {@code --retain-per-container} shorthand, if given. */
  static RetentionPolicies read(Settings settings, OptionalInt perContainer) {
    OptionalLong size = size(value(settings, GLOBAL + "maxCheckpointSize"));
    OptionalInt containerCount = count(value(settings, GLOBAL + "maxCheckpointsPerContainer"));
    if (containerCount.isPresent() && perContainer.isPresent()
        && containerCount.getAsInt() != perContainer.getAsInt()) {
      throw new ConfigException(GLOBAL + "maxCheckpointsPerContainer (" + containerCount.getAsInt()
          + ") and retention.perContainer / --retain-per-container (" + perContainer.getAsInt()
          + ") disagree: the flag is its shorthand; set one");
    }
    // Global true is the default: kept unset so that it alone does not switch retention on.
    Optional<Boolean> globalOrphan = retainOrphan(value(settings, GLOBAL + "retainOrphan"))
        .filter(retain -> !retain);
    return new RetentionPolicies(
        new Limits(containerCount.isPresent() ? containerCount : perContainer, size,
            size(value(settings, GLOBAL + "maxTotalSizePerContainer")), globalOrphan),
        limits(count(value(settings, GLOBAL + "maxCheckpointsPerPod")), size,
            size(value(settings, GLOBAL + "maxTotalSizePerPod"))),
        limits(count(value(settings, GLOBAL + "maxCheckpointsPerNamespace")), size,
            size(value(settings, GLOBAL + "maxTotalSizePerNamespace"))),
        scoped(settings, "retention.containers", true, true),
        scoped(settings, "retention.pods", true, false),
        scoped(settings, "retention.namespaces", false, false));
  }

  /** A value and where it came from, for messages. */
  private record Value(Object value, String origin) {
  }

  private static Optional<Value> value(Settings settings, String key) {
    return settings.get(key).map(s -> new Value(s.value(), s.origin()));
  }

  private static Limits limits(OptionalInt count, OptionalLong size, OptionalLong total) {
    return new Limits(count, size, total);
  }

  private static List<Scoped> scoped(Settings settings, String key, boolean pod,
      boolean container) {
    Optional<Value> list = value(settings, key);
    if (list.isEmpty()) {
      return List.of();
    }
    if (!(list.get().value() instanceof List<?> entries)) {
      throw new ConfigException(list.get().origin() + ": must be a list of policies");
    }
    Set<String> names = new java.util.HashSet<>(List.of("namespace", "maxCheckpoints",
        "maxCheckpointSize", "maxTotalSize", "retainOrphan"));
    if (pod) {
      names.add("pod");
    }
    if (container) {
      names.add("container");
    }
    List<Scoped> policies = new ArrayList<>();
    Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < entries.size(); i++) {
      String origin = list.get().origin() + "[" + i + "]";
      if (!(entries.get(i) instanceof Map<?, ?> entry)) {
        throw new ConfigException(origin + ": must be a map such as {namespace: team-a, maxCheckpoints: 5}");
      }
      for (Object name : entry.keySet()) {
        if (!names.contains(String.valueOf(name))) {
          throw new ConfigException(origin + "." + name + ": unknown setting (known: "
              + new java.util.TreeSet<>(names) + ")");
        }
      }
      String namespace = name(entry, "namespace", origin);
      String podName = pod ? name(entry, "pod", origin) : null;
      String containerName = container ? name(entry, "container", origin) : null;
      String identity = namespace + "/" + podName + "/" + containerName;
      if (!seen.add(identity)) {
        throw new ConfigException(origin + ": a second policy for the same "
            + (container ? "container" : pod ? "pod" : "namespace"));
      }
      // A policy's retainOrphan: true is kept: it shields its archives from a global false.
      Limits limits = new Limits(count(field(entry, "maxCheckpoints", origin)),
          size(field(entry, "maxCheckpointSize", origin)),
          size(field(entry, "maxTotalSize", origin)),
          retainOrphan(field(entry, "retainOrphan", origin)));
      if (!limits.isSet()) {
        throw new ConfigException(origin + ": sets no limit (maxCheckpoints, maxCheckpointSize,"
            + " maxTotalSize or retainOrphan); a policy without one would only shield its archives"
            + " from the global limits");
      }
      policies.add(new Scoped(namespace, podName, containerName, limits));
    }
    return policies;
  }

  private static Optional<Value> field(Map<?, ?> entry, String key, String origin) {
    return Optional.ofNullable(entry.get(key)).map(v -> new Value(v, origin + "." + key));
  }

  private static String name(Map<?, ?> entry, String key, String origin) {
    Object value = entry.get(key);
    if (!(value instanceof String text) || text.isBlank()) {
      throw new ConfigException(origin + "." + key + ": required, a name");
    }
    return text;
  }

  private static OptionalInt count(Optional<Value> value) {
    if (value.isEmpty()) {
      return OptionalInt.empty();
    }
    String text = String.valueOf(value.get().value()).trim();
    try {
      int count = Integer.parseInt(text);
      if (count >= 1) {
        return OptionalInt.of(count);
      }
    } catch (NumberFormatException e) {
      // told below
    }
    throw new ConfigException(value.get().origin() + ": must be a whole number of at least 1, got "
        + text);
  }

  private static OptionalLong size(Optional<Value> value) {
    if (value.isEmpty()) {
      return OptionalLong.empty();
    }
    String text = String.valueOf(value.get().value()).trim();
    if (text.matches("[0-9]+")) {
      throw new ConfigException(value.get().origin() + ": give a unit (" + text + "Mi, " + text
          + "Gi ...): the operator's releases read a bare number either as megabytes or as bytes");
    }
    try {
      long bytes = Quantities.bytes(text);
      if (bytes >= 1) {
        return OptionalLong.of(bytes);
      }
      throw new ConfigException(value.get().origin() + ": must be at least 1 byte, got " + text);
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new ConfigException(value.get().origin() + ": " + e.getMessage());
    }
  }

  private static Optional<Boolean> retainOrphan(Optional<Value> value) {
    if (value.isEmpty()) {
      return Optional.empty();
    }
    String text = String.valueOf(value.get().value()).trim().toLowerCase(Locale.ROOT);
    if (!text.equals("true") && !text.equals("false")) {
      throw new ConfigException(value.get().origin() + ": must be true or false, got " + text);
    }
    return Optional.of(text.equals("true"));
  }
}
