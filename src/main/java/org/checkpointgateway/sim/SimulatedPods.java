package org.checkpointgateway.sim;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.checkpointgateway.sim.SimulatorSeed.Pod;
import runtime.v1.Container;
import runtime.v1.ContainerAttributes;
import runtime.v1.ContainerFilter;
import runtime.v1.ContainerMetadata;
import runtime.v1.ContainerStats;
import runtime.v1.ContainerStatsFilter;
import runtime.v1.ContainerStatus;
import runtime.v1.CpuUsage;
import runtime.v1.ImageSpec;
import runtime.v1.MemoryUsage;
import runtime.v1.PodSandbox;
import runtime.v1.PodSandboxFilter;
import runtime.v1.PodSandboxMetadata;
import runtime.v1.UInt64Value;

/** The seed's pods and containers as the CRI messages a runtime answers, with the CRI filters. */
final class SimulatedPods {

  static final String POD_NAME = "io.kubernetes.pod.name";
  static final String POD_NAMESPACE = "io.kubernetes.pod.namespace";
  static final String POD_UID = "io.kubernetes.pod.uid";
  static final String CONTAINER_NAME = "io.kubernetes.container.name";
  static final String IMAGE = "docker.io/library/busybox:latest";
  // A fixed digest: the simulator has no image store, but clients expect a ref that looks real.
  static final String IMAGE_REF = "docker.io/library/busybox@sha256:" + sha256Hex("busybox");

  /** A container with the seed entry and pod it came from. */
  record Entry(Container container, SimulatorSeed.Container seed, Pod pod) {
    String id() {
      return container.getId();
    }
  }

  private final List<PodSandbox> sandboxes = new ArrayList<>();
  private final Map<String, Entry> containers = new LinkedHashMap<>();
  // Indexes for the lookups the kubelet and the gateway make (by pod labels, by sandbox), so that
  // a seed of 10,000 containers answers them without scanning every container.
  private final Map<String, List<PodSandbox>> sandboxesByPod = new java.util.HashMap<>();
  private final Map<String, List<Entry>> containersBySandbox = new java.util.HashMap<>();

  SimulatedPods(SimulatorSeed seed, long createdAtNanos) {
    seed.pods().forEach(pod -> add(pod, createdAtNanos));
  }

  /** Whether a pod of that namespace and name is known. */
  boolean has(Pod pod) {
    return sandboxesByPod.containsKey(pod.namespace() + "/" + pod.name());
  }

  /** A pod that starts at {@code createdAtNanos}, with its containers. */
  void add(Pod pod, long createdAtNanos) {
    String sandboxId = SimulatedRuntime.sandboxId(pod.namespace(), pod.name());
    Map<String, String> podLabels = Map.of(POD_NAME, pod.name(), POD_NAMESPACE, pod.namespace(),
        POD_UID, pod.uid());
    sandboxes.add(PodSandbox.newBuilder()
        .setId(sandboxId)
        .setMetadata(PodSandboxMetadata.newBuilder().setName(pod.name()).setNamespace(pod.namespace())
            .setUid(pod.uid()))
        .setState(pod.state())
        .setCreatedAt(createdAtNanos)
        .putAllLabels(podLabels)
        .build());
    sandboxesByPod.computeIfAbsent(pod.namespace() + "/" + pod.name(), k -> new ArrayList<>())
        .add(sandboxes.get(sandboxes.size() - 1));
    for (SimulatorSeed.Container c : pod.containers()) {
      String id = SimulatedRuntime.containerId(pod.namespace(), pod.name(), c.name());
      Container container = Container.newBuilder()
          .setId(id)
          .setPodSandboxId(sandboxId)
          .setMetadata(ContainerMetadata.newBuilder().setName(c.name()))
          .setImage(ImageSpec.newBuilder().setImage(IMAGE).setUserSpecifiedImage("busybox"))
          .setImageRef(IMAGE_REF)
          .setImageId(IMAGE_REF)
          .setState(c.state())
          .setCreatedAt(createdAtNanos)
          .putAllLabels(podLabels)
          .putLabels(CONTAINER_NAME, c.name())
          .build();
      Entry entry = new Entry(container, c, pod);
      containers.put(id, entry);
      containersBySandbox.computeIfAbsent(sandboxId, k -> new ArrayList<>()).add(entry);
    }
  }

