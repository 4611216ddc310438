package org.checkpointgateway.sim;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code simulate}: serves a simulated container runtime on a unix socket until the JVM stops.
 * Exit code 2, with one line on stderr, for an unreadable or invalid seed.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
    description = "Serve a simulated CRI container runtime on a unix socket until stopped.")
public final class SimulateCommand implements Callable<Integer> {

  /** Exit code for a bad seed, like picocli's usage errors. */
  public static final int EXIT_BAD_SEED = 2;
  private static final int CLOSE_TIMEOUT_SECONDS = 10;
  private static final long STATUS_INTERVAL_MILLIS = 100;

  @Option(names = "--socket", required = true, paramLabel = "PATH",
      description = "Unix socket to serve on, e.g. /tmp/cri-sim.sock.")
  Path socket;

  @Option(names = "--pods", paramLabel = "FILE",
      description = "Seed YAML with the pods and checkpoint behaviours (default: the built-in conf/simulator.yaml).")
  Path pods;

  @Option(names = "--status-file", paramLabel = "FILE",
      description = "Write the runtime's counters as JSON to FILE every 100 ms (for load tests).")
  Path statusFile;

  @Spec
  CommandSpec spec;

  private final PrintWriter out;
  private PrintWriter err;

  /** For picocli: errors go to the command line's error writer, like its own usage errors. */
  public SimulateCommand() {
    this.out = new PrintWriter(System.out, true);
  }

  SimulateCommand(PrintStream out, PrintStream err) {
    this.out = new PrintWriter(out, true);
    this.err = new PrintWriter(err, true);
  }

  /** A running simulator and the Vert.x it runs on. */
  record Serving(Vertx vertx, SimulatedRuntime runtime) {
  }

  /** Starts the runtime on a Vert.x of its own (epoll when available) and says where it serves. */
  Serving serve(SimulatorSeed seed) throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    SimulatedRuntime runtime;
    try {
      runtime = SimulatedRuntime.start(vertx, seed, socket).await();
    } catch (Exception e) {
      vertx.close();
      throw e;
    }
    out.printf("simulated CRI runtime serving on unix://%s (transport %s), %d pods, %d containers%n",
        runtime.socketPath(), vertx.isNativeTransportEnabled() ? "epoll" : "NIO",
        seed.pods().size(), seed.containerCount());
    return new Serving(vertx, runtime);
  }

  @Override
  public Integer call() throws Exception {
    if (err == null) {
      err = spec.commandLine().getErr();
    }
    SimulatorSeed seed;
    try {
      seed = pods == null ? SimulatorSeed.defaultSeed() : SimulatorSeed.load(pods);
    } catch (NoSuchFileException e) {
      err.println("simulate: --pods " + pods + ": no such file");
      return EXIT_BAD_SEED;
    } catch (IOException e) {
      err.println("simulate: --pods " + pods + ": cannot read: " + e.getMessage());
      return EXIT_BAD_SEED;
    } catch (IllegalArgumentException e) {
      String source = pods == null ? "built-in seed" : pods.toString();
      String problem = e.getMessage();
      err.println("simulate: " + (problem.startsWith(source) ? problem : source + ": " + problem));
      return EXIT_BAD_SEED;
    }
    Serving serving;
    try {
      serving = serve(seed);
    } catch (Exception e) {
      err.println("simulate: " + e.getMessage());
      return 1;
    }
    Vertx vertx = serving.vertx();
    SimulatedRuntime runtime = serving.runtime();
    if (statusFile != null) {
      SimulatorStatus.writeEvery(vertx, runtime, statusFile, STATUS_INTERVAL_MILLIS);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        // Awaited one by one: a future chained on the runtime's context would complete on an
        // event loop that vertx.close() has already terminated.
        runtime.close().await(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        vertx.close().await(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (Exception e) {
        err.println("simulate: closing: " + e.getMessage());
      } finally {
        stopped.countDown();
      }
    }, "simulate-shutdown"));
    stopped.await();
    return 0;
  }
}
