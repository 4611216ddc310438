package org.checkpointgateway.archive;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The checkpoint-restore-operator's retention policies: global limits per container, pod and
 * namespace, and policies for given namespaces, pods and containers. An archive is kept by the
 * most specific policy that names it (container over pod over namespace); only archives that no
 * policy names fall under the global limits.
 *
 * @param perContainer global limits for each container's archives; its {@code retainOrphan} is the
 *     global one
 * @param perPod global limits for each pod's archives
 * @param perNamespace global limits for each namespace's archives
 * @param containers policies for given containers ({@code namespace}, {@code pod}, {@code container})
 * @param pods policies for given pods ({@code namespace}, {@code pod})
 * @param namespaces policies for given namespaces
 */
public record RetentionPolicies(Limits perContainer, Limits perPod, Limits perNamespace,
    List<Scoped> containers, List<Scoped> pods, List<Scoped> namespaces) {

  public static final RetentionPolicies NONE = new RetentionPolicies(Limits.NONE, Limits.NONE,
      Limits.NONE, List.of(), List.of(), List.of());

  public RetentionPolicies {
    containers = List.copyOf(containers);
    pods = List.copyOf(pods);
    namespaces = List.copyOf(namespaces);
  }

  /** Whether any limit is set. */
  public boolean enabled() {
    return perContainer.isSet() || perPod.isSet() || perNamespace.isSet()
        || !containers.isEmpty() || !pods.isEmpty() || !namespaces.isEmpty();
  }

  /** Whether any level sets {@code retainOrphan: false}: only then is the runtime asked. */
  public boolean removesOrphans() {
    return perContainer.removesOrphans() || containers.stream().anyMatch(s -> s.limits().removesOrphans())
        || pods.stream().anyMatch(s -> s.limits().removesOrphans())
        || namespaces.stream().anyMatch(s -> s.limits().removesOrphans());
  }

  /**
   * One level's limits, each unset by default.
   *
   * @param maxCheckpoints keep at most this many unpinned archives (the newest)
   * @param maxCheckpointSize remove any archive larger than this many bytes
   * @param maxTotalSize remove the oldest while all archives together take more bytes than this
   * @param retainOrphan false: remove the archives of containers the node's runtime does not know;
   *     unset means true, the operator's default
   */
  public record Limits(OptionalInt maxCheckpoints, OptionalLong maxCheckpointSize,
      OptionalLong maxTotalSize, Optional<Boolean> retainOrphan) {

    public static final Limits NONE = new Limits(OptionalInt.empty(), OptionalLong.empty(),
        OptionalLong.empty());

    /** Limits that leave {@code retainOrphan} unset. */
    public Limits(OptionalInt maxCheckpoints, OptionalLong maxCheckpointSize,
        OptionalLong maxTotalSize) {
      this(maxCheckpoints, maxCheckpointSize, maxTotalSize, Optional.empty());
    }

    public Limits {
      java.util.Objects.requireNonNull(retainOrphan, "retainOrphan");
      if (maxCheckpoints.isPresent() && maxCheckpoints.getAsInt() < 1) {
        throw new IllegalArgumentException("maxCheckpoints must be at least 1");
      }
      if (maxCheckpointSize.isPresent() && maxCheckpointSize.getAsLong() < 1
          || maxTotalSize.isPresent() && maxTotalSize.getAsLong() < 1) {
        throw new IllegalArgumentException("sizes must be at least 1 byte");
      }
    }

    public boolean isSet() {
      return maxCheckpoints.isPresent() || maxCheckpointSize.isPresent() || maxTotalSize.isPresent()
          || retainOrphan.isPresent();
    }

    public boolean removesOrphans() {
      return retainOrphan.equals(Optional.of(false));
    }
  }

  /**
   * A policy for one namespace, pod or container; the names it does not need are null.
   */
  public record Scoped(String namespace, String pod, String container, Limits limits) {

    boolean names(String ns, String p, String c) {
      return namespace.equals(ns) && (pod == null || pod.equals(p))
          && (container == null || container.equals(c));
    }
  }

  /** The policy of the given list that names this identity, if one does. */
  static Optional<Scoped> find(List<Scoped> policies, String namespace, String pod, String container) {
    return policies.stream().filter(policy -> policy.names(namespace, pod, container)).findFirst();
  }
}
