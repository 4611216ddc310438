package org.checkpointgateway.loadtest;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The soak's callers, each taking the next kind in turn: a plain checkpoint, an event stream, a
 * job watched to its end, and between them an archive download followed by its delete (so that
 * the checkpoint directory does not grow), or a listing when no archive is waiting. Every HTTP
 * exchange is counted when sent and when answered; every failed operation is kept with when it
 * ran, to be judged against the runtime's restarts.
 */
final class SoakLoad {

  static final String NAMESPACE = "soak";
  static final String POD = "app";
  static final List<String> KINDS = List.of("plain", "archive", "stream", "archive", "job", "archive");
  /** The token's permissions: checkpoints, jobs, and every archive action. */
  static final List<String> PERMISSIONS = List.of("checkpoint:*", "archives:*");
  /** A request with no byte for this long has no answer (streams send a heartbeat every second). */
  static final long IDLE_TIMEOUT_MILLIS = 30_000;
  static final int TIMEOUT_SECONDS = 30;
  static final int DELETE_ATTEMPTS = 5;
  /** A worker whose operation failed waits this long before its next. */
  static final long BACKOFF_MILLIS = 100;

  /** An operation that did not end as expected: its kind, when it ran, and what came back. */
  record Failure(String kind, long startNanos, long endNanos, String reason) {
  }

  private record Answer(int status, Buffer body) {
  }

  private final Vertx vertx;
  private final HttpClient client;
  private final String token;
  private final AtomicLong next = new AtomicLong();
  // Archives made and not yet deleted, by file name.
  private final Queue<String> archives = new ConcurrentLinkedQueue<>();
  final AtomicLong sent = new AtomicLong();
  final AtomicLong answered = new AtomicLong();
  // Sent and never answered: the connection failed, or nothing came for the idle timeout.
  final AtomicLong unanswered = new AtomicLong();
  final Map<String, AtomicLong> succeeded = new ConcurrentHashMap<>();
  final Queue<Failure> failures = new ConcurrentLinkedQueue<>();
  // When checkpoints (of any kind) succeeded: the runtime's recovery after each restart.
  final Queue<Long> checkpointSuccesses = new ConcurrentLinkedQueue<>();
  final AtomicLong lastCheckpointSuccess = new AtomicLong(Long.MIN_VALUE);
  final AtomicLong downloadedBytes = new AtomicLong();
  final AtomicLong operations = new AtomicLong();
  // Deletes answered 409 "being downloaded" right after this caller's own download ended.
  final AtomicLong deleteConflicts = new AtomicLong();

