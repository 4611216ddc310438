package org.checkpointgateway.api;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.auth.BearerAuthHandler;
import org.checkpointgateway.auth.Caller;
import org.checkpointgateway.checkpoint.CheckpointEvent;
import org.checkpointgateway.checkpoint.CheckpointService;
import org.checkpointgateway.checkpoint.Forwarding;
import org.checkpointgateway.outcome.BadRequestException;
import org.checkpointgateway.outcome.UnsupportedMediaTypeException;
import org.checkpointgateway.jobs.JobRequest;
import org.checkpointgateway.jobs.JobStore;
import org.checkpointgateway.jobs.JobView;

/**
 * {@code /api/v1/checkpoints}: checkpoint jobs for automation. A caller sees only jobs of
 * namespaces it may checkpoint; a job of another namespace is "not found", never "forbidden",
 * so that ids do not reveal what other tenants do.
 */
final class JobRoutes {

  static final String JOBS = "/api/v1/checkpoints";
  static final String JOB = JOBS + "/:id";
  /** A job request is a few short strings. */
  static final long MAX_BODY_BYTES = 16 * 1024;
  static final int DEFAULT_LIST_LIMIT = 100;

  private final JobStore jobs;
  private final JobActions actions;
  private final Duration defaultTimeout;
  private final ProgressWriter.Settings streams;
  private final Optional<FleetJobs> fleet;

  JobRoutes(CheckpointService checkpoints, JobStore jobs, Duration defaultTimeout,
      ProgressWriter.Settings streams) {
    this(checkpoints, jobs, defaultTimeout, streams, Optional.empty());
  }

  /** With {@code fleet}, jobs of pods and ids of other members are theirs to answer. */
  JobRoutes(CheckpointService checkpoints, JobStore jobs, Duration defaultTimeout,
      ProgressWriter.Settings streams, Optional<FleetJobs> fleet) {
    this.jobs = jobs;
    this.actions = new JobActions(checkpoints, jobs);
    this.defaultTimeout = defaultTimeout;
    this.streams = streams;
    this.fleet = fleet;
  }

  void mount(Router router, BearerAuthHandler authentication,
      Handler<RoutingContext> bodyDeadline) {
    // Behind the one authentication handler: no body is read for a caller not yet known.
    // No form parts: vertx-web would write each file part to disk (kept after the request) and
    // make its uploads directory on the event loop. A job request is JSON, and it must arrive
    // in time. (A route of its own: vertx-web puts no handler of ours before a body handler.)
    router.post(JOBS).handler(JobRoutes::refuseMultipart).handler(bodyDeadline);
    router.post(JOBS).handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
        .handler(authentication.audited("checkpoint.job", JobRoutes::requested))
        .handler(this::submit);
    router.get(JOBS).handler(this::list);
    router.get(JOB).handler(this::get);
    router.delete(JOB).handler(this::cancel);
    router.get(JOB + "/events").handler(this::events);
  }

  private static void refuseMultipart(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    if (type != null && type.regionMatches(true, 0, "multipart/", 0, "multipart/".length())) {
      ctx.fail(new UnsupportedMediaTypeException("a job request is a JSON object "
          + "(Content-Type: application/json), not a multipart form"));
      return;
    }
    ctx.next();
  }

  private void submit(RoutingContext ctx) {
    Caller caller = BearerAuthHandler.caller(ctx);
    Optional<String> idempotencyKey = Optional.ofNullable(ctx.request().getHeader("Idempotency-Key"))
        .filter(key -> !key.isBlank());
    if (idempotencyKey.isPresent() && caller.subject().equals(Caller.UNKNOWN_SUBJECT)) {
      // Keys are kept per caller; every token without sub would share one caller's keys, and
      // one would be answered with another's job.
      ctx.fail(new BadRequestException("an Idempotency-Key needs a caller with a name: the"
          + " token has no sub claim"));
      return;
    }
    JobRequest request;
    try {
      request = parse(ctx);
    } catch (BadRequestException e) {
      ctx.fail(e);
      return;
    }
    // The job's time starts now, as the kubelet route's does: its lookup counts against it. The
    // job outlives this connection, so only a cancel of the job ends it early.
    RequestContext context = RequestContext.cancellable(request.timeout());
    actions.submit(caller, request, idempotencyKey, context)
        .map(submitted -> new FleetJobs.Submitted(json(submitted.job()), submitted.created()))
        // A pod this member does not run: the member that runs it makes the job.
        .recover(failure -> fleet.isPresent() && Forwarding.podUnknown(failure)
            ? fleet.get().submit(caller, request, idempotencyKey)
            : Future.failedFuture(failure))
        .onSuccess(submitted -> ctx.response()
            // 202: a job was started; 200: an idempotent replay of an earlier submission.
            .setStatusCode(submitted.created() ? 202 : 200)
            .putHeader("Location", JOBS + "/" + submitted.job().getString("id"))
            .putHeader("Content-Type", "application/json")
            .end(submitted.job().encode()))
        .onFailure(ctx::fail);
  }

