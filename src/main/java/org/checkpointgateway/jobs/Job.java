package org.checkpointgateway.jobs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.checkpoint.CheckpointEvent;
import org.checkpointgateway.checkpoint.CheckpointEvent.Progress;
import org.checkpointgateway.checkpoint.CheckpointEvent.Queued;
import org.checkpointgateway.checkpoint.CheckpointEvent.Started;

/** One job's mutable state. Touched only on the job store's context. */
final class Job {

  final String id;
  final String owner;
  final JobRequest request;
  final Instant createdAt = Instant.now();
  // Its deadline, from the submission's arrival, and its cancellation (DELETE).
  final RequestContext context;
  final List<CheckpointEvent> events = new ArrayList<>();
  final List<Subscriber> subscribers = new ArrayList<>();
  JobState state = JobState.QUEUED;
  Instant startedAt;
  Instant finishedAt;
  List<String> items = List.of();
  Throwable failure;

  record Subscriber(Consumer<CheckpointEvent> events, Runnable finished) {
  }

  Job(String id, String owner, JobRequest request, RequestContext context) {
    this.id = id;
    this.owner = owner;
    this.request = request;
    this.context = context;
  }

  /**
   * Records an event and passes it on. The history keeps every event but only the latest
   * queued or progress event of a container in a row: a long checkpoint stays a few events.
   */
  void record(CheckpointEvent event) {
    if (event instanceof Started && state == JobState.QUEUED) {
      state = JobState.RUNNING;
      startedAt = Instant.now();
    }
    CheckpointEvent last = events.isEmpty() ? null : events.get(events.size() - 1);
    boolean repeats = last != null && last.getClass() == event.getClass()
        && last.container().equals(event.container())
        && (event instanceof Queued || event instanceof Progress);
    if (repeats) {
      events.set(events.size() - 1, event);
    } else {
      events.add(event);
    }
    List.copyOf(subscribers).forEach(subscriber -> subscriber.events().accept(event));
  }

  void finish(JobState finalState, List<String> madeItems, Throwable cause) {
    state = finalState;
    finishedAt = Instant.now();
    items = List.copyOf(madeItems);
    failure = cause;
    List.copyOf(subscribers).forEach(subscriber -> subscriber.finished().run());
    subscribers.clear();
  }

  JobView view() {
    return new JobView(id, owner, request, state, createdAt, Optional.ofNullable(startedAt),
        Optional.ofNullable(finishedAt), items, Optional.ofNullable(failure));
  }
}
