package org.checkpointgateway.fleet;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.checkpointgateway.context.Confined;
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.auth.Caller;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.checkpointgateway.checkpoint.CheckpointEvent;
import org.checkpointgateway.checkpoint.CheckpointResult;
import org.checkpointgateway.checkpoint.CheckpointTarget;
import org.checkpointgateway.checkpoint.Forwarding;
import org.checkpointgateway.outcome.ForwardedException;
import org.checkpointgateway.outcome.NotFoundException;
import org.checkpointgateway.outcome.UnavailableException;

/**
 * The front member's side: finds the member that runs a pod (directory first, then every
 * member is asked), sends it the request over the event bus and waits for its answer. A member
 * that leaves has its pending requests answered at once with 503 naming it; one that stays
 * silent (frozen) is given up on shortly after the caller's deadline.
 */
final class Forwarder implements Forwarding {

  /** Time after the deadline for the owner's own deadline answer to arrive. */
  static final Duration ANSWER_GRACE = Duration.ofSeconds(1);

  private record Pending(String node, Promise<CheckpointResult> answer) {
  }

  private final Vertx vertx;
  private final String node;
  private final Members members;
  private final PodDirectory directory;
  private final FleetMeters meters;
  private final LinkCheck links;
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  /** The streams this member forwards, by request id: where the owners' events go. */
  private final Map<String, Stream> streams = new ConcurrentHashMap<>();
  private MessageConsumer<JsonObject> eventConsumer;

  /**
   * A forwarded stream's events as they arrive, and the owner's outcome held back until every
   * event the owner sent before it has been handed on. Events and the reply arrive on different
   * threads; each is posted to the caller's context inside the lock that counts it, so the
   * context runs them in the order they were counted (posted after the lock, the outcome could
   * overtake the last event, and a stream ended without its terminal event).
   */
  static final class Stream {
    /** The caller's context: events and the outcome are handed on there, in arrival order. */
    private final Context context;
    private final Consumer<JsonObject> sink;
    private int received;
    private int expected = -1;
    private Runnable outcome;

    Stream(Context context, Consumer<JsonObject> sink) {
      this.context = context;
      this.sink = sink;
    }

    synchronized void event(JsonObject event) {
      received++;
      Runnable ready = received == expected ? outcome : null;
      context.runOnContext(ignored -> {
        sink.accept(event);
        if (ready != null) {
          ready.run();
        }
      });
    }

    /** Runs {@code then} once {@code count} events have arrived (now, if they have). */
    synchronized void outcomeAfter(int count, Runnable then) {
      expected = count;
      outcome = then;
      if (received >= count) {
        context.runOnContext(ignored -> then.run());
      }
    }
  }

  Forwarder(Vertx vertx, String node, Members members, PodDirectory directory, FleetMeters meters) {
    this.vertx = vertx;
    this.node = node;
    this.members = members;
    this.directory = directory;
    this.meters = meters;
    this.links = new LinkCheck(vertx);
  }

  /** Takes the owners' events for this member's forwarded streams (before any is forwarded). */
  Future<Void> start() {
    eventConsumer = vertx.eventBus().consumer(Wire.eventsAddress(node), message -> {
      Stream stream = streams.get(message.body().getString("id"));
      if (stream != null) {
        stream.event(message.body());
      }
    });
    return eventConsumer.completion();
  }

  Future<Void> stop() {
    return eventConsumer == null ? Future.succeededFuture() : eventConsumer.unregister();
  }

  @Override
  public boolean runsElsewhere(String namespace, String pod) {
    return placed(namespace, pod).isPresent();
  }

