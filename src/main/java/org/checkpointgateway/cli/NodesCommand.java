package org.checkpointgateway.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code nodes}: the members of the fleet the gateway belongs to ({@code GET /api/v1/nodes}). */
@Command(name = "nodes", mixinStandardHelpOptions = true,
    description = "List the members of the gateway's fleet.")
public final class NodesCommand implements Callable<Integer> {

  @Mixin
  ClientOptions client;
  @Spec
  CommandSpec spec;
  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
      description = "table or json")
  String format;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      JsonObject answer = GatewayClient.from(client).json("GET", "/api/v1/nodes");
      if (format.equals("json")) {
        out.println(answer.encodePrettily());
        return 0;
      }
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"NAME", "RUNTIME", "RUNNING", "QUEUED", "IN FLIGHT", "JOINED", "URL"});
      for (Object item : answer.getJsonArray("items", new JsonArray())) {
        JsonObject node = (JsonObject) item;
        rows.add(new String[] {node.getString("name"),
            !node.containsKey("runtimeReady") ? "-" : node.getBoolean("runtimeReady") ? "ready" : "not ready",
            String.valueOf(node.getInteger("checkpointsRunning", 0)),
            String.valueOf(node.getInteger("checkpointsQueued", 0)),
            ProgressBar.bytes(node.getLong("bytesInFlight", 0L)),
            ArchivesCommand.dash(node.getString("joinedAt")),
            ArchivesCommand.dash(node.getString("advertiseUrl"))});
      }
      ArchivesCommand.table(out, rows);
      return 0;
    } catch (CliException e) {
      err.println("nodes: " + e.getMessage());
      return e.exitCode();
    } finally {
      out.flush();
      err.flush();
    }
  }
}
