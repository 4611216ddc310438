package org.checkpointgateway.config;

import java.util.Optional;
import java.util.function.Function;
import org.checkpointgateway.config.Settings.Setting;

/**
 * One option of the gateway, defined once in {@link OptionTable}: its YAML key, its flag (none
 * for keys only a file can set), what it takes, its default and its help. Main's flags, the keys a
 * file may hold, the validation and {@code --help} are derived from it.
 *
 * @param key the YAML key, dotted ({@code http.maxHeaderSize})
 * @param flag the command-line flag, or null for a key only a file sets
 * @param label what the flag takes in {@code --help}; null for a switch (a flag without a value
 *     that means {@code true})
 * @param kind how a value is read and checked, and how the default is shown
 * @param help what the option does, for {@code --help}
 * @param byDefault the value when neither file nor flag gives one; null when there is none or
 *     it is computed where the option lands ({@link #shown} then says what it is)
 * @param shown the default as {@code --help} shows it, when it is not {@code byDefault}'s value
 * @param lands where the value ends up in {@link GatewayOptions} (tests read it back)
 */
public record Option<T>(String key, String flag, String label, Kind<T> kind, String help,
    T byDefault, String shown, Function<GatewayOptions, ?> lands) {

  /** How a setting's value is read and checked, and how a default is written back. */
  public record Kind<T>(Function<Setting, T> read, Function<T, String> show) {

    /** This kind with one more check: {@code problem} says what is wrong with a value, or null. */
    public Kind<T> and(Function<T, String> problem) {
      return new Kind<>(setting -> {
        T value = read.apply(setting);
        String wrong = problem.apply(value);
        if (wrong != null) {
          throw new ConfigException(setting.origin() + ": " + wrong);
        }
        return value;
      }, show);
    }

    /** This kind's values turned into another type. */
    public <R> Kind<R> map(Function<T, R> into, Function<R, String> shown) {
      return new Kind<>(read.andThen(into), shown);
    }
  }

  static <T> Option<T> option(String key, String flag, String label, Kind<T> kind, String help) {
    return new Option<>(key, flag, label, kind, help, null, null, null);
  }

  Option<T> byDefault(T value) {
    return new Option<>(key, flag, label, kind, help, value, shown, lands);
  }

  /** A default that is computed or absent, said in words. */
  Option<T> shown(String text) {
    return new Option<>(key, flag, label, kind, help, byDefault, text, lands);
  }

  Option<T> lands(Function<GatewayOptions, ?> where) {
    return new Option<>(key, flag, label, kind, help, byDefault, shown, where);
  }

  /** The value given in the file or by the flag, read and checked. */
  public Optional<T> find(Settings settings) {
    return settings.get(key).map(kind.read());
  }

  /** The value given, else the default. */
  public T get(Settings settings) {
    if (byDefault == null) {
      throw new IllegalStateException(key + " has no default value");
    }
    return find(settings).orElse(byDefault);
  }

  /** The help line: what it does and its default. */
  public String description() {
    String defaultText = shown != null ? shown
        : byDefault != null ? kind.show().apply(byDefault) : null;
    return defaultText == null ? help : help + " (default " + defaultText + ")";
  }

  public boolean isSwitch() {
    return label == null;
  }

  /** A flag that may repeat, each time one more value. */
  public boolean repeats() {
    return kind == Kinds.FILES;
  }
}
