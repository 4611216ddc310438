package org.checkpointgateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.checkpointgateway.outcome.ForbiddenException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.quicktheories.core.Gen;

/**
 * The permission grammar (see {@link Grants}) as a table of grants against asked permissions.
 * The rows marked "was true" are the attack: Shiro-style prefix implication granted them.
 */
class CallerTest {

  @ParameterizedTest(name = "{0} implies {1}: {2}")
  @CsvSource(delimiter = '|', textBlock = """
      *                         | checkpoint:create:ns1   | true
      *                         | archives:read:ns1       | true
      *                         | metrics:read            | true
      checkpoint:*              | checkpoint:create:ns1   | true
      checkpoint:create:*       | checkpoint:create:ns1   | true
      checkpoint:create:ns1     | checkpoint:create:ns1   | true
      checkpoint:*:ns1          | checkpoint:create:ns1   | true
      *:create:ns1              | checkpoint:create:ns1   | true
      *:*:*                     | checkpoint:create:ns1   | true
      checkpoint:create:ns1,ns2 | checkpoint:create:ns2   | true
      checkpoint:create:ns2,*   | checkpoint:create:ns1   | true
      checkpoint,archives:*     | archives:download:ns1   | true
      checkpoint:create:        | checkpoint:create:ns1   | false (was true)
      checkpoint:create         | checkpoint:create:ns1   | false (was true)
      checkpoint                | checkpoint:create:ns1   | false (was true)
      checkpoint:               | checkpoint:create:ns1   | false (was true)
      archives:read:            | archives:read:ns1       | false (was true)
      archives:read             | archives:read:ns1       | false (was true)
      archives                  | archives:download:ns1   | false (was true)
      '*:create'                | checkpoint:create:ns1   | false (was true)
      checkpoint:create:,ns1    | checkpoint:create:ns1   | false
      checkpoint:create:ns1,    | checkpoint:create:ns1   | false
      checkpoint::ns1           | checkpoint:create:ns1   | false
      :checkpoint:create:ns1    | checkpoint:create:ns1   | false
      checkpoint:create:ns2     | checkpoint:create:ns1   | false
      checkpoint:create:ns1     | checkpoint:create:ns10  | false
      checkpoint:create:ns1     | checkpoint:create:ns    | false
      checkpoint:create:*       | checkpoint:delete:ns1   | false
      checkpoint:*:ns2          | checkpoint:create:ns1   | false
      archives:*                | checkpoint:create:ns1   | false
      archives:read:ns1         | archives:read:ns1       | true
      archives:read:*           | archives:read:ns1       | true
      archives:read:ns1         | archives:delete:ns1     | false
      archives:read:*           | archives:download:ns1   | false
      archives:download:ns1     | archives:download:ns1   | true
      archives:*                | archives:download:ns1   | true
      archives:*                | archives:read:ns1       | true
      Checkpoint:create:ns1     | checkpoint:create:ns1   | false
      'checkpoint:create: ns1'  | checkpoint:create:ns1   | false
      checkpoint:create:ns1:x   | checkpoint:create:ns1   | false
      checkpoint:create:ns1:*   | checkpoint:create:ns1   | false
      metrics:read              | metrics:read            | true
      metrics:*                 | metrics:read            | true
      metrics                   | metrics:read            | false (was true)
      metrics:read:             | metrics:read            | false
      metrics:read              | metrics:read:x          | false
      *                         | checkpoint:create:      | false
      checkpoint:create:*       | checkpoint:create:      | false
      checkpoint:create:        | checkpoint:create:      | false
      archives:read:*           | archives:read:          | false
      *                         | checkpoint::ns1         | false
      """)
  void grammar(String granted, String asked, String implied) {
    assertThat(new Caller("u", List.of(granted)).may(asked))
        .isEqualTo(implied.startsWith("true"));
  }

  @Test
  void templatesRenderedWithAnEmptyNamespaceGrantNothing() {
    // Routes build the asked permission from a template; an empty namespace must not match.
    Caller root = new Caller("root", List.of("*"));
    assertThat(CheckpointPermissions.requireCheckpoint(root, "").failed()).isTrue();
    assertThat(ArchivePermissions.may(root, ArchivePermissions.READ, List.of(""))).isFalse();
    assertThat(ArchivePermissions.may(root, ArchivePermissions.DOWNLOAD, List.of("ns1", "")))
        .isFalse();
    // And a grant rendered from a template with an empty namespace grants nothing.
    Caller templated = new Caller("u", List.of("checkpoint:create:" + "", "archives:read:" + ""));
    assertThat(CheckpointPermissions.requireCheckpoint(templated, "team-a").failed()).isTrue();
    assertThat(ArchivePermissions.may(templated, ArchivePermissions.READ, List.of("team-a")))
        .isFalse();
    assertThat(ArchivePermissions.mayEveryNamespace(templated, ArchivePermissions.READ)).isFalse();
  }

  @Test
  void aGrantThatGrantsNothingIsLoggedOncePerDistinctGrant() {
    Grants.forgetLogged();
    Logger logger = Logger.getLogger(Grants.class.getName());
    List<String> messages = new java.util.concurrent.CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        messages.add(record.getMessage());
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    logger.addHandler(capture);
    try {
      Caller caller = new Caller("u", List.of("checkpoint:create", "archives:read:,ns1"));
      for (int i = 0; i < 5; i++) {
        assertThat(caller.may("checkpoint:create:ns1")).isFalse();
        assertThat(caller.may("archives:read:ns1")).isFalse();
        assertThat(new Caller("other", List.of("checkpoint:create")).may("checkpoint:create:ns2"))
            .isFalse();
      }
      assertThat(messages).containsExactly(
          "permission \"checkpoint:create\" grants nothing: it stops before the end of the"
              + " permission it would grant (2 of 3 parts: name a namespace, a comma list or *)",
          "permission \"archives:read:,ns1\" grants nothing: it has an empty part or name");
    } finally {
      logger.removeHandler(capture);
      Grants.forgetLogged();
    }
  }