  /** What a job request asked to checkpoint, for the audit log: namespace/pod[/container]. */
  private static String requested(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    StringBuilder target = new StringBuilder();
    for (String key : List.of("namespace", "pod", "container")) {
      if (body != null && body.getValue(key) instanceof String value) {
        target.append(target.isEmpty() ? "" : "/").append(value);
      }
    }
    return target.toString();
  }

  private JobRequest parse(RoutingContext ctx) {
    JsonObject body = jsonObject(ctx);
    for (String key : body.fieldNames()) {
      if (!List.of("namespace", "pod", "container", "timeoutSeconds").contains(key)) {
        throw new BadRequestException("unknown field " + key
            + " (expected namespace, pod, container, timeoutSeconds)");
      }
    }
    String namespace = requiredString(body, "namespace");
    String pod = requiredString(body, "pod");
    Optional<String> container = body.containsKey("container")
        ? Optional.of(requiredString(body, "container")) : Optional.empty();
    Object timeout = body.getValue("timeoutSeconds");
    long seconds = 0;
    if (timeout != null) {
      if (!(timeout instanceof Number number) || number.doubleValue() != number.longValue()
          || number.longValue() < 0) {
        throw new BadRequestException("timeoutSeconds must be a whole number of seconds, 0 or more");
      }
      seconds = Math.min(number.longValue(), CheckpointRoutes.MAX_TIMEOUT.toSeconds());
    }
    return new JobRequest(namespace, pod, container,
        seconds == 0 ? defaultTimeout : Duration.ofSeconds(seconds));
  }

  /** The body as a JSON object, or a 400 that says what is wrong in the caller's terms. */
  private static JsonObject jsonObject(RoutingContext ctx) {
    Object value;
    try {
      value = ctx.body().buffer() == null ? null : ctx.body().buffer().toJsonValue();
    } catch (DecodeException e) {
      throw new BadRequestException("the body is not valid JSON" + parserProblem(e.getCause()));
    }
    if (value instanceof JsonObject object) {
      return object;
    }
    String found = value == null ? "empty" : value instanceof JsonArray ? "an array"
        : value instanceof String ? "a string" : value instanceof Boolean ? "a boolean"
        : "a number";
    throw new BadRequestException("the body must be a JSON object with namespace and pod; it is "
        + found);
  }

