package org.checkpointgateway.auth;

import io.vertx.core.Future;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.checkpointgateway.outcome.ForbiddenException;

/**
 * Who made a request, as a verified token says: its {@code sub} claim, the permissions of its
 * {@code permissions} claim, and the groups of its {@code groups} claim (for the audit log).
 *
 * <p>Permissions follow the grammar of {@link Grants}: parts divided by {@code :}, each a comma
 * list of names or {@code *}; a permission on namespaces names them, or {@code *}, in its last
 * part. So {@code *}, {@code checkpoint:*}, {@code checkpoint:create:*},
 * {@code checkpoint:create:ns1,ns2} and {@code checkpoint:create:ns1} all imply
 * {@code checkpoint:create:ns1}; {@code checkpoint:create:ns2}, {@code checkpoint:create},
 * {@code checkpoint:create:} and {@code checkpoint} do not.
 *
 * @param subject the {@code sub} claim, or {@link #UNKNOWN_SUBJECT} when the token has none
 * @param permissions the granted permissions; empty when the token has no usable claim
 * @param groups the {@code groups} claim's strings; empty when the token has none
 */
public record Caller(String subject, List<String> permissions, List<String> groups) {

  /** The subject of a token without a {@code sub} claim. */
  public static final String UNKNOWN_SUBJECT = "unknown";

  public Caller {
    Objects.requireNonNull(subject, "subject");
    permissions = List.copyOf(permissions);
    groups = List.copyOf(groups);
  }

  /** A caller in no group. */
  public Caller(String subject, List<String> permissions) {
    this(subject, permissions, List.of());
  }

  /**
   * This caller with {@code more} permissions besides its own (those an authorization file's
   * rules give it); itself when there are none.
   */
  public Caller withPermissions(List<String> more) {
    if (more.isEmpty()) {
      return this;
    }
    java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>(permissions);
    all.addAll(more);
    return new Caller(subject, List.copyOf(all), groups);
  }

  /**
   * Whether any granted permission implies {@code permission}. The asked permission is taken
   * literally: one that itself contains wildcard syntax ({@code *} or {@code ,}) or an empty part
   * (a template rendered with an empty namespace: {@code checkpoint:create:}) is never granted,
   * so a name smuggled in from a request cannot widen what it asks for. Never throws.
   */
  public boolean may(String permission) {
    return !permission.isBlank() && mayDo(permission.split(":", -1));
  }

  /**
   * {@link #may} for a permission given as its parts (the checkpoint route's, asked on every
   * request: no text to build and split again). Taken as literally: a part that is empty or
   * holds syntax ({@code :}, {@code *}, {@code ,}) is never granted.
   */
  boolean mayDo(String... asked) {
    if (!literal(asked)) {
      return false;
    }
    // A Caller is asked a few times per request (once per archive when listing); parsing the
    // grants each time keeps Caller a plain value and costs a few splits.
    for (String granted : permissions) {
      if (Grants.implies(granted, asked)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a grant covers {@code prefix} followed by any name at all: a wildcard in the part
   * after it, or one that ends the grant earlier ({@code archives:*}, {@code *}). A name, however
   * odd, never does. The prefix's parts are taken as literally as {@link #mayDo}'s.
   */
  boolean mayEveryName(String... prefix) {
    return literal(prefix)
        && permissions.stream().anyMatch(granted -> Grants.impliesEveryName(granted, prefix));
  }

  /** No part empty or holding permission syntax: a name smuggled in never widens what is asked. */
  private static boolean literal(String[] parts) {
    for (String part : parts) {
      if (part.isEmpty() || part.contains(":") || part.contains("*") || part.contains(",")) {
        return false;
      }
    }
    return true;
  }

  /**
   * Succeeds with this caller when it {@link #may} do {@code permission}, else fails with the
   * supplied ForbiddenException. Meant for {@code compose} chains in route handlers.
   */
  public Future<Caller> require(String permission, Supplier<ForbiddenException> denial) {
    return may(permission) ? Future.succeededFuture(this) : Future.failedFuture(denial.get());
  }
}
