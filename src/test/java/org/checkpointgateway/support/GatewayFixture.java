package org.checkpointgateway.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.checkpointgateway.Gateway;
import org.checkpointgateway.auth.TokenIssuer;
import org.checkpointgateway.config.GatewayOptions;
import org.checkpointgateway.config.Settings;
import org.checkpointgateway.metrics.GatewayMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.checkpointgateway.sim.SimulatedRuntime;
import org.checkpointgateway.sim.SimulatorSeed;

/**
 * A simulated runtime on a real unix socket and a gateway in front of it on a real loopback
 * port, with an HS256 key, a required issuer and audience, and a private checkpoint directory.
 */
public final class GatewayFixture {

  public static final String ISSUER = "checkpoint-gateway-tests";
  public static final String AUDIENCE = "checkpoint-gateway";

  /** A small world: two namespaces and containers for every outcome. */
  public static final String SEED = """
      bandwidthBytesPerSecond: 1073741824
      pagesCapBytes: 65536
      pods:
        - namespace: default
          name: demo
          containers:
            - name: app
              memoryBytes: 8388608
            - name: sidecar
              memoryBytes: 1048576
            - name: slow
              checkpointSeconds: 60
            - name: broken
              fail: "UNKNOWN: CRIU dump failed"
            - name: done
              state: exited
        - namespace: default
          name: timed
          containers:
            - name: quick
              memoryBytes: 2147483648
              checkpointSeconds: 0.05
            - name: light
              memoryBytes: 1048576
              checkpointSeconds: 0.05
            - name: half
              memoryBytes: 67108864
              checkpointSeconds: 0.5
            - name: blocker
              memoryBytes: 1048576
              checkpointSeconds: 60
        - namespace: default
          name: mixed
          containers:
            - name: app
              memoryBytes: 1048576
            - name: broken
              fail: "UNKNOWN: CRIU dump failed"
        - namespace: team-a
          name: web
          containers:
            - name: nginx
              memoryBytes: 1048576
        - namespace: team-a
          name: timed
          containers:
            - name: quick
              memoryBytes: 1048576
              checkpointSeconds: 0.05
      """;

  public final Vertx vertx;
  public final Path dir;
  public final Path socket;
  public final Path checkpointDir;
  public final String secret = TokenIssuer.randomSecret();
  public SimulatedRuntime runtime;
  public Gateway gateway;
  private HttpClient http;
  private io.vertx.core.Context clientContext;

  private final PrometheusMeterRegistry registry;

  private GatewayFixture(Vertx vertx, Path dir, PrometheusMeterRegistry registry) {
    this.vertx = vertx;
    this.registry = registry != null ? registry : GatewayMetrics.prometheusRegistry();
    this.dir = dir;
    this.socket = dir.resolve("cri.sock");
    this.checkpointDir = dir.resolve("checkpoints");
  }

  /** A fixture whose runtime is started; the gateway is started by {@link #startGateway}. */
  public static GatewayFixture withRuntime(Vertx vertx, Path dir) {
    return withRuntime(vertx, dir, StrictVertx.registry(vertx));
  }

  /** With a given metrics registry (null: the gateway makes its own). */
  static GatewayFixture withRuntime(Vertx vertx, Path dir, PrometheusMeterRegistry registry) {
    GatewayFixture fixture = new GatewayFixture(vertx, dir, registry);
    fixture.startRuntime();
    return fixture;
  }

  /** A fixture with no runtime on its socket yet. */
  public static GatewayFixture withoutRuntime(Vertx vertx, Path dir) {
    return new GatewayFixture(vertx, dir, StrictVertx.registry(vertx));
  }

  public void startRuntime() {
    runtime = Await.result(SimulatedRuntime.start(vertx, SimulatorSeed.parse(SEED, "test seed"), socket));
  }

