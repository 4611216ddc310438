package org.checkpointgateway.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A sub-command of a client command ({@code archives ls}, {@code jobs show}): the connection, the
 * output writers, and a failure as one line prefixed with both names, with its exit code.
 */
abstract class ClientSubcommand implements Callable<Integer> {
  @Mixin
  ClientOptions client;
  @Spec
  CommandSpec spec;

  abstract void run(GatewayClient gateway, PrintWriter out, PrintWriter err) throws CliException;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      run(GatewayClient.from(client), out, err);
      return 0;
    } catch (CliException e) {
      err.println(spec.parent().name() + " " + spec.name() + ": " + e.getMessage());
      return e.exitCode();
    } finally {
      out.flush();
      err.flush();
    }
  }
}
