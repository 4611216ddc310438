package org.checkpointgateway.auth;

import io.vertx.core.Future;
import io.vertx.ext.auth.authorization.WildcardPermissionBasedAuthorization;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.checkpointgateway.error.ForbiddenException;

/**
 * Who made a request, as a verified token says: its {@code sub} claim and the permissions of its
 * {@code permissions} claim.
 *
 * <p>Permissions are Vert.x wildcard permissions ({@link WildcardPermissionBasedAuthorization},
 * Shiro-like): parts divided by {@code :}, {@code *} matches any part, and a shorter permission
 * implies every longer one it prefixes. So {@code *}, {@code checkpoint:*},
 * {@code checkpoint:create:*} and {@code checkpoint:create:ns1} all imply
 * {@code checkpoint:create:ns1}; {@code checkpoint:create:ns2} does not.
 *
 * @param subject the {@code sub} claim, or {@link #UNKNOWN_SUBJECT} when the token has none
 * @param permissions the granted permissions; empty when the token has no usable claim
 */
public record Caller(String subject, List<String> permissions) {

  /** The subject of a token without a {@code sub} claim. */
  public static final String UNKNOWN_SUBJECT = "unknown";

  public Caller {
    Objects.requireNonNull(subject, "subject");
    permissions = List.copyOf(permissions);
  }

  /**
   * Whether any granted permission implies {@code permission}. The asked permission is taken
   * literally: one that itself contains wildcard syntax ({@code *} or {@code ,}) is never granted,
   * so a name smuggled in from a request cannot widen what it asks for.
   */
  public boolean may(String permission) {
    if (permission.isBlank() || permission.contains("*") || permission.contains(",")) {
      return false;
    }
    // A Caller lives for one request and is asked once or twice, so parsing the grants here
    // costs the same as caching them, and keeps Caller a plain value.
    WildcardPermissionBasedAuthorization asked =
        WildcardPermissionBasedAuthorization.create(permission);
    for (String granted : permissions) {
      if (implies(granted, asked)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Succeeds with this caller when it {@link #may} do {@code permission}, else fails with the
   * supplied ForbiddenException. Meant for {@code compose} chains in route handlers.
   */
  public Future<Caller> require(String permission, Supplier<ForbiddenException> denial) {
    return may(permission) ? Future.succeededFuture(this) : Future.failedFuture(denial.get());
  }

  private static boolean implies(String granted, WildcardPermissionBasedAuthorization asked) {
    try {
      return WildcardPermissionBasedAuthorization.create(granted).verify(asked);
    } catch (IllegalArgumentException e) {
      // A grant with no parts ("", ":") grants nothing; it must not turn a check into a 500.
      return false;
    }
  }
}
