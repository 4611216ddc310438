package org.checkpointgateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.checkpointgateway.cli.ArchivesCommand;
import org.checkpointgateway.cli.CheckpointCommand;
import org.checkpointgateway.cli.JobsCommand;
import org.checkpointgateway.cli.NodesCommand;
import org.checkpointgateway.cli.TokenCommand;
import org.checkpointgateway.config.ConfigException;
import org.checkpointgateway.units.Durations;
import org.checkpointgateway.config.GatewayOptions;
import org.checkpointgateway.config.OptionTable;
import org.checkpointgateway.config.Settings;
import org.checkpointgateway.fleet.HazelcastSetup;
import org.checkpointgateway.metrics.GatewayMetrics;
import org.checkpointgateway.metrics.StartClock;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.checkpointgateway.sim.SimulateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar checkpoint-gateway.jar [options]} serves the API;
 * {@code simulate} runs only the simulated runtime. Usage errors and bad settings print one line
 * and exit with code 2.
 */
@Command(name = "checkpoint-gateway", mixinStandardHelpOptions = true,
    version = "checkpoint-gateway 0.1.0",
    description = "Serves the Kubelet Checkpoint API over a CRI runtime.",
    subcommands = {SimulateCommand.class,
        // the command-line client
        CheckpointCommand.class, ArchivesCommand.class, TokenCommand.class,
        NodesCommand.class, JobsCommand.class,
        // the start a class-data-sharing archive is made from
        CdsTrainingCommand.class})
public final class Main implements Callable<Integer> {

  static final int EXIT_USAGE = 2;
  static final long STOP_WAIT_SECONDS = 15;
  private static final long CLUSTER_START_SECONDS = 60;
  private static long mainEntered;

  @Option(names = "--config", paramLabel = "FILE", description = "YAML settings (conf/gateway.yaml documents every key); flags override it")
  Path config;
  @Spec
  CommandSpec spec;

  public static void main(String[] args) {
    // Before anything logs: keeps the log working while the stop hook runs (see StopLogManager).
    System.setProperty("java.util.logging.manager", StopLogManager.class.getName());
    // Netty 4.2 sets up JFR events on its first buffer allocation, stalling an event loop for
    // hundreds of milliseconds; we do not use those events.
    System.setProperty("io.netty.jfr.enabled", System.getProperty("io.netty.jfr.enabled", "false"));
    System.setProperty("java.util.logging.SimpleFormatter.format",
        "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n");
    // Logged once the server starts (call()): the client commands print nothing of it.
    mainEntered = StartClock.now();
    int code = commandLine().execute(args);
    // A started gateway or simulator keeps running on Vert.x's threads after main returns.
    if (code != 0) {
      System.exit(code);
    }
  }

