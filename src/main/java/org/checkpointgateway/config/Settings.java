package org.checkpointgateway.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Raw settings from the YAML file and the command line, each remembering where it came from so
 * that a bad value can be named the way the user wrote it ({@code --port} or
 * {@code gateway.yaml: port}). Command-line values override the file's.
 */
public final class Settings {

  /** One value and its origin, for error messages. */
  public record Setting(Object value, String origin) {
  }

  private final Map<String, Setting> values = new LinkedHashMap<>();

  /** Reads a YAML file of dotted keys (nested maps are flattened: {@code jwt.issuer}). */
  public static Settings fromYamlFile(Path file) {
    Settings settings = new Settings();
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException("--config " + file + ": cannot read (" + e.getMessage() + ")");
    }
    Object root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    } catch (YAMLException e) {
      throw new ConfigException("--config " + file + ": not valid YAML ("
          + e.getMessage().replace('\n', ' ') + ")");
    }
    if (root == null) {
      return settings;
    }
    if (!(root instanceof Map<?, ?> map)) {
      throw new ConfigException("--config " + file + ": must be a map of settings");
    }
    settings.flatten("", map, file.getFileName().toString());
    return settings;
  }

  private void flatten(String prefix, Map<?, ?> map, String fileName) {
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      String key = prefix + entry.getKey();
      if (entry.getValue() == null) {
        continue; // a section whose keys are all commented out
      }
      // Feature gates are a map by nature; keep it whole.
      if (entry.getValue() instanceof Map<?, ?> nested && !key.equals("featureGates")) {
        flatten(key + ".", nested, fileName);
      } else {
        values.put(key, new Setting(entry.getValue(), fileName + ": " + key));
      }
    }
  }

  /** Sets a value given on the command line, if it was given. */
  public Settings override(String key, Object value, String flag) {
    if (value != null && !(value instanceof List<?> list && list.isEmpty())) {
      values.put(key, new Setting(value, flag));
    }
    return this;
  }

  public Optional<Setting> get(String key) {
    return Optional.ofNullable(values.get(key));
  }

  /** Keys nobody asked for: typos in the file. */
  public List<Setting> unknown(List<String> known) {
    List<Setting> unknown = new ArrayList<>();
    values.forEach((key, setting) -> {
      if (!known.contains(key)) {
        unknown.add(setting);
      }
    });
    return unknown;
  }
}
