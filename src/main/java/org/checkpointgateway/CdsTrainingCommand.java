package org.checkpointgateway;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.checkpointgateway.config.GatewayOptions;
import org.checkpointgateway.config.OptionTable;
import org.checkpointgateway.config.Settings;
import org.checkpointgateway.metrics.GatewayMetrics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code cds-training}: the start a class-data-sharing archive is made from (docs/operations.md).
 * Starts a fleet member alone on loopback with the embedded simulator, checkpoints its demo pod
 * once over HTTP, and stops, so that a JVM run with {@code -XX:ArchiveClassesAtExit=FILE} writes
 * the classes of a member's start and of a request into FILE at exit. A member started with
 * {@code -XX:SharedArchiveFile=FILE} then maps them instead of loading and verifying each: half
 * the CPU of a start (docs/fleet.md "Formation time").
 */
@Command(name = "cds-training", mixinStandardHelpOptions = true,
    description = "Start a fleet member alone on loopback, checkpoint once, stop: run under "
        + "-XX:ArchiveClassesAtExit=FILE to make a class-data-sharing archive.")
final class CdsTrainingCommand implements Callable<Integer> {

  private static final long STEP_SECONDS = 60;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path dir = Files.createTempDirectory("checkpoint-gateway-cds-training");
    try {
      // The start every member makes (Main's), on ports nobody uses, in a cluster of its own.
      GatewayOptions options = GatewayOptions.from(new Settings()
          .override(OptionTable.HOST.key(), "127.0.0.1", "cds-training")
          .override(OptionTable.PORT.key(), String.valueOf(freePort()), "cds-training")
          .override(OptionTable.CHECKPOINT_DIR.key(), dir.resolve("checkpoints").toString(), "cds-training")
          .override(OptionTable.CLUSTER_NAME.key(), "cds-training-" + ProcessHandle.current().pid(), "cds-training")
          .override(OptionTable.CLUSTER_PORT.key(), String.valueOf(freePort()), "cds-training")
          .override(OptionTable.NODE_NAME.key(), "cds-training", "cds-training"));
      PrometheusMeterRegistry registry = GatewayMetrics.prometheusRegistry();
      Vertx vertx = Main.vertx(options, registry).await(STEP_SECONDS, TimeUnit.SECONDS);
      try {
        Gateway gateway = Gateway.start(vertx, options, registry).await(STEP_SECONDS, TimeUnit.SECONDS);
        try {
          // One checkpoint of the built-in seed's pod: the request path's classes too.
          HttpClientAgent client = vertx.createHttpClient();
          int status = client.request(new RequestOptions().setMethod(HttpMethod.POST)
                  .setHost("127.0.0.1").setPort(gateway.port())
                  .setURI("/checkpoint/default/demo/app")
                  .putHeader("Authorization", "Bearer " + gateway.devToken().orElseThrow()))
              // The body asked for in the callback that received the response, on the client's
              // event loop: from a later listener Vert.x 5.0.7 can miss an end already handled.
              .compose(request -> request.send()
                  .compose(response -> response.body().map(body -> response.statusCode())))
              .await(STEP_SECONDS, TimeUnit.SECONDS);
          client.close();
          out.println("cds-training: started a fleet member, checkpointed default/demo/app ("
              + status + "), stopping");
          return status == 200 ? 0 : 1;
        } finally {
          gateway.close().await(STEP_SECONDS, TimeUnit.SECONDS);
        }
      } finally {
        vertx.close().await(STEP_SECONDS, TimeUnit.SECONDS);
      }
    } finally {
      deleteTree(dir);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
