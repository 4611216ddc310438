package org.checkpointgateway.sim;

import io.vertx.grpc.common.GrpcStatus;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.checkpointgateway.sim.SimulatorSeed.Container;
import org.checkpointgateway.sim.SimulatorSeed.Failure;
import org.checkpointgateway.sim.SimulatorSeed.Pod;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import runtime.v1.ContainerState;
import runtime.v1.PodSandboxState;

/** Turns seed YAML into a {@link SimulatorSeed}, naming the key of the first bad value. */
final class SeedReader {

  private static final Set<String> TOP_KEYS = Set.of("bandwidthBytesPerSecond", "unimplemented",
      "pagesCapBytes", "runtimeName", "runtimeVersion", "pods", "writeArchives", "instantCheckpoints",
      "http2MaxConcurrentStreams");
  private static final Set<String> POD_KEYS = Set.of("namespace", "name", "uid", "state", "containers");
  private static final Set<String> CONTAINER_KEYS = Set.of("name", "memoryBytes", "checkpointSeconds",
      "fail", "state");
  private static final Pattern FAILURE = Pattern.compile("([A-Z_]+):\\s*(\\S.*)");
  /** A key that is shown as it is; any other is shown quoted and escaped. */
  private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  /** How much of a caller's text a message echoes. */
  static final int SHOWN_CHARS = 60;

  private SeedReader() {
  }

