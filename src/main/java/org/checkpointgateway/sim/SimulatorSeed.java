package org.checkpointgateway.sim;

import io.vertx.grpc.common.GrpcStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import runtime.v1.ContainerState;
import runtime.v1.PodSandboxState;

/**
 * What the simulated runtime runs: its pods, their containers and how checkpoints of them behave.
 * Immutable and validated once; a bad value throws {@link IllegalArgumentException} whose message
 * starts with the offending key, e.g. {@code pods[0].containers[1].memoryBytes: must be a positive
 * number}, or with the source's name for YAML that cannot be read; always one short line, any
 * text of the seed it echoes quoted, escaped and cut (SeedReaderPropertyTest).
 *
 * @param bandwidthBytesPerSecond the bandwidth shared by all concurrent memory-sized checkpoints
 * @param unimplemented whether CheckpointContainer answers UNIMPLEMENTED (containerd 1.6/1.7)
 * @param pagesCapBytes the cap on the size of {@code checkpoint/pages-1.img} in archives
 * @param runtimeName the runtime name answered by Version
 * @param runtimeVersion the runtime version answered by Version
 * @param pods the pods, in seed order
 * @param writeArchives whether checkpoints write their archive (false: load tests of the caller,
 *     where the disk would be the bottleneck; an empty file stands in the archive's place)
 * @param instantCheckpoints whether checkpoints answer at once, without simulated time
 * @param http2MaxConcurrentStreams the streams one HTTP/2 connection to the runtime may carry
 */
public record SimulatorSeed(long bandwidthBytesPerSecond, boolean unimplemented, long pagesCapBytes,
                            String runtimeName, String runtimeVersion, List<Pod> pods,
                            boolean writeArchives, boolean instantCheckpoints,
                            int http2MaxConcurrentStreams) {

  public static final long DEFAULT_BANDWIDTH_BYTES_PER_SECOND = 1L << 30;
  public static final long DEFAULT_PAGES_CAP_BYTES = 1L << 20;
  public static final String DEFAULT_RUNTIME_NAME = "checkpoint-gateway-simulator";
  public static final String DEFAULT_RUNTIME_VERSION = "0.1.0";
  /** Netty's and Vert.x's default: what most gRPC servers announce. */
  public static final int DEFAULT_HTTP2_MAX_CONCURRENT_STREAMS = 100;

  /** The classpath copy of {@code conf/simulator.yaml}. */
  static final String DEFAULT_SEED_RESOURCE = "simulator.yaml";

  public SimulatorSeed {
    Objects.requireNonNull(runtimeName);
    Objects.requireNonNull(runtimeVersion);
    pods = List.copyOf(pods);
  }

  /**
   * A pod sandbox.
   *
   * @param uid the pod uid, generated from namespace and name when the seed gives none
   * @param state {@code SANDBOX_READY} unless the seed says {@code notready}
   */
  public record Pod(String namespace, String name, String uid, PodSandboxState state,
                    List<Container> containers) {
    public Pod {
      containers = List.copyOf(containers);
    }
  }

  /**
   * A container of a pod.
   *
   * @param memoryBytes the memory the container uses: its working set, and what a checkpoint
   *     writes (0 when the seed gives none)
   * @param checkpointSeconds a fixed checkpoint duration that replaces memory/bandwidth, if set
   * @param failure the status CheckpointContainer answers instead of checkpointing, if set
   * @param state {@code CONTAINER_RUNNING}, {@code CONTAINER_EXITED} or {@code CONTAINER_CREATED}
   */
  public record Container(String name, long memoryBytes, Optional<Double> checkpointSeconds,
                          Optional<Failure> failure, ContainerState state) {
  }

  /** A gRPC status and message that a checkpoint answers instead of succeeding. */
  public record Failure(GrpcStatus status, String message) {
  }

  /**
   * Parses and validates a seed.
   *
   * @param yaml the YAML text
   * @param sourceName names the source in messages about unreadable YAML
   * @throws IllegalArgumentException naming the key of the first bad value
   */
  public static SimulatorSeed parse(String yaml, String sourceName) {
    return SeedReader.read(yaml, sourceName);
  }

  /**
   * Reads, parses and validates a seed file.
   *
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException naming the key of the first bad value
   */
  public static SimulatorSeed load(Path file) throws IOException {
    return parse(Files.readString(file), file.toString());
  }

  /** The default seed shipped with the gateway (the classpath copy of conf/simulator.yaml). */
  public static SimulatorSeed defaultSeed() {
    return parse(defaultSeedText(), "classpath:" + DEFAULT_SEED_RESOURCE);
  }

  static String defaultSeedText() {
    try (InputStream in = SimulatorSeed.class.getResourceAsStream(DEFAULT_SEED_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("default seed missing from the classpath: " + DEFAULT_SEED_RESOURCE);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The number of containers over all pods. */
  public int containerCount() {
    return pods.stream().mapToInt(p -> p.containers().size()).sum();
  }
}