  static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new Main());
    for (org.checkpointgateway.config.Option<?> option : OptionTable.ALL) {
      if (option.flag() != null) {
        commandLine.getCommandSpec().addOption(flag(option));
      }
    }
    commandLine.setParameterExceptionHandler((error, args) -> {
      // One line that names the flag, not a page of usage.
      PrintWriter err = error.getCommandLine().getErr();
      err.println("checkpoint-gateway: " + error.getMessage() + " (see --help)");
      return EXIT_USAGE;
    });
    commandLine.setExecutionExceptionHandler((error, cmd, parsed) -> {
      if (error instanceof ConfigException) {
        cmd.getErr().println("checkpoint-gateway: " + error.getMessage());
        return EXIT_USAGE;
      }
      throw error;
    });
    return commandLine;
  }

  /** A flag of the table: a switch, a repeatable value, or one value, kept as text. */
  private static OptionSpec flag(org.checkpointgateway.config.Option<?> option) {
    OptionSpec.Builder flag = OptionSpec.builder(option.flag()).description(option.description());
    if (option.isSwitch()) {
      return flag.arity("0").type(boolean.class).build();
    }
    flag.paramLabel(option.label());
    return option.repeats()
        ? flag.type(List.class).auxiliaryTypes(String.class).build()
        : flag.type(String.class).build();
  }

  /** The file's settings, overridden by the flags given. */
  GatewayOptions options() {
    Settings settings = config != null ? Settings.fromYamlFile(config) : new Settings();
    for (org.checkpointgateway.config.Option<?> option : OptionTable.ALL) {
      if (option.flag() != null && spec.commandLine().getParseResult().hasMatchedOption(option.flag())) {
        Object value = spec.findOption(option.flag()).getValue();
        settings.override(option.key(), option.isSwitch() ? "true" : value, option.flag());
      }
    }
    return GatewayOptions.from(settings);
  }

  @Override
  public Integer call() throws Exception {
    StartClock.mark("main entered", mainEntered);
    GatewayOptions options = options();
    StartClock.mark("options parsed");
    PrometheusMeterRegistry registry = GatewayMetrics.prometheusRegistry();
    Vertx vertx;
    try {
      // A fleet member's Hazelcast starts and joins here: seconds (docs/fleet.md).
      long joining = System.nanoTime();
      vertx = vertx(options, registry).toCompletionStage().toCompletableFuture()
          .get(CLUSTER_START_SECONDS, TimeUnit.SECONDS);
      StartClock.mark(vertx.isClustered() ? "clustered vert.x up" : "vert.x up");
      if (vertx.isClustered()) {
        Logger.getLogger(Main.class.getName()).info(() -> "joined fleet "
            + options.fleet().name().orElseThrow() + " as " + options.fleet().nodeName() + " in "
            + (System.nanoTime() - joining) / 1_000_000 + " ms");
      }
    } catch (Exception e) {
      System.err.println("checkpoint-gateway: cannot join the fleet: "
          + (e.getCause() != null ? e.getCause() : e));
      return 1;
    }
    Gateway gateway;
    try {
      // The main thread may wait: it is not an event loop.
      gateway = Gateway.start(vertx, options, registry).toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      System.err.println("checkpoint-gateway: cannot start: " + cause.getMessage());
      vertx.close();
      return cause instanceof IllegalArgumentException ? EXIT_USAGE : 1;
    }
    String scheme = options.tls() ? "https" : "http";
    String url = scheme + "://" + displayHost(options.host()) + ":" + gateway.port();
    StartClock.mark("http listening");
    Logger.getLogger(Main.class.getName()).info(() -> "serving the Kubelet Checkpoint API on " + url);
    gateway.devToken().ifPresent(token -> System.out.print(devTokenBanner(options, url, token)));
    Logger log = Logger.getLogger(Main.class.getName());
    if (gateway.devToken().isEmpty() && !options.jwt().hasKeys()) {
      if (options.access().clientCa().isPresent()) {
        log.info("no JWT key configured: bearer tokens are refused (401); callers authenticate"
            + " with client certificates (--tls-client-ca)");
      } else {
        log.warning("no JWT key and no --tls-client-ca: no caller can authenticate, so only the"
            + " open routes answer (/healthz, /readyz; /metrics with --metrics-unauthenticated)");
      }
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info(() -> "stopping: new checkpoints are refused, running ones get up to "
          + Durations.format(options.shutdownGrace()) + " to finish");
      try {
        // One after the other from this thread: a close chained onto an event-loop context
        // would complete on a loop that vertx.close() has already terminated.
        gateway.close().toCompletionStage().toCompletableFuture()
            .get(options.shutdownGrace().toSeconds() + STOP_WAIT_SECONDS, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
        log.info("stopped");
      } catch (Exception e) {
        System.err.println("checkpoint-gateway: unclean stop: " + e);
      } finally {
        StopLogManager.stopped();
      }
    }, "checkpoint-gateway-stop"));
    return 0;
  }

  /** The printed development token, with how to use it from curl and from the CLI. */
  static String devTokenBanner(GatewayOptions options, String url, String token) {
    Duration ttl = Gateway.devTokenTtl(options);
    String server = url.equals("http://127.0.0.1:10250") ? "" : " --server " + url;
    return "No JWT key configured: made an ephemeral HS256 key. This token may do everything for "
        + (ttl.toSeconds() % 3600 == 0 ? ttl.toHours() + "h" : Durations.format(ttl)) + ":\n"
        + token + "\n"
        + "Try:\n"
        + "  curl -sS -X POST -H 'Authorization: Bearer " + token + "' "
        + (options.tls() ? "-k " : "") + url + "/checkpoint/default/demo/app\n"
        + "or the command-line client, which reads the token from $CHECKPOINT_GATEWAY_TOKEN"
        + " (or a file: --token-file FILE):\n"
        + "  export CHECKPOINT_GATEWAY_TOKEN=" + token + "\n"
        + "  java -jar target/checkpoint-gateway.jar checkpoint default/demo/app" + server + "\n";
  }

  /** A clustered Vert.x for a fleet member; without a cluster name a plain one, no Hazelcast. */
  static Future<Vertx> vertx(GatewayOptions options, PrometheusMeterRegistry registry) {
    VertxOptions vertxOptions = new VertxOptions().setPreferNativeTransport(true);
    return options.fleet().enabled()
        ? HazelcastSetup.clusteredVertx(vertxOptions, registry, options.fleet(),
            options.fleetNetwork())
        : Future.succeededFuture(GatewayMetrics.vertx(vertxOptions, registry));
  }

  private static String displayHost(String host) {
    return host.equals("0.0.0.0") ? "127.0.0.1" : host.contains(":") ? "[" + host + "]" : host;
  }
}
