package org.checkpointgateway.support;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made at run time (never committed): a CA, server certificates for 127.0.0.1 and
 * client certificates with a subject such as {@code CN=alice,O=team-a}, valid or expired, with
 * PEM files and client SSL contexts for them.
 */
public final class TestCertificates {

  private static final SecureRandom RANDOM = new SecureRandom();

  /** A certificate with its key. */
  public record Issued(X509Certificate certificate, KeyPair keys) {

    /** Writes {@code NAME.crt} and {@code NAME.key} (PKCS#8) into {@code dir}. */
    public Pem write(Path dir, String name) {
      Path cert = dir.resolve(name + ".crt");
      Path key = dir.resolve(name + ".key");
      writeAtomically(cert, pem(certificate));
      writeAtomically(key, TestKeys.privatePem(keys));
      return new Pem(cert, key);
    }
  }

  /** The files of a certificate and its key. */
  public record Pem(Path cert, Path key) {
  }

  private TestCertificates() {
  }

  /** A self-signed CA certificate valid for a day. */
  public static Issued ca(String commonName) {
    KeyPair keys = TestKeys.ec256();
    X500Name name = new X500Name("CN=" + commonName);
    Instant now = Instant.now();
    try {
      JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(),
          Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))),
          name, keys.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(Extension.keyUsage, true,
          new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      return new Issued(sign(builder, keys), keys);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A server certificate for 127.0.0.1 and localhost, signed by {@code ca}. */
  public static Issued server(Issued ca, String commonName) {
    return issue(ca, "CN=" + commonName, Instant.now().minus(Duration.ofHours(1)),
        Instant.now().plus(Duration.ofDays(1)), true);
  }

  /** A client certificate with {@code subject} (e.g. {@code CN=alice,O=team-a}), valid a day. */
  public static Issued client(Issued ca, String subject) {
    return issue(ca, subject, Instant.now().minus(Duration.ofHours(1)),
        Instant.now().plus(Duration.ofDays(1)), false);
  }

  /** A client certificate valid from an hour ago until {@code until}. */
  public static Issued client(Issued ca, String subject, Instant until) {
    return issue(ca, subject, Instant.now().minus(Duration.ofHours(1)), until, false);
  }

  /** A client certificate that expired an hour ago. */
  public static Issued expiredClient(Issued ca, String subject) {
    return issue(ca, subject, Instant.now().minus(Duration.ofDays(2)),
        Instant.now().minus(Duration.ofHours(1)), false);
  }

  private static Issued issue(Issued ca, String subject, Instant from, Instant until,
      boolean server) {
    KeyPair keys = TestKeys.ec256();
    try {
      JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
          ca.certificate(), serial(), Date.from(from), Date.from(until), new X500Name(subject),
          keys.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      if (server) {
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
            new GeneralName[] {new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.dNSName, "localhost")}));
      }
      return new Issued(sign(builder, ca.keys()), keys);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A client SSL context presenting {@code client} (none when null) and trusting {@code serverCa}
   * only.
   */
  public static SSLContext clientContext(Issued client, Issued serverCa) {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", serverCa.certificate());
      TrustManagerFactory trustManagers =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trustManagers.init(trust);
      KeyManagerFactory keyManagers = null;
      if (client != null) {
        KeyStore identity = KeyStore.getInstance("PKCS12");
        identity.load(null, null);
        identity.setKeyEntry("client", client.keys().getPrivate(), new char[0],
            new java.security.cert.Certificate[] {client.certificate()});
        keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(identity, new char[0]);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers == null ? null : keyManagers.getKeyManagers(),
          trustManagers.getTrustManagers(), RANDOM);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String pem(X509Certificate certificate) {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(certificate);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return text.toString();
  }

  /** Writes by renaming a new file over the old, as a Kubernetes Secret volume is updated. */
  public static void writeAtomically(Path file, String text) {
    try {
      Path next = Files.createTempFile(file.getParent(), ".next-", ".tmp");
      Files.writeString(next, text);
      Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder builder, KeyPair signer) {
    try {
      return new JcaX509CertificateConverter().getCertificate(builder.build(
          new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static BigInteger serial() {
    return new BigInteger(64, RANDOM).add(BigInteger.ONE);
  }
}