  SoakLoad(Vertx vertx, int port, String token, int connections) {
    this.vertx = vertx;
    this.token = token;
    this.client = vertx.createHttpClient(new HttpClientOptions()
            .setDefaultHost("127.0.0.1").setDefaultPort(port).setKeepAlive(true).setIdleTimeout(0)
            // Retire idle connections well before any server idle timeout could close one that
            // is being reused: such a race would count as a lost request.
            .setKeepAliveTimeout(10),
        new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
  }

  /**
   * Keeps {@code workers} operations going, each worker starting the next when one ends (after a
   * pause when it failed, as a client backs off), until {@code stop} says so; then waits up to
   * {@code drain} for the last ones. Returns how many operations never ended.
   */
  long run(int workers, BooleanSupplier stop, Duration drain) throws InterruptedException {
    CountDownLatch finished = new CountDownLatch(workers);
    AtomicLong outstanding = new AtomicLong();
    for (int i = 0; i < workers; i++) {
      // From a thread outside Vert.x each call makes a context on the next event loop.
      Context context = vertx.getOrCreateContext();
      context.runOnContext(v -> loop(context, stop, finished, outstanding));
    }
    while (!stop.getAsBoolean()) {
      Thread.sleep(100);
    }
    return finished.await(drain.toMillis(), TimeUnit.MILLISECONDS) ? 0 : outstanding.get();
  }

  private void loop(Context context, BooleanSupplier stop, CountDownLatch finished,
      AtomicLong outstanding) {
    if (stop.getAsBoolean()) {
      finished.countDown();
      return;
    }
    outstanding.incrementAndGet();
    call().send().onComplete(done -> {
      outstanding.decrementAndGet();
      vertx.setTimer(done.succeeded() ? 1 : BACKOFF_MILLIS,
          id -> context.runOnContext(v -> loop(context, stop, finished, outstanding)));
    });
  }

  /** One operation of the next kind; it fails with what came back instead of the expected. */
  Call call() {
    return () -> {
      operations.incrementAndGet();
      String kind = KINDS.get((int) (next.getAndIncrement() % KINDS.size()));
      long start = System.nanoTime();
      Future<String> done = switch (kind) {
        case "plain" -> plain();
        case "stream" -> stream();
        case "job" -> job();
        default -> archive();
      };
      return done.transform(result -> {
        if (result.succeeded()) {
          succeeded.computeIfAbsent(result.result(), k -> new AtomicLong()).incrementAndGet();
          if (!result.result().startsWith("archive") && !result.result().equals("list")) {
            long now = System.nanoTime();
            checkpointSuccesses.add(now);
            lastCheckpointSuccess.accumulateAndGet(now, Math::max);
          }
          return Future.succeededFuture();
        }
        String reason = Call.describe(result.cause());
        failures.add(new Failure(kind, start, System.nanoTime(), reason));
        return Future.failedFuture(new Call.Failure(kind + ": " + reason));
      });
    };
  }

  /** Deletes every archive the load made and has not deleted yet. */
  Future<Integer> deleteRemaining() {
    List<Future<Buffer>> deletes = new java.util.ArrayList<>();
    for (String name; (name = archives.poll()) != null; ) {
      String archive = name;
      deletes.add(delete("/api/v1/archives/" + archive, DELETE_ATTEMPTS));
    }
    return Future.all(deletes).map(all -> deletes.size());
  }

  Future<Void> close() {
    return client.close();
  }

  private Future<String> plain() {
    return exchange(HttpMethod.POST, checkpointUri("plain"), null, null)
        .compose(answer -> expect(answer, 200, "plain"))
        .map(body -> made(new JsonObject(body).getJsonArray("items"), "plain"));
  }

  private Future<String> stream() {
    return exchange(HttpMethod.POST, checkpointUri("stream"), "text/event-stream", null)
        .compose(answer -> expect(answer, 200, "stream"))
        .compose(body -> terminal(body.toString(), "data: ", "stream"));
  }

  private Future<String> job() {
    JsonObject request = new JsonObject().put("namespace", NAMESPACE).put("pod", POD)
        .put("container", "job").put("timeoutSeconds", TIMEOUT_SECONDS);
    return exchange(HttpMethod.POST, "/api/v1/checkpoints", null, request.encode())
        .compose(answer -> expect(answer, 202, "job"))
        .compose(body -> {
          String events = "/api/v1/checkpoints/" + new JsonObject(body).getString("id") + "/events";
          return exchange(HttpMethod.GET, events, "application/x-ndjson", null);
        })
        .compose(answer -> expect(answer, 200, "job events"))
        .compose(body -> terminal(body.toString(), "", "job"));
  }

  /** Downloads the oldest archive waiting and deletes it; lists the archives when none waits. */
  private Future<String> archive() {
    String name = archives.poll();
    if (name == null) {
      return exchange(HttpMethod.GET, "/api/v1/archives?namespace=" + NAMESPACE, null, null)
          .compose(answer -> expect(answer, 200, "list"))
          // Nothing to download yet: a moment before this worker goes on, or it spins listing.
          .compose(body -> vertx.timer(BACKOFF_MILLIS).map("list"));
    }
    String uri = "/api/v1/archives/" + name;
    return exchange(HttpMethod.GET, uri, null, null)
        .compose(answer -> expect(answer, 200, "download"))
        .compose(body -> {
          // An archive is a tar: whole 512-byte blocks.
          if (body.length() == 0 || body.length() % 512 != 0) {
            return Future.failedFuture(new Call.Failure("download of " + body.length() + " bytes"));
          }
          downloadedBytes.addAndGet(body.length());
          return delete(uri, DELETE_ATTEMPTS);
        })
        .map(body -> "archive");
  }

  /**
   * DELETE, tried again a moment later while the gateway answers 409 "being downloaded", as the
   * API says a caller should: the gateway may still count a download whose last byte the caller
   * has read (seen a few times in 6,600 deletes under load; counted in the report).
   */
  private Future<Buffer> delete(String uri, int attempts) {
    return exchange(HttpMethod.DELETE, uri, null, null).compose(answer -> {
      if (answer.status() == 409 && attempts > 1
          && answer.body().toString().contains("being downloaded")) {
        deleteConflicts.incrementAndGet();
        return vertx.timer(BACKOFF_MILLIS).compose(v -> delete(uri, attempts - 1));
      }
      return expect(answer, 204, "delete");
    });
  }

  /** The last event of a stream or a job's events: completed (its archive kept) or failed. */
  private Future<String> terminal(String body, String prefix, String kind) {
    JsonObject last = null;
    for (String line : body.split("\n")) {
      if (line.startsWith(prefix) && line.length() > prefix.length()) {
        last = new JsonObject(line.substring(prefix.length()));
      }
    }
    if (last == null) {
      return Future.failedFuture(new Call.Failure(kind + " ended without events"));
    }
    if (last.getString("event").equals("completed")) {
      return Future.succeededFuture(made(last.getJsonArray("items"), kind));
    }
    return Future.failedFuture(new Call.Failure(kind + " event " + last.getString("event") + " "
        + last.getInteger("status") + HttpTarget.reason(last.getString("message", ""))));
  }

  private String made(JsonArray items, String kind) {
    archives.add(Path.of(items.getString(0)).getFileName().toString());
    return kind;
  }

  private static Future<Buffer> expect(Answer answer, int status, String what) {
    return answer.status() == status ? Future.succeededFuture(answer.body())
        : Future.failedFuture(new Call.Failure(what + " HTTP " + answer.status()
            + HttpTarget.reason(answer.body().toString())));
  }

  private static String checkpointUri(String container) {
    return "/checkpoint/" + NAMESPACE + "/" + POD + "/" + container + "?timeout=" + TIMEOUT_SECONDS;
  }

  /** One HTTP exchange, counted: sent, then answered (whole body read) or failed in transport. */
  private Future<Answer> exchange(HttpMethod method, String uri, String accept, String json) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + token);
    if (accept != null) {
      headers.add("Accept", accept);
    }
    if (json != null) {
      headers.add("Content-Type", "application/json");
    }
    RequestOptions options = new RequestOptions().setMethod(method).setURI(uri).setHeaders(headers)
        .setIdleTimeout(IDLE_TIMEOUT_MILLIS);
    sent.incrementAndGet();
    return client.request(options)
        // Read in the callback that received the response (see HttpTarget#get).
        .compose(request -> (json == null ? request.send() : request.send(json))
            .compose(response -> response.body().map(body -> new Answer(response.statusCode(), body))))
        .onComplete(done -> (done.succeeded() ? answered : unanswered).incrementAndGet());
  }
}