  /**
   * Jackson's problem, without its internals: " (line 1, column 6): unexpected character '1':
   * was expecting a colon ...", not the character codes, source notes and class names.
   */
  static String parserProblem(Throwable cause) {
    if (!(cause instanceof JsonProcessingException parser) || parser.getOriginalMessage() == null) {
      return "";
    }
    String problem = parser.getOriginalMessage()
        .replaceAll(" \\(code -?\\d+\\)", "")
        .replaceAll("\\('(.*?)'\\)", "'$1'");
    int note = problem.indexOf(" (for ");
    problem = note > 0 ? problem.substring(0, note) : problem;
    int line = problem.indexOf('\n');
    problem = line > 0 ? problem.substring(0, line) : problem;
    JsonLocation at = parser.getLocation();
    return (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")
        + ": " + Character.toLowerCase(problem.charAt(0)) + problem.substring(1);
  }

  private static String requiredString(JsonObject body, String key) {
    Object value = body.getValue(key);
    if (!(value instanceof String text) || text.isBlank()) {
      throw new BadRequestException(key + " must be a non-empty string");
    }
    return text;
  }

  private void list(RoutingContext ctx) {
    Caller caller = BearerAuthHandler.caller(ctx);
    Optional<String> namespace = Optional.ofNullable(ctx.queryParams().get("namespace"));
    int limit;
    try {
      limit = Integer.parseInt(Optional.ofNullable(ctx.queryParams().get("limit"))
          .orElse(Integer.toString(DEFAULT_LIST_LIMIT)));
      if (limit < 1) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      ctx.fail(new BadRequestException("limit must be a positive whole number"));
      return;
    }
    Future<JsonArray> local = actions.list(caller, namespace, limit)
        .map(list -> new JsonArray(list.stream().map(JobRoutes::json).toList()));
    if (fleet.isEmpty()) {
      local.onSuccess(items -> ctx.response().putHeader("Content-Type", "application/json")
              .end(new JsonObject().put("items", items).encode()))
          .onFailure(ctx::fail);
      return;
    }
    Future<FleetJobs.Listing> others = fleet.get().list(caller, namespace, limit);
    Future.all(local, others).onSuccess(both -> {
      List<JsonObject> items = new java.util.ArrayList<>();
      local.result().forEach(item -> items.add((JsonObject) item));
      others.result().items().forEach(item -> items.add((JsonObject) item));
      // Newest first across the fleet, as on one node.
      items.sort(java.util.Comparator.comparing(
          (JsonObject item) -> Instant.parse(item.getString("createdAt"))).reversed());
      JsonObject body = new JsonObject()
          .put("items", new JsonArray(items.subList(0, Math.min(limit, items.size()))));
      if (!others.result().unavailable().isEmpty()) {
        body.put("unavailable", new JsonArray(others.result().unavailable()));
      }
      ctx.response().putHeader("Content-Type", "application/json").end(body.encode());
    }).onFailure(ctx::fail);
  }

  private void get(RoutingContext ctx) {
    Caller caller = BearerAuthHandler.caller(ctx);
    String id = ctx.pathParam("id");
    (elsewhere(id) ? fleet.get().get(caller, id) : actions.get(caller, id).map(JobRoutes::json))
        .onSuccess(job -> ctx.response().putHeader("Content-Type", "application/json")
            .end(job.encode()))
        .onFailure(ctx::fail);
  }

  private void cancel(RoutingContext ctx) {
    Caller caller = BearerAuthHandler.caller(ctx);
    String id = ctx.pathParam("id");
    (elsewhere(id) ? fleet.get().cancel(caller, id)
        : actions.cancel(caller, id).map(JobRoutes::json))
        .onSuccess(job -> ctx.response().setStatusCode(202)
            .putHeader("Content-Type", "application/json").end(job.encode()))
        .onFailure(ctx::fail);
  }

  private boolean elsewhere(String id) {
    return fleet.isPresent() && fleet.get().elsewhere(id);
  }

  private void events(RoutingContext ctx) {
    if (elsewhere(ctx.pathParam("id"))) {
      eventsElsewhere(ctx);
      return;
    }
    visibleJob(ctx).onSuccess(job -> {
      String format = Optional.ofNullable(ProgressWriter.requested(ctx)).orElse(ProgressWriter.SSE);
      // A watcher that goes away, or is given up on for not reading, stops watching; the job
      // itself runs on (it outlives connections).
      Promise<Runnable> subscription = Promise.promise();
      ProgressWriter stream = ProgressWriter.open(ctx, format, streams,
          () -> subscription.future().onSuccess(Runnable::run));
      jobs.watch(job.id(), stream::send, stream::end)
          .onSuccess(subscription::complete)
          .onFailure(failure -> stream.end());
    }).onFailure(ctx::fail);
  }

  /**
   * The events of another member's job, relayed: the stream opens once that member accepted
   * the caller; events it sent before are handed on first.
   */
  private void eventsElsewhere(RoutingContext ctx) {
    String format = Optional.ofNullable(ProgressWriter.requested(ctx)).orElse(ProgressWriter.SSE);
    List<CheckpointEvent> early = new java.util.ArrayList<>();
    ProgressWriter[] stream = new ProgressWriter[1];
    boolean[] ended = new boolean[1];
    fleet.get().watch(BearerAuthHandler.caller(ctx), ctx.pathParam("id"), event -> {
      if (stream[0] == null) {
        early.add(event);
      } else {
        stream[0].send(event);
      }
    }, () -> {
      if (stream[0] == null) {
        ended[0] = true;
      } else {
        stream[0].end();
      }
    }).onSuccess(stop -> {
      // The owner's events, named by the owner (the id's @NODE), not by this member.
      stream[0] = ProgressWriter.open(ctx, format, streams, stop).node(nodeOf(ctx.pathParam("id")));
      early.forEach(stream[0]::send);
      if (ended[0]) {
        stream[0].end();
      }
    }).onFailure(ctx::fail);
  }

  /** The member a fleet job id names ({@code UUID@NODE}); null for a single node's bare id. */
  private static String nodeOf(String id) {
    int at = id.indexOf('@');
    return at >= 0 ? id.substring(at + 1) : null;
  }

  private Future<JobView> visibleJob(RoutingContext ctx) {
    return actions.get(BearerAuthHandler.caller(ctx), ctx.pathParam("id"));
  }

  static JsonObject json(JobView job) {
    JsonObject json = new JsonObject()
        .put("id", job.id())
        .put("namespace", job.request().namespace())
        .put("pod", job.request().pod());
    // A fleet member's job ids end in @NODE: the member that runs it.
    String node = nodeOf(job.id());
    if (node != null) {
      json.put("node", node);
    }
    job.request().container().ifPresent(container -> json.put("container", container));
    json.put("timeoutSeconds", job.request().timeout().toSeconds())
        .put("state", job.state().toString())
        .put("createdAt", job.createdAt().toString());
    job.startedAt().map(Instant::toString).ifPresent(at -> json.put("startedAt", at));
    job.finishedAt().map(Instant::toString).ifPresent(at -> json.put("finishedAt", at));
    json.put("items", new JsonArray(job.items()));
    job.failure().ifPresent(failure -> json.put("error", new JsonObject()
        .put("status", ErrorMapper.status(failure))
        .put("reason", ErrorMapper.reason(failure))
        .put("message", ErrorMapper.message(failure))));
    return json;
  }
}
