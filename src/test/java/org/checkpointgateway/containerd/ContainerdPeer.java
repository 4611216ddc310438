package org.checkpointgateway.containerd;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.checkpointgateway.cri.GrpcUnaryCall;
import org.checkpointgateway.support.Await;
import runtime.v1.ContainerConfig;
import runtime.v1.ContainerMetadata;
import runtime.v1.CreateContainerRequest;
import runtime.v1.ImageSpec;
import runtime.v1.LinuxContainerConfig;
import runtime.v1.LinuxContainerSecurityContext;
import runtime.v1.LinuxPodSandboxConfig;
import runtime.v1.LinuxSandboxSecurityContext;
import runtime.v1.NamespaceMode;
import runtime.v1.NamespaceOption;
import runtime.v1.PodSandboxConfig;
import runtime.v1.PodSandboxMetadata;
import runtime.v1.RemovePodSandboxRequest;
import runtime.v1.RunPodSandboxRequest;
import runtime.v1.RuntimeServiceGrpcClient;
import runtime.v1.StartContainerRequest;
import runtime.v1.StopPodSandboxRequest;

/**
 * One of the containerd test peers that {@code .ci/containerd/setup} starts (containerd 1.6 and
 * containerd 2.x), driven over CRI the way the kubelet drives it: pods with the kubelet's labels
 * on the host network, containers with the kubelet's labels and their own PID namespace. Every
 * pod made is stopped and removed by {@link #close}.
 *
 * <p>Where the peer is not there (no setup run, not root) the tests are skipped with the reason;
 * with {@code CHECKPOINT_GATEWAY_REQUIRE_CONTAINERD=1} (as {@code .ci/run} sets) they fail.
 */
final class ContainerdPeer implements AutoCloseable {

  static final String REQUIRE = "CHECKPOINT_GATEWAY_REQUIRE_CONTAINERD";
  static final String CGROUP_PARENT = "/checkpoint-gateway-tests";
  static final Path DEFAULT_ENV_FILE = Path.of("/tmp/checkpoint-gateway-containerd/env");
  private static final java.util.concurrent.atomic.AtomicBoolean CRIU_SAID =
      new java.util.concurrent.atomic.AtomicBoolean();
  private static final java.util.concurrent.atomic.AtomicBoolean SKIP_SAID =
      new java.util.concurrent.atomic.AtomicBoolean();
  private static final Pattern GRPC_CODE = Pattern.compile("grpc_code=\"([^\"]*)\"");

  /** The peers setup starts, by the prefix of their keys in the env file. */
  enum Version {
    /** Debian 12's containerd 1.6: CRI CheckpointContainer is UNIMPLEMENTED; the task API works. */
    V1_6("CHECKPOINT_GATEWAY_CONTAINERD_", "1.6."),
    /** Debian sid's containerd 2.x: CRI CheckpointContainer writes the archive itself. */
    V2("CHECKPOINT_GATEWAY_CONTAINERD2_", "2.");

    final String envPrefix;
    /** What CRI Version's runtime_version starts with. */
    final String versionPrefix;

    Version(String envPrefix, String versionPrefix) {
      this.envPrefix = envPrefix;
      this.versionPrefix = versionPrefix;
    }
  }

  final Version version;
  final Path socket;
  final Path state;
  final Path criu;
  final String image;
  final Path logs;
  // Why CRIU cannot dump on this machine (the setup's probe); empty when it can.
  private final String criuCannotDump;
  private final URI metrics;
  private final Vertx vertx;
  private final GrpcClient grpc;
  private final RuntimeServiceGrpcClient cri;
  private final List<String> sandboxes = Collections.synchronizedList(new ArrayList<>());

  /** A pod and one running container in it. */
  record Pod(String namespace, String name, String uid, String sandboxId, String containerName,
      String containerId, Path log) {
  }

  private ContainerdPeer(Vertx vertx, Version version, Properties env, Path logs) {
    this.vertx = vertx;
    this.version = version;
    this.socket = Path.of(env.getProperty(version.envPrefix + "SOCKET"));
    this.state = Path.of(env.getProperty(version.envPrefix + "STATE"));
    this.metrics = URI.create(env.getProperty(version.envPrefix + "METRICS"));
    this.criu = Path.of(env.getProperty("CHECKPOINT_GATEWAY_CRIU"));
    this.image = env.getProperty("CHECKPOINT_GATEWAY_TEST_IMAGE");
    this.criuCannotDump = criuCannotDump(env.getProperty("CHECKPOINT_GATEWAY_CRIU_CANNOT_DUMP_FILE"));
    this.logs = logs;
    this.grpc = GrpcUnaryCall.client(vertx, 1);
    this.cri = RuntimeServiceGrpcClient.create(grpc, SocketAddress.domainSocketAddress(socket.toString()));
  }

