package org.checkpointgateway.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Optional;
import org.checkpointgateway.outcome.UnauthenticatedException;

/** A {@link TokenVerifier} backed by vertx-auth-jwt's {@link JWTAuth}. */
final class VertxJwtTokenVerifier implements TokenVerifier {

  /**
   * Seconds of clock skew tolerated on {@code exp}, {@code nbf} and {@code iat}. Token issuers and
   * the gateway run on different hosts; NTP keeps them within well under a second, so 5 s absorbs
   * skew without meaningfully extending a token's life.
   */
  static final int LEEWAY_SECONDS = 5;

  private static final String BEARER = "bearer ";
  private static final int MAX_LOGGED_SCHEME = 16;

  /**
   * Tokens already verified, by their whole text (signature included, so a changed token is a
   * different key): an automation client sends the same token on every request, and checking an
   * ES256 signature again costs about 2 ms of CPU each time. Past this many, all are forgotten.
   */
  static final int REMEMBERED_TOKENS = 10_000;
  /** Also how long a token without {@code exp} is trusted before it is checked again. */
  static final long REMEMBER_MILLIS = 60_000;

  private record Verified(Caller caller, long untilMillis) {
  }

  private final JWTAuth auth;
  private final TokenRules rules;
  private final Map<String, Verified> verified = new ConcurrentHashMap<>();

  VertxJwtTokenVerifier(Vertx vertx, JwtKeyFiles.Keys keys, Optional<String> issuer,
      Optional<String> audience, TokenRules rules) {
    this.rules = rules;
    // Without keys vertx-auth-jwt runs in "unsecure" mode and accepts unsigned (alg: none) tokens.
    if (keys.pubSecKeys().isEmpty() && keys.jwks().isEmpty()) {
      throw new IllegalArgumentException("no JWT key: refusing to accept unsigned tokens");
    }
    JWTOptions jwt = new JWTOptions().setLeeway(LEEWAY_SECONDS);
    issuer.ifPresent(jwt::setIssuer);
    audience.ifPresent(jwt::addAudience);
    this.auth = JWTAuth.create(vertx, new JWTAuthOptions()
        .setPubSecKeys(keys.pubSecKeys())
        .setJwks(keys.jwks())
        .setJWTOptions(jwt));
  }

  @Override
  public Future<Caller> verify(String authorizationHeaderValue) {
    String token;
    try {
      token = bearerToken(authorizationHeaderValue);
    } catch (UnauthenticatedException e) {
      return Future.failedFuture(e);
    }
    // Only tokens that passed every check below are remembered (the canonical shape first), and
    // none of the rules depends on the time but exp, which bounds how long a token is remembered.
    // Looked up before the shape is checked again: that check decodes every part of the token.
    Verified known = verified.get(token);
    if (known != null && System.currentTimeMillis() < known.untilMillis()) {
      return Future.succeededFuture(known.caller());
    }
    String malformed = CompactToken.problem(token);
    if (malformed != null) {
      return Future.failedFuture(new UnauthenticatedException("malformed token: " + malformed));
    }
    Future<User> user;
    try {
      user = auth.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      // JWTAuth checks exp/nbf outside its own try: a non-numeric claim throws right here.
      return Future.failedFuture(invalid(e));
    }
    return user.transform(done -> {
      if (done.failed()) {
        return Future.failedFuture(invalid(done.cause()));
      }
      JsonObject claims = claims(done.result());
      String broken = brokenRule(claims);
      return broken == null ? Future.succeededFuture(remember(token, done.result(), claims))
          : Future.failedFuture(new UnauthenticatedException("invalid token: " + broken));
    });
  }

  // JWTAuth has checked exp, nbf and iat when present; whether they must be present is ours.
  private String brokenRule(JsonObject claims) {
    if (!(claims.getValue("exp") instanceof Number exp)) {
      return rules.allowNoExpiry() ? null
          : "no exp claim (" + JwtOptions.ALLOW_NO_EXP_OPTION + " accepts such tokens)";
    }
    if (rules.maxLifetime().isEmpty()) {
      return null;
    }
    long max = rules.maxLifetime().get().toSeconds();
    if (!(claims.getValue("iat") instanceof Number iat)) {
      return "no iat claim, which " + JwtOptions.MAX_LIFETIME_OPTION + " needs";
    }
    // In doubles: exp may be any JSON number (1e300), and must not wrap round.
    double lifetime = exp.doubleValue() - iat.doubleValue();
    return lifetime <= max ? null : "lifetime exp - iat of " + (long) lifetime
        + " s is over " + JwtOptions.MAX_LIFETIME_OPTION + " (" + max + " s)";
  }

  // The verified payload: the principal lacks exp, iat and nbf.
  private static JsonObject claims(User user) {
    JsonObject claims = user.attributes().getJsonObject("accessToken");
    return claims != null ? claims : user.attributes();
  }

  private Caller remember(String token, User user, JsonObject claims) {
    Caller caller = caller(user.principal());
    long until = System.currentTimeMillis() + REMEMBER_MILLIS;
    // Until the moment JWTAuth itself would call it expired (exp plus the leeway), no later; in
    // doubles, so that a far exp saturates instead of wrapping round to the past.
    if (claims.getValue("exp") instanceof Number exp) {
      until = (long) Math.min(until, (exp.doubleValue() + LEEWAY_SECONDS) * 1000);
    }
    if (verified.size() >= REMEMBERED_TOKENS) {
      verified.clear();
    }
    verified.put(token, new Verified(caller, until));
    return caller;
  }

  private static String bearerToken(String header) {
    if (header == null || header.isBlank()) {
      throw new UnauthenticatedException("no Authorization header");
    }
    String value = header.strip();
    if (value.equalsIgnoreCase(BEARER.strip())) {
      throw new UnauthenticatedException("malformed Bearer token");
    }
    if (!value.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      // Log only the scheme, cut short: what follows it is a credential.
      String scheme = value.split("\\s", 2)[0];
      scheme = scheme.substring(0, Math.min(scheme.length(), MAX_LOGGED_SCHEME));
      throw new UnauthenticatedException(
          "Authorization scheme is not Bearer: " + scheme.toLowerCase(Locale.ROOT));
    }
    String token = value.substring(BEARER.length()).strip();
    if (token.isEmpty() || containsWhitespace(token)) {
      throw new UnauthenticatedException("malformed Bearer token");
    }
    return token;
  }

  // A loop, not a stream over chars: this runs on every request (a stream showed in profiles).
  private static boolean containsWhitespace(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (Character.isWhitespace(text.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  // The principal holds every claim but exp/iat/nbf, which vertx-auth has already checked.
  private static Caller caller(JsonObject claims) {
    Object sub = claims.getValue("sub");
    String subject = sub instanceof String s && !s.isEmpty() ? s : Caller.UNKNOWN_SUBJECT;
    return new Caller(subject, strings(claims.getValue("permissions")),
        KubernetesIdentity.serviceAccountGroups(subject, strings(claims.getValue("groups"))));
  }

  // Only a JSON array of strings grants anything; any other shape (a string, an object, numbers
  // in the array) grants nothing rather than guessing what the issuer meant.
  private static List<String> strings(Object claim) {
    if (!(claim instanceof JsonArray array)) {
      return List.of();
    }
    return array.stream().filter(String.class::isInstance).map(String.class::cast).toList();
  }

  private static UnauthenticatedException invalid(Throwable e) {
    String reason = e.getMessage() == null ? e.getClass().getSimpleName()
        : e.getClass().getSimpleName() + ": " + e.getMessage();
    return new UnauthenticatedException("invalid token: " + reason);
  }
}
