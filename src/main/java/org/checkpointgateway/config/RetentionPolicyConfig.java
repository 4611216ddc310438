package org.checkpointgateway.config;

import static org.checkpointgateway.config.OptionTable.GLOBAL_MAX_CHECKPOINT_SIZE;
import static org.checkpointgateway.config.OptionTable.GLOBAL_MAX_PER_CONTAINER;
import static org.checkpointgateway.config.OptionTable.GLOBAL_MAX_PER_NAMESPACE;
import static org.checkpointgateway.config.OptionTable.GLOBAL_MAX_PER_POD;
import static org.checkpointgateway.config.OptionTable.GLOBAL_MAX_TOTAL_PER_CONTAINER;
import static org.checkpointgateway.config.OptionTable.GLOBAL_MAX_TOTAL_PER_NAMESPACE;
import static org.checkpointgateway.config.OptionTable.GLOBAL_MAX_TOTAL_PER_POD;
import static org.checkpointgateway.config.OptionTable.GLOBAL_RETAIN_ORPHAN;
import static org.checkpointgateway.config.OptionTable.RETAIN_PER_CONTAINER;
import static org.checkpointgateway.config.OptionTable.RETENTION_CONTAINERS;
import static org.checkpointgateway.config.OptionTable.RETENTION_NAMESPACES;
import static org.checkpointgateway.config.OptionTable.RETENTION_PODS;

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
import org.checkpointgateway.archive.RetentionPolicies.Scoped;
import org.checkpointgateway.config.Option.Kind;
import org.checkpointgateway.config.Settings.Setting;
import org.checkpointgateway.units.Quantities;

/**
 * Reads the checkpoint-restore-operator's retention policies from {@code retention.global},
 * {@code retention.namespaces}, {@code retention.pods} and {@code retention.containers}, with the
 * operator's key names (their entries in {@link OptionTable} read through the kinds here). Nothing is on unless set: the operator's own defaults (10, 20 and 30
 * archives) are not switched on. Sizes need a unit ({@code 4Gi}): the operator's earlier releases
 * read a bare number as megabytes, its later ones as bytes, so a bare number is refused rather
 * than guessed. {@code retainOrphan: false} removes the archives of containers that the node's
 * runtime does not know (see {@code RetentionPlan}); a global {@code true} is the default and
 * sets nothing.
 */
final class RetentionPolicyConfig {

  static final Kind<OptionalInt> COUNT = new Kind<>(s -> count(Optional.of(s)), String::valueOf);
  static final Kind<OptionalLong> SIZE = new Kind<>(s -> size(Optional.of(s)), String::valueOf);
  static final Kind<Boolean> ORPHAN =
      new Kind<>(s -> retainOrphan(Optional.of(s)).orElseThrow(), String::valueOf);

  private RetentionPolicyConfig() {
  }

  /** A list of policies, each naming a namespace, and a pod and a container where asked. */
  static Kind<List<Scoped>> policies(boolean pod, boolean container) {
    return new Kind<>(s -> scoped(s, pod, container), String::valueOf);
  }

  /** {@code perContainer}: the {@code --retain-per-container} shorthand, if given. */
  static RetentionPolicies read(Settings settings, OptionalInt perContainer) {
    OptionalLong size = GLOBAL_MAX_CHECKPOINT_SIZE.find(settings).orElse(OptionalLong.empty());
    OptionalInt containerCount = GLOBAL_MAX_PER_CONTAINER.find(settings)
        .orElse(OptionalInt.empty());
    if (containerCount.isPresent() && perContainer.isPresent()
        && containerCount.getAsInt() != perContainer.getAsInt()) {
      throw new ConfigException(GLOBAL_MAX_PER_CONTAINER.key() + " (" + containerCount.getAsInt()
          + ") and " + RETAIN_PER_CONTAINER.key() + " / " + RETAIN_PER_CONTAINER.flag() + " ("
          + perContainer.getAsInt() + ") disagree: the flag is its shorthand; set one");
    }
    // Global true is the default: kept unset so that it alone does not switch retention on.
    Optional<Boolean> globalOrphan = GLOBAL_RETAIN_ORPHAN.find(settings).filter(retain -> !retain);
    return new RetentionPolicies(
        new Limits(containerCount.isPresent() ? containerCount : perContainer, size,
            GLOBAL_MAX_TOTAL_PER_CONTAINER.find(settings).orElse(OptionalLong.empty()),
            globalOrphan),
        limits(GLOBAL_MAX_PER_POD.find(settings).orElse(OptionalInt.empty()), size,
            GLOBAL_MAX_TOTAL_PER_POD.find(settings).orElse(OptionalLong.empty())),
        limits(GLOBAL_MAX_PER_NAMESPACE.find(settings).orElse(OptionalInt.empty()), size,
            GLOBAL_MAX_TOTAL_PER_NAMESPACE.find(settings).orElse(OptionalLong.empty())),
        RETENTION_CONTAINERS.find(settings).orElse(List.of()),
        RETENTION_PODS.find(settings).orElse(List.of()),
        RETENTION_NAMESPACES.find(settings).orElse(List.of()));
  }

  private static Limits limits(OptionalInt count, OptionalLong size, OptionalLong total) {
    return new Limits(count, size, total);
  }

  private static List<Scoped> scoped(Setting list, boolean pod, boolean container) {
    if (!(list.value() instanceof List<?> entries)) {
      throw new ConfigException(list.origin() + ": must be a list of policies");
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
      String origin = list.origin() + "[" + i + "]";
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

  private static Optional<Setting> field(Map<?, ?> entry, String key, String origin) {
    return Optional.ofNullable(entry.get(key)).map(v -> new Setting(v, origin + "." + key));
  }

  private static String name(Map<?, ?> entry, String key, String origin) {
    Object value = entry.get(key);
    if (!(value instanceof String text) || text.isBlank()) {
      throw new ConfigException(origin + "." + key + ": required, a name");
    }
    return text;
  }

  private static OptionalInt count(Optional<Setting> value) {
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

  private static OptionalLong size(Optional<Setting> value) {
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

  private static Optional<Boolean> retainOrphan(Optional<Setting> value) {
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
