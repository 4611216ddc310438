package org.checkpointgateway.api;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.netty.buffer.Unpooled;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.checkpointgateway.context.RequestContext;
import org.checkpointgateway.auth.Audit;
import org.checkpointgateway.auth.Caller;
import org.checkpointgateway.auth.BearerAuthHandler;
import org.checkpointgateway.auth.CheckpointPermissions;
import org.checkpointgateway.checkpoint.CheckpointEvent;
import org.checkpointgateway.checkpoint.CheckpointResult;
import org.checkpointgateway.checkpoint.CheckpointService;
import org.checkpointgateway.checkpoint.CheckpointTarget;
import org.checkpointgateway.checkpoint.PreparedCheckpoint;
import org.checkpointgateway.outcome.CheckpointFailedException;
import org.checkpointgateway.checkpoint.Forwarding;
import org.checkpointgateway.outcome.NotFoundException;

/**
 * {@code POST /checkpoint/{namespace}/{pod}/{container}}: the kubelet's route, its answers to
 * the letter; and {@code POST /checkpoint/{namespace}/{pod}} for every container of a pod. With
 * {@code Accept: text/event-stream} or {@code application/x-ndjson} both stream their events
 * after authentication and lookup have passed.
 */
final class CheckpointRoutes {

  static final String CONTAINER_PATH = "/checkpoint/:namespace/:pod/:container";
  static final String POD_PATH = "/checkpoint/:namespace/:pod";
  /** A caller may ask to wait a very long time; cap it where timers and grpc-timeout stay exact. */
  static final Duration MAX_TIMEOUT = Duration.ofDays(365);
  /** Made once: a header value built per answer is checked again per answer. */
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");

  private final CheckpointService service;
  private final Duration defaultTimeout;
  private final ProgressWriter.Settings streams;
  private final Forwarding forwarding;

  CheckpointRoutes(CheckpointService service, Duration defaultTimeout,
      ProgressWriter.Settings streams) {
    this(service, defaultTimeout, streams, Forwarding.NONE);
  }

  CheckpointRoutes(CheckpointService service, Duration defaultTimeout,
      ProgressWriter.Settings streams, Forwarding forwarding) {
    this.service = service;
    this.defaultTimeout = defaultTimeout;
    this.streams = streams;
    this.forwarding = forwarding;
  }

  void mount(Router router, BearerAuthHandler authentication) {
    router.post(CONTAINER_PATH).handler(authentication.audited("checkpoint",
        BearerAuthHandler.params("namespace", "pod", "container")))
        .handler(this::checkpointContainer);
    router.post(POD_PATH).handler(authentication.audited("checkpoint",
        BearerAuthHandler.params("namespace", "pod"))).handler(this::checkpointPod);
    // Any other method on these paths: the kubelet's router answers 405.
    router.route(CONTAINER_PATH).handler(ctx -> ctx.fail(405));
    router.route(POD_PATH).handler(ctx -> ctx.fail(405));
  }

  private void checkpointContainer(RoutingContext ctx) {
    CheckpointTarget target = new CheckpointTarget(ctx.pathParam("namespace"),
        ctx.pathParam("pod"), ctx.pathParam("container"));
    Duration timeout = timeout(ctx);
    RequestContext request = requestContext(ctx, timeout);
    Runnable here = () -> {
      Future<PreparedCheckpoint> prepared = service.prepare(target, request);
      // A lookup answered from a recent picture is complete already: ordered at once.
      (prepared.isComplete() ? inKubeletOrder(target, timeout, prepared)
          : prepared.transform(looked -> inKubeletOrder(target, timeout, looked)))
          .onComplete(ordered -> {
            if (ordered.succeeded()) {
              answer(ctx, request, events -> service.run(ordered.result(), request, events));
            } else {
              elsewhere(ctx, ordered.cause(), target, timeout != null, request);
            }
          });
    };
    if (CheckpointPermissions.mayCheckpoint(BearerAuthHandler.caller(ctx), target.namespace())) {
      placedFirst(ctx, target, timeout != null, request, here);
    } else {
      ctx.fail(CheckpointPermissions.checkpointDenial(BearerAuthHandler.caller(ctx)));
    }
  }

  private void checkpointPod(RoutingContext ctx) {
    String namespace = ctx.pathParam("namespace");
    String pod = ctx.pathParam("pod");
    CheckpointTarget target = CheckpointTarget.wholePod(namespace, pod);
    Duration timeout = timeout(ctx);
    RequestContext request = requestContext(ctx, timeout);
    Runnable here = () -> service.preparePod(namespace, pod, request)
        // The gateway's own route: a negative timeout is refused as one it cannot read.
        .compose(prepared -> usable(timeout) ? Future.succeededFuture(prepared)
            : Future.failedFuture(new NotFoundException("cannot parse value of timeout parameter")))
        .onSuccess(prepared -> answer(ctx, request, events ->
            service.runPod(prepared, request, events)))
        .onFailure(failure -> elsewhere(ctx, failure, target, timeout != null, request));
    CheckpointPermissions.requireCheckpoint(BearerAuthHandler.caller(ctx), namespace)
        .onSuccess(caller -> placedFirst(ctx, target, timeout != null, request, here))
        .onFailure(ctx::fail);
  }

