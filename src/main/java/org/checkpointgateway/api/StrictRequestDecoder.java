package org.checkpointgateway.api;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import java.util.List;

/**
 * Vert.x's HTTP/1.x request decoder, refusing what RFC 9112 section 6.1 says a server must
 * refuse: a request with both {@code Transfer-Encoding} and {@code Content-Length}, whose body
 * a proxy in front may measure otherwise than we do (request smuggling; Netty would drop the
 * {@code Content-Length} and go on), and a {@code Transfer-Encoding} whose last coding is not
 * {@code chunked}. The request then fails to decode: it is answered 400 and the connection is
 * closed (see {@link RequestChecks#invalid}).
 */
final class StrictRequestDecoder extends VertxHttpRequestDecoder {

  static final String NAME = "httpDecoder";

  StrictRequestDecoder(HttpServerOptions options) {
    super(options);
  }

  @Override
  protected boolean isContentAlwaysEmpty(HttpMessage message) {
    // Called once per message with all its headers read, before its body is framed.
    HttpHeaders headers = message.headers();
    List<String> encodings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (!encodings.isEmpty()) {
      if (headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
        throw new IllegalArgumentException(
            "both Content-Length and Transfer-Encoding: the body's length is ambiguous");
      }
      String last = encodings.get(encodings.size() - 1);
      String lastCoding = last.substring(last.lastIndexOf(',') + 1).trim();
      if (!lastCoding.equalsIgnoreCase("chunked")) {
        throw new IllegalArgumentException("Transfer-Encoding must end with chunked");
      }
    }
    return super.isContentAlwaysEmpty(message);
  }
}
