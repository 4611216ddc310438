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
        - namespace: team-a
          name: web
          containers:
            - name: nginx
              memoryBytes: 1048576
      """;

  public final Vertx vertx;
  public final Path dir;
  public final Path socket;
  public final Path checkpointDir;
  public final String secret = TokenIssuer.randomSecret();
  public SimulatedRuntime runtime;
  public Gateway gateway;
  private HttpClient http;

  private GatewayFixture(Vertx vertx, Path dir) {
    this.vertx = vertx;
    this.dir = dir;
    this.socket = dir.resolve("cri.sock");
    this.checkpointDir = dir.resolve("checkpoints");
  }

  /** A fixture whose runtime is started; the gateway is started by {@link #startGateway}. */
  public static GatewayFixture withRuntime(Vertx vertx, Path dir) {
    GatewayFixture fixture = new GatewayFixture(vertx, dir);
    fixture.startRuntime();
    return fixture;
  }

  /** A fixture with no runtime on its socket yet. */
  public static GatewayFixture withoutRuntime(Vertx vertx, Path dir) {
    return new GatewayFixture(vertx, dir);
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
    gateway = Await.result(Gateway.start(vertx, GatewayOptions.from(settings),
        StrictVertx.registry(vertx)));
    http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(gateway.port()));
    return this;
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

  /** A request with this exact Authorization header value, or none when null. */
  public Future<HttpAnswer> requestWithAuthorization(HttpMethod method, String uri,
      String authorization) {
    RequestOptions options = new RequestOptions().setMethod(method).setURI(uri);
    if (authorization != null) {
      options.putHeader("Authorization", authorization);
    }
    return http.request(options)
        .compose(request -> request.send())
        .compose(response -> response.body().map(body -> new HttpAnswer(response.statusCode(),
            response.headers(), body.toString(), response.version())));
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
