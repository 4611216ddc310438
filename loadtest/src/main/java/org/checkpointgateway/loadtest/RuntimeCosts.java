package org.checkpointgateway.loadtest;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.checkpointgateway.archive.ArchiveDirectory;
import org.checkpointgateway.cri.GrpcUnaryCall;
import org.checkpointgateway.sim.SimulatedRuntime;
import runtime.v1.CheckpointContainerRequest;
import runtime.v1.RuntimeServiceGrpcClient;

/**
 * The simulated runtime's own CPU per instant checkpoint, by what the caller asks of it: a fixed
 * archive location or a fresh one per checkpoint (as the gateway asks, each checkpoint its own
 * archive), with or without a {@code grpc-timeout} (the gateway's CRI deadline). The simulator is
 * its own process, driven straight over its socket; its CPU is read from {@code /proc} over each
 * measured window, the variants taken in turn round by round (a noisy moment hits them alike).
 * CPU per request is far steadier than throughput on a shared machine:
 * {@code java -cp checkpoint-gateway.jar:checkpoint-gateway-loadtest.jar
 * org.checkpointgateway.loadtest.RuntimeCosts [SECONDS_PER_POINT [ROUNDS [IN_FLIGHT]]]};
 * {@code RUNTIME_COSTS_JFR=FILE} records the simulator with Java Flight Recorder.
 */
public final class RuntimeCosts {

  private static final String CONTAINER = SimulatedRuntime.containerId("default", "bench", "app");

  private RuntimeCosts() {
  }

  private record Variant(String name, boolean freshLocation, boolean grpcTimeout) {
  }

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int inFlight = args.length > 2 ? Integer.parseInt(args[2]) : 64;
    Path jar = Path.of(SimulatedRuntime.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    // The same kind of place as the load tests' instant archives (loadtest/run's LOADTEST_SCRATCH).
    Path shm = Path.of("/dev/shm");
    Path work = Files.createTempDirectory(Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir")),
        "runtime-costs");
    Path socket = work.resolve("cri.sock");
    Path archives = Files.createDirectories(work.resolve("checkpoints"));
    Files.writeString(work.resolve("seed.yaml"), Overhead.SEED, StandardCharsets.UTF_8);
    Vertx vertx = Vertx.vertx();
    List<String> jvm = new ArrayList<>(Run.SIMULATOR_JVM);
    String jfr = System.getenv("RUNTIME_COSTS_JFR");
    if (jfr != null) {
      jvm.add("-XX:StartFlightRecording=filename=" + jfr + ",settings=profile");
    }
    try (Child sim = Child.java("simulator", work, work.resolve("pids"), jvm, List.of(
        "-jar", jar.toString(), "simulate", "--socket", socket.toString(),
        "--pods", work.resolve("seed.yaml").toString()))) {
      Stack.waitFor("the simulator's socket", sim, () -> Files.exists(socket));
      GrpcClient grpc = GrpcUnaryCall.client(vertx, 1);
      SocketAddress address = SocketAddress.domainSocketAddress(socket.toString());
      ArchiveDirectory names = new ArchiveDirectory(vertx, archives);
      Generator generator = new Generator(vertx, 2);
      List<Variant> variants = List.of(
          new Variant("fixed location, no grpc-timeout", false, false),
          new Variant("fixed location, grpc-timeout", false, true),
          new Variant("fresh location, no grpc-timeout", true, false),
          new Variant("fresh location, grpc-timeout (the gateway)", true, true));
      System.out.printf(Locale.ROOT, "simulator pid %d, %d in flight, %d s per point, %d rounds%n",
          sim.pid(), inFlight, seconds, rounds);
      for (Variant variant : variants) {
        // Warm the simulator's JIT on every variant before anything counts.
        point(generator, call(grpc, address, names, variant), inFlight, 8, sim.pid());
        clear(archives, false);
      }
      double[][] cpu = new double[variants.size()][rounds];
      for (int round = 0; round < rounds; round++) {
        for (int v = 0; v < variants.size(); v++) {
          cpu[v][round] = point(generator, call(grpc, address, names, variants.get(v)), inFlight, seconds, sim.pid());
          clear(archives, false);
        }
      }
      for (int v = 0; v < variants.size(); v++) {
        double[] sorted = cpu[v].clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "  %-45s simulator CPU per request: median %.4f ms  (rounds %s)%n",
            variants.get(v).name(), sorted[sorted.length / 2], Arrays.toString(round(cpu[v])));
      }
      grpc.close().await();
    } finally {
      vertx.close().await();
      clear(work, true);
    }
  }

  private static Call call(GrpcClient grpc, SocketAddress address, ArchiveDirectory names, Variant variant) {
    String fixed = names.path().resolve("fixed.tar").toString();
    return () -> {
      String location = variant.freshLocation()
          ? names.newArchivePath("default", "bench", "app").toString() : fixed;
      CheckpointContainerRequest message = CheckpointContainerRequest.newBuilder()
          .setContainerId(CONTAINER).setLocation(location).setTimeout(120).build();
      return grpc.request(address, RuntimeServiceGrpcClient.CheckpointContainer)
          .compose(request -> {
            if (variant.grpcTimeout()) {
              request.timeout(120, TimeUnit.SECONDS);
            }
            return request.send(message);
          })
          .compose(GrpcClientResponse::last)
          .<Void>mapEmpty()
          .recover(failure -> Future.failedFuture(new Call.Failure("CRI " + Call.describe(failure))));
    };
  }

  /** The simulator's CPU in ms per answered request over one measured window. */
  private static double point(Generator generator, Call call, int inFlight, int seconds, long pid) throws Exception {
    double[] cpu = new double[2];
    Generator.Point point = generator.closed(call, inFlight, Duration.ofSeconds(1), Duration.ofSeconds(seconds),
        Duration.ofSeconds(30), () -> cpu[0] = Cpu.seconds(pid), () -> cpu[1] = Cpu.seconds(pid));
    if (!point.clean()) {
      throw new IllegalStateException("errors " + point.errors() + ", lost " + point.lost());
    }
    return (cpu[1] - cpu[0]) * 1000 / point.succeeded();
  }

  private static double[] round(double[] values) {
    return Arrays.stream(values).map(v -> Math.round(v * 10000) / 10000.0).toArray();
  }

  /** Empties a directory (the archives between points), or removes it (the work directory at the end). */
  private static void clear(Path directory, boolean itself) throws IOException {
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(directory)) {
      paths = new ArrayList<>(walk.sorted(Comparator.reverseOrder()).toList());
    }
    for (Path path : paths) {
      if (itself || !path.equals(directory)) {
        Files.deleteIfExists(path);
      }
    }
  }
}
