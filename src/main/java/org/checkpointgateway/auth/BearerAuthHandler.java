package org.checkpointgateway.auth;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.security.cert.Certificate;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.checkpointgateway.outcome.UnauthenticatedException;

/**
 * The vertx-web handler mounted once in front of every protected route: it authenticates the
 * request by its verified TLS client certificate (user = CN, groups = O, when the server asks for
 * one) or else by its {@code Authorization: Bearer} token, adds the permissions the
 * authorization file's rules give that caller, stores the {@link Caller} for the next handlers
 * ({@link #caller}) and calls {@code next()}; or fails the context with an
 * {@link UnauthenticatedException} (the error mapper chooses the status). It reads no request
 * body. {@link #audited} then records a route's action when its response ends.
 */
public final class BearerAuthHandler implements Handler<RoutingContext> {

  private static final String CALLER_KEY = BearerAuthHandler.class.getName() + ".caller";

  private final TokenVerifier verifier;
  private final Audit audit;
  private final Supplier<AuthorizationRules> rules;

  private BearerAuthHandler(TokenVerifier verifier, Audit audit,
      Supplier<AuthorizationRules> rules) {
    this.verifier = Objects.requireNonNull(verifier, "verifier");
    this.audit = Objects.requireNonNull(audit, "audit");
    this.rules = Objects.requireNonNull(rules, "rules");
  }

  /** A handler that authenticates requests with {@code verifier}, auditing nothing. */
  public static BearerAuthHandler create(TokenVerifier verifier) {
    return create(verifier, Audit.none());
  }

  /** A handler that authenticates requests with {@code verifier} and audits to {@code audit}. */
  public static BearerAuthHandler create(TokenVerifier verifier, Audit audit) {
    return create(verifier, audit, () -> AuthorizationRules.NONE);
  }

  /**
   * A handler that also adds the permissions of the authorization file's rules, read from
   * {@code rules} at each request (a reloaded file applies to the next request).
   */
  public static BearerAuthHandler create(TokenVerifier verifier, Audit audit,
      Supplier<AuthorizationRules> rules) {
    return new BearerAuthHandler(verifier, audit, rules);
  }

  /**
   * Records {@code action} on the target (read from the request when its response ends, e.g.
   * from path parameters) with its outcome, for a route behind this handler. Requests refused
   * for their credentials never get here, and are not audited: there is no user to name.
   */
  public Handler<RoutingContext> audited(String action, Function<RoutingContext, String> target) {
    if (audit == Audit.none()) {
      return RoutingContext::next;
    }
    return ctx -> {
      AuditedRequest.watch(ctx, audit, caller(ctx), action, target);
      ctx.next();
    };
  }

  /** The path parameters {@code names}, joined by {@code /}: a target for {@link #audited}. */
  public static Function<RoutingContext, String> params(String... names) {
    return ctx -> {
      StringBuilder target = new StringBuilder();
      for (String name : names) {
        String value = ctx.pathParam(name);
        if (value != null) {
          target.append(target.isEmpty() ? "" : "/").append(value);
        }
      }
      return target.toString();
    };
  }

  /**
   * The caller stored by this handler.
   *
   * @throws IllegalStateException when the route is not behind a BearerAuthHandler: that is a
   *     wiring bug, and answering as some default caller would hide it
   */
  public static Caller caller(RoutingContext ctx) {
    Caller caller = ctx.get(CALLER_KEY);
    if (caller == null) {
      throw new IllegalStateException("no Caller: route is not behind BearerAuthHandler");
    }
    return caller;
  }

  /**
   * Stores {@code caller} as this request's when something other than this handler vouched for
   * it (a fleet member's download ticket, redeemed by the one route that accepts it, mounted
   * before this handler): this handler then leaves the request be.
   */
  public static void vouch(RoutingContext ctx, Caller caller) {
    ctx.put(CALLER_KEY, Objects.requireNonNull(caller, "caller"));
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (ctx.get(CALLER_KEY) != null) {
      ctx.next();
      return;
    }
    Caller certified;
    try {
      certified = certified(ctx);
    } catch (UnauthenticatedException e) {
      ctx.fail(e);
      return;
    }
    Future<Caller> caller = certified != null ? Future.succeededFuture(certified)
        : verifier.verify(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
    caller.onComplete(
        verified -> {
          ctx.put(CALLER_KEY, rules.get().apply(verified));
          ctx.next();
        },
        ctx::fail);
  }

  /**
   * The caller of the connection's client certificate. The TLS handshake already verified it
   * against the client CA bundle (an untrusted or expired one fails the handshake); without one
   * (none asked for, or none given) the bearer token decides.
   *
   * @throws UnauthenticatedException when the certificate expired since the handshake: a
   *     kept-alive connection must not outlive its credentials
   */
  private static Caller certified(RoutingContext ctx) {
    // The connection's own TLS, as the certificate below is the connection's: the request's
    // isSSL() would first parse Forwarded headers, on every request (it showed in profiles).
    if (!ctx.request().connection().isSsl()) {
      return null;
    }
    X509Certificate leaf;
    try {
      List<Certificate> chain = ctx.request().connection().peerCertificates();
      if (chain == null || chain.isEmpty() || !(chain.get(0) instanceof X509Certificate first)) {
        return null;
      }
      leaf = first;
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
    try {
      leaf.checkValidity();
    } catch (CertificateExpiredException | CertificateNotYetValidException e) {
      throw new UnauthenticatedException("client certificate " + e.getMessage());
    }
    return KubernetesIdentity.fromCertificate(leaf);
  }
}
