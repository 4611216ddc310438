package org.checkpointgateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.checkpointgateway.error.ForbiddenException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Checks that vertx-auth's wildcard permissions imply what the gateway relies on. */
class CallerTest {

  @ParameterizedTest(name = "{0} implies {1}: {2}")
  @CsvSource(delimiter = '|', textBlock = """
      *                       | checkpoint:create:ns1 | true
      *                       | archives:read:ns1     | true
      checkpoint:*            | checkpoint:create:ns1 | true
      checkpoint:create:*     | checkpoint:create:ns1 | true
      checkpoint:create:ns1   | checkpoint:create:ns1 | true
      checkpoint:create       | checkpoint:create:ns1 | true
      checkpoint:*:ns1        | checkpoint:create:ns1 | true
      checkpoint:create:ns1,ns2 | checkpoint:create:ns2 | true
      checkpoint:create:ns2   | checkpoint:create:ns1 | false
      checkpoint:create:ns1   | checkpoint:create:ns10 | false
      checkpoint:create:*     | checkpoint:delete:ns1 | false
      checkpoint:*:ns2        | checkpoint:create:ns1 | false
      archives:*              | checkpoint:create:ns1 | false
      archives:read:ns1       | archives:read:ns1     | true
      archives:read:*         | archives:read:ns1     | true
      archives:read:ns1       | archives:delete:ns1   | false
      Checkpoint:create:ns1   | checkpoint:create:ns1 | false
      checkpoint:create:ns1:x | checkpoint:create:ns1 | false
      """)
  void wildcardImplication(String granted, String asked, boolean implied) {
    assertThat(new Caller("u", List.of(granted)).may(asked)).isEqualTo(implied);
  }

  @Test
  void anyOfSeveralGrantsSuffices() {
    Caller caller = new Caller("u", List.of("archives:read:ns1", "checkpoint:create:ns2"));
    assertThat(caller.may("checkpoint:create:ns2")).isTrue();
    assertThat(caller.may("checkpoint:create:ns1")).isFalse();
  }

  @Test
  void noPermissionsGrantNothing() {
    assertThat(new Caller("u", List.of()).may("checkpoint:create:ns1")).isFalse();
  }

  @Test
  void unparseableGrantsGrantNothingAndDoNotThrow() {
    Caller caller = new Caller("u", List.of("", "  ", ":", "::"));
    assertThat(caller.may("checkpoint:create:ns1")).isFalse();
  }

  @Test
  void askedPermissionsAreLiteral() {
    Caller caller = new Caller("u", List.of("checkpoint:create:ns1"));
    // Wildcard syntax in what is asked must not match more than one namespace.
    assertThat(caller.may("checkpoint:create:*")).isFalse();
    assertThat(caller.may("checkpoint:create:ns1,ns2")).isFalse();
    assertThat(caller.may("")).isFalse();
    assertThat(new Caller("root", List.of("*")).may("checkpoint:create:*")).isFalse();
  }

  @Test
  void requireSucceedsOrFailsWithTheDenial() {
    Caller caller = new Caller("u", List.of("checkpoint:create:ns1"));
    ForbiddenException denial = new ForbiddenException("u", "create", "nodes", "checkpoint");
    assertThat(caller.require("checkpoint:create:ns1", () -> denial).result()).isSameAs(caller);
    assertThat(caller.require("checkpoint:create:ns2", () -> denial).cause()).isSameAs(denial);
  }

  @Test
  void checkpointPermissionNamesTheNamespace() {
    assertThat(CheckpointPermissions.checkpointPermission("ns1"))
        .isEqualTo("checkpoint:create:ns1");
    assertThatThrownBy(() -> CheckpointPermissions.checkpointPermission("a:b"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void requireCheckpointDeniesWithTheKubeletText() {
    Caller caller = new Caller("system:serviceaccount:ops:cp", List.of("checkpoint:create:ns1"));
    assertThat(CheckpointPermissions.requireCheckpoint(caller, "ns1").result()).isSameAs(caller);
    assertThat(CheckpointPermissions.requireCheckpoint(caller, "ns2").cause())
        .isInstanceOf(ForbiddenException.class)
        .hasMessage("Forbidden (user=system:serviceaccount:ops:cp, verb=create, resource=nodes,"
            + " subresource(s)=[checkpoint])");
  }

  @Test
  void requireCheckpointDeniesNamespacesWithPermissionSyntax() {
    // With checkpoint:create:ns1, "ns1:x" would be implied (a shorter grant covers longer asks).
    Caller caller = new Caller("u", List.of("checkpoint:create:ns1"));
    for (String namespace : List.of("ns1:x", "ns1,ns2", "*", "", " ")) {
      assertThat(CheckpointPermissions.requireCheckpoint(caller, namespace).cause())
          .as(namespace).isInstanceOf(ForbiddenException.class);
    }
  }
}
