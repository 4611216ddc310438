package org.checkpointgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No package of the main code depends on one that depends on it, directly or through others:
 * each room can be read, tested and moved knowing only the rooms below it. Dependencies are read
 * from the sources, imports and fully qualified names alike (comments and string literals are
 * not code), so a reference written out in full cannot slip past.
 */
class PackageCycleTest {

  private static final Path MAIN = Path.of("src/main/java");
  private static final String ROOT = "org.checkpointgateway";
  private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
  /** A name of ours, up to its first upper-case part (the type), or {@code .*} of an import. */
  private static final Pattern REFERENCE = Pattern.compile(
      "(?<![\\w.])org\\.checkpointgateway((?:\\.[a-z_][\\w]*)*)\\.(?:[A-Z]|\\*)");
  /** Comments, text blocks, strings and characters, in the order a lexer meets them. */
  private static final Pattern NOT_CODE = Pattern.compile(
      "/\\*.*?\\*/|//[^\\n]*|\"\"\"(?:\\\\.|[^\\\\])*?\"\"\"|\"(?:\\\\.|[^\"\\\\\\n])*\"|'(?:\\\\.|[^'\\\\\\n])+'",
      Pattern.DOTALL);

  @Test
  void noPackageDependsOnOneThatDependsOnIt() {
    Map<String, Map<String, String>> graph = dependencies(MAIN);
    // The reader must see the edges it exists to find, or an empty graph would pass.
    assertThat(graph.get(ROOT + ".api")).containsKeys(ROOT + ".checkpoint", ROOT + ".auth");
    assertThat(graph.get(ROOT)).containsKey(ROOT + ".api");

    List<String> cycles = new ArrayList<>();
    for (Set<String> component : stronglyConnected(graph)) {
      if (component.size() > 1) {
        StringBuilder why = new StringBuilder(String.join(" <-> ", component) + ":");
        for (String from : component) {
          graph.get(from).forEach((to, file) -> {
            if (component.contains(to)) {
              why.append("\n  ").append(from).append(" -> ").append(to).append(" (").append(file)
                  .append(")");
            }
          });
        }
        cycles.add(why.toString());
      }
    }
    assertThat(cycles).as("package cycles").isEmpty();
  }

  @Test
  void theReaderCountsImportsAndFullNamesButNotCommentsOrStrings() {
    String source = """
        package org.checkpointgateway.a;

        import org.checkpointgateway.b.Thing;
        import static org.checkpointgateway.c.Util.helper;
        import org.checkpointgateway.d.*;
        // org.checkpointgateway.e.InAComment
        /** {@link org.checkpointgateway.f.InJavadoc} */
        class A {
          String text = "org.checkpointgateway.g.InAString";
          Object inline = new org.checkpointgateway.h.Inline();
          Object nested = org.checkpointgateway.i.Outer.Inner.VALUE;
          Object same = org.checkpointgateway.a.Same.VALUE;
        }
        """;
    assertThat(referencedPackages(source)).containsExactlyInAnyOrder(
        ROOT + ".b", ROOT + ".c", ROOT + ".d", ROOT + ".h", ROOT + ".i", ROOT + ".a");
  }

  @Test
  void aCycleThroughAThirdPackageIsFound() {
    Map<String, Map<String, String>> graph = Map.of(
        "a", Map.of("b", "A.java"), "b", Map.of("c", "B.java"), "c", Map.of("a", "C.java"),
        "d", Map.of("a", "D.java"));
    assertThat(stronglyConnected(graph)).filteredOn(component -> component.size() > 1)
        .containsExactly(new TreeSet<>(List.of("a", "b", "c")));
  }

  /** By package, the packages of ours it refers to, each with one file that does. */
  static Map<String, Map<String, String>> dependencies(Path sources) {
    Map<String, Map<String, String>> graph = new TreeMap<>();
    try (Stream<Path> files = Files.walk(sources)) {
      for (Path file : files.filter(path -> path.toString().endsWith(".java")).toList()) {
        String source = Files.readString(file);
        Matcher declared = PACKAGE.matcher(source);
        String from = declared.find() ? declared.group(1) : "";
        Map<String, String> edges = graph.computeIfAbsent(from, key -> new TreeMap<>());
        for (String to : referencedPackages(source)) {
          if (!to.equals(from)) {
            edges.putIfAbsent(to, sources.relativize(file).toString());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return graph;
  }

  static Set<String> referencedPackages(String source) {
    String code = NOT_CODE.matcher(source).replaceAll(" ");
    Set<String> packages = new TreeSet<>();
    Matcher reference = REFERENCE.matcher(code);
    while (reference.find()) {
      packages.add(ROOT + reference.group(1));
    }
    return packages;
  }

  /** Tarjan's strongly connected components: each set is a cycle when it holds two or more. */
  static List<Set<String>> stronglyConnected(Map<String, Map<String, String>> graph) {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new TreeSet<>();
    List<Set<String>> components = new ArrayList<>();
    for (String start : new TreeSet<>(graph.keySet())) {
      if (!index.containsKey(start)) {
        connect(start, graph, index, low, stack, onStack, components);
      }
    }
    return components;
  }

  private static void connect(String node, Map<String, Map<String, String>> graph,
      Map<String, Integer> index, Map<String, Integer> low, Deque<String> stack,
      Set<String> onStack, List<Set<String>> components) {
    index.put(node, index.size());
    low.put(node, index.get(node));
    stack.push(node);
    onStack.add(node);
    for (String next : graph.getOrDefault(node, Map.of()).keySet()) {
      if (!index.containsKey(next)) {
        connect(next, graph, index, low, stack, onStack, components);
        low.put(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.contains(next)) {
        low.put(node, Math.min(low.get(node), index.get(next)));
      }
    }
    if (low.get(node).equals(index.get(node))) {
      Set<String> component = new TreeSet<>();
      String member;
      do {
        member = stack.pop();
        onStack.remove(member);
        component.add(member);
      } while (!member.equals(node));
      components.add(component);
    }
  }
}