  List<PodSandbox> sandboxes(PodSandboxFilter filter) {
    Map<String, String> selector = filter.getLabelSelectorMap();
    List<PodSandbox> candidates = selector.containsKey(POD_NAME) && selector.containsKey(POD_NAMESPACE)
        ? sandboxesByPod.getOrDefault(selector.get(POD_NAMESPACE) + "/" + selector.get(POD_NAME), List.of())
        : sandboxes;
    return candidates.stream()
        .filter(s -> filter.getId().isEmpty() || filter.getId().equals(s.getId()))
        .filter(s -> !filter.hasState() || filter.getState().getState() == s.getState())
        .filter(s -> labelsMatch(filter.getLabelSelectorMap(), s.getLabelsMap()))
        .toList();
  }

  List<Container> containers(ContainerFilter filter) {
    java.util.Collection<Entry> candidates = filter.getPodSandboxId().isEmpty() ? containers.values()
        : containersBySandbox.getOrDefault(filter.getPodSandboxId(), List.of());
    return candidates.stream()
        .map(Entry::container)
        .filter(c -> filter.getId().isEmpty() || filter.getId().equals(c.getId()))
        .filter(c -> !filter.hasState() || filter.getState().getState() == c.getState())
        .filter(c -> filter.getPodSandboxId().isEmpty() || filter.getPodSandboxId().equals(c.getPodSandboxId()))
        .filter(c -> labelsMatch(filter.getLabelSelectorMap(), c.getLabelsMap()))
        .toList();
  }

  List<ContainerStats> stats(ContainerStatsFilter filter, long nowNanos) {
    return containers.values().stream()
        .filter(e -> filter.getId().isEmpty() || filter.getId().equals(e.id()))
        .filter(e -> filter.getPodSandboxId().isEmpty()
            || filter.getPodSandboxId().equals(e.container().getPodSandboxId()))
        .filter(e -> labelsMatch(filter.getLabelSelectorMap(), e.container().getLabelsMap()))
        .map(e -> stats(e, nowNanos))
        .toList();
  }

  Optional<Entry> find(String containerId) {
    return Optional.ofNullable(containers.get(containerId));
  }

  ContainerStatus status(Entry entry) {
    Container c = entry.container();
    ContainerStatus.Builder status = ContainerStatus.newBuilder()
        .setId(c.getId())
        .setMetadata(c.getMetadata())
        .setState(c.getState())
        .setCreatedAt(c.getCreatedAt())
        .setImage(c.getImage())
        .setImageRef(c.getImageRef())
        .putAllLabels(c.getLabelsMap())
        .setLogPath("/var/log/pods/" + entry.pod().namespace() + "_" + entry.pod().name() + "_"
            + entry.pod().uid() + "/" + entry.seed().name() + "/0.log");
    switch (c.getState()) {
      case CONTAINER_RUNNING -> status.setStartedAt(c.getCreatedAt());
      case CONTAINER_EXITED -> status.setStartedAt(c.getCreatedAt()).setFinishedAt(c.getCreatedAt())
          .setReason("Completed");
      default -> { }
    }
    return status.build();
  }

  ContainerStats stats(Entry entry, long nowNanos) {
    Container c = entry.container();
    UInt64Value memory = UInt64Value.newBuilder().setValue(entry.seed().memoryBytes()).build();
    return ContainerStats.newBuilder()
        .setAttributes(ContainerAttributes.newBuilder().setId(c.getId()).setMetadata(c.getMetadata())
            .putAllLabels(c.getLabelsMap()))
        .setCpu(CpuUsage.newBuilder().setTimestamp(nowNanos)
            .setUsageCoreNanoSeconds(UInt64Value.newBuilder().setValue(Math.max(0, nowNanos - c.getCreatedAt()) / 100)))
        .setMemory(MemoryUsage.newBuilder().setTimestamp(nowNanos)
            .setWorkingSetBytes(memory).setUsageBytes(memory).setRssBytes(memory))
        .build();
  }

  private static boolean labelsMatch(Map<String, String> selector, Map<String, String> labels) {
    for (Map.Entry<String, String> wanted : selector.entrySet()) {
      if (!wanted.getValue().equals(labels.get(wanted.getKey()))) {
        return false;
      }
    }
    return true;
  }

  static String sha256Hex(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
