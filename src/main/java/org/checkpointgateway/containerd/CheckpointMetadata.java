package org.checkpointgateway.containerd;

import com.google.protobuf.Timestamp;
import containerd.services.containers.v1.Container;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import runtime.v1.ContainerStatus;
import runtime.v1.ImageSpec;

/**
 * The archive's metadata members as containerd 2.x's CRI plugin writes them
 * ({@code internal/cri/server/container_checkpoint_linux.go}), so that checkpointctl and a
 * restoring runtime read our archives like theirs.
 */
final class CheckpointMetadata {

  static final String POD_NAME = "io.kubernetes.pod.name";
  static final String POD_NAMESPACE = "io.kubernetes.pod.namespace";
  static final String POD_UID = "io.kubernetes.pod.uid";

  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

  private CheckpointMetadata() {
  }

  /**
   * config.dump: checkpointctl's {@code ContainerConfig}. The name is the CRI plugin's container
   * name, {@code <container>_<pod>_<namespace>_<pod uid>_<attempt>}.
   */
  static byte[] configDump(ContainerStatus status, Container containerd, Instant checkpointedAt) {
    Map<String, String> labels = status.getLabelsMap();
    String name = String.join("_", status.getMetadata().getName(),
        labels.getOrDefault(POD_NAME, ""), labels.getOrDefault(POD_NAMESPACE, ""),
        labels.getOrDefault(POD_UID, ""), Integer.toString(status.getMetadata().getAttempt()));
    JsonObject config = new JsonObject()
        .put("id", status.getId())
        .put("name", name)
        .put("rootfsImage", status.getImage().getImage())
        .put("rootfsImageRef", status.getImageRef())
        .put("rootfsImageName", status.getImage().getImage())
        .put("runtime", containerd.getRuntime().getName())
        .put("createdTime", goTime(containerd.getCreatedAt()))
        .put("checkpointedTime", goTime(checkpointedAt));
    return config.encode().getBytes(StandardCharsets.UTF_8);
  }

  /** spec.dump: the OCI runtime spec containerd keeps for the container, as it stored it. */
  static byte[] specDump(Container containerd) {
    return containerd.getSpec().getValue().toByteArray();
  }

  /**
   * status.dump: the CRI ContainerStatus as Go's encoding/json writes the cri-api struct
   * (snake_case names, empty values left out, enums and times as numbers).
   */
  static byte[] statusDump(ContainerStatus status) {
    JsonObject json = new JsonObject();
    putString(json, "id", status.getId());
    if (status.hasMetadata()) {
      JsonObject metadata = new JsonObject();
      putString(metadata, "name", status.getMetadata().getName());
      putNumber(metadata, "attempt", status.getMetadata().getAttempt());
      json.put("metadata", metadata);
    }
    putNumber(json, "state", status.getStateValue());
    putNumber(json, "created_at", status.getCreatedAt());
    putNumber(json, "started_at", status.getStartedAt());
    putNumber(json, "finished_at", status.getFinishedAt());
    putNumber(json, "exit_code", status.getExitCode());
    if (status.hasImage()) {
      json.put("image", image(status.getImage()));
    }
    putString(json, "image_ref", status.getImageRef());
    putString(json, "reason", status.getReason());
    putString(json, "message", status.getMessage());
    putMap(json, "labels", status.getLabelsMap());
    putMap(json, "annotations", status.getAnnotationsMap());
    putString(json, "log_path", status.getLogPath());
    return json.encode().getBytes(StandardCharsets.UTF_8);
  }

  private static JsonObject image(ImageSpec spec) {
    JsonObject image = new JsonObject();
    putString(image, "image", spec.getImage());
    putMap(image, "annotations", spec.getAnnotationsMap());
    putString(image, "user_specified_image", spec.getUserSpecifiedImage());
    putString(image, "runtime_handler", spec.getRuntimeHandler());
    return image;
  }

  private static void putString(JsonObject json, String key, String value) {
    if (!value.isEmpty()) {
      json.put(key, value);
    }
  }

  private static void putNumber(JsonObject json, String key, long value) {
    if (value != 0) {
      json.put(key, value);
    }
  }

  private static void putMap(JsonObject json, String key, Map<String, String> map) {
    if (!map.isEmpty()) {
      json.put(key, new JsonObject(new java.util.TreeMap<>(map)));
    }
  }

  static String goTime(Timestamp timestamp) {
    return goTime(Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos()));
  }

  /** Go's time.Time JSON form (RFC 3339 with nanoseconds, trailing zeros trimmed), in UTC. */
  static String goTime(Instant instant) {
    StringBuilder text = new StringBuilder(SECONDS.format(instant));
    if (instant.getNano() != 0) {
      String nanos = String.format("%09d", instant.getNano()).replaceAll("0+$", "");
      text.append('.').append(nanos);
    }
    return text.append('Z').toString();
  }
}
