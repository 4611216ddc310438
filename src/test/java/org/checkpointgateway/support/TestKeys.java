package org.checkpointgateway.support;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;

/** Keys made at test time (never committed) and signers for test tokens. */
public final class TestKeys {

  private TestKeys() {}

  public static KeyPair rsa() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static KeyPair ec(String curve) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec(curve));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static KeyPair ec256() {
    return ec("secp256r1");
  }

  public static String publicPem(KeyPair pair) {
    return pem("PUBLIC KEY", pair.getPublic().getEncoded());
  }

  public static String privatePem(KeyPair pair) {
    return pem("PRIVATE KEY", pair.getPrivate().getEncoded());
  }

  private static String pem(String kind, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der);
    return "-----BEGIN " + kind + "-----\n" + body + "\n-----END " + kind + "-----\n";
  }

  /** A public JWK (RFC 7517) for an RSA or P-256 key. */
  public static JsonObject publicJwk(KeyPair pair, String kid) {
    if (pair.getPublic() instanceof RSAPublicKey rsa) {
      return new JsonObject().put("kty", "RSA").put("alg", "RS256").put("use", "sig")
          .put("kid", kid).put("n", b64(rsa.getModulus())).put("e", b64(rsa.getPublicExponent()));
    }
    ECPublicKey ec = (ECPublicKey) pair.getPublic();
    return new JsonObject().put("kty", "EC").put("alg", "ES256").put("use", "sig").put("kid", kid)
        .put("crv", "P-256").put("x", b64(ec.getW().getAffineX(), 32))
        .put("y", b64(ec.getW().getAffineY(), 32));
  }

  private static String b64(BigInteger value) {
    byte[] bytes = value.toByteArray();
    // BigInteger adds a sign byte; JWK wants the unsigned big-endian value.
    if (bytes[0] == 0 && bytes.length > 1) {
      bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String b64(BigInteger value, int length) {
    byte[] raw = value.toByteArray();
    byte[] fixed = new byte[length];
    int copy = Math.min(raw.length, length);
    System.arraycopy(raw, raw.length - copy, fixed, length - copy, copy);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(fixed);
  }

  /** Signs arbitrary claims with one key; iat is added unless the claims carry one. */
  public record Signer(JWTAuth auth, String algorithm, String kid) {

    public static Signer hs256(Vertx vertx, String secret) {
      return new Signer(JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(
          new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret))), "HS256", null);
    }

    public static Signer privateKey(Vertx vertx, String algorithm, KeyPair pair) {
      return privateKey(vertx, algorithm, pair, null);
    }

    public static Signer privateKey(Vertx vertx, String algorithm, KeyPair pair, String kid) {
      return new Signer(JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(
          new PubSecKeyOptions().setAlgorithm(algorithm).setBuffer(privatePem(pair)).setId(kid))),
          algorithm, kid);
    }

    public String sign(JsonObject claims) {
      return auth.generateToken(claims.copy(), new JWTOptions().setAlgorithm(algorithm));
    }

    /** Signs the claims as they are: no iat is added. */
    public String signWithoutIat(JsonObject claims) {
      return auth.generateToken(claims.copy(),
          new JWTOptions().setAlgorithm(algorithm).setNoTimestamp(true));
    }
  }

  public static long now() {
    return System.currentTimeMillis() / 1000;
  }

  /** Claims valid for a minute. */
  public static JsonObject claims(String subject, String... permissions) {
    return new JsonObject().put("sub", subject)
        .put("permissions", new JsonArray(Arrays.asList(permissions)))
        .put("exp", now() + 60);
  }

  public static String b64url(String json) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