  @Override
  public Future<CheckpointResult> forward(CheckpointTarget target, boolean timeoutValid,
      RequestContext context, Caller caller, BiConsumer<String, CheckpointEvent> events,
      Ask ask) {
    long started = System.nanoTime();
    Context asker = vertx.getOrCreateContext();
    Future<Optional<String>> owner = ask == Ask.DIRECTORY
        ? Future.succeededFuture(placed(target.namespace(), target.pod()))
        : askEveryone(target.namespace(), target.pod(), context);
    return onAskers(asker, owner.compose(found -> found.isEmpty()
            ? Future.<CheckpointResult>failedFuture(new NotFoundException(Forwarding.POD_UNKNOWN))
            : send(found.get(), target, timeoutValid, context, caller, events)
                .onComplete(done -> meters.forwarded(done, System.nanoTime() - started)))
        .recover(failure -> Future.failedFuture(ask == Ask.DIRECTORY && saysPodUnknown(failure)
            ? new NotFoundException(Forwarding.POD_UNKNOWN) : failure)));
  }

  /**
   * The outcome on the asker's context, whichever thread settled it: a member that left is
   * noticed on the fleet's context, a link probe that requests share settles on its first
   * asker's. The caller's answer is written from here, and the HTTP server takes writes only
   * on the connection's own event loop (its strict thread mode).
   */
  private static <T> Future<T> onAskers(Context asker, Future<T> outcome) {
    Promise<T> answer = Promise.promise();
    Confined.handleOn(asker, outcome, answer::handle);
    return answer.future();
  }

  /** The owner's own lookup did not find the pod (the directory was behind its runtime). */
  private static boolean saysPodUnknown(Throwable failure) {
    return failure instanceof ForwardedException forwarded && forwarded.status() == 404
        && Forwarding.POD_UNKNOWN.equals(forwarded.getMessage());
  }

  /** A member left: whatever was sent to it will never be answered. */
  void lost(String gone) {
    links.lost(gone);
    pending.values().stream().filter(wait -> wait.node().equals(gone))
        .forEach(wait -> wait.answer().tryFail(new UnavailableException("node " + gone
            + " left the fleet before it answered; the checkpoint's outcome there is unknown")));
  }

  /**
   * The other member that runs the pod (directory first, then every member is asked); empty
   * when none does.
   */
  Future<Optional<String>> ownerOf(String namespace, String pod, RequestContext context) {
    Optional<String> known = placed(namespace, pod);
    return known.isPresent() ? Future.succeededFuture(known)
        : onAskers(vertx.getOrCreateContext(), askEveryone(namespace, pod, context));
  }

  /** The other member the directory places the pod on, if it is in the fleet now. */
  private Optional<String> placed(String namespace, String pod) {
    return directory.owner(namespace, pod).filter(owner -> !owner.equals(node)
        && members.has(owner));
  }

