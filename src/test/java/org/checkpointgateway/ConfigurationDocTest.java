package org.checkpointgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.checkpointgateway.config.GatewayOptions;
import org.checkpointgateway.config.Option;
import org.checkpointgateway.config.OptionTable;
import org.checkpointgateway.config.Settings;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The option table (config/OptionTable) is the one definition of every option. This holds what
 * is written about options elsewhere to it, both ways: docs/configuration.md's table,
 * conf/gateway.yaml (its keys, also those commented out, and the flags it names), the flags
 * conf/kubernetes passes, and Main's command line; and each default lands where the table says.
 */
class ConfigurationDocTest {

  private static final Pattern CODE = Pattern.compile("`([^`]+)`");
  private static final Pattern FLAG = Pattern.compile("--[a-z][a-z0-9-]*");
  /** A YAML key line, commented out or not: {@code   # maxBytes: 50Gi}, {@code port: 10250}. */
  private static final Pattern KEY_LINE = Pattern.compile("^( *)(# ?)?( *)([A-Za-z][A-Za-z0-9]*):( .*)?$");
  /** A comment line of prose (not a commented-out key or list item, which are indented). */
  private static final Pattern PROSE = Pattern.compile("# ?[^\\s-]");
  /** Main's flag that is no option: where the options come from. */
  private static final String CONFIG = "--config";

  record Row(List<String> flags, List<String> keys) {
  }

  private static List<String> tableFlags() {
    return OptionTable.ALL.stream().map(Option::flag).filter(Objects::nonNull).toList();
  }

  /** Whether {@code documented} names a table key, or a part of one ({@code featureGates.X}). */
  private static boolean inTable(String documented) {
    return OptionTable.keys().stream()
        .anyMatch(key -> documented.equals(key) || documented.startsWith(key + "."));
  }

  private static boolean documents(List<String> documented, String key) {
    return documented.stream().anyMatch(d -> d.equals(key) || d.startsWith(key + "."));
  }

  @Test
  void theCommandLineIsTheTable() {
    List<String> flags = Main.commandLine().getCommandSpec().options().stream()
        .map(OptionSpec::longestName)
        .filter(name -> !name.equals("--help") && !name.equals("--version"))
        .toList();
    assertThat(flags).containsExactlyInAnyOrderElementsOf(
        Stream.concat(tableFlags().stream(), Stream.of(CONFIG)).toList());
    assertThat(OptionTable.keys()).doesNotHaveDuplicates();
    assertThat(tableFlags()).doesNotHaveDuplicates();
  }

  @Test
  void everyOptionHasARowAndEveryRowARealOption() throws Exception {
    List<Row> rows = rows(Files.readString(Path.of("docs/configuration.md")));
    List<String> documentedFlags = rows.stream().flatMap(row -> row.flags().stream()).toList();
    List<String> documentedKeys = rows.stream().flatMap(row -> row.keys().stream()).toList();

    assertThat(documentedFlags).as("flags in docs/configuration.md")
        .containsExactlyInAnyOrderElementsOf(
            Stream.concat(tableFlags().stream(), Stream.of(CONFIG)).toList());
    for (String key : OptionTable.keys()) {
      assertThat(documents(documentedKeys, key)).as(key + " in docs/configuration.md").isTrue();
    }
    for (String documented : documentedKeys) {
      assertThat(inTable(documented)).as("documented YAML key " + documented).isTrue();
    }
    for (Row row : rows) {
      // A row pairs a flag with its own key.
      for (String flag : row.flags()) {
        OptionTable.ALL.stream().filter(option -> flag.equals(option.flag())).forEach(option ->
            assertThat(row.keys()).as("the row of " + flag).anyMatch(k -> documents(List.of(k), option.key())));
      }
    }
  }