  /**
   * The peer of that version, or a skipped test (a failed one under
   * {@code CHECKPOINT_GATEWAY_REQUIRE_CONTAINERD=1}) with the reason it is not available.
   */
  static ContainerdPeer connect(Vertx vertx, Version version, Path logs) {
    String envFile = System.getenv().getOrDefault("CHECKPOINT_GATEWAY_CONTAINERD_ENV",
        DEFAULT_ENV_FILE.toString());
    String reason = null;
    Properties env = new Properties();
    if (!"root".equals(System.getProperty("user.name"))) {
      reason = "they need root";
    } else if (!Files.isReadable(Path.of(envFile))) {
      reason = "no containerd test peer (" + envFile + " is missing)";
    } else {
      try (var in = Files.newInputStream(Path.of(envFile))) {
        env.load(in);
      } catch (IOException e) {
        reason = "cannot read " + envFile + ": " + e;
      }
      String socket = env.getProperty(version.envPrefix + "SOCKET", "");
      if (reason == null && (socket.isEmpty() || env.getProperty(version.envPrefix + "METRICS") == null)) {
        reason = "no containerd " + version.versionPrefix + "x peer in " + envFile;
      } else if (reason == null && !Files.exists(Path.of(socket))) {
        reason = "no containerd on " + socket;
      }
    }
    if (reason != null) {
      skip(reason);
    }
    ContainerdPeer peer = new ContainerdPeer(vertx, version, env, logs);
    try {
      Await.result(peer.cri.version(runtime.v1.VersionRequest.newBuilder().setVersion("v1").build()));
    } catch (AssertionError e) {
      peer.close();
      skip("containerd on " + peer.socket + " does not answer: " + e.getMessage());
    }
    return peer;
  }

  /** What the setup's probe wrote when CRIU could not dump (no file: it could). */
  private static String criuCannotDump(String file) {
    try {
      return file == null || !Files.exists(Path.of(file)) ? "" : Files.readString(Path.of(file)).strip();
    } catch (IOException e) {
      return "cannot read " + file + ": " + e;
    }
  }

  /**
   * For a test that needs CRIU to dump a process: skipped, with the reason, when the setup's
   * probe found that CRIU cannot dump even a plain process on this machine's kernel (whatever
   * the runtime; the peers themselves are there, and the tests that need no dump still run).
   * Said once on the console, under {@link #REQUIRE} too: the machine, not the gateway, fails.
   */
  void requireCriuDump() {
    if (!criuCannotDump.isEmpty()) {
      if (CRIU_SAID.compareAndSet(false, true)) {
        System.out.println("containerd tests that need a real dump skipped: " + criuCannotDump);
      }
      assumeTrue(false, "CRIU cannot dump on this machine: " + criuCannotDump);
    }
  }

  /**
   * Skips the test (fails it under {@link #REQUIRE}), and says so once on the console: Maven
   * shows only a count of skipped tests, and the reason is in a report file nobody opens.
   */
  private static void skip(String reason) {
    if ("1".equals(System.getenv(REQUIRE))) {
      fail(REQUIRE + "=1 but " + reason);
    }
    if (SKIP_SAID.compareAndSet(false, true)) {
      System.out.println("containerd tests skipped: " + reason + "; to run them: "
          + "sudo .ci/containerd/setup, then mvn -B verify as root (.ci/run does both)");
    }
    assumeTrue(false, reason);
  }

