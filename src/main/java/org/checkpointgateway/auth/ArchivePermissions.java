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
   * Whether an archive of {@code namespaces} exists for the caller: it may read or download it.
   * For anyone else it is indistinguishable from a missing archive.
   */
  public static boolean visible(Caller caller, List<String> namespaces) {
    return may(caller, READ, namespaces) || may(caller, DOWNLOAD, namespaces);
  }
}
