package org.checkpointgateway.sim;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.CopyOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;

/**
 * The runtime's counters as a JSON file rewritten periodically, so that a process outside the
 * simulator's JVM (the load-test harness) can read its high-water marks. Each write goes to a
 * temporary file that then replaces the status file, so a reader never sees half a document.
 */
final class SimulatorStatus {

  private SimulatorStatus() {
  }

  static JsonObject of(SimulatedRuntime runtime) {
    SimulatedRuntime.BandwidthUse bandwidth = runtime.bandwidthUse();
    return new JsonObject()
        .put("timeMillis", System.currentTimeMillis())
        .put("active", runtime.activeCheckpoints())
        .put("activeBytes", runtime.activeBytes())
        .put("maxActive", runtime.maxActiveCheckpoints())
        .put("maxActiveBytes", runtime.maxActiveBytes())
        .put("completed", runtime.checkpointsCompleted())
        .put("cancelled", runtime.checkpointsCancelled())
        .put("failed", runtime.checkpointsFailed())
        .put("checkpointCalls", runtime.calls("CheckpointContainer"))
        .put("bandwidthBytesPerSecond", bandwidth.bytesPerSecond())
        .put("bandwidthBusySeconds", bandwidth.busySeconds())
        .put("bandwidthBytesUsed", bandwidth.bytesUsed());
  }

  /** Rewrites {@code file} every {@code intervalMillis} until the Vert.x instance closes. */
  static void writeEvery(Vertx vertx, SimulatedRuntime runtime, Path file, long intervalMillis) {
    String target = file.toAbsolutePath().toString();
    String temporary = target + ".tmp";
    boolean[] writing = {false};
    vertx.setPeriodic(1, intervalMillis, id -> {
      if (writing[0]) {
        return; // a slow disk: skip a beat rather than pile up writes
      }
      writing[0] = true;
      vertx.fileSystem().writeFile(temporary, Buffer.buffer(of(runtime).encode()))
          .compose(v -> vertx.fileSystem().move(temporary, target,
              new CopyOptions().setReplaceExisting(true).setAtomicMove(true)))
          .onComplete(done -> writing[0] = false);
    });
  }
}
