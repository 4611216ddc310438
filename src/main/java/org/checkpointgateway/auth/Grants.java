package org.checkpointgateway.auth;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The gateway's own reading of a granted permission, instead of Shiro-style prefix implication
 * (where {@code checkpoint:create:} and {@code checkpoint:create} imply every namespace).
 *
 * <p>A grant is parts divided by {@code :}; each part is a comma list of names, or {@code *}
 * for any. A grant implies an asked permission when it has as many parts and each of its parts
 * names the asked one's part or is {@code *}, or when it stops early on a part that is
 * {@code *} ({@code checkpoint:*}, {@code *}). Everything else grants nothing: an empty part or
 * name ({@code checkpoint:create:}, {@code a,,b}), a grant that stops early on a name
 * ({@code checkpoint:create}, {@code checkpoint}, {@code archives:read}), and a grant longer
 * than what is asked. Names are compared exactly (case and spaces count).
 *
 * <p>An empty grant and one that stops early where prefix implication would have matched are
 * logged once per distinct grant: the operator meant something and gets nothing.
 */
final class Grants {

  /** Distinct bad grants remembered so as to log each once; past this many, no more are logged. */
  static final int MAX_LOGGED = 1000;
  /** A grant comes from a signed token, but a log line still has a bounded size. */
  static final int MAX_LOGGED_CHARS = 200;

  /** Grants kept parsed; past this many the memory starts again (tokens are remembered so too). */
  static final int MAX_PARSED = 1024;

  private static final Logger LOG = Logger.getLogger(Grants.class.getName());
  private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();
  // Each grant's parts and their names, split once: a caller's few grants are asked on every
  // request, and the splits showed in profiles.
  private static final Map<String, String[][]> PARSED = new ConcurrentHashMap<>();

  private Grants() {
  }

  /**
   * Whether {@code grant} implies {@code asked}, whose parts must be plain names (no
   * {@code *}, no {@code ,}, none empty: {@link Caller#may} checks that). Never throws.
   */
  static boolean implies(String grant, String[] asked) {
    String[][] parts = parsed(grant);
    for (String[] part : parts) {
      for (String name : part) {
        if (name.isEmpty()) {
          logOnce(grant, "has an empty part or name");
          return false;
        }
      }
    }
    int common = Math.min(parts.length, asked.length);
    for (int i = 0; i < common; i++) {
      if (!names(parts[i], asked[i])) {
        return false;
      }
    }
    if (parts.length == asked.length) {
      return true;
    }
    if (parts.length > asked.length) {
      return false;
    }
    if (isWildcard(parts[parts.length - 1])) {
      return true;
    }
    logOnce(grant, "stops before the end of the permission it would grant ("
        + parts.length + " of " + asked.length + " parts: name a namespace, a comma list or *)");
    return false;
  }

  /**
   * Whether {@code grant} implies {@code prefix} followed by every name: asked with the name
   * {@code *}, which only a wildcard there (or one ending the grant earlier) matches.
   */
  static boolean impliesEveryName(String grant, String[] prefix) {
    String[] asked = Arrays.copyOf(prefix, prefix.length + 1);
    asked[prefix.length] = "*";
    return implies(grant, asked);
  }

  /**
   * The permissions the gateway asks for, a namespace standing in as {@code _} (which only a
   * wildcard or that very name grants): a grant that implies none of them grants nothing.
   */
  private static final List<String[]> ASKED = List.of(
      new String[] {"checkpoint", "create", null}, new String[] {"archives", "read", null},
      new String[] {"archives", "download", null}, new String[] {"archives", "delete", null},
      new String[] {"metrics", "read"}, new String[] {"nodes", "read"});

  /**
   * Why {@code grant}, written by an operator (an authorization file), can grant nothing, or
   * null when it can grant something: it is empty, holds whitespace, has an empty part or name,
   * or implies none of the permissions the gateway asks for (a typo, or a grant that stops on a
   * name: {@code checkpoint:create}). Never logs.
   */
  static String problem(String grant) {
    if (grant.isBlank()) {
      return "is empty";
    }
    if (grant.chars().anyMatch(Character::isWhitespace)) {
      return "holds whitespace";
    }
    String[] parts = grant.split(":", -1);
    for (String part : parts) {
      for (String name : part.split(",", -1)) {
        if (name.isEmpty()) {
          return "has an empty part or name";
        }
        if (name.contains("*") && !name.equals("*")) {
          return "has a * inside a name (a wildcard is a whole name: *)";
        }
      }
    }
    for (String[] template : ASKED) {
      String[] asked = template.clone();
      if (asked.length == 3) {
        // The namespace the grant names, if it names one; else any name.
        String listed = parts.length == 3 ? parts[2].split(",", -1)[0] : "_";
        asked[2] = listed.equals("*") ? "_" : listed;
      }
      if (impliesQuietly(parts, asked)) {
        return null;
      }
    }
    return "grants none of the gateway's permissions (checkpoint:create:NS, "
        + "archives:read|download|delete:NS, metrics:read, nodes:read, or * in a part)";
  }

  private static boolean impliesQuietly(String[] parts, String[] asked) {
    String[][] split = new String[parts.length][];
    for (int i = 0; i < parts.length; i++) {
      split[i] = parts[i].split(",", -1);
    }
    int common = Math.min(split.length, asked.length);
    for (int i = 0; i < common; i++) {
      if (!names(split[i], asked[i])) {
        return false;
      }
    }
    return split.length == asked.length
        || split.length < asked.length && isWildcard(split[split.length - 1]);
  }

  /** The grant's parts, each split into its names. */
  private static String[][] parsed(String grant) {
    String[][] known = PARSED.get(grant);
    if (known != null) {
      return known;
    }
    String[] parts = grant.split(":", -1);
    String[][] names = new String[parts.length][];
    for (int i = 0; i < parts.length; i++) {
      names[i] = parts[i].split(",", -1);
    }
    if (PARSED.size() >= MAX_PARSED) {
      PARSED.clear();
    }
    PARSED.put(grant, names);
    return names;
  }

  /** Whether a grant's part is {@code *} or names {@code name} (taken literally). */
  private static boolean names(String[] part, String name) {
    for (String listed : part) {
      if (listed.equals("*") || listed.equals(name)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isWildcard(String[] part) {
    for (String listed : part) {
      if (listed.equals("*")) {
        return true;
      }
    }
    return false;
  }

  private static void logOnce(String grant, String why) {
    String shown = grant.length() > MAX_LOGGED_CHARS
        ? grant.substring(0, MAX_LOGGED_CHARS) + "..." : grant;
    if (LOGGED.size() < MAX_LOGGED && LOGGED.add(shown)) {
      LOG.warning(() -> "permission \"" + shown + "\" grants nothing: it " + why);
    }
  }

  /** How many distinct bad grants were logged (for tests). */
  static int logged() {
    return LOGGED.size();
  }

  /** Forgets which grants were logged (for tests, which share this process-wide memory). */
  static void forgetLogged() {
    LOGGED.clear();
  }
}
