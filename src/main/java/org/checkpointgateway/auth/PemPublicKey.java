package org.checkpointgateway.auth;

import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PEM {@code PUBLIC KEY} with the JWS algorithm its key type implies. The algorithm comes from
 * the key, not from configuration, so an operator cannot pair an EC key with RS256 by mistake.
 */
record PemPublicKey(String algorithm, String pem) {

  private static final Pattern PEM = Pattern.compile(
      "-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\\s]+)-----END PUBLIC KEY-----");
  // P-256 is the only curve ES256 is defined for (RFC 7518 section 3.4).
  private static final int ES256_FIELD_BITS = 256;

  /** Parses the text of a PEM file; throws IllegalArgumentException saying what is wrong. */
  static PemPublicKey parse(String text) {
    Matcher matcher = PEM.matcher(text.strip());
    if (!matcher.matches()) {
      throw new IllegalArgumentException("not a PEM public key (-----BEGIN PUBLIC KEY-----)");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(matcher.group(1));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a PEM public key: bad base64", e);
    }
    return new PemPublicKey(algorithmOf(der), normalized(der));
  }

  private static String algorithmOf(byte[] der) {
    PublicKey key = decode("RSA", der);
    if (key != null) {
      return "RS256";
    }
    key = decode("EC", der);
    if (key instanceof ECPublicKey ec) {
      int bits = ec.getParams().getCurve().getField().getFieldSize();
      if (bits != ES256_FIELD_BITS) {
        throw new IllegalArgumentException("EC key on a " + bits + "-bit curve; ES256 needs P-256");
      }
      return "ES256";
    }
    throw new IllegalArgumentException("not a PEM public key: neither an RSA nor an EC key");
  }

  private static PublicKey decode(String keyType, byte[] der) {
    try {
      return KeyFactory.getInstance(keyType).generatePublic(new X509EncodedKeySpec(der));
    } catch (InvalidKeySpecException e) {
      return null;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks " + keyType, e);
    }
  }

  // vertx-auth's PEM reader wants the BEGIN line first and the body on several lines; rewrite
  // the key in that shape so files with leading comments or one long line still load.
  private static String normalized(byte[] der) {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n";
  }
}