  /**
   * A pod the fleet's directory places on another member goes there first, without a local
   * lookup; if that member does not run it (the directory was behind), the request is carried
   * out {@code here} after all, as any pod the directory does not place.
   */
  private void placedFirst(RoutingContext ctx, CheckpointTarget target, boolean timeoutValid,
      RequestContext request, Runnable here) {
    if (forwarding.runsElsewhere(target.namespace(), target.pod())) {
      forward(ctx, target, timeoutValid, request, Forwarding.Ask.DIRECTORY,
          failure -> {
            if (Forwarding.podUnknown(failure)) {
              here.run();
            } else {
              ctx.fail(failure);
            }
          });
    } else {
      here.run();
    }
  }

  /**
   * A pod this node does not run may run on another fleet member: it carries the request out and
   * its answer is ours; on a single node the local 404 stands.
   */
  private void elsewhere(RoutingContext ctx, Throwable failure, CheckpointTarget target,
      boolean timeoutValid, RequestContext request) {
    if (forwarding == Forwarding.NONE || !Forwarding.podUnknown(failure)) {
      ctx.fail(failure);
    } else {
      forward(ctx, target, timeoutValid, request, Forwarding.Ask.EVERYONE, ctx::fail);
    }
  }

  /**
   * Has another member carry the request out and answers with its answer. A stream opens with the
   * owner's first event (its lookup passed), so a refusal before it, lookup failures included,
   * goes to {@code refused} and is answered as a plain one, as it would be here.
   */
  private void forward(RoutingContext ctx, CheckpointTarget target, boolean timeoutValid,
      RequestContext request, Forwarding.Ask ask, Handler<Throwable> refused) {
    String format = ProgressWriter.requested(ctx);
    Caller caller = BearerAuthHandler.caller(ctx);
    if (format == null) {
      forwarding.forward(target, timeoutValid, request, caller, Forwarding.NO_EVENTS, ask)
          .onSuccess(result -> answerItems(ctx, result))
          .onFailure(refused);
      return;
    }
    ProgressWriter[] stream = new ProgressWriter[1];
    forwarding.forward(target, timeoutValid, request, caller,
            (node, event) -> {
              if (stream[0] == null) {
                stream[0] = ProgressWriter.open(ctx, format, streams, request::cancel)
                    .node(node);
              }
              stream[0].send(event);
            }, ask)
        .onComplete(done -> {
          if (stream[0] == null) {
            // No event: the owner refused before its checkpoint began (lookup, permission).
            refused.handle(done.failed() ? done.cause()
                : new IllegalStateException("no events"));
            return;
          }
          Audit.outcome(ctx, done.succeeded() ? 200 : ErrorMapper.status(done.cause()));
          stream[0].end();
        });
  }

  private static boolean usable(Duration timeout) {
    return timeout != null && !timeout.isNegative();
  }

  /**
   * The kubelet's order of refusals once pod and container are known (404 before all): the
   * timeout's parse (404), then its own lookup among running containers (500
   * {@code container <name> not found}), then its CRI client's refusal of a negative timeout (500).
   */
  private static Future<PreparedCheckpoint> inKubeletOrder(CheckpointTarget target,
      Duration timeout, AsyncResult<PreparedCheckpoint> prepared) {
    boolean notRunning = prepared.failed()
        && prepared.cause() instanceof CheckpointFailedException failed
        && failed.reason().equals(CheckpointService.CONTAINER_NOT_RUNNING);
    if (prepared.failed() && !notRunning) {
      return Future.failedFuture(prepared.cause());
    } else if (timeout == null) {
      return Future.failedFuture(new NotFoundException("cannot parse value of timeout parameter"));
    } else if (prepared.failed()) {
      return Future.failedFuture(prepared.cause());
    } else if (timeout.isNegative()) {
      return Future.failedFuture(new CheckpointFailedException(target.toString(),
          "CheckpointContainer requires the timeout value to be > 0", "NegativeTimeout"));
    }
    return Future.succeededFuture(prepared.result());
  }

  /** Streams the events when asked to; otherwise answers once, as the kubelet does. */
  private void answer(RoutingContext ctx, RequestContext request,
      Function<Consumer<CheckpointEvent>, Future<CheckpointResult>> work) {
    String format = ProgressWriter.requested(ctx);
    if (format == null) {
      work.apply(CheckpointService.NO_EVENTS).onComplete(done -> {
        if (done.succeeded()) {
          answerItems(ctx, done.result());
        } else {
          ctx.fail(done.cause());
        }
      });
    } else {
      // A client given up on for not reading cancels its checkpoint, as one that disconnects.
      ProgressWriter stream = ProgressWriter.open(ctx, format, streams, request::cancel);
      // The terminal events carry the outcome; the stream just ends after them.
      work.apply(stream::send)
          .onComplete(done -> Audit.outcome(ctx,
              done.succeeded() ? 200 : ErrorMapper.status(done.cause())))
          .onComplete(ignored -> stream.end());
    }
  }

