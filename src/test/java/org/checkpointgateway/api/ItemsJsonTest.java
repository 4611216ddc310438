package org.checkpointgateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
  void theAnswersBytesAreTheJsonEncodersTextInUtf8() {
    qt().forAll(lists().of(strings().allPossible().ofLengthBetween(0, 40)).ofSizeBetween(0, 4))
        .check(items -> Arrays.equals(CheckpointRoutes.itemsBody(items).getBytes(),
            encoded(items).getBytes(StandardCharsets.UTF_8)));
    qt().forAll(lists().of(strings().ascii().ofLengthBetween(0, 200)).ofSizeBetween(0, 4))
        .check(items -> Arrays.equals(CheckpointRoutes.itemsBody(items).getBytes(),
            encoded(items).getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void anArchivePathIsCopiedAsItIsAndAnythingToEscapeStillIs() {
    List<String> plain = List.of("/var/lib/kubelet/checkpoints/checkpoint-a_b-c-2026-12-03T14:30:05.9Z.tar",
        "/b.tar");
    assertThat(CheckpointRoutes.itemsBody(plain).toString(StandardCharsets.UTF_8))
        .isEqualTo(encoded(plain));
    assertThat(CheckpointRoutes.itemsBody(List.of()).toString(StandardCharsets.UTF_8))
        .isEqualTo("{\"items\":[]}");
    for (String odd : List.of("quote\"", "back\\slash", "tab\t", "del\u007f", "é", "\u2028")) {
      List<String> items = List.of("/a.tar", "/x/" + odd + ".tar");
      assertThat(CheckpointRoutes.itemsBody(items).toString(StandardCharsets.UTF_8))
          .isEqualTo(encoded(items));
    }
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
