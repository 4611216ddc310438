package org.checkpointgateway.jobs;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A job as it was at one moment: safe to read on any thread. */
public record JobView(String id, String owner, JobRequest request, JobState state,
    Instant createdAt, Optional<Instant> startedAt, Optional<Instant> finishedAt,
    List<String> items, Optional<Throwable> failure) {
}