  /** The kubelet's answer to a checkpoint: {@code {"items":["ARCHIVE",...]}}. */
  private static void answerItems(RoutingContext ctx, CheckpointResult result) {
    // Added, not set: nothing before set it, and set first searched the headers to replace it.
    ctx.response().headers().add(HttpHeaders.CONTENT_TYPE, JSON);
    ctx.response().end(itemsBody(result.items()));
  }

  private static final byte[] ITEMS_OPEN = {'{', '"', 'i', 't', 'e', 'm', 's', '"', ':', '['};

  /**
   * {@link #itemsJson}'s bytes. Archive paths are printable ASCII with nothing to escape, as the
   * gateway names them: those are copied into the answer's bytes in one pass, without the text,
   * its copy and its encoding that {@code end(String)} made of it (profiles at 256 in flight).
   * Anything else goes through {@link #itemsJson}.
   */
  static Buffer itemsBody(List<String> items) {
    int length = ITEMS_OPEN.length + 2 + Math.max(0, items.size() - 1);
    for (String item : items) {
      length += item.length() + 2;
    }
    byte[] body = new byte[length];
    System.arraycopy(ITEMS_OPEN, 0, body, 0, ITEMS_OPEN.length);
    int at = ITEMS_OPEN.length;
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) {
        body[at++] = ',';
      }
      body[at++] = '"';
      String item = items.get(i);
      for (int c = 0; c < item.length(); c++) {
        char ch = item.charAt(c);
        if (ch < 0x20 || ch > 0x7e || ch == '"' || ch == '\\') {
          return Buffer.buffer(itemsJson(items));
        }
        body[at++] = (byte) ch;
      }
      body[at++] = '"';
    }
    body[at++] = ']';
    body[at] = '}';
    return BufferInternal.buffer(Unpooled.wrappedBuffer(body));
  }

  /**
   * {@code {"items":[...]}} as Vert.x's JSON encoder writes it, without a JSON generator per
   * answer (its set-up showed in profiles of the hot path; ItemsJsonTest keeps the two equal).
   */
  static String itemsJson(List<String> items) {
    StringBuilder json = new StringBuilder(16 + 128 * items.size()).append("{\"items\":[");
    for (int i = 0; i < items.size(); i++) {
      json.append(i == 0 ? "\"" : ",\"");
      JsonStringEncoder.getInstance().quoteAsString(items.get(i), json);
      json.append('"');
    }
    return json.append("]}").toString();
  }

  /**
   * The request's context, the one value its deadline and cancellation travel in down to the
   * runtime: its time starts now (lookup and queueing count against it), and a caller that goes
   * away cancels it.
   */
  private RequestContext requestContext(RoutingContext ctx, Duration timeout) {
    RequestContext request = RequestContext.cancellable(usable(timeout) ? timeout : defaultTimeout);
    ctx.response().closeHandler(ignored -> request.cancel());
    return request;
  }

  /** Without a query string, the default: no parameter map is built for the request. */
  private Duration timeout(RoutingContext ctx) {
    return ctx.request().query() == null ? defaultTimeout
        : timeout(ctx.queryParam("timeout"), defaultTimeout);
  }

  /**
   * The kubelet's reading of {@code ?timeout=}: the last value wins, a base-10 integer of seconds
   * as Go's {@code strconv.ParseInt(s, 10, 64)} reads it (an optional sign, ASCII digits, within
   * 64 bits); 0 or absent means the default. Returns null when the value cannot be parsed, and
   * a negative duration for a negative value (the kubelet parses it, and refuses it later).
   */
  static Duration timeout(List<String> values, Duration defaultTimeout) {
    if (values.isEmpty()) {
      return defaultTimeout;
    }
    String value = values.get(values.size() - 1);
    long seconds;
    try {
      // Java's parseLong also takes non-ASCII digits (U+0663); Go's does not.
      if (!asciiDigits(value)) {
        return null;
      }
      seconds = Long.parseLong(value);
    } catch (NumberFormatException e) {
      return null;
    }
    if (seconds < 0) {
      return Duration.ofSeconds(seconds);
    }
    if (seconds == 0) {
      return defaultTimeout;
    }
    Duration asked = Duration.ofSeconds(seconds);
    return asked.compareTo(MAX_TIMEOUT) > 0 ? MAX_TIMEOUT : asked;
  }

  private static boolean asciiDigits(String value) {
    int start = value.startsWith("+") || value.startsWith("-") ? 1 : 0;
    if (value.length() == start) {
      return false;
    }
    for (int i = start; i < value.length(); i++) {
      if (value.charAt(i) < '0' || value.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }
}
