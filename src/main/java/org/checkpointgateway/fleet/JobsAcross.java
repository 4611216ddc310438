package org.checkpointgateway.fleet;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import io.vertx.core.Context;
import org.checkpointgateway.checkpoint.CheckpointEvent;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.checkpointgateway.api.FleetJobs;
import org.checkpointgateway.api.JobActions;
import org.checkpointgateway.auth.Caller;
import org.checkpointgateway.checkpoint.Forwarding;
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.outcome.ConflictException;
import org.checkpointgateway.outcome.NotFoundException;
import org.checkpointgateway.outcome.UnavailableException;
import org.checkpointgateway.jobs.JobRequest;
import org.checkpointgateway.jobs.JobState;
import org.checkpointgateway.jobs.JobStore;
import org.checkpointgateway.jobs.JobView;

/**
 * Jobs across the fleet (docs/fleet.md). A job lives on the member that runs its pod and its id
 * ends in {@code @node}; submit, read, list and cancel travel over the event bus with the
 * caller, whom that member checks again with its own {@link JobActions}. Each member also keeps
 * a record of each of its jobs in a cluster map, written at each change of state: what the
 * others show of a member that left or does not answer, and where the oldest remaining member
 * marks a lost member's unfinished jobs failed, naming it.
 */
final class JobsAcross implements FleetJobs, JobStore.Observer {

  static final String MAP = "checkpoint-gateway.jobs";
  private static final Logger LOG = Logger.getLogger(JobsAcross.class.getName());

  private final Vertx vertx;
  private final String node;
  private final Members members;
  private final Forwarder forwarder;
  private final JobActions actions;
  private final HazelcastInstance hazelcast;
  private final IMap<String, String> records;
  private final Duration recordAge;
  private final Duration defaultTimeout;
  private MessageConsumer<JsonObject> consumer;
  private MessageConsumer<JsonObject> eventConsumer;
  /** This member's callers watching other members' jobs, by watch id. */
  private final Map<String, Watch> watching = new ConcurrentHashMap<>();
  /** Other members' callers watching this member's jobs, by watch id. */
  private final Map<String, Watched> watched = new ConcurrentHashMap<>();

  private record Watch(String owner, Context context, Consumer<CheckpointEvent> events,
      Runnable finished) {
  }

  private record Watched(String front, Runnable stop) {
  }

  JobsAcross(Vertx vertx, String node, Members members, Forwarder forwarder, JobActions actions,
      HazelcastInstance hazelcast, Duration recordAge, Duration defaultTimeout) {
    this.vertx = vertx;
    this.node = node;
    this.members = members;
    this.forwarder = forwarder;
    this.actions = actions;
    this.hazelcast = hazelcast;
    this.records = hazelcast.getMap(MAP);
    this.recordAge = recordAge;
    this.defaultTimeout = defaultTimeout;
  }

  Future<Void> start() {
    consumer = vertx.eventBus().consumer(ViewsWire.jobsAddress(node),
        message -> ViewsWire.answer(message, this::serve));
    // One address per member for the events of the jobs its callers watch elsewhere, known to
    // every member from the start (as Forwarder's): none is dropped for a late registration.
    eventConsumer = vertx.eventBus().consumer(ViewsWire.jobEventsAddress(node), message -> {
      JsonObject body = message.body();
      String id = body.getString("watch");
      if (body.getBoolean("end", false)) {
        Watch watch = watching.remove(id);
        if (watch != null) {
          watch.context().runOnContext(ignored -> watch.finished().run());
        }
        return;
      }
      Watch watch = watching.get(id);
      if (watch != null) {
        CheckpointEvent event = Wire.event(body);
        watch.context().runOnContext(ignored -> watch.events().accept(event));
      }
    });
    return Future.all(consumer.completion(), eventConsumer.completion()).mapEmpty();
  }

  Future<Void> stop() {
    return consumer == null ? Future.succeededFuture()
        : Future.all(consumer.unregister(), eventConsumer.unregister()).mapEmpty();
  }

  /** A job submitted through another member: its time counts from its arrival here. */
  private Future<JobStore.Submitted> submitHere(Caller caller, JobRequest request,
      Optional<String> idempotencyKey) {
    return actions.submit(caller, request, idempotencyKey,
        RequestContext.cancellable(request.timeout()));
  }

