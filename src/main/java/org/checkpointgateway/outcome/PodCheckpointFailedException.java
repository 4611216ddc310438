package org.checkpointgateway.outcome;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Some containers of a pod checkpoint failed. Names every failed container and why, and the
 * archives that were made (they are kept).
 */
public final class PodCheckpointFailedException extends GatewayException {
  private final Map<String, Throwable> failures;
  private final List<String> items;

  /**
   * @param failures per failed container, its failure, in container order
   * @param items archives of the containers that succeeded
   */
  public PodCheckpointFailedException(String namespace, String pod, Map<String, Throwable> failures,
      List<String> items) {
    super("checkpointing of " + namespace + "/" + pod + " failed for " + failures.size()
        + " container(s): " + failures.entrySet().stream()
            .map(failure -> failure.getKey() + ": " + failure.getValue().getMessage())
            .collect(Collectors.joining("; "))
        + (items.isEmpty() ? "" : "; archives made: " + String.join(", ", items)));
    this.failures = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(failures));
    this.items = List.copyOf(items);
  }

  public Map<String, Throwable> failures() {
    return failures;
  }

  public List<String> items() {
    return items;
  }

  @Override
  public String reason() {
    return "PodCheckpointFailed";
  }
}
