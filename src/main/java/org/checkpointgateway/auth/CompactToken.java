package org.checkpointgateway.auth;

import java.util.Base64;

/**
 * The shape of a JWS in compact serialization (RFC 7515 section 7.1) as the gateway accepts it:
 * exactly three non-empty parts divided by {@code .}, each base64url without padding, in the one
 * canonical spelling of its bytes. vertx-auth-jwt alone accepts a trailing {@code .} or
 * {@code =}; a token that can be spelt in several ways is a different cache key for the same
 * credential and a way to smuggle bytes past whatever compares tokens as text.
 */
final class CompactToken {

  private static final int PARTS = 3;

  private CompactToken() {
  }

  /** Why {@code token} is not a canonical compact JWS, or null when it is. Never throws. */
  static String problem(String token) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != PARTS) {
      return "not three parts divided by '.' (" + parts.length + ")";
    }
    for (int i = 0; i < PARTS; i++) {
      String part = parts[i];
      if (part.isEmpty()) {
        return "part " + (i + 1) + " is empty";
      }
      for (int c = 0; c < part.length(); c++) {
        if (!isBase64Url(part.charAt(c))) {
          return "part " + (i + 1) + " holds a character outside base64url";
        }
      }
      // A length of 4n+1 decodes to nothing whole; other lengths decode, and re-encoding tells
      // whether unused low bits of the last character were zero (the only canonical spelling).
      if (part.length() % 4 == 1 || !canonical(part)) {
        return "part " + (i + 1) + " is not canonical base64url";
      }
    }
    return null;
  }

  private static boolean canonical(String part) {
    byte[] bytes = Base64.getUrlDecoder().decode(part);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).equals(part);
  }

  private static boolean isBase64Url(char c) {
    return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-'
        || c == '_';
  }
}
