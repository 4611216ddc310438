package org.checkpointgateway.sim;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;

/**
 * A simulated container runtime: a real CRI gRPC server on a unix socket answering Version,
 * ListPodSandbox, ListContainers, ContainerStatus, ContainerStats, ListContainerStats and
 * CheckpointContainer for the pods of a {@link SimulatorSeed}. Checkpoints take simulated time
 * (memory over a shared bandwidth, or a fixed duration), honour the caller's deadline and
 * cancellation, and write a real checkpoint archive that grows while they run.
 *
 * <p>Counters and observations may be read from any thread.
 */
public final class SimulatedRuntime {

  private final Vertx vertx;
  private final Path socketPath;
  private final RuntimeVerticle verticle;
  private final String deploymentId;

  private SimulatedRuntime(Vertx vertx, Path socketPath, RuntimeVerticle verticle, String deploymentId) {
    this.vertx = vertx;
    this.socketPath = socketPath;
    this.verticle = verticle;
    this.deploymentId = deploymentId;
  }

  /**
   * Starts serving on {@code socketPath}. A socket file nobody answers on is removed first; the
   * start fails when a live server answers there or the path is not a socket.
   */
  public static Future<SimulatedRuntime> start(Vertx vertx, SimulatorSeed seed, Path socketPath) {
    Path path = socketPath.toAbsolutePath();
    RuntimeVerticle verticle = new RuntimeVerticle(seed, path);
    return SocketPathGuard.claim(vertx, path)
        .compose(v -> vertx.deployVerticle(verticle))
        .map(id -> new SimulatedRuntime(vertx, path, verticle, id));
  }

  /**
   * Stops serving: running checkpoints are stopped (their callers get UNAVAILABLE) and their
   * archives deleted, the server closes and the socket file is removed. {@link #start} may then
   * serve on the same path again.
   */
  public Future<Void> close() {
    return vertx.undeploy(deploymentId);
  }

  /** The socket this runtime serves on (absolute). */
  public Path socketPath() {
    return socketPath;
  }

  /**
   * Starts more pods, as pods come and go on a real node; their names must be new. The returned
   * Future completes once lookups see them.
   */
  public Future<Void> addPods(SimulatorSeed more) {
    return verticle.addPods(more);
  }

  /** Whether CheckpointContainer answers UNIMPLEMENTED from now on (like containerd 1.6/1.7). */
  public void setUnimplemented(boolean unimplemented) {
    verticle.checkpoints().setUnimplemented(unimplemented);
  }

  /** How many checkpoints are running now (including ones still deleting their archive). */
  public int activeCheckpoints() {
    return verticle.ledger().active.get();
  }

  /** The container memory being checkpointed now. */
  public long activeBytes() {
    return verticle.ledger().activeBytes.get();
  }

  /**
   * The simulated bandwidth: bytes per second, seconds during which some checkpoint used it, and
   * bytes of work done with it so far.
   */
  public record BandwidthUse(long bytesPerSecond, double busySeconds, double bytesUsed) {
  }

  /** How the shared bandwidth was used so far. */
  public BandwidthUse bandwidthUse() {
    SharedBandwidth bandwidth = verticle.checkpoints().bandwidth();
    return new BandwidthUse(bandwidth.bytesPerSecond(), bandwidth.busyNanos() / 1e9, bandwidth.bytesUsed());
  }

  /** The most checkpoints that ever ran at once. */
  public int maxActiveCheckpoints() {
    return verticle.ledger().maxActive.get();
  }

  /** The most container memory that was ever being checkpointed at once. */
  public long maxActiveBytes() {
    return verticle.ledger().maxActiveBytes.get();
  }

  /** How many checkpoints wrote their archive and answered OK. */
  public long checkpointsCompleted() {
    return verticle.ledger().completed.get();
  }

  /** How many checkpoints were stopped by a client cancel, a deadline or {@link #close()}. */
  public long checkpointsCancelled() {
    return verticle.ledger().cancelled.get();
  }

  /** How many CheckpointContainer calls answered an error status. */
  public long checkpointsFailed() {
    return verticle.ledger().failed.get();
  }

  /** How many calls of a CRI method (e.g. {@code "ListContainers"}) arrived. */
  public long calls(String methodName) {
    return verticle.ledger().calls(methodName);
  }

  /** The most recent ended CheckpointContainer calls, oldest first (at most 10 000). */
  public List<CheckpointObservation> observations() {
    return verticle.ledger().observations();
  }

  /** Completes when the next CheckpointContainer call (after this one is registered) ends. */
  public Future<CheckpointObservation> nextCheckpointEnded() {
    return verticle.ledger().next();
  }

  /** Completes when a CheckpointContainer call for {@code location} has ended (or already had). */
  public Future<CheckpointObservation> checkpointEnded(String location) {
    return verticle.ledger().endedAt(location);
  }

  /** The id the runtime gives a container of the seed (64 hex characters, stable). */
  public static String containerId(String namespace, String pod, String container) {
    return SimulatedPods.sha256Hex(namespace + "/" + pod + "/" + container);
  }

  /** The id the runtime gives a pod sandbox of the seed (64 hex characters, stable). */
  public static String sandboxId(String namespace, String pod) {
    return SimulatedPods.sha256Hex(namespace + "/" + pod);
  }
}