  @Test
  void theMemoryOfLoggedGrantsIsBounded() {
    Grants.forgetLogged();
    String longName = "x".repeat(100_000);
    quietly(() -> {
      for (int i = 0; i < Grants.MAX_LOGGED + 50; i++) {
        // Distinct within the logged prefix, and each far longer than what is kept of it.
        assertThat(new Caller("u", List.of(i + longName + ":")).may("checkpoint:create:ns1"))
            .isFalse();
      }
    });
    assertThat(Grants.logged()).isEqualTo(Grants.MAX_LOGGED);
    Grants.forgetLogged();
  }

  /** Archives whose namespace is unknown: only a wildcard grants them, never an odd name. */
  @Test
  void everyNamespaceIsGrantedByAWildcardOnly() {
    for (String grant : List.of("archives:read:*", "archives:*", "*", "*:read:*", "archives:read:ns,*",
        "*:*")) {
      assertThat(ArchivePermissions.mayEveryNamespace(new Caller("u", List.of(grant)),
          ArchivePermissions.READ)).as(grant).isTrue();
    }
    for (String grant : List.of("archives:read:_", "archives:read:_,ns", "archives:read",
        "archives:read:ns", "archives:download:*", "archives:read:*:x", "archives:read:", "",
        "archives")) {
      assertThat(ArchivePermissions.mayEveryNamespace(new Caller("u", List.of(grant)),
          ArchivePermissions.READ)).as(grant).isFalse();
    }
  }

  @Test
  void noGrantWithoutAWildcardGrantsANamespaceItDoesNotName() {
    // Random grants over an alphabet of the grammar's syntax and a few names; random namespaces.
    Gen<String> names = arbitrary().pick(List.of("ns1", "ns2", "a", "checkpoint", "create", ""));
    Gen<String> grants = lists().of(
        arbitrary().pick(List.of(":", ",", "*", "checkpoint", "create", "archives", "read",
            "download", "ns1", "ns2", "a", "ns", " ", "::", ",,")))
        .ofSizeBetween(0, 8).map(parts -> String.join("", parts));
    quietly(() -> qt().forAll(grants, names).checkAssert((grant, namespace) -> {
      Caller caller = new Caller("u", List.of(grant));
      for (String asked : List.of("checkpoint:create:" + namespace,
          "archives:read:" + namespace, "archives:download:" + namespace)) {
        boolean granted = caller.may(asked);
        if (granted) {
          String[] parts = grant.split(":", -1);
          List<String> last = List.of(parts[parts.length - 1].split(",", -1));
          assertThat(namespace).as(grant + " grants " + asked).isNotEmpty();
          assertThat(grant.contains("*") || parts.length == 3 && last.contains(namespace))
              .as(grant + " grants " + asked).isTrue();
        }
      }
    }));
  }

  @Test
  void mayCheckpointIsWhatRequireCheckpointDecidesAndNeverWidensASyntaxNamespace() {
    Gen<String> names = lists().of(arbitrary().pick(List.of("ns1", "a", ":", ",", "*", " ", "")))
        .ofSizeBetween(0, 4).map(parts -> String.join("", parts));
    Gen<String> grants = arbitrary().pick(List.of("checkpoint:create:a", "checkpoint:*",
        "checkpoint:create:ns1,a", "*", "archives:read:a", ""));
    quietly(() -> qt().forAll(grants, names).checkAssert((grant, namespace) -> {
      Caller caller = new Caller("u", List.of(grant));
      boolean may = CheckpointPermissions.mayCheckpoint(caller, namespace);
      assertThat(may).as(grant + " for " + namespace)
          .isEqualTo(CheckpointPermissions.requireCheckpoint(caller, namespace).succeeded());
      if (may) {
        assertThat(namespace).doesNotContain(":", ",", "*").isNotBlank();
        // What the route asks, in the words of a grant.
        assertThat(caller.may("checkpoint:create:" + namespace)).isTrue();
      } else if (!namespace.isBlank() && !namespace.contains(":")) {
        assertThat(caller.may("checkpoint:create:" + namespace)).as(grant + " for " + namespace)
            .isFalse();
      }
    }));
  }

  @Test
  void mayNeverThrows() {
    Gen<String> text = strings().allPossible().ofLengthBetween(0, 40);
    Gen<String> syntax = lists().of(arbitrary().pick(List.of(":", ",", "*", "a", "", " ", "\u0000")))
        .ofSizeBetween(0, 12).map(parts -> String.join("", parts));
    quietly(() -> qt().forAll(text.mix(syntax), text.mix(syntax)).checkAssert((grant, asked) ->
        new Caller("u", List.of(grant)).may(asked)));
  }

  /** Runs {@code work} without the warnings of the thousands of bad grants it makes. */
  private static void quietly(Runnable work) {
    Logger logger = Logger.getLogger(Grants.class.getName());
    java.util.logging.Level level = logger.getLevel();
    logger.setLevel(java.util.logging.Level.OFF);
    try {
      work.run();
    } finally {
      logger.setLevel(level);
    }
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
