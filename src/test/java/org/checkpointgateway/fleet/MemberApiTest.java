package org.checkpointgateway.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;
import org.checkpointgateway.support.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --cluster-api-ca}: a file that is no CA bundle stops start-up naming the flag, and an
 * untrusted holder's certificate is said so (the downloads themselves: FleetTlsProcessTest).
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
