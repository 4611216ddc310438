package org.checkpointgateway.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;
import java.util.Optional;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.StrictVertx;
import org.checkpointgateway.support.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --cluster-api-ca}: a file that is no CA bundle stops start-up naming the flag, and an
 * untrusted holder's certificate is said so; the client trusts the bundle it is given, and
 * still checks host names (the downloads themselves: FleetTlsProcessTest).
 */
class MemberApiTest {

  @TempDir
  Path dir;

  @Test
  void aBundleOfPemCertificatesIsRead() throws IOException {
    String pem = TestCertificates.pem(TestCertificates.ca("a").certificate())
        + TestCertificates.pem(TestCertificates.ca("b").certificate());
    Path file = Files.writeString(dir.resolve("ca.crt"), pem);
    assertThat(MemberApi.readCa(file).toString()).isEqualTo(pem);
  }

  @Test
  void aFileThatIsNoCaBundleIsRefusedNamingTheFlagAndTheFile() throws IOException {
    Path text = Files.writeString(dir.resolve("text.crt"), "not a certificate\n");
    assertThatThrownBy(() -> MemberApi.readCa(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--cluster-api-ca " + text
            + ": not a PEM bundle of CA certificates (no PEM certificate in it)");
    Path broken = Files.writeString(dir.resolve("broken.crt"),
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    assertThatThrownBy(() -> MemberApi.readCa(broken))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--cluster-api-ca " + broken + ": not a PEM bundle");
    assertThatThrownBy(() -> MemberApi.readCa(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--cluster-api-ca " + dir + ": cannot read");
  }

  @Test
  void theClientTrustsItsCaVerifiesHostNamesAndTakesANewCa() {
    Vertx vertx = StrictVertx.create();
    try {
      TestCertificates.Issued apiCa = TestCertificates.ca("api");
      TestCertificates.Issued otherCa = TestCertificates.ca("other");
      // A certificate for 127.0.0.1 and localhost, served on every loopback address.
      TestCertificates.Pem pem = TestCertificates.server(apiCa, "holder").write(dir, "holder");
      HttpServer server = Await.result(vertx.createHttpServer(new HttpServerOptions()
              .setHost("0.0.0.0").setPort(0).setSsl(true)
              .setKeyCertOptions(new PemKeyCertOptions().setCertPath(pem.cert().toString())
                  .setKeyPath(pem.key().toString())))
          .requestHandler(request -> request.response().end("archive")).listen());
      String named = "https://127.0.0.1:" + server.actualPort();
      String unnamed = "https://127.0.0.2:" + server.actualPort();
      MemberApi api = new MemberApi(vertx,
          Optional.of(io.vertx.core.buffer.Buffer.buffer(TestCertificates.pem(otherCa.certificate()))));
      assertThat(untrusted(api, named)).contains("its certificate is not trusted");
      Await.result(api.trust(io.vertx.core.buffer.Buffer.buffer(
          TestCertificates.pem(apiCa.certificate()))));
      assertThat(Await.result(get(api, named)).toString())
          .isEqualTo("archive");
      // The CA is trusted, the address is not one the certificate names.
      assertThat(untrusted(api, unnamed)).contains("its certificate is not trusted")
          .contains("127.0.0.2");
    } finally {
      Await.result(vertx.close());
    }
  }

  /** The body, asked for in the callback that received the response (see HttpAnswer#read). */
  private static io.vertx.core.Future<io.vertx.core.buffer.Buffer> get(MemberApi api, String base) {
    return api.client().request(new RequestOptions().setAbsoluteURI(base + "/x")
        .setMethod(HttpMethod.GET)).compose(request -> request.send()
        .compose(HttpClientResponse::body));
  }

  private static String untrusted(MemberApi api, String base) {
    return MemberApi.unreachable("holder", base, Await.failure(get(api, base))).getMessage();
  }

  @Test
  void anUntrustedCertificateIsSaidSoOtherFailuresAsThey() {
    SSLHandshakeException untrusted = new SSLHandshakeException("PKIX path building failed");
    untrusted.initCause(new CertificateException("unable to find valid certification path"));
    assertThat(MemberApi.unreachable("n2", "https://10.0.0.2:10250", untrusted).getMessage())
        .isEqualTo("node n2 cannot be reached at https://10.0.0.2:10250: its certificate is not"
            + " trusted (unable to find valid certification path); this member trusts the CA"
            + " bundle of --cluster-api-ca (else the JVM's trust store), and a member's"
            + " certificate must name the host of its advertise URL");
    assertThat(MemberApi.unreachable("n2", "https://10.0.0.2:10250",
        new IOException("Connection refused")).getMessage())
        .isEqualTo("node n2 cannot be reached at https://10.0.0.2:10250: Connection refused");
  }
}