  /**
   * How many calls of {@code service}/{@code method} containerd's gRPC server has handled so far,
   * by gRPC code: its own Prometheus counter {@code grpc_server_handled_total}, which sees every
   * call on its socket, whoever made it.
   */
  Map<String, Long> served(String service, String method) {
    HttpResponse<String> scrape;
    try {
      scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError("containerd's metrics at " + metrics + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    if (scrape.statusCode() != 200) {
      throw new AssertionError("containerd's metrics at " + metrics + " answered " + scrape.statusCode());
    }
    Map<String, Long> byCode = new TreeMap<>();
    for (String line : scrape.body().split("\n")) {
      if (line.startsWith("grpc_server_handled_total{")
          && line.contains("grpc_service=\"" + service + "\"")
          && line.contains("grpc_method=\"" + method + "\"")) {
        Matcher code = GRPC_CODE.matcher(line);
        long value = (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        if (code.find() && value > 0) {
          byCode.put(code.group(1), value);
        }
      }
    }
    return byCode;
  }

  String endpoint() {
    return "unix://" + socket;
  }

  /**
   * Runs a pod {@code namespace/name} with one container {@code container} running
   * {@code command}, as the kubelet would create them.
   */
  Pod runPod(String namespace, String name, String container, List<String> command) {
    String uid = UUID.randomUUID().toString();
    Path logDirectory = logs.resolve(namespace + "_" + name + "_" + uid);
    PodSandboxConfig sandboxConfig = PodSandboxConfig.newBuilder()
        .setMetadata(PodSandboxMetadata.newBuilder().setName(name).setNamespace(namespace)
            .setUid(uid).setAttempt(0))
        .setLogDirectory(logDirectory.toString())
        .putAllLabels(Map.of("io.kubernetes.pod.name", name,
            "io.kubernetes.pod.namespace", namespace, "io.kubernetes.pod.uid", uid))
        .putAnnotations("kubernetes.io/config.source", "api")
        .setLinux(LinuxPodSandboxConfig.newBuilder()
            // Like the kubelet's /kubepods/..., one parent that teardown can remove.
            .setCgroupParent(CGROUP_PARENT + "/pod" + uid)
            .setSecurityContext(LinuxSandboxSecurityContext.newBuilder()
                .setNamespaceOptions(NamespaceOption.newBuilder()
                    .setNetwork(NamespaceMode.NODE)
                    .setPid(NamespaceMode.CONTAINER)
                    .setIpc(NamespaceMode.POD))))
        .build();
    String sandboxId = Await.result(cri.runPodSandbox(
        RunPodSandboxRequest.newBuilder().setConfig(sandboxConfig).build())).getPodSandboxId();
    sandboxes.add(sandboxId);
    ContainerConfig config = ContainerConfig.newBuilder()
        .setMetadata(ContainerMetadata.newBuilder().setName(container).setAttempt(0))
        .setImage(ImageSpec.newBuilder().setImage(image))
        .addAllCommand(command)
        .putAllLabels(Map.of("io.kubernetes.pod.name", name,
            "io.kubernetes.pod.namespace", namespace, "io.kubernetes.pod.uid", uid,
            "io.kubernetes.container.name", container))
        .putAnnotations("io.kubernetes.container.restartCount", "0")
        .setLogPath(container + "/0.log")
        .setLinux(LinuxContainerConfig.newBuilder()
            .setSecurityContext(LinuxContainerSecurityContext.newBuilder()
                .setNamespaceOptions(NamespaceOption.newBuilder()
                    .setNetwork(NamespaceMode.NODE)
                    .setPid(NamespaceMode.CONTAINER)
                    .setIpc(NamespaceMode.POD))))
        .build();
    String containerId = Await.result(cri.createContainer(CreateContainerRequest.newBuilder()
        .setPodSandboxId(sandboxId).setConfig(config).setSandboxConfig(sandboxConfig).build()))
        .getContainerId();
    Await.result(cri.startContainer(StartContainerRequest.newBuilder()
        .setContainerId(containerId).build()));
    return new Pod(namespace, name, uid, sandboxId, container, containerId,
        logDirectory.resolve(container + "/0.log"));
  }

  /** The CRI log lines' messages (after {@code <time> stdout F }). */
  static List<String> logMessages(Path log) {
    try {
      if (!Files.exists(log)) {
        return List.of();
      }
      return Files.readAllLines(log).stream()
          .map(line -> line.split(" ", 4))
          .filter(parts -> parts.length == 4)
          .map(parts -> parts[3])
          .toList();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** The last counter value the container printed, or 0. */
  static long lastCount(Path log) {
    List<String> lines = logMessages(log);
    for (int i = lines.size() - 1; i >= 0; i--) {
      if (lines.get(i).matches("\\d+")) {
        return Long.parseLong(lines.get(i));
      }
    }
    return 0;
  }

  Future<Boolean> running(String containerId) {
    return cri.containerStatus(runtime.v1.ContainerStatusRequest.newBuilder()
            .setContainerId(containerId).build())
        .map(status -> status.getStatus().getState() == runtime.v1.ContainerState.CONTAINER_RUNNING);
  }

  void removePod(String sandboxId) {
    Await.result(cri.stopPodSandbox(StopPodSandboxRequest.newBuilder()
        .setPodSandboxId(sandboxId).build()));
    Await.result(cri.removePodSandbox(RemovePodSandboxRequest.newBuilder()
        .setPodSandboxId(sandboxId).build()));
    sandboxes.remove(sandboxId);
  }

  @Override
  public void close() {
    for (String sandbox : List.copyOf(sandboxes)) {
      try {
        removePod(sandbox);
      } catch (AssertionError e) {
        System.err.println("could not remove test pod " + sandbox + ": " + e.getMessage());
      }
    }
    Await.result(grpc.close());
  }
}