  /** This member's side: the caller travelled with the request and is checked again here. */
  private Future<?> serve(JsonObject request) {
    Caller caller = Wire.caller(request);
    String id = request.getString("id");
    return switch (request.getString("op")) {
      case "submit" -> submitHere(caller, jobRequest(request.getJsonObject("request")),
              Optional.ofNullable(request.getString("idempotencyKey")))
          .map(submitted -> new JsonObject().put("job", JobActions.json(submitted.job()))
              .put("created", submitted.created()));
      case "get" -> actions.get(caller, id).map(JobActions::json);
      case "cancel" -> actions.cancel(caller, id).map(JobActions::json);
      case "list" -> actions.list(caller, Optional.ofNullable(request.getString("namespace")),
              request.getInteger("limit"))
          .map(jobs -> new JsonArray(jobs.stream().map(JobActions::json).toList()));
      case "watch" -> watchHere(caller, id, request.getString("watch"), request.getString("front"));
      case "unwatch" -> {
        Watched watch = watched.remove(request.getString("watch"));
        if (watch != null) {
          watch.stop().run();
        }
        yield Future.succeededFuture();
      }
      default -> Future.failedFuture(new IllegalArgumentException(request.getString("op")));
    };
  }

  /** Sends the job's events to the front that asked, then the end; {@code unwatch} stops it. */
  private Future<Boolean> watchHere(Caller caller, String id, String watch, String front) {
    java.util.concurrent.atomic.AtomicBoolean over = new java.util.concurrent.atomic.AtomicBoolean();
    return actions.watch(caller, id,
        event -> vertx.eventBus().send(ViewsWire.jobEventsAddress(front),
            Wire.event(event).put("watch", watch)),
        () -> {
          over.set(true);
          watched.remove(watch);
          vertx.eventBus().send(ViewsWire.jobEventsAddress(front),
              new JsonObject().put("watch", watch).put("end", true));
        })
        .map(stop -> {
          if (!over.get()) {
            watched.put(watch, new Watched(front, stop));
          }
          return true;
        });
  }

  // ---- the record of this member's jobs (called on the job store's context) ----

  @Override
  public void changed(JobView job) {
    String record = JobActions.json(job).encode();
    boolean last = job.state().isFinal();
    // Ordered on the store's context: a job's records are written in the order of its states.
    vertx.executeBlocking(() -> {
      if (last) {
        records.set(job.id(), record, recordAge.toMillis(), TimeUnit.MILLISECONDS);
      } else {
        records.set(job.id(), record);
      }
      return null;
    }, true).onFailure(failure -> LOG.warning(() -> "job " + job.id()
        + " not recorded for the fleet: " + failure.getMessage()));
  }

  @Override
  public void forgotten(String id) {
    vertx.executeBlocking(() -> {
      records.delete(id);
      return null;
    }, true);
  }

  /**
   * A member left: the oldest remaining member marks its unfinished jobs failed, naming it (its
   * checkpoints' outcome there is unknown), for the others to show.
   */
  void lost(String gone) {
    // Watches of its jobs end here; its watches of this member's jobs stop.
    watching.entrySet().removeIf(entry -> {
      if (!entry.getValue().owner().equals(gone)) {
        return false;
      }
      entry.getValue().context().runOnContext(ignored -> entry.getValue().finished().run());
      return true;
    });
    watched.entrySet().removeIf(entry -> {
      if (!entry.getValue().front().equals(gone)) {
        return false;
      }
      entry.getValue().stop().run();
      return true;
    });
    if (!hazelcast.getCluster().getMembers().iterator().next().localMember()) {
      return;
    }
    vertx.executeBlocking(() -> {
      String suffix = "@" + gone;
      String now = Instant.now().toString();
      int marked = 0;
      for (String id : records.keySet()) {
        String record = id.endsWith(suffix) ? records.get(id) : null;
        if (record == null) {
          continue;
        }
        JsonObject job = new JsonObject(record);
        if (JobState.valueOf(job.getString("state").toUpperCase(java.util.Locale.ROOT))
            .isFinal()) {
          continue;
        }
        job.put("state", JobState.FAILED.toString()).put("finishedAt", now)
            .put("error", new JsonObject().put("status", 503).put("reason", "Unavailable")
                .put("message", "node " + gone + " left the fleet before the job finished;"
                    + " its checkpoints' outcome there is unknown"));
        records.set(id, job.encode(), recordAge.toMillis(), TimeUnit.MILLISECONDS);
        marked++;
      }
      return marked;
    }, false).onSuccess(marked -> {
      if (marked > 0) {
        LOG.warning(() -> marked + " unfinished job(s) of node " + gone + " marked failed");
      }
    });
  }

  // ---- the front's side ----

  @Override
  public boolean elsewhere(String id) {
    return owner(id).filter(owner -> !owner.equals(node)).isPresent();
  }

  @Override
  public Future<Submitted> submit(Caller caller, JobRequest request,
      Optional<String> idempotencyKey) {
    return forwarder.ownerOf(request.namespace(), request.pod(),
        RequestContext.withTimeout(request.timeout()))
        .compose(owner -> owner.isEmpty()
            ? Future.failedFuture(new NotFoundException(Forwarding.POD_UNKNOWN))
            : ask(owner.get(), ViewsWire.request("submit", caller)
                .put("request", json(request))
                .put("idempotencyKey", idempotencyKey.orElse(null))))
        .map(answer -> {
          JsonObject submitted = (JsonObject) answer;
          return new Submitted(submitted.getJsonObject("job"), submitted.getBoolean("created"));
        });
  }

