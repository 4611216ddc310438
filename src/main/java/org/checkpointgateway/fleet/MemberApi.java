package org.checkpointgateway.fleet;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import org.checkpointgateway.config.OptionTable;
import org.checkpointgateway.outcome.UnavailableException;

/**
 * The HTTP client a front reaches other members' API with (an archive download, docs/fleet.md).
 * Over HTTPS it trusts the CA bundle of {@code --cluster-api-ca} when given, else the JVM's trust
 * store, and checks that the member's certificate names the host of its advertise URL (Vert.x's
 * host verification, on by default). The gateway's own server is not touched.
 */
final class MemberApi {

  private final HttpClientOptions options;
  private final HttpClientAgent http;

  /** @param ca the PEM bundle read by {@link #readCa}; empty: the JVM's trust store */
  MemberApi(Vertx vertx, Optional<Buffer> ca) {
    options = new HttpClientOptions()
        .setConnectTimeout((int) ViewsWire.ANSWER_WITHIN.toMillis())
        // A download the holder stops sending ends instead of holding the caller forever.
        .setIdleTimeout(60);
    ca.ifPresent(pem -> options.setTrustOptions(pemTrust(pem)));
    http = vertx.createHttpClient(options);
  }

  HttpClient client() {
    return http;
  }

  /**
   * Trusts {@code ca} from now on: new connections are verified against it. Given as contents,
   * not as the path: Vert.x keeps TLS contexts by their options, and the same path would be the
   * context already made from the old file.
   */
  Future<Boolean> trust(Buffer ca) {
    ClientSSLOptions ssl = Optional.ofNullable(options.getSslOptions())
        .map(ClientSSLOptions::copy).orElseGet(ClientSSLOptions::new);
    return http.updateSSLOptions(ssl.setTrustOptions(pemTrust(ca)), true);
  }

  Future<Void> close() {
    return http.close();
  }

  /**
   * Reads and checks the CA bundle of {@code --cluster-api-ca} (blocking: a worker's or the
   * start's thread): one or more PEM certificates, else a failure naming the flag and the file.
   */
  static Buffer readCa(Path file) {
    String named = OptionTable.CLUSTER_API_CA.flag() + " " + file;
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(named + ": cannot read (" + e.getMessage() + ")");
    }
    try {
      if (!new String(bytes, java.nio.charset.StandardCharsets.US_ASCII)
          .contains("-----BEGIN CERTIFICATE-----")
          || CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(bytes)).isEmpty()) {
        throw new CertificateException("no PEM certificate in it");
      }
    } catch (CertificateException e) {
      throw new IllegalArgumentException(named + ": not a PEM bundle of CA certificates ("
          + e.getMessage() + ")");
    }
    return Buffer.buffer(bytes);
  }

  /**
   * Why {@code holder} could not be reached at {@code base}, in the words its operator needs: a
   * certificate this member does not trust is said so, with what to do about it.
   */
  static UnavailableException unreachable(String holder, String base, Throwable failure) {
    String prefix = "node " + holder + " cannot be reached at " + base + ": ";
    boolean handshake = false;
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      handshake |= cause instanceof SSLHandshakeException;
      if (handshake && cause instanceof CertificateException) {
        return new UnavailableException(prefix + "its certificate is not trusted ("
            + cause.getMessage() + "); this member trusts the CA bundle of "
            + OptionTable.CLUSTER_API_CA.flag() + " (else the JVM's trust store), and a member's"
            + " certificate must name the host of its advertise URL");
      }
    }
    return new UnavailableException(prefix + failure.getMessage());
  }

  private static PemTrustOptions pemTrust(Buffer ca) {
    return new PemTrustOptions().addCertValue(ca);
  }
}
