package org.checkpointgateway.fleet;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.checkpointgateway.support.Await;
import org.checkpointgateway.support.MainProcess;

/**
 * The fleet the process tests start: members n1, n2 and n3 as separate processes on loopback,
 * each with its own simulated runtime. n1 waits to be joined and the others join it
 * (docs/fleet.md: seeds that list each other and start seconds apart wait out Hazelcast's 10 s
 * mastership claim).
 */
final class FleetOfThree {

  /** A member's own flags (its seed, checkpoint directory, TLS files...), beside the common ones. */
  interface OwnFlags {
    List<String> of(String node) throws Exception;
  }

  private FleetOfThree() {
  }

  /**
   * Starts the three and returns once each serves and sees three members and their pods.
   * Failure detection is generous for a loaded 2-core machine; a kill is seen from the broken
   * connection anyway.
   */
  static List<MainProcess> start(Path dir, String cluster, Path secretFile, OwnFlags own)
      throws Exception {
    return start(dir, cluster, secretFile, List.of(), own);
  }

  /** The same, each member's JVM started with {@code jvm} besides its usual options. */
  static List<MainProcess> start(Path dir, String cluster, Path secretFile, List<String> jvm,
      OwnFlags own) throws Exception {
    List<MainProcess> members = new ArrayList<>();
    int seedPort = MainProcess.freePort();
    for (int i = 0; i < 3; i++) {
      String node = "n" + (i + 1);
      List<String> flags = new ArrayList<>(i == 0 ? List.of()
          : List.of("--cluster-members", "127.0.0.1:" + seedPort));
      flags.addAll(List.of("--cluster-name", cluster,
          "--cluster-port", Integer.toString(i == 0 ? seedPort : MainProcess.freePort()),
          "--node-name", node, "--cluster-failure-timeout", "10s",
          "--jwt-secret-file", secretFile.toString(), "--metrics-unauthenticated",
          "--shutdown-grace", "1"));
      flags.addAll(own.of(node));
      members.add(MainProcess.member(node, MainProcess.freePort(), flags, dir, jvm));
    }
    members.forEach(MainProcess::awaitServing);
    for (MainProcess member : members) {
      Await.until(member.name() + " to see three members and their pods", Duration.ofSeconds(60),
          Duration.ofMillis(200), () -> gauge(member, "fleet_members") == 3
              && gauge(member, "fleet_directory_pods") == 3);
    }
    return members;
  }

  /** A gauge of the member's /metrics, or -1 when it cannot be read. */
  static double gauge(MainProcess member, String name) {
    try {
      Matcher value = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*\\})? ([0-9.eE+-]+)$")
          .matcher(member.get("/metrics", "none").body());
      return value.find() ? Double.parseDouble(value.group(1)) : -1;
    } catch (AssertionError | RuntimeException e) {
      return -1;
    }
  }
}
