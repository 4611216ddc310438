package org.checkpointgateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The authorization file: who a rule names, what callers get, and what refuses a file. */
class AuthorizationRulesTest {

  private static final String FILE = """
      rules:
        - groups: ["system:masters"]
          permissions: ["*"]
        - users: ["system:serviceaccount:ops:*"]
          permissions: ["checkpoint:create:default", "archives:read:default"]
        - users: ["alice"]
          groups: ["system:serviceaccounts:team-a"]
          permissions: ["checkpoint:create:team-a"]
      """;

  private final AuthorizationRules rules = AuthorizationRules.parse(FILE, "test.yaml");

  @Test
  void aCallerGetsItsOwnPermissionsAndThoseOfEveryMatchingRule() {
    Caller alice = rules.apply(new Caller("alice", List.of("metrics:read")));
    assertThat(alice.permissions()).containsExactly("metrics:read", "checkpoint:create:team-a");
    Caller admin = rules.apply(new Caller("kube-apiserver-kubelet-client", List.of(),
        List.of("system:masters")));
    assertThat(admin.may("checkpoint:create:anything")).isTrue();
  }

  @Test
  void aTrailingStarNamesAPrefixAndNothingElseMatches() {
    assertThat(rules.apply(new Caller("system:serviceaccount:ops:robot", List.of()))
        .may("checkpoint:create:default")).isTrue();
    // The prefix is "system:serviceaccount:ops:", so another namespace starting with ops is not.
    assertThat(rules.apply(new Caller("system:serviceaccount:ops-2:robot", List.of()))
        .permissions()).isEmpty();
    assertThat(rules.apply(new Caller("ALICE", List.of())).permissions()).isEmpty();
    assertThat(rules.apply(new Caller("bob", List.of(), List.of("system:masters-not")))
        .permissions()).isEmpty();
  }

  @Test
  void serviceAccountsGetKubernetesGroups() {
    assertThat(KubernetesIdentity.serviceAccountGroups("system:serviceaccount:team-a:builder",
        List.of())).containsExactly("system:serviceaccounts", "system:serviceaccounts:team-a",
            "system:authenticated");
    assertThat(rules.apply(new Caller("system:serviceaccount:team-a:builder", List.of(),
        KubernetesIdentity.serviceAccountGroups("system:serviceaccount:team-a:builder",
            List.of()))).may("checkpoint:create:team-a")).isTrue();
    // Not a service account's name: no groups are made up for it.
    assertThat(KubernetesIdentity.serviceAccountGroups("system:serviceaccount:a:b:c", List.of()))
        .isEmpty();
    assertThat(KubernetesIdentity.serviceAccountGroups("robot", List.of("x"))).containsExactly("x");
  }

  @Test
  void aBadPermissionRefusesTheWholeFile() {
    for (String bad : List.of("checkpoint:create", "checkpoint:create:", "checkpint:create:a",
        "checkpoint:create:a,,b", "checkpoint:create: a", "")) {
      assertThatThrownBy(() -> AuthorizationRules.parse("""
          rules:
            - groups: ["system:masters"]
              permissions: ["*"]
            - users: ["bob"]
              permissions: ["%s"]
          """.formatted(bad), "auth.yaml"))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("auth.yaml: rules[1]");
    }
  }

  @Test
  void otherMistakesRefuseTheFileAndSayWhere() {
    assertThatThrownBy(() -> AuthorizationRules.parse("rules: {}", "f"))
        .hasMessage("f: must be a map with one key, rules: a list");
    assertThatThrownBy(() -> AuthorizationRules.parse("rules:\n  - user: [a]\n    permissions: ['*']",
        "f")).hasMessageContaining("rules[0]: unknown key user");
    assertThatThrownBy(() -> AuthorizationRules.parse("rules:\n  - permissions: ['*']", "f"))
        .hasMessageContaining("names no users and no groups");
    assertThatThrownBy(() -> AuthorizationRules.parse("rules:\n  - users: [a]", "f"))
        .hasMessageContaining("grants no permissions");
    assertThatThrownBy(() -> AuthorizationRules.parse(
        "rules:\n  - users: ['system:*:ops']\n    permissions: ['*']", "f"))
        .hasMessageContaining("a * may only end a name");
    assertThatThrownBy(() -> AuthorizationRules.parse("rules: [", "f"))
        .hasMessageStartingWith("f: not valid YAML");
  }

  @Test
  void theSampleInConfParsesAndGrantsWhatItSays() throws Exception {
    AuthorizationRules sample = AuthorizationRules.parse(
        java.nio.file.Files.readString(java.nio.file.Path.of("conf/authorization.yaml")),
        "conf/authorization.yaml");
    assertThat(sample.apply(new Caller("kube-apiserver-kubelet-client", List.of(),
        List.of("system:masters"))).may("checkpoint:create:kube-system")).isTrue();
    assertThat(sample.apply(new Caller("system:serviceaccount:monitoring:prometheus", List.of()))
        .may("metrics:read")).isTrue();
  }

  @Test
  void everyPermissionTheGatewayAsksForCanBeGranted() {
    for (String good : List.of("*", "checkpoint:*", "checkpoint:create:*", "archives:*:a,b",
        "archives:read:x", "archives:download:*", "archives:delete:ns", "metrics:read",
        "metrics:*", "*:read", "nodes:read", "nodes:*")) {
      assertThat(Grants.problem(good)).as(good).isNull();
    }
  }

  /** A * inside a name matches no namespace (names are DNS labels): such a grant is a mistake. */
  @Test
  void aStarInsideANameIsRefused() {
    for (String bad : List.of("checkpoint:create:team-*", "archives:read:a,b*", "archi*:read:x")) {
      assertThat(Grants.problem(bad)).as(bad)
          .isEqualTo("has a * inside a name (a wildcard is a whole name: *)");
    }
  }
}
