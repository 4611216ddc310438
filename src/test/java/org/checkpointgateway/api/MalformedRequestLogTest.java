package org.checkpointgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.CapturedLogs;
import org.checkpointgateway.support.GatewayTestBase;
import org.checkpointgateway.support.RawHttp;
import org.junit.jupiter.api.Test;

/**
 * A caller's malformed requests cost the log at most one short line each, and fewer than that
 * when they come fast: {@code POST /checkpoint/a/b/c?%} used to log a 4 KB SEVERE stack trace
 * per request. Every one is answered 400 saying what is wrong.
 */
class MalformedRequestLogTest extends GatewayTestBase {

  private static final int EACH = 150;

  @Test
  void malformedRequestsAreAnswered400AndLoggedAsFewShortLines() {
    fixture.startGateway();
    int port = fixture.gateway.port();
    String auth = "Authorization: Bearer " + fixture.adminToken() + "\r\n";
    // Each kind: a request, and the text its 400 must end with.
    String[][] kinds = {
        {"POST /checkpoint/a/b/c?% HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n",
            "malformed query string: a '%' must be followed by two hex digits"},
        {"POST /checkpoint/default/demo/app?timeout=%zz HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n",
            "malformed query string: a '%' must be followed by two hex digits"},
        {"POST /checkpoint/a%zz/b/c HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n",
            "malformed path: a '%' must be followed by two hex digits"},
        {"GET /api/v1/archives?namespace=%e HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n",
            "malformed query string: a '%' must be followed by two hex digits\"}"},
        {"GET /api/v1/archives/%%%.tar HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n",
            "malformed path: a '%' must be followed by two hex digits\"}"},
        {"POST /api/v1/checkpoints HTTP/1.1\r\nHost: x\r\n" + auth
            + "Content-Type: application/json\r\nContent-Length: 5\r\n\r\n{bad}",
            "\"}"},
        {"GET /healthz HTTP/1.1\r\n\r\n", "the 'Host' header is required"},
    };
    long begun = System.nanoTime();
    try (CapturedLogs logs = CapturedLogs.start()) {
      for (String[] kind : kinds) {
        // Pipelined on one kept-alive connection: each answered, none closes it.
        try (RawHttp http = RawHttp.connect(port)) {
          http.send(kind[0].repeat(EACH));
          for (int i = 0; i < EACH; i++) {
            RawHttp.Response answer = http.read();
            assertThat(answer.status()).as(kind[0]).isEqualTo(400);
            assertThat(answer.body()).as(kind[0]).endsWith(kind[1]);
          }
        }
      }
      // A header line Netty cannot parse, and a smuggling attempt: 400, then closed.
      for (int i = 0; i < 50; i++) {
        assertThat(RawHttp.exchange(port, "GET /healthz HTTP/1.1\r\nHost: x\r\nno colon\r\n\r\n"))
            .startsWith("HTTP/1.1 400 ").endsWith("malformed request: No colon found");
        assertThat(RawHttp.exchange(port, "POST /checkpoint/a/b/c HTTP/1.1\r\nHost: x\r\n"
            + "Content-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"))
            .startsWith("HTTP/1.1 400 ");
      }
      double seconds = (System.nanoTime() - begun) / 1e9;

      List<LogRecord> records = logs.records();
      assertThat(records).as("stack traces").noneMatch(r -> r.getThrown() != null);
      assertThat(records).as("warnings or worse").noneMatch(
          r -> r.getLevel().intValue() >= Level.WARNING.intValue());
      List<LogRecord> lines = logs.from(ErrorMapper.class);
      assertThat(lines).isNotEmpty().allSatisfy(r -> assertThat(r.getMessage())
          .hasSizeLessThan(RateLimitedLog.MAX_LINE + 60));
      // 1,150 malformed requests; ten lines a second at most, whatever the machine's speed.
      assertThat(lines.size()).isLessThanOrEqualTo(10 * ((int) seconds + 2));
      // What was left out is counted in the next line written.
      Await.until("a line counting the lines left out", () -> {
        RawHttp.exchange(port, "GET /healthz?% HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        return logs.from(ErrorMapper.class).stream()
            .anyMatch(r -> r.getMessage().contains("similar lines left out"));
      });
    }
  }
}
