package org.checkpointgateway.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The client commands' HTTP: java.net.http on the command's own thread (a command line may
 * block; it is not an event loop). Failures become one-line {@link CliException}s carrying the
 * server's own message.
 */
final class GatewayClient {

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient http;
  private final URI server;
  private final String token;
  /** Where the token came from, for a 401's hint; null when none was sent. */
  private final String tokenSource;

  GatewayClient(URI server, String token, String tokenSource) {
    this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER).build();
    this.server = server;
    this.token = token;
    this.tokenSource = token == null ? null : tokenSource;
  }

  static GatewayClient from(ClientOptions options) throws CliException {
    return new GatewayClient(options.serverUri(), options.token(), options.tokenSource());
  }

  /** A request for {@code path} (from the server's root), with the token. */
  HttpRequest.Builder request(String path) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(server + path));
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    return builder;
  }

  <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body) throws CliException {
    try {
      return http.send(request, body);
    } catch (ConnectException e) {
      throw new CliException("cannot connect to " + server + ": " + (e.getMessage() == null
          ? "connection refused" : e.getMessage()));
    } catch (java.net.http.HttpConnectTimeoutException e) {
      throw new CliException("cannot connect to " + server + ": no answer within "
          + CONNECT_TIMEOUT.toSeconds() + " s");
    } catch (IOException e) {
      // What happened, not a Java class name ("java.io.IOException: ...").
      throw new CliException(request.method() + " " + request.uri().getPath() + ": "
          + (e.getMessage() != null ? e.getMessage() : "the connection broke ("
              + e.getClass().getSimpleName() + ")"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
  }

  /** Sends and reads a JSON answer; any status but 2xx fails with the server's message. */
  JsonObject json(String method, String path) throws CliException {
    return json(request(path).method(method, HttpRequest.BodyPublishers.noBody()));
  }

  /** Sends {@code request} (built by {@link #request}) and reads a JSON answer, as above. */
  JsonObject json(HttpRequest.Builder request) throws CliException {
    HttpResponse<String> response = send(request.header("Accept", "application/json").build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw failure(response.statusCode(), response.body());
    }
    if (response.body().isEmpty()) {
      return new JsonObject();
    }
    try {
      return new JsonObject(response.body());
    } catch (DecodeException e) {
      throw new CliException("the server answered something that is not JSON: " + e.getMessage());
    }
  }

  /**
   * The failure of a non-2xx answer: the {@code message} of a JSON error, else the plain body;
   * a 401 also says how to pass a token, or which token was refused.
   */
  CliException failure(int status, String body) {
    CliException failure = failureText(status, body);
    if (status != 401) {
      return failure;
    }
    return new CliException(failure.getMessage() + (tokenSource == null
        ? ": no token was sent; pass one with --token-file FILE or in $" + ClientOptions.TOKEN_ENV
        : ": the gateway refused the token from " + tokenSource
            + " (expired, or not made for this gateway's key, issuer or audience)"));
  }

  static CliException failureText(int status, String body) {
    String message = body == null ? "" : body.trim();
    if (message.startsWith("{")) {
      try {
        JsonObject json = new JsonObject(message);
        if (json.getValue("message") instanceof String text) {
          message = text;
        }
      } catch (DecodeException | ClassCastException ignored) {
        // not the JSON error shape: show it as it came
      }
    }
    return new CliException(message.isEmpty() ? "HTTP " + status : message + " (HTTP " + status + ")");
  }

  CliException failure(HttpResponse<InputStream> response) {
    try (InputStream in = response.body()) {
      return failure(response.statusCode(), new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8));
    } catch (IOException e) {
      return failure(response.statusCode(), "");
    }
  }
}
