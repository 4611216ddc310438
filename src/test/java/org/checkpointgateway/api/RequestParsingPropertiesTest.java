package org.checkpointgateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.CapturedLogs;
import org.checkpointgateway.support.GatewayTestBase;
import org.checkpointgateway.support.RawHttp;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * The parsers a caller reaches on the checkpoint route: its path, its query and {@code timeout}.
 * Whatever the caller writes, the answer is never a 500 and nothing is logged as unexpected;
 * what is accepted reads back as it was meant.
 */
class RequestParsingPropertiesTest extends GatewayTestBase {

  private static final Duration DEFAULT = Duration.ofSeconds(120);

  /** Text with any character but unpaired surrogates, which no encoding can carry. */
  private static Gen<String> text(int maxCodePoints) {
    return lists().of(integers().between(0, 0x10FFFF).assuming(c -> c < 0xD800 || c > 0xDFFF))
        .ofSizeBetween(1, maxCodePoints)
        .map(codePoints -> new String(codePoints.stream().mapToInt(Integer::intValue).toArray(),
            0, codePoints.size()));
  }

  /** What a request line can hold: printable ASCII but space. */
  private static Gen<String> requestTargetText() {
    return strings().betweenCodePoints(0x21, 0x7E).ofLengthBetween(0, 40);
  }

  @Test
  void anyTimeoutValueIsReadOrRefusedWithoutThrowing() {
    Gen<String> digitsAndSigns = lists().of(Generate.pick(List.of("0", "1", "9", "+", "-", "٣", " ")))
        .ofSizeBetween(0, 25).map(parts -> String.join("", parts));
    qt().forAll(strings().allPossible().ofLengthBetween(0, 30).mix(digitsAndSigns))
        .checkAssert(value -> {
          Duration timeout = CheckpointRoutes.timeout(List.of(value), DEFAULT);
          boolean goInteger = value.matches("[+-]?[0-9]+") && fitsInLong(value);
          if (!goInteger) {
            assertThat(timeout).as(value).isNull();
          } else if (value.startsWith("-") && !value.matches("-0+")) {
            // Read, and refused later as the kubelet's CRI client refuses it.
            assertThat(timeout).as(value).isNegative();
          } else {
            assertThat(timeout).as(value).isNotNull()
                .isPositive().isLessThanOrEqualTo(CheckpointRoutes.MAX_TIMEOUT);
          }
        });
  }

  @Test
  void acceptedTimeoutsReadBackAsTheSecondsWritten() {
    long max = CheckpointRoutes.MAX_TIMEOUT.toSeconds();
    qt().forAll(longs().between(1, max)).checkAssert(seconds -> {
      assertThat(CheckpointRoutes.timeout(List.of(Long.toString(seconds)), DEFAULT))
          .isEqualTo(Duration.ofSeconds(seconds));
      assertThat(CheckpointRoutes.timeout(List.of("+" + seconds), DEFAULT))
          .isEqualTo(Duration.ofSeconds(seconds));
      // The last value wins, as in the kubelet.
      assertThat(CheckpointRoutes.timeout(List.of("x", "0", Long.toString(seconds)), DEFAULT))
          .isEqualTo(Duration.ofSeconds(seconds));
    });
    qt().forAll(longs().between(max + 1, Long.MAX_VALUE)).checkAssert(seconds ->
        assertThat(CheckpointRoutes.timeout(List.of(Long.toString(seconds)), DEFAULT))
            .isEqualTo(CheckpointRoutes.MAX_TIMEOUT));
    assertThat(CheckpointRoutes.timeout(List.of("0"), DEFAULT)).isEqualTo(DEFAULT);
    assertThat(CheckpointRoutes.timeout(List.of(), DEFAULT)).isEqualTo(DEFAULT);
  }

  @Test
  void aPathIsMalformedExactlyWhenAPercentLacksTwoHexDigits() {
    qt().forAll(strings().allPossible().ofLengthBetween(0, 30)).checkAssert(path ->
        assertThat(RequestChecks.malformedPath(path).isPresent())
            .as(path).isEqualTo(!path.replaceAll("%[0-9A-Fa-f]{2}", "").matches("[^%]*")));
    qt().forAll(text(20)).checkAssert(segment ->
        assertThat(RequestChecks.malformedPath("/checkpoint/" + encode(segment))).isEmpty());
  }

  @Test
  void pathSegmentsOfTheRouteReadBackAsTheCallerMeantThem() {
    // The gateway's route template and first checks, behind an echo of what the route read.
    Router router = Router.router(vertx);
    RequestChecks.mount(router);
    router.post(CheckpointRoutes.CONTAINER_PATH).handler(ctx -> ctx.response().end(new JsonObject()
        .put("namespace", ctx.pathParam("namespace")).put("pod", ctx.pathParam("pod"))
        .put("container", ctx.pathParam("container")).encode()));
    router.route().failureHandler(ErrorMapper::handle);
    HttpServer server = Await.result(vertx.createHttpServer().requestHandler(router)
        .listen(0, "127.0.0.1"));
    Gen<String> segment = text(12).assuming(s -> !s.equals(".") && !s.equals(".."));
    qt().withExamples(300).forAll(segment, segment, segment).checkAssert((ns, pod, container) -> {
      try (RawHttp http = RawHttp.connect(server.actualPort())) {
        RawHttp.Response answer = http.send("POST /checkpoint/" + encode(ns) + "/" + encode(pod)
            + "/" + encode(container) + " HTTP/1.1\r\nHost: x\r\n\r\n").read();
        assertThat(answer.status()).isEqualTo(200);
        assertThat(new JsonObject(answer.body())).isEqualTo(
            new JsonObject().put("namespace", ns).put("pod", pod).put("container", container));
      }
    });
    Await.result(server.close());
  }

  @Test
  void whateverTheRequestTargetTheGatewayNeverAnswers500() {
    fixture.startGateway();
    int port = fixture.gateway.port();
    String token = fixture.adminToken();
    try (CapturedLogs logs = CapturedLogs.start()) {
      qt().withExamples(300).forAll(requestTargetText(), requestTargetText(), requestTargetText())
          .checkAssert((first, second, query) -> {
            for (String target : List.of(
                "/checkpoint/" + first + "/" + second + "/c?" + query,
                "/checkpoint/" + first + "/" + second + "?timeout=" + query,
                "/api/v1/archives/" + first + "?" + query)) {
              String answer = RawHttp.exchange(port, (target.startsWith("/api") ? "GET " : "POST ")
                  + target + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
                  + "\r\nConnection: close\r\n\r\n");
              int status = Integer.parseInt(answer.substring(9, 12));
              // Whatever the status (a 200 list, a 403 for an empty namespace ...), never ours
              // to be ashamed of.
              assertThat(status).as(target).isLessThan(500);
            }
          });
      assertThat(logs.records()).noneMatch(r -> r.getThrown() != null);
      assertThat(logs.from(ErrorMapper.class)).noneMatch(r -> r.getMessage().contains("unexpected"));
    }
  }

  private static boolean fitsInLong(String digits) {
    try {
      Long.parseLong(digits);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Percent-encodes everything but RFC 3986's unreserved characters. */
  private static String encode(String text) {
    StringBuilder out = new StringBuilder();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if (c < 0x80 && (Character.isLetterOrDigit(c) || "-._~".indexOf(c) >= 0)) {
        out.append(c);
      } else {
        out.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return out.toString();
  }
}
