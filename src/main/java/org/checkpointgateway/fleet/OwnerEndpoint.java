package org.checkpointgateway.fleet;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.auth.Caller;
import org.checkpointgateway.auth.CheckpointPermissions;
import java.util.function.Consumer;
import org.checkpointgateway.checkpoint.CheckpointEvent;
import org.checkpointgateway.checkpoint.CheckpointResult;
import org.checkpointgateway.checkpoint.CheckpointService;
import org.checkpointgateway.checkpoint.CheckpointTarget;
import org.checkpointgateway.cri.CriClient;
import org.checkpointgateway.outcome.NotFoundException;

/**
 * This member's side of a forwarded checkpoint: it checks the travelling identity again, looks
 * the pod up, admits and runs as its own routes do, and answers what they would have answered.
 * A cancel from the front, or the front's loss, cancels the checkpoint here.
 */
final class OwnerEndpoint {

  /** How long a "do you run this pod?" question may take the runtime. */
  static final Duration RUNS_POD_TIMEOUT = Duration.ofSeconds(1);
  /** How long one listing of the runtime's pods answers "do you run this pod?". */
  static final Duration RUNS_POD_SHARED = Duration.ofMillis(250);

  private record Running(String front, RequestContext context) {
  }

  private final Vertx vertx;
  private final String node;
  private final CheckpointService service;
  private final CriClient cri;
  private final Map<String, Running> running = new ConcurrentHashMap<>();
  private final List<MessageConsumer<JsonObject>> consumers = new java.util.ArrayList<>();
  // Touched only on the context the consumers were registered on.
  private Future<java.util.Set<String>> pods;
  private long podsAsked;

  OwnerEndpoint(Vertx vertx, String node, CheckpointService service, CriClient cri) {
    this.vertx = vertx;
    this.node = node;
    this.service = service;
    this.cri = cri;
  }

  Future<Void> start() {
    consumers.add(vertx.eventBus().consumer(Wire.checkpointAddress(node), this::checkpoint));
    consumers.add(vertx.eventBus().<JsonObject>consumer(Wire.cancelAddress(node), message -> {
      Running run = running.get(message.body().getString("id"));
      if (run != null) {
        run.context().cancel();
      }
    }));
    consumers.add(vertx.eventBus().consumer(Wire.runsPodAddress(node), this::runsPod));
    consumers.add(vertx.eventBus().<JsonObject>consumer(Wire.linkAddress(node),
        message -> message.reply(null)));
    // Every member must know the addresses before anyone may send: wait for the registrations.
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).mapEmpty();
  }

  Future<Void> stop() {
    return Future.all(consumers.stream().map(MessageConsumer::unregister).toList()).mapEmpty();
  }

  /** The front that sent a request is gone: nobody waits for its checkpoints any more. */
  void frontLost(String front) {
    running.values().stream().filter(run -> run.front().equals(front))
        .forEach(run -> run.context().cancel());
  }

  private void checkpoint(Message<JsonObject> message) {
    JsonObject request = message.body();
    String id = request.getString("id");
    CheckpointTarget target = Wire.target(request);
    Caller caller = Wire.caller(request);
    RequestContext context = Wire.context(request);
    boolean timeoutValid = request.getBoolean("timeoutValid");
    String front = request.getString("front");
    running.put(id, new Running(front, context));
    // In order on one connection to the front, and before the reply, which travels on it too.
    // The reply says how many events went before it: the front hands on the outcome only after
    // them (the reply and the events travel to different addresses).
    java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
    Consumer<CheckpointEvent> events = request.getBoolean("events", false)
        ? event -> {
          sent.incrementAndGet();
          vertx.eventBus().send(Wire.eventsAddress(front), Wire.event(event).put("id", id));
        }
        : CheckpointService.NO_EVENTS;
    // The same steps in the same order as CheckpointRoutes: permission, lookup, timeout, run.
    Future<Void> permitted = CheckpointPermissions.requireCheckpoint(caller, target.namespace())
        .mapEmpty();
    Future<CheckpointResult> work = target.isWholePod()
        ? permitted.compose(ok -> service.preparePod(target.namespace(), target.pod(), context))
            .compose(prepared -> checkTimeout(timeoutValid).map(prepared))
            .compose(prepared -> service.runPod(prepared, context, events))
        : permitted.compose(ok -> service.prepare(target, context))
            .compose(prepared -> checkTimeout(timeoutValid).map(prepared))
            .compose(prepared -> service.run(prepared, context, events));
    work.onComplete(done -> {
      running.remove(id);
      message.reply(Wire.reply(done).put("events", sent.get()));
    });
  }

  private static Future<Void> checkTimeout(boolean valid) {
    return valid ? Future.succeededFuture()
        : Future.failedFuture(new NotFoundException("cannot parse value of timeout parameter"));
  }

  /**
   * Asks the runtime itself, not the directory, so a pod started a moment ago is found; one
   * answer serves every question for {@link #RUNS_POD_SHARED}: requests for pods that exist
   * nowhere cannot make every member call its runtime once per request.
   */
  private void runsPod(Message<JsonObject> message) {
    JsonObject pod = message.body();
    String key = pod.getString("namespace") + "/" + pod.getString("pod");
    if (pods == null || System.nanoTime() - podsAsked > RUNS_POD_SHARED.toNanos()) {
      podsAsked = System.nanoTime();
      pods = cri.listReadySandboxes(RequestContext.withTimeout(RUNS_POD_TIMEOUT))
          .map(sandboxes -> sandboxes.stream().map(sandbox ->
              sandbox.getLabelsOrDefault(PodDirectory.NAMESPACE_LABEL, "") + "/"
                  + sandbox.getLabelsOrDefault(PodDirectory.NAME_LABEL, "")).collect(
              java.util.stream.Collectors.toSet()));
    }
    pods.onComplete(found -> {
      if (found.succeeded()) {
        message.reply(found.result().contains(key));
      } else {
        // Not knowing is not "no": the front answers 503 naming this member.
        message.fail(503, String.valueOf(found.cause().getMessage()));
      }
    });
  }
}
