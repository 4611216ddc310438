package org.checkpointgateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checkpoint answer, written by hand, is what Vert.x's JSON encoder would write. */
class ItemsJsonTest {

  private static String encoded(List<String> items) {
    return new JsonObject().put("items", new JsonArray(items)).encode();
  }

  @Test
  void anyArchivePathsAreWrittenAsTheJsonEncoderWritesThem() {
    qt().forAll(lists().of(strings().allPossible().ofLengthBetween(0, 40)).ofSizeBetween(0, 4))
        .check(items -> CheckpointRoutes.itemsJson(items).equals(encoded(items)));
  }

  @Test
  void quotesBackslashesAndControlCharactersAreEscaped() {
    List<String> items = List.of("/var/lib/kubelet/checkpoints/checkpoint-a_b-c-2026.tar",
        "quote\" back\\slash\ttab\nline\u0001\u007f\u2028é/");
    assertThat(CheckpointRoutes.itemsJson(items)).isEqualTo(encoded(items));
    assertThat(new JsonObject(CheckpointRoutes.itemsJson(items)).getJsonArray("items").getList())
        .isEqualTo(items);
  }
}
