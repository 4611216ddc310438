package org.checkpointgateway.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The rules of an authorization file ({@code --authorization-file}): permissions granted to
 * users and groups, for callers whose credentials carry no {@code permissions} claim (Kubernetes
 * service-account tokens, client certificates). A caller's permissions are its claim's plus
 * those of every rule that names its user or one of its groups, exactly or by a prefix ending in
 * {@code *}. The format:
 *
 * <pre>
 * rules:
 *   - groups: ["system:masters"]
 *     permissions: ["*"]
 *   - users: ["system:serviceaccount:ops:*"]
 *     permissions: ["checkpoint:create:default", "archives:read:default"]
 * </pre>
 *
 * <p>The file is refused as a whole (an IllegalArgumentException saying where) when anything in
 * it is wrong: an unknown key, a rule naming nobody or granting nothing, a {@code *} elsewhere
 * than at the end of a name, a permission that can grant nothing ({@link Grants#problem}). Half
 * a file would grant what its author did not mean, or leave out what they did.
 */
public final class AuthorizationRules {

  /** No file: nobody gets anything beyond the permissions of their own credentials. */
  public static final AuthorizationRules NONE = new AuthorizationRules(List.of());

  private static final Set<String> RULE_KEYS = Set.of("users", "groups", "permissions");

  /** One rule: who it names (exact names, or prefixes ending in {@code *}) and what it grants. */
  record Rule(List<String> users, List<String> groups, List<String> permissions) {

    boolean matches(Caller caller) {
      return users.stream().anyMatch(user -> named(user, caller.subject()))
          || groups.stream().anyMatch(group -> caller.groups().stream()
              .anyMatch(held -> named(group, held)));
    }

    private static boolean named(String pattern, String name) {
      return pattern.endsWith("*") ? name.startsWith(pattern.substring(0, pattern.length() - 1))
          : pattern.equals(name);
    }
  }

  private final List<Rule> rules;

  private AuthorizationRules(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  /** How many rules the file holds (for the log line of a reload). */
  public int size() {
    return rules.size();
  }

  /** {@code caller} with the permissions of every rule that matches it added to its own. */
  public Caller apply(Caller caller) {
    if (rules.isEmpty()) {
      return caller;
    }
    List<String> granted = new ArrayList<>();
    for (Rule rule : rules) {
      if (rule.matches(caller)) {
        granted.addAll(rule.permissions());
      }
    }
    return caller.withPermissions(granted);
  }

  /**
   * Parses an authorization file's text; {@code origin} (the file) begins every error message.
   *
   * @throws IllegalArgumentException naming the rule and what is wrong with it
   */
  public static AuthorizationRules parse(String text, String origin) {
    Object root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    } catch (YAMLException e) {
      throw new IllegalArgumentException(origin + ": not valid YAML ("
          + String.valueOf(e.getMessage()).replace('\n', ' ') + ")");
    }
    if (!(root instanceof Map<?, ?> map) || !map.keySet().equals(Set.of("rules"))
        || !(map.get("rules") instanceof List<?> list)) {
      throw new IllegalArgumentException(origin + ": must be a map with one key, rules: a list");
    }
    List<Rule> rules = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      rules.add(rule(list.get(i), origin + ": rules[" + i + "]"));
    }
    return new AuthorizationRules(rules);
  }

  private static Rule rule(Object raw, String where) {
    if (!(raw instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException(where + ": must be a map of users, groups, permissions");
    }
    for (Object key : map.keySet()) {
      if (!RULE_KEYS.contains(String.valueOf(key))) {
        throw new IllegalArgumentException(where + ": unknown key " + key
            + " (users, groups, permissions)");
      }
    }
    List<String> users = names(map.get("users"), where + ".users");
    List<String> groups = names(map.get("groups"), where + ".groups");
    List<String> permissions = strings(map.get("permissions"), where + ".permissions");
    if (users.isEmpty() && groups.isEmpty()) {
      throw new IllegalArgumentException(where + ": names no users and no groups");
    }
    if (permissions.isEmpty()) {
      throw new IllegalArgumentException(where + ": grants no permissions");
    }
    for (String permission : permissions) {
      String problem = Grants.problem(permission);
      if (problem != null) {
        throw new IllegalArgumentException(where + ".permissions: \"" + permission + "\" "
            + problem);
      }
    }
    return new Rule(users, groups, permissions);
  }

  private static List<String> names(Object raw, String where) {
    List<String> names = strings(raw, where);
    for (String name : names) {
      if (name.indexOf('*') >= 0 && name.indexOf('*') != name.length() - 1) {
        throw new IllegalArgumentException(where + ": \"" + name
            + "\": a * may only end a name (a prefix)");
      }
    }
    return names;
  }

  private static List<String> strings(Object raw, String where) {
    if (raw == null) {
      return List.of();
    }
    if (!(raw instanceof List<?> list)) {
      throw new IllegalArgumentException(where + ": must be a list of strings");
    }
    List<String> strings = new ArrayList<>();
    for (Object item : list) {
      if (!(item instanceof String s) || s.isBlank()) {
        throw new IllegalArgumentException(where + ": must be a list of non-empty strings");
      }
      strings.add(s);
    }
    return List.copyOf(strings);
  }
}
