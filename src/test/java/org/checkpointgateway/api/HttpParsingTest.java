package org.checkpointgateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.checkpointgateway.support.GatewayTestBase;
import org.checkpointgateway.support.RawHttp;
import org.checkpointgateway.support.TlsFiles;
import org.junit.jupiter.api.Test;

/**
 * Requests a front proxy and the gateway could frame differently (request smuggling), and
 * requests without the Host HTTP/1.1 requires: 400, never a 500 and never a second request
 * hidden in the first one's body.
 */
class HttpParsingTest extends GatewayTestBase {

  private int port;
  private String token;

  private void start() {
    start(fixture.settings());
  }

  private void start(org.checkpointgateway.config.Settings settings) {
    fixture.startGateway(settings);
    port = fixture.gateway.port();
    token = fixture.adminToken();
  }

  @Test
  void contentLengthWithTransferEncodingIsRefusedAndTheConnectionClosed() {
    start();
    // Framed by Content-Length, the body is "0\r\n\r\n" and the GET is a second request; framed
    // by chunks, the body is empty and the GET is smuggled in. Either order of the headers.
    for (String headers : new String[] {"Content-Length: 5\r\nTransfer-Encoding: chunked",
        "Transfer-Encoding: chunked\r\nContent-Length: 5"}) {
      String answer = RawHttp.exchange(port, "POST /checkpoint/default/demo/app HTTP/1.1\r\n"
          + "Host: x\r\nAuthorization: Bearer " + token + "\r\n" + headers + "\r\n\r\n"
          + "0\r\n\r\n"
          + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");

      assertThat(answer).startsWith("HTTP/1.1 400 Bad Request\r\n")
          .endsWith("\r\n\r\nmalformed request: both Content-Length and Transfer-Encoding: "
              + "the body's length is ambiguous")
          // One answer, then the connection closed: the GET was never served.
          .containsOnlyOnce("HTTP/1.1 ");
    }
    assertThat(fixture.archives()).as("no checkpoint was taken").isEmpty();
  }

  @Test
  void overTlsToo() throws Exception {
    TlsFiles tls = TlsFiles.create(dir);
    start(fixture.settings()
        .override("tls.cert", tls.cert().toString(), "--tls-cert")
        .override("tls.key", tls.key().toString(), "--tls-key"));
    try (Socket socket = TlsFiles.connect(port)) {
      socket.getOutputStream().write(("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
          + "POST /checkpoint/default/demo/app HTTP/1.1\r\nHost: x\r\n"
          + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
          + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String answers = new String(socket.getInputStream().readAllBytes(),
          StandardCharsets.ISO_8859_1);
      assertThat(answers).startsWith("HTTP/1.1 200 OK\r\n")
          .contains("HTTP/1.1 400 Bad Request\r\n").endsWith("the body's length is ambiguous");
    }
  }

  @Test
  void aTransferEncodingNotEndingInChunkedIsRefused() {
    start();
    String answer = RawHttp.exchange(port, "POST /api/v1/checkpoints HTTP/1.1\r\nHost: x\r\n"
        + "Authorization: Bearer " + token + "\r\nTransfer-Encoding: gzip\r\n\r\n");
    assertThat(answer).startsWith("HTTP/1.1 400 Bad Request\r\n")
        .endsWith("malformed request: Transfer-Encoding must end with chunked");
  }

  @Test
  void aChunkedBodyAloneIsStillServed() {
    start();
    String json = "{\"namespace\":\"default\",\"pod\":\"demo\",\"container\":\"app\"}";
    try (RawHttp http = RawHttp.connect(port)) {
      RawHttp.Response answer = http.send("POST /api/v1/checkpoints HTTP/1.1\r\nHost: x\r\n"
          + "Authorization: Bearer " + token + "\r\nContent-Type: application/json\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n"
          + Integer.toHexString(json.length()) + "\r\n" + json + "\r\n0\r\n\r\n").read();
      assertThat(answer.status()).isEqualTo(202);
    }
  }

  @Test
  void aRequestWithoutHostIs400WithItsReason() {
    start();
    String kubelet = RawHttp.exchange(port, "POST /checkpoint/default/demo/app HTTP/1.1\r\n"
        + "Authorization: Bearer " + token + "\r\nConnection: close\r\n\r\n");
    assertThat(kubelet).startsWith("HTTP/1.1 400 Bad Request\r\n")
        .contains("Content-Type: text/plain; charset=utf-8")
        .endsWith("\r\n\r\nFor HTTP/1.x requests, the 'Host' header is required");

    String api = RawHttp.exchange(port, "GET /api/v1/archives HTTP/1.1\r\n"
        + "Authorization: Bearer " + token + "\r\nConnection: close\r\n\r\n");
    assertThat(api).startsWith("HTTP/1.1 400 Bad Request\r\n");
    assertThat(new JsonObject(api.substring(api.indexOf("\r\n\r\n") + 4)))
        .isEqualTo(new JsonObject().put("status", 400).put("reason", "BadRequest")
            .put("message", "For HTTP/1.x requests, the 'Host' header is required"));

    // An absolute URI names a host, but HTTP/1.1 still requires the header.
    assertThat(RawHttp.exchange(port, "GET http://127.0.0.1/healthz HTTP/1.1\r\n"
        + "Connection: close\r\n\r\n")).startsWith("HTTP/1.1 400 Bad Request\r\n");
    // HTTP/1.0 had no Host header.
    assertThat(RawHttp.exchange(port, "GET /healthz HTTP/1.0\r\n\r\n"))
        .startsWith("HTTP/1.0 200 OK\r\n");
  }

  @Test
  void headersAndRequestLinesBeyondTheirLimitsAreRefusedSayingSo() {
    start(fixture.settings().override("http.maxHeaderSize", "2Ki", "--http-max-header-size"));
    assertThat(RawHttp.exchange(port, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: "
        + "a".repeat(3000) + "\r\n\r\n"))
        .startsWith("HTTP/1.1 431 ").endsWith("\r\n\r\nrequest headers larger than 2048 bytes");
    assertThat(RawHttp.exchange(port, "GET /" + "a".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n"))
        .contains(" 414 ").endsWith("\r\n\r\nrequest line longer than 4096 bytes");
    assertThat(RawHttp.exchange(port, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Fits: "
        + "a".repeat(1500) + "\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200 ");
  }

  @Test
  void twoHostHeadersAre400() {
    start();
    assertThat(RawHttp.exchange(port, "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n"
        + "Connection: close\r\n\r\n"))
        .startsWith("HTTP/1.1 400 Bad Request\r\n").endsWith("\r\n\r\nmore than one Host header");
  }
}