  @Override
  public Future<JsonObject> get(Caller caller, String id) {
    String owner = owner(id).orElseThrow();
    if (!members.has(owner)) {
      return record(caller, id);
    }
    return ask(owner, ViewsWire.request("get", caller).put("id", id))
        .map(JsonObject.class::cast)
        // A silent member: its last record, as the others saw it.
        .recover(failure -> ViewsWire.silent(failure) ? record(caller, id)
            : Future.failedFuture(failure));
  }

  @Override
  public Future<JsonObject> cancel(Caller caller, String id) {
    String owner = owner(id).orElseThrow();
    if (!members.has(owner)) {
      return record(caller, id).compose(job -> Future.failedFuture(
          job.containsKey("finishedAt")
              ? new ConflictException("job " + id + " has already " + job.getString("state"))
              : new UnavailableException("node " + owner + " left the fleet; job " + id
                  + " cannot be cancelled")));
    }
    return ask(owner, ViewsWire.request("cancel", caller).put("id", id))
        .map(JsonObject.class::cast);
  }

  @Override
  public Future<Runnable> watch(Caller caller, String id, Consumer<CheckpointEvent> events,
      Runnable finished) {
    String owner = owner(id).orElseThrow();
    if (!members.has(owner)) {
      return record(caller, id).compose(job -> Future.failedFuture(new UnavailableException(
          "node " + owner + " left the fleet; the events of job " + id + " went with it")));
    }
    String watch = UUID.randomUUID().toString();
    watching.put(watch, new Watch(owner, vertx.getOrCreateContext(), events, finished));
    return ask(owner, ViewsWire.request("watch", caller).put("id", id).put("watch", watch)
            .put("front", node))
        .onFailure(failure -> watching.remove(watch))
        .map(accepted -> () -> {
          if (watching.remove(watch) != null) {
            vertx.eventBus().send(ViewsWire.jobsAddress(owner),
                ViewsWire.request("unwatch", caller).put("watch", watch));
          }
        });
  }

  @Override
  public Future<Listing> list(Caller caller, Optional<String> namespace, int limit) {
    List<String> others = members.names().stream().filter(name -> !name.equals(node)).toList();
    List<Future<Object>> asked = others.stream().map(other -> ask(other,
        ViewsWire.request("list", caller).put("namespace", namespace.orElse(null))
            .put("limit", limit))).toList();
    return Future.join(asked).otherwiseEmpty().compose(ignored -> {
      JsonArray items = new JsonArray();
      List<String> silent = new ArrayList<>();
      List<String> answered = new ArrayList<>(List.of(node));
      for (int i = 0; i < others.size(); i++) {
        if (asked.get(i).succeeded()) {
          items.addAll((JsonArray) asked.get(i).result());
          answered.add(others.get(i));
        } else {
          silent.add(others.get(i));
        }
      }
      // Members gone or silent: their jobs as last recorded (a gone one's unfinished: failed).
      return vertx.executeBlocking(() -> records.values().stream().map(JsonObject::new)
              .filter(job -> !answered.contains(job.getString("node")))
              .filter(job -> namespace.map(job.getString("namespace")::equals).orElse(true))
              .filter(job -> JobActions.mayCheckpoint(caller, job.getString("namespace")))
              .toList(), false)
          .map(recorded -> {
            recorded.forEach(items::add);
            return new Listing(items, silent);
          });
    });
  }

  /** A job as its member last recorded it, if the caller may see its namespace. */
  private Future<JsonObject> record(Caller caller, String id) {
    return vertx.executeBlocking(() -> Optional.ofNullable(records.get(id)), false)
        .map(record -> record.map(JsonObject::new)
            .filter(job -> JobActions.mayCheckpoint(caller, job.getString("namespace")))
            .orElseThrow(() -> new NotFoundException("no checkpoint job " + id)));
  }

  private Future<Object> ask(String other, JsonObject request) {
    return ViewsWire.ask(vertx, ViewsWire.jobsAddress(other), other, request,
        ViewsWire.ANSWER_WITHIN);
  }

  /** The member a job id names: what follows its first {@code @}. */
  private static Optional<String> owner(String id) {
    int at = id.indexOf('@');
    return at < 0 ? Optional.empty() : Optional.of(id.substring(at + 1));
  }

  private static JsonObject json(JobRequest request) {
    return new JsonObject().put("namespace", request.namespace()).put("pod", request.pod())
        .put("container", request.container().orElse(null))
        .put("timeoutMillis", request.timeout().toMillis());
  }

  private JobRequest jobRequest(JsonObject json) {
    return new JobRequest(json.getString("namespace"), json.getString("pod"),
        Optional.ofNullable(json.getString("container")),
        Duration.ofMillis(json.getLong("timeoutMillis", defaultTimeout.toMillis())));
  }
}