  /** Settings every test gateway shares; {@code extra} may add or override. */
  public Settings settings() {
    try {
      Path secretFile = dir.resolve("hs256.key");
      // Surrounding whitespace is trimmed by the gateway, as documented.
      Files.writeString(secretFile, "  " + secret + "\n");
      return new Settings()
          .override("host", "127.0.0.1", "--host")
          .override("port", "0", "--port")
          .override("criEndpoint", "unix://" + socket, "--cri-endpoint")
          .override("checkpointDir", checkpointDir.toString(), "--checkpoint-dir")
          .override("jwt.secretFile", secretFile.toString(), "--jwt-secret-file")
          .override("jwt.issuer", ISSUER, "--jwt-issuer")
          .override("jwt.audience", AUDIENCE, "--jwt-audience");
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  public GatewayFixture startGateway() {
    return startGateway(settings());
  }

  public GatewayFixture startGateway(Settings settings) {
    gateway = Await.result(Gateway.start(vertx, GatewayOptions.from(settings), registry));
    // Enough connections that a burst reaches the gateway at once rather than queueing here.
    clientContext = vertx.getOrCreateContext();
    http = vertx.httpClientBuilder()
        .with(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(gateway.port()))
        .with(new io.vertx.core.http.PoolOptions().setHttp1MaxSize(1000))
        .build();
    return this;
  }

  /** A gauge or counter of the gateway's metrics registry, by its Micrometer name. */
  public double metric(String name) {
    var meter = registry.find(name).meter();
    if (meter == null) {
      throw new AssertionError("no metric " + name);
    }
    return meter.measure().iterator().next().getValue();
  }

  public void close() {
    if (gateway != null) {
      Await.result(gateway.close());
    }
    if (runtime != null) {
      Await.result(runtime.close());
    }
    if (http != null) {
      Await.result(http.close());
    }
  }

  /** A valid token with the given permissions. */
  public String token(String subject, String... permissions) {
    return TokenIssuer.hs256(vertx, secret).issue(subject, List.of(permissions),
        Duration.ofMinutes(5), Optional.of(ISSUER), Optional.of(AUDIENCE));
  }

  public String adminToken() {
    return token("admin", "checkpoint:*");
  }

  public HttpAnswer post(String uri, String token) {
    return send(HttpMethod.POST, uri, token);
  }

  public HttpAnswer send(HttpMethod method, String uri, String token) {
    return Await.result(request(method, uri, token));
  }

  public Future<HttpAnswer> request(HttpMethod method, String uri, String token) {
    return requestWithAuthorization(method, uri, token == null ? null : "Bearer " + token);
  }

  /** A request with extra headers (for example Accept) and a bearer token. */
  public Future<HttpAnswer> request(HttpMethod method, String uri, String token,
      java.util.Map<String, String> headers) {
    RequestOptions options = new RequestOptions().setMethod(method).setURI(uri);
    if (token != null) {
      options.putHeader("Authorization", "Bearer " + token);
    }
    headers.forEach(options::putHeader);
    return exchange(options, null);
  }

  /** A JSON request body with a bearer token and extra headers. */
  public Future<HttpAnswer> requestJson(HttpMethod method, String uri, String token,
      String json, java.util.Map<String, String> headers) {
    RequestOptions options = new RequestOptions().setMethod(method).setURI(uri)
        .putHeader("Content-Type", "application/json");
    if (token != null) {
      options.putHeader("Authorization", "Bearer " + token);
    }
    headers.forEach(options::putHeader);
    return exchange(options, json);
  }

  /** A request with this exact Authorization header value, or none when null. */
  public Future<HttpAnswer> requestWithAuthorization(HttpMethod method, String uri,
      String authorization) {
    RequestOptions options = new RequestOptions().setMethod(method).setURI(uri);
    if (authorization != null) {
      options.putHeader("Authorization", authorization);
    }
    return exchange(options, null);
  }

  /**
   * One request and its whole answer, run on one Vert.x context. Vert.x 5.0.7's client can lose
   * the end of a response whose body() is asked for on another thread than the one that saw
   * the end (eclipse-vertx/vert.x#6038, fixed after 5.0.7): with every step on one context the
   * body is always asked for before the end is handled.
   */
  private Future<HttpAnswer> exchange(RequestOptions options, String body) {
    return onClientContext(() -> http.request(options)
        .compose(request -> body == null ? request.send() : request.send(body))
        .compose(HttpAnswer::read));
  }

  /** Runs client work on the fixture's one client context (see {@link #exchange}). */
  public <T> Future<T> onClientContext(java.util.function.Supplier<Future<T>> work) {
    io.vertx.core.Promise<T> result = io.vertx.core.Promise.promise();
    clientContext.runOnContext(ignored -> work.get().onComplete(result));
    return result.future();
  }

  /** The archives currently in the checkpoint directory. */
  public List<Path> archives() {
    if (!Files.isDirectory(checkpointDir)) {
      return List.of();
    }
    try (var files = Files.list(checkpointDir)) {
      return files.sorted().toList();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
