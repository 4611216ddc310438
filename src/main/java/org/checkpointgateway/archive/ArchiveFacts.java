package org.checkpointgateway.archive;

import java.time.Instant;

/**
 * What an archive's metadata members ({@code config.dump}, {@code spec.dump}, containerd's
 * {@code status.dump}) say about the checkpointed container. Any field may be null when the
 * archive does not say.
 *
 * @param namespace the pod's namespace: the truth for permissions, unlike the file name
 * @param engine {@code CRI-O}, {@code containerd}, {@code Podman} or {@code simulator}
 * @param manager the raw {@code io.container.manager} annotation, null for containerd
 * @param createdTime when the container was created, as the archive writes it
 */
public record ArchiveFacts(String namespace, String pod, String container, String engine,
    String manager, String containerId, String image, String imageRef, String runtime,
    String createdTime, Instant checkpointedTime) {

  public static final String CRIO = "CRI-O";
  public static final String CONTAINERD = "containerd";
  public static final String PODMAN = "Podman";
  public static final String SIMULATOR = "simulator";
}
