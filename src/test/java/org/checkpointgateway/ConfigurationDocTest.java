package org.checkpointgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.checkpointgateway.config.GatewayOptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.OptionSpec;

/**
 * docs/configuration.md keeps one table of every option (flag, YAML key, default, meaning). Until
 * it is generated from the code, this keeps it from drifting: every flag of the gateway and every
 * YAML key it accepts has a row, and every row names a real flag or key.
 */
class ConfigurationDocTest {

  private static final Pattern CODE = Pattern.compile("`([^`]+)`");

  record Row(List<String> flags, List<String> keys) {
  }

  @Test
  void everyOptionHasARowAndEveryRowARealOption() throws Exception {
    List<Row> rows = rows(Files.readString(Path.of("docs/configuration.md")));
    List<String> documentedFlags = rows.stream().flatMap(row -> row.flags().stream()).toList();
    List<String> documentedKeys = rows.stream().flatMap(row -> row.keys().stream()).toList();
    List<String> flags = Main.commandLine().getCommandSpec().options().stream()
        .map(OptionSpec::longestName)
        .filter(name -> !name.equals("--help") && !name.equals("--version"))
        .toList();

    assertThat(documentedFlags).as("flags in docs/configuration.md").containsExactlyInAnyOrderElementsOf(flags);
    for (String key : GatewayOptions.KEYS) {
      assertThat(documentedKeys).as("YAML keys in docs/configuration.md")
          .anyMatch(documented -> documented.equals(key) || documented.startsWith(key + "."));
    }
    for (String documented : documentedKeys) {
      assertThat(GatewayOptions.KEYS).as("a documented YAML key")
          .anyMatch(key -> documented.equals(key) || documented.startsWith(key + "."));
    }
  }

  /** The rows of the table under "## Options": flags from the first column, keys from the second. */
  private static List<Row> rows(String markdown) {
    String section = markdown.substring(markdown.indexOf("\n## Options\n"));
    section = section.substring(0, section.indexOf("\n## ", 1) < 0 ? section.length() : section.indexOf("\n## ", 1));
    List<Row> rows = new ArrayList<>();
    for (String line : section.lines().toList()) {
      if (!line.startsWith("| ") || line.startsWith("| flag ")) {
        continue;
      }
      String[] cells = line.replace("\\|", "/").split("\\|", -1);
      rows.add(new Row(codes(cells[1]).stream().map(code -> code.split(" ")[0])
          .filter(flag -> flag.startsWith("--")).toList(), codes(cells[2])));
    }
    return rows;
  }

  private static List<String> codes(String cell) {
    List<String> codes = new ArrayList<>();
    Matcher code = CODE.matcher(cell);
    while (code.find()) {
      codes.add(code.group(1).split(" ")[0]);
    }
    return codes;
  }
}