  /**
   * The first member that says its runtime runs the pod; empty when every member said it does
   * not; an {@code UnavailableException} naming the members that did not answer otherwise.
   */
  private Future<Optional<String>> askEveryone(String namespace, String pod,
      RequestContext context) {
    List<String> others = members.names().stream().filter(name -> !name.equals(node)).toList();
    if (others.isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    Promise<Optional<String>> found = Promise.promise();
    AtomicInteger unanswered = new AtomicInteger(others.size());
    List<String> silent = new java.util.concurrent.CopyOnWriteArrayList<>();
    long timeout = Math.max(1, Math.min(context.remainingMillis(),
        OwnerEndpoint.RUNS_POD_TIMEOUT.plus(ANSWER_GRACE).toMillis()));
    JsonObject question = new JsonObject().put("namespace", namespace).put("pod", pod);
    for (String other : others) {
      vertx.eventBus().<Boolean>request(Wire.runsPodAddress(other), question,
              new DeliveryOptions().setSendTimeout(timeout))
          .onComplete(answer -> {
            if (answer.succeeded() && Boolean.TRUE.equals(answer.result().body())) {
              found.tryComplete(Optional.of(other));
              return;
            }
            if (answer.failed()) {
              silent.add(other);
            }
            if (unanswered.decrementAndGet() == 0) {
              if (silent.isEmpty()) {
                found.tryComplete(Optional.empty());
              } else {
                // Not knowing is not "does not exist": the pod may run on the silent one.
                found.tryFail(new UnavailableException("pod not found on the members that"
                    + " answered; no answer from node " + String.join(", node ", silent)));
              }
            }
          });
    }
    return found.future();
  }

  private Future<CheckpointResult> send(String owner, CheckpointTarget target,
      boolean timeoutValid, RequestContext context, Caller caller,
      BiConsumer<String, CheckpointEvent> events) {
    String id = UUID.randomUUID().toString();
    if (events == Forwarding.NO_EVENTS) {
      return send(owner, id, target, timeoutValid, context, caller, false);
    }
    // The owner's events come to this member's events address (see Wire.eventsAddress), in
    // order and before the reply, on the one connection between the two members.
    streams.put(id, new Stream(vertx.getOrCreateContext(),
        event -> events.accept(owner, Wire.event(event))));
    return send(owner, id, target, timeoutValid, context, caller, true)
        .eventually(() -> {
          streams.remove(id);
          return Future.succeededFuture();
        });
  }

  private Future<CheckpointResult> send(String owner, String id, CheckpointTarget target,
      boolean timeoutValid, RequestContext context, Caller caller, boolean events) {
    Promise<CheckpointResult> answer = Promise.promise();
    pending.put(id, new Pending(owner, answer));
    answer.future().onComplete(ignored -> pending.remove(id));
    if (!members.has(owner)) {
      lost(owner);
      return answer.future();
    }
    // Nothing is sent over a link not yet proven (the first request to a member): a link that
    // cannot carry it would leave the request unanswered until its deadline (LinkCheck).
    links.check(owner).onComplete(link -> {
      if (link.failed()) {
        answer.tryFail(new UnavailableException("node " + owner + " cannot be reached: "
            + link.cause().getMessage()));
      } else if (context.isCancelled()) {
        // The caller left while the link was being proven: the owner was never asked.
        answer.tryFail(RequestContext.canceled(""));
      } else if (!answer.future().isComplete()) {
        request(owner, id, target, timeoutValid, context, caller, events, answer);
      }
    });
    Runnable stopListening = context.onCancel(() -> {
      if (!answer.future().isComplete()) {
        vertx.eventBus().send(Wire.cancelAddress(owner), new JsonObject().put("id", id));
      }
    });
    return answer.future().onComplete(ignored -> stopListening.run());
  }

  private void request(String owner, String id, CheckpointTarget target, boolean timeoutValid,
      RequestContext context, Caller caller, boolean events, Promise<CheckpointResult> answer) {
    // The time left and the cancellation travel to the owner; a silent one is given up on
    // shortly after the deadline.
    vertx.eventBus().<JsonObject>request(Wire.checkpointAddress(owner),
            Wire.request(id, node, target, timeoutValid, context, caller, events),
            new DeliveryOptions().setSendTimeout(Math.max(1, context.remainingMillis()
                + ANSWER_GRACE.toMillis())))
        .onComplete(reply -> {
          if (reply.succeeded()) {
            links.proven(owner);
            Runnable settle = () -> {
              try {
                answer.tryComplete(Wire.result(reply.result().body()));
              } catch (RuntimeException failure) {
                answer.tryFail(failure);
              }
            };
            Stream stream = streams.get(id);
            if (stream == null) {
              settle.run();
            } else {
              // Events lost on the way must not hold the answer: a grace, then it goes anyway.
              long late = vertx.setTimer(ANSWER_GRACE.toMillis(), t -> settle.run());
              stream.outcomeAfter(reply.result().body().getInteger("events", 0), () -> {
                vertx.cancelTimer(late);
                settle.run();
              });
            }
          } else {
            answer.tryFail(unanswered(owner, reply.cause()));
          }
        });
  }

  private static UnavailableException unanswered(String owner, Throwable cause) {
    if (cause instanceof ReplyException reply && reply.failureType() == ReplyFailure.TIMEOUT) {
      return new UnavailableException("node " + owner + " did not answer by the deadline");
    }
    return new UnavailableException("node " + owner + " cannot be reached: " + cause.getMessage());
  }
}