  static SimulatorSeed read(String yaml, String sourceName) {
    Object root;
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(false);
      root = new Yaml(new SafeConstructor(options)).load(yaml);
    } catch (YAMLException | IllegalArgumentException e) {
      // SnakeYAML's own errors, and those of building a tagged scalar (!!int x, !!binary *).
      // Its messages span several lines and quote the input; the callers print one short line.
      String problem = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      throw new IllegalArgumentException(sourceName + ": not valid YAML: "
          + printable(problem.replaceAll("\\s+", " ").trim(), 300));
    }
    if (root == null) {
      root = Map.of();
    }
    Map<String, Object> top = mapping(root, sourceName);
    checkKeys(top, TOP_KEYS, "");
    long bandwidth = positiveLong(top, "bandwidthBytesPerSecond", "",
        SimulatorSeed.DEFAULT_BANDWIDTH_BYTES_PER_SECOND);
    boolean unimplemented = bool(top, "unimplemented", "");
    long pagesCap = nonNegativeLong(top, "pagesCapBytes", SimulatorSeed.DEFAULT_PAGES_CAP_BYTES);
    String runtimeName = string(top, "runtimeName", "", SimulatorSeed.DEFAULT_RUNTIME_NAME);
    String runtimeVersion = string(top, "runtimeVersion", "", SimulatorSeed.DEFAULT_RUNTIME_VERSION);
    List<Pod> pods = new ArrayList<>();
    Set<String> podKeys = new HashSet<>();
    List<?> podList = list(top.get("pods"), "pods");
    for (int i = 0; i < podList.size(); i++) {
      String at = "pods[" + i + "]";
      Pod pod = pod(mapping(podList.get(i), at), at);
      if (!podKeys.add(pod.namespace() + "/" + pod.name())) {
        throw bad(at + ".name", "duplicate pod " + shown(pod.namespace() + "/" + pod.name()));
      }
      pods.add(pod);
    }
    boolean writeArchives = !top.containsKey("writeArchives") || bool(top, "writeArchives", "");
    boolean instant = bool(top, "instantCheckpoints", "");
    long streams = positiveLong(top, "http2MaxConcurrentStreams", "",
        SimulatorSeed.DEFAULT_HTTP2_MAX_CONCURRENT_STREAMS);
    if (streams > Integer.MAX_VALUE) {
      throw bad("http2MaxConcurrentStreams", "must be at most " + Integer.MAX_VALUE);
    }
    return new SimulatorSeed(bandwidth, unimplemented, pagesCap, runtimeName, runtimeVersion, pods,
        writeArchives, instant, (int) streams);
  }

  private static Pod pod(Map<String, Object> map, String at) {
    checkKeys(map, POD_KEYS, at + ".");
    String namespace = string(map, "namespace", at + ".", null);
    String name = string(map, "name", at + ".", null);
    String uid = string(map, "uid", at + ".",
        UUID.nameUUIDFromBytes((namespace + "/" + name).getBytes(StandardCharsets.UTF_8)).toString());
    String stateText = string(map, "state", at + ".", "ready");
    PodSandboxState state = switch (stateText) {
      case "ready" -> PodSandboxState.SANDBOX_READY;
      case "notready" -> PodSandboxState.SANDBOX_NOTREADY;
      default -> throw bad(at + ".state", "must be ready or notready, got " + shown(stateText));
    };
    List<Container> containers = new ArrayList<>();
    Set<String> names = new HashSet<>();
    List<?> list = list(map.get("containers"), at + ".containers");
    for (int j = 0; j < list.size(); j++) {
      String cat = at + ".containers[" + j + "]";
      Container container = container(mapping(list.get(j), cat), cat);
      if (!names.add(container.name())) {
        throw bad(cat + ".name", "duplicate container " + shown(container.name()));
      }
      containers.add(container);
    }
    return new Pod(namespace, name, uid, state, containers);
  }

  private static Container container(Map<String, Object> map, String at) {
    String prefix = at + ".";
    checkKeys(map, CONTAINER_KEYS, prefix);
    String name = string(map, "name", prefix, null);
    long memory = map.containsKey("memoryBytes") ? positiveLong(map, "memoryBytes", prefix, 0) : 0;
    Optional<Double> seconds = Optional.empty();
    if (map.containsKey("checkpointSeconds")) {
      Object value = map.get("checkpointSeconds");
      if (!(value instanceof Number n) || !(n.doubleValue() > 0) || Double.isInfinite(n.doubleValue())) {
        throw bad(prefix + "checkpointSeconds", "must be a positive number");
      }
      seconds = Optional.of(n.doubleValue());
    }
    Optional<Failure> failure = Optional.empty();
    if (map.containsKey("fail")) {
      failure = Optional.of(failure(string(map, "fail", prefix, null), prefix + "fail"));
    }
    String stateText = string(map, "state", prefix, "running");
    ContainerState state = switch (stateText) {
      case "running" -> ContainerState.CONTAINER_RUNNING;
      case "exited" -> ContainerState.CONTAINER_EXITED;
      case "created" -> ContainerState.CONTAINER_CREATED;
      default -> throw bad(prefix + "state", "must be running, exited or created, got "
          + shown(stateText));
    };
    return new Container(name, memory, seconds, failure, state);
  }

  private static Failure failure(String text, String key) {
    Matcher m = FAILURE.matcher(text);
    GrpcStatus status = null;
    if (m.matches()) {
      try {
        status = GrpcStatus.valueOf(m.group(1));
      } catch (IllegalArgumentException ignored) {
        // reported below, with the accepted form
      }
    }
    if (status == null || status == GrpcStatus.OK) {
      throw bad(key, "must be \"<GRPC_CODE>: <message>\" with a gRPC status name other than OK"
          + " (UNKNOWN, NOT_FOUND, UNAVAILABLE, INTERNAL, ...), got " + shown(text));
    }
    return new Failure(status, m.group(2).trim());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> mapping(Object value, String at) {
    if (!(value instanceof Map<?, ?> map)) {
      throw bad(at, "must be a mapping");
    }
    for (Object key : map.keySet()) {
      if (!(key instanceof String)) {
        throw bad(at, "keys must be strings, got " + shown(String.valueOf(key)));
      }
    }
    return (Map<String, Object>) map;
  }

  private static List<?> list(Object value, String key) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> list)) {
      throw bad(key, "must be a list");
    }
    return list;
  }

  private static void checkKeys(Map<String, Object> map, Set<String> known, String prefix) {
    for (String key : map.keySet()) {
      if (!known.contains(key)) {
        throw bad(prefix + key(key), "unknown key (known: "
            + String.join(", ", known.stream().sorted().toList()) + ")");
      }
    }
  }

  private static String string(Map<String, Object> map, String key, String prefix, String fallback) {
    Object value = map.get(key);
    if (value == null && fallback != null && !map.containsKey(key)) {
      return fallback;
    }
    if (value instanceof Number || value instanceof Boolean) {
      // YAML reads 1.10 as a number: make the fix obvious rather than guess its spelling.
      throw bad(prefix + key, "must be a non-empty string (quote it: " + shown(String.valueOf(value))
          + ")");
    }
    if (!(value instanceof String s) || s.isBlank()) {
      throw bad(prefix + key, "must be a non-empty string");
    }
    return s;
  }

  private static boolean bool(Map<String, Object> map, String key, String prefix) {
    Object value = map.getOrDefault(key, false);
    if (!(value instanceof Boolean b)) {
      throw bad(prefix + key, "must be true or false");
    }
    return b;
  }

  private static long positiveLong(Map<String, Object> map, String key, String prefix, long fallback) {
    long value = wholeNumber(map, key, prefix, fallback, "must be a positive number");
    if (value <= 0) {
      throw bad(prefix + key, "must be a positive number");
    }
    return value;
  }

  private static long nonNegativeLong(Map<String, Object> map, String key, long fallback) {
    long value = wholeNumber(map, key, "", fallback, "must be a number >= 0");
    if (value < 0) {
      throw bad(key, "must be a number >= 0");
    }
    return value;
  }

  private static long wholeNumber(Map<String, Object> map, String key, String prefix, long fallback,
                                  String problem) {
    if (!map.containsKey(key)) {
      return fallback;
    }
    Object value = map.get(key);
    if (value instanceof Integer || value instanceof Long) {
      return ((Number) value).longValue();
    }
    if (value instanceof BigInteger) {
      throw bad(prefix + key, problem + " below 2^63");
    }
    throw bad(prefix + key, problem);
  }

  /** A key as messages name it: as written when plain, else quoted and escaped. */
  private static String key(String key) {
    return PLAIN_KEY.matcher(key).matches() ? key : shown(key);
  }

  /**
   * A caller's text inside a message: quoted, control characters escaped, cut at
   * {@link #SHOWN_CHARS}, so that a message stays one short line whatever the seed holds.
   */
  static String shown(String text) {
    String cut = text.length() > SHOWN_CHARS ? text.substring(0, SHOWN_CHARS) : text;
    StringBuilder quoted = new StringBuilder("\"");
    for (char c : cut.toCharArray()) {
      if (c == '"' || c == '\\') {
        quoted.append('\\').append(c);
      } else if (Character.isISOControl(c)) {
        quoted.append(String.format("\\u%04x", (int) c));
      } else {
        quoted.append(c);
      }
    }
    return quoted.append(cut.length() < text.length() ? "...\"" : "\"").toString();
  }

  /** A library's message on one line without control characters, at most {@code max} chars. */
  private static String printable(String text, int max) {
    String clean = text.replaceAll("\\p{Cntrl}", "?");
    return clean.length() > max ? clean.substring(0, max) + "..." : clean;
  }

  private static IllegalArgumentException bad(String key, String problem) {
    return new IllegalArgumentException(key + ": " + problem);
  }
}
