package org.checkpointgateway.auth;

import org.checkpointgateway.support.StrictVertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.checkpointgateway.outcome.UnauthenticatedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** BearerAuthHandler in front of a route of a real HTTP server on a loopback port. */
@ExtendWith(VertxExtension.class)
class BearerAuthHandlerTest {

  private Vertx vertx;
  private HttpServer server;
  private HttpClient client;
  private TokenIssuer issuer;

  @BeforeEach
  void setUp(VertxTestContext test) {
    vertx = StrictVertx.create();
    String secret = TokenIssuer.randomSecret();
    issuer = TokenIssuer.hs256(vertx, secret);
    TokenVerifier verifier =
        TokenVerifier.forSecret(vertx, secret, Optional.empty(), Optional.empty());

    Router router = Router.router(vertx);
    router.route("/protected/*").handler(BearerAuthHandler.create(verifier));
    router.get("/protected/whoami").handler(ctx -> {
      Caller caller = BearerAuthHandler.caller(ctx);
      ctx.response().end(caller.subject() + " " + caller.permissions());
    });
    // Stands in for the gateway's error mapper, which owns the real status choice.
    router.route().failureHandler(ctx -> ctx.response()
        .setStatusCode(ctx.failure() instanceof UnauthenticatedException ? 401 : 500)
        .end(String.valueOf(ctx.failure().getMessage())));

    client = vertx.createHttpClient();
    vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .onComplete(test.succeeding(s -> {
          server = s;
          test.completeNow();
        }));
  }

  @AfterEach
  void tearDown(VertxTestContext test) {
    vertx.close().onComplete(test.succeeding(v -> test.verify(() -> {
      StrictVertx.assertNeverBlocked(vertx);
      test.completeNow();
    })));
  }

  @Test
  void refusesRequestWithoutToken(VertxTestContext test) {
    get(null).onComplete(test.succeeding(reply -> test.verify(() -> {
      assertThat(reply.status()).isEqualTo(401);
      assertThat(reply.body()).isEqualTo("Unauthorized");
      test.completeNow();
    })));
  }

  @Test
  void refusesRequestWithForgedToken(VertxTestContext test) {
    String forged = TokenIssuer.hs256(vertx, TokenIssuer.randomSecret())
        .issue("mallory", List.of("*"), Duration.ofMinutes(1), Optional.empty(), Optional.empty());
    get("Bearer " + forged).onComplete(test.succeeding(reply -> test.verify(() -> {
      assertThat(reply.status()).isEqualTo(401);
      test.completeNow();
    })));
  }

  @Test
  void passesCallerToTheNextHandler(VertxTestContext test) {
    String token = issuer.issue("alice", List.of("checkpoint:create:ns1"), Duration.ofMinutes(1),
        Optional.empty(), Optional.empty());
    get("Bearer " + token).onComplete(test.succeeding(reply -> test.verify(() -> {
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.body()).isEqualTo("alice [checkpoint:create:ns1]");
      test.completeNow();
    })));
  }

  private record Reply(int status, String body) {}

  private Future<Reply> get(String authorization) {
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET)
        .setHost("127.0.0.1").setPort(server.actualPort()).setURI("/protected/whoami");
    if (authorization != null) {
      request.putHeader(HttpHeaders.AUTHORIZATION, authorization);
    }
    // All on one context: Vert.x 5.0.7's client can lose a response's end when body() is asked
    // for on another thread (eclipse-vertx/vert.x#6038).
    io.vertx.core.Promise<Reply> reply = io.vertx.core.Promise.promise();
    vertx.runOnContext(ignored -> client.request(request)
        .compose(req -> req.send())
        .compose(response -> response.body().map(body -> reply(response, body)))
        .onComplete(reply));
    return reply.future();
  }

  private static Reply reply(HttpClientResponse response, Buffer body) {
    return new Reply(response.statusCode(), body.toString());
  }
}
