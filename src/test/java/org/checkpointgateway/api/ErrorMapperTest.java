package org.checkpointgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.List;
import java.util.Map;
import org.checkpointgateway.outcome.BadRequestException;
import org.checkpointgateway.outcome.CheckpointFailedException;
import org.checkpointgateway.outcome.ConflictException;
import org.checkpointgateway.outcome.ForbiddenException;
import org.checkpointgateway.outcome.InsufficientStorageException;
import org.checkpointgateway.outcome.LimitExceededException;
import org.checkpointgateway.outcome.NotFoundException;
import org.checkpointgateway.outcome.OverloadedException;
import org.checkpointgateway.outcome.PodCheckpointFailedException;
import org.checkpointgateway.outcome.RangeNotSatisfiableException;
import org.checkpointgateway.outcome.RuntimeCallFailedException;
import org.checkpointgateway.outcome.UnauthenticatedException;
import org.checkpointgateway.outcome.UnavailableException;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.HttpAnswer;
import org.checkpointgateway.support.StrictVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The one error mapper on its own: every failure type's status and reason, and the answer's two
 * shapes (the kubelet's plain text, the API's JSON) through a real router and socket.
 */
class ErrorMapperTest {

  static final RuntimeCallFailedException DEADLINE =
      new RuntimeCallFailedException("DeadlineExceeded", "context deadline exceeded");

  /** Each failure a handler may fail a Future with, by the name the test routes use. */
  static final Map<String, Throwable> FAILURES = Map.ofEntries(
      Map.entry("not-found", new NotFoundException("pod does not exist")),
      Map.entry("bad-request", new BadRequestException("timeout must be a whole number")),
      Map.entry("unauthenticated", new UnauthenticatedException("token expired")),
      Map.entry("forbidden", new ForbiddenException("alice", "create", "checkpoint", "default")),
      Map.entry("conflict", new ConflictException("job 1 has already succeeded")),
      Map.entry("overloaded", new OverloadedException("queue full", 7)),
      Map.entry("unavailable", new UnavailableException("stopping")),
      Map.entry("no-space", new InsufficientStorageException("no room")),
      Map.entry("range", new RangeNotSatisfiableException("bytes=900-", 512)),
      Map.entry("limit", new LimitExceededException("too many members")),
      Map.entry("runtime", new CheckpointFailedException("default/demo/app", DEADLINE)),
      Map.entry("pod", new PodCheckpointFailedException("default", "web",
          Map.of("app", new CheckpointFailedException("default/web/app", DEADLINE)), List.of())),
      Map.entry("bug", new IllegalStateException("a secret detail")));

  Vertx vertx;
  HttpServer server;
  HttpClient client;

  @BeforeEach
  void start() {
    vertx = StrictVertx.create();
    Router router = Router.router(vertx);
    router.get("/checkpoint/fail/:kind").handler(ctx -> ctx.fail(FAILURES.get(ctx.pathParam("kind"))));
    router.get("/api/v1/fail/:kind").handler(ctx -> ctx.fail(FAILURES.get(ctx.pathParam("kind"))));
    router.post("/api/v1/post-only").handler(ctx -> ctx.end());
    router.route().failureHandler(ErrorMapper::handle);
    router.errorHandler(404, ErrorMapper::handle);
    router.errorHandler(405, ErrorMapper::handle);
    server = Await.result(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    client = vertx.createHttpClient();
  }

  @AfterEach
  void stop() {
    Await.result(vertx.close());
    StrictVertx.assertNeverBlocked(vertx);
  }

  HttpAnswer get(String path) {
    return send(HttpMethod.GET, path);
  }

  HttpAnswer send(HttpMethod method, String path) {
    return Await.result(client.request(method, server.actualPort(), "127.0.0.1", path)
        .compose(request -> request.send().compose(HttpAnswer::read)));
  }

  @Test
  void eachFailureHasItsStatusAndReason() {
    Map<String, Integer> statuses = Map.ofEntries(Map.entry("not-found", 404),
        Map.entry("bad-request", 400), Map.entry("unauthenticated", 401), Map.entry("forbidden", 403),
        Map.entry("conflict", 409), Map.entry("overloaded", 429), Map.entry("unavailable", 503),
        Map.entry("no-space", 507), Map.entry("range", 416), Map.entry("limit", 422),
        Map.entry("runtime", 500), Map.entry("pod", 500), Map.entry("bug", 500));
    assertThat(statuses.keySet()).isEqualTo(FAILURES.keySet());
    statuses.forEach((kind, status) ->
        assertThat(ErrorMapper.status(FAILURES.get(kind))).as(kind).isEqualTo(status));
    assertThat(ErrorMapper.reason(FAILURES.get("runtime"))).isEqualTo("RuntimeDeadlineExceeded");
    assertThat(ErrorMapper.reason(FAILURES.get("bug"))).isEqualTo("InternalError");
    assertThat(ErrorMapper.status(DEADLINE)).isEqualTo(500);
  }

  @Test
  void theKubeletRouteAnswersInPlainTextAndTheApiInJson() {
    HttpAnswer kubelet = get("/checkpoint/fail/runtime");
    assertThat(kubelet.status()).isEqualTo(500);
    assertThat(kubelet.header("Content-Type")).isEqualTo("text/plain; charset=utf-8");
    assertThat(kubelet.header("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(kubelet.body()).isEqualTo("checkpointing of default/demo/app failed "
        + "(rpc error: code = DeadlineExceeded desc = context deadline exceeded)");

    HttpAnswer api = get("/api/v1/fail/not-found");
    assertThat(api.status()).isEqualTo(404);
    assertThat(api.header("Content-Type")).isEqualTo("application/json");
    assertThat(new JsonObject(api.body())).isEqualTo(new JsonObject()
        .put("status", 404).put("reason", "NotFound").put("message", "pod does not exist"));
  }

  @Test
  void anUnexpectedFailureIsA500ThatTellsTheCallerNothing() {
    HttpAnswer kubelet = get("/checkpoint/fail/bug");
    assertThat(kubelet.status()).isEqualTo(500);
    assertThat(kubelet.body()).isEqualTo("Internal Server Error");

    HttpAnswer api = get("/api/v1/fail/bug");
    assertThat(new JsonObject(api.body())).isEqualTo(new JsonObject()
        .put("status", 500).put("reason", "InternalError").put("message", "Internal Server Error"));
    assertThat(api.body()).doesNotContain("secret");
  }

  @Test
  void refusalsCarryTheHeadersThatGoWithThem() {
    HttpAnswer overloaded = get("/api/v1/fail/overloaded");
    assertThat(overloaded.status()).isEqualTo(429);
    assertThat(overloaded.header("Retry-After")).isEqualTo("7");

    HttpAnswer range = get("/api/v1/fail/range");
    assertThat(range.status()).isEqualTo(416);
    assertThat(range.header("Content-Range")).isEqualTo("bytes */512");
  }

  @Test
  void routerStatusesKeepTheKubeletsTexts() {
    HttpAnswer unknown = get("/nothing-here");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.body()).isEqualTo("404 page not found");

    HttpAnswer wrongMethod = get("/api/v1/post-only");
    assertThat(wrongMethod.status()).isEqualTo(405);
    assertThat(new JsonObject(wrongMethod.body())).isEqualTo(new JsonObject().put("status", 405)
        .put("reason", "MethodNotAllowed").put("message", "405: Method Not Allowed"));
  }
}
