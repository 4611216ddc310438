package org.checkpointgateway.jobs;

import java.time.Duration;
import java.util.Optional;

/** What a job checkpoints: one container, or every running container of a pod. */
public record JobRequest(String namespace, String pod, Optional<String> container,
    Duration timeout) {
}
