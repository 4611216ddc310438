package org.checkpointgateway.auth;

import java.util.List;

/**
 * Permissions on archives, per namespace: {@code archives:read:<ns>} to list and inspect;
 * {@code archives:download:<ns>} to download (an archive holds a container's memory, secrets
 * included, so reading its metadata is not enough); {@code archives:delete:<ns>} to delete,
 * pin and unpin (a pin decides whether retention may delete, so it is a delete-level act).
 * Wildcards follow {@link Caller}'s grammar: {@code archives:read:*}, {@code archives:*},
 * {@code *}.
 */
public final class ArchivePermissions {

  public static final String READ = "read";
  public static final String DOWNLOAD = "download";
  public static final String DELETE = "delete";

  private ArchivePermissions() {
  }

  /**
   * Whether the caller may {@code action} archives of every one of {@code namespaces}. False for
   * an empty list, and for any namespace holding permission syntax ({@code :}, {@code ,},
   * {@code *}): a name read from an archive must never widen a grant.
   */
  public static boolean may(Caller caller, String action, List<String> namespaces) {
    if (namespaces.isEmpty()) {
      return false;
    }
    for (String namespace : namespaces) {
      if (namespace == null || namespace.isBlank() || namespace.contains(":")
          || namespace.contains(",") || namespace.contains("*")
          || !caller.may("archives:" + action + ":" + namespace)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether the caller may {@code action} archives of every namespace ({@code archives:read:*},
   * {@code archives:*}, {@code *}): the only callers that see an archive whose own contents do
   * not say its namespace. Only a wildcard grants it, never a name however odd
   * ({@code archives:read:_} once did: the question was asked with that name).
   */
  public static boolean mayEveryNamespace(Caller caller, String action) {
    return caller.mayEveryName("archives", action);
  }
}