  @Test
  void theShippedFileHoldsEveryKeyAndFlagAndNothingElse() throws Exception {
    String text = Files.readString(Path.of("conf/gateway.yaml"));
    List<String> keys = yamlKeys(text);
    for (String key : OptionTable.keys()) {
      assertThat(documents(keys, key)).as(key + " in conf/gateway.yaml").isTrue();
    }
    for (String key : keys) {
      boolean section = OptionTable.keys().stream().anyMatch(k -> k.startsWith(key + "."));
      assertThat(section || inTable(key)).as("conf/gateway.yaml's key " + key
          + " (a prose comment must not start with 'word:')").isTrue();
    }
    List<String> flags = new ArrayList<>();
    Matcher flag = FLAG.matcher(text);
    while (flag.find()) {
      flags.add(flag.group());
    }
    assertThat(flags).as("flags conf/gateway.yaml names")
        .containsAll(tableFlags())
        .allMatch(named -> named.equals(CONFIG) || tableFlags().contains(named));
  }

  @Test
  @SuppressWarnings("unchecked")
  void theKubernetesManifestsPassOnlyTableFlags() throws Exception {
    List<String> passed = new ArrayList<>();
    try (Stream<Path> files = Files.list(Path.of("conf/kubernetes"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
        for (Object document : new Yaml(new SafeConstructor(new LoaderOptions()))
            .loadAll(Files.readString(file))) {
          collectGatewayArgs(document, passed);
        }
      }
    }
    assertThat(passed).as("the gateway's arguments in conf/kubernetes").isNotEmpty();
    for (String arg : passed) {
      assertThat(tableFlags()).as(arg).contains(arg.split("=", 2)[0]);
    }
  }

  /** The {@code args} of every container whose image is the gateway's. */
  @SuppressWarnings("unchecked")
  private static void collectGatewayArgs(Object node, List<String> into) {
    if (node instanceof Map<?, ?> map) {
      if (String.valueOf(map.get("image")).startsWith("checkpoint-gateway:")
          && map.get("args") instanceof List<?> args) {
        args.forEach(arg -> into.add(String.valueOf(arg)));
      }
      map.values().forEach(value -> collectGatewayArgs(value, into));
    } else if (node instanceof List<?> list) {
      list.forEach(value -> collectGatewayArgs(value, into));
    }
  }

  @Test
  void eachDefaultLandsWhereTheTableSaysAndTheShippedFileMeansTheDefaults() throws Exception {
    GatewayOptions defaults = GatewayOptions.from(new Settings());
    GatewayOptions shipped = GatewayOptions.from(Settings.fromYamlFile(Path.of("conf/gateway.yaml")));
    for (Option<?> option : OptionTable.ALL) {
      assertThat(option.lands()).as(option.key() + " says where it lands").isNotNull();
      if (option.byDefault() != null) {
        assertThat(option.lands().apply(defaults)).as(option.key()).isEqualTo(option.byDefault());
      }
      assertThat(option.lands().apply(shipped)).as("conf/gateway.yaml's " + option.key())
          .isEqualTo(option.lands().apply(defaults));
    }
  }

  /**
   * The dotted keys of a YAML file, with those commented out ({@code # key: value}): nesting by
   * indentation, and a prose comment at the start of a line ends a commented block.
   */
  private static List<String> yamlKeys(String yaml) {
    List<String> keys = new ArrayList<>();
    Deque<Map.Entry<Integer, String>> path = new ArrayDeque<>();
    for (String line : yaml.lines().toList()) {
      Matcher key = KEY_LINE.matcher(line);
      if (!key.matches()) {
        if (line.isBlank() || PROSE.matcher(line).lookingAt()) {
          path.clear();
        }
        continue;
      }
      int indent = key.group(1).length() + key.group(3).length();
      while (!path.isEmpty() && path.peek().getKey() >= indent) {
        path.pop();
      }
      List<String> names = new ArrayList<>(path.stream().map(Map.Entry::getValue).toList());
      java.util.Collections.reverse(names);
      names.add(key.group(4));
      keys.add(String.join(".", names));
      path.push(Map.entry(indent, key.group(4)));
    }
    return keys;
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
