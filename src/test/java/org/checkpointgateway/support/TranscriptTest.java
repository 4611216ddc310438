package org.checkpointgateway.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The README tour test is only as good as its comparison: it must catch what matters. */
class TranscriptTest {

  private static final String MARKDOWN = """
      # Title

      ## Tour

      Some words.

      ```sh
      TOKEN=paste
      ```

      ```sh
      curl -sS http://127.0.0.1:10250/readyz
      ```

      ```text
      {"status":"ready"}
      ```

      ```sh
      echo not shown
      ```

      Words between.

      ```text
      not the output of the block above
      ```

      ## Next

      ```sh
      echo outside
      ```
      """;

  @Test
  void stepsAreTheShellBlocksOfTheSectionWithTheOutputRightAfterThem() {
    List<Transcript.Step> steps = Transcript.steps(MARKDOWN, "## Tour");

    assertThat(steps).extracting(Transcript.Step::commands)
        .containsExactly("TOKEN=paste", "curl -sS http://127.0.0.1:10250/readyz", "echo not shown");
    assertThat(steps.get(0).expected()).isNull();
    assertThat(steps.get(1).expected()).containsExactly("{\"status\":\"ready\"}");
    assertThat(steps.get(2).expected()).isNull();
  }

  @Test
  void valuesThatDifferFromRunToRunAreComparedByKind() {
    assertThat(Transcript.difference(
        List.of("{\"id\":\"0ce0baf1-d9c2-4440-a75f-693ba20093b8\",\"at\":\"2026-12-01T14:18:27.115467308Z\","
            + "\"items\":[\"/x/checkpoint-demo_default-app-2026-12-01T14:18:23.549035808Z.tar\"],\"took\":0.3}",
            "content-length: 196", "sidecar: completed in 0.1s (1.0 MiB)"),
        List.of("{\"id\":\"7fb7cbbb-5d07-4540-9021-6f12d7fb1d8c\",\"at\":\"2026-12-02T01:02:03.1Z\","
            + "\"items\":[\"/x/checkpoint-demo_default-app-2026-12-02T01:02:03.000000001Z.tar\"],\"took\":12.25}",
            "content-length: 195", "sidecar:   completed in 10.0s (1.0 MiB)")))
        .isNull();
  }

  @Test
  void whatTheReaderReliesOnMustMatch() {
    String job = "{\"state\":\"queued\",\"timeoutSeconds\":120,\"items\":[]}";

    assertThat(Transcript.difference(List.of(job), List.of("{\"state\":\"running\",\"timeoutSeconds\":120,\"items\":[]}")))
        .contains("$.state");
    assertThat(Transcript.difference(List.of(job), List.of("{\"state\":\"queued\",\"timeoutSeconds\":60,\"items\":[]}")))
        .contains("$.timeoutSeconds");
    assertThat(Transcript.difference(List.of(job), List.of("{\"state\":\"queued\",\"timeoutSeconds\":120}")))
        .contains("keys");
    assertThat(Transcript.difference(List.of(job), List.of("{\"state\":\"queued\",\"timeoutSeconds\":120,\"items\":[\"a\"]}")))
        .contains("$.items");
    assertThat(Transcript.difference(List.of(job), List.of("pod does not exist"))).isNotNull();
    assertThat(Transcript.difference(List.of("failed (HTTP 500)"), List.of("failed (HTTP 404)"))).isNotNull();
    assertThat(Transcript.difference(List.of("HTTP/1.1 202 Accepted"), List.of("HTTP/1.1 200 OK"))).isNotNull();
    assertThat(Transcript.difference(List.of("a", "b"), List.of("a"))).startsWith("missing line: b");
    assertThat(Transcript.difference(List.of("a"), List.of("a", "b"))).startsWith("unexpected line: b");
  }

  @Test
  void anEllipsisStandsForAnyNumberOfLinesAndSseDataIsJson() {
    List<String> shown = List.of("id: 1", "event: started", "data: {\"container\":\"slow\",\"archiveBytes\":0}",
        "...", "id: 4", "event: failed", "data: {\"container\":\"slow\",\"status\":500}");

    assertThat(Transcript.difference(shown, List.of("id: 1", "event: started",
        "data: {\"container\":\"slow\",\"archiveBytes\":512}", "", "id: 2", "event: failed",
        "data: {\"container\":\"slow\",\"status\":500}"))).isNull();
    assertThat(Transcript.difference(shown, List.of("id: 1", "event: started",
        "data: {\"container\":\"slow\",\"archiveBytes\":0}", "id: 2", "event: progress", "data: {}",
        "id: 3", "event: progress", "data: {}", "id: 4", "event: failed",
        "data: {\"container\":\"slow\",\"status\":500}"))).isNull();
    assertThat(Transcript.difference(shown, List.of("id: 1", "event: started",
        "data: {\"container\":\"slow\",\"archiveBytes\":0}", "id: 2", "event: failed",
        "data: {\"container\":\"slow\",\"status\":503}"))).contains("$.status");
    assertThat(Transcript.difference(shown, List.of("id: 1", "event: started",
        "data: {\"container\":\"slow\",\"archiveBytes\":0}", "id: 2", "event: completed",
        "data: {\"container\":\"slow\",\"status\":500}"))).isNotNull();
  }
}
