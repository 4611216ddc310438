package org.checkpointgateway;

import picocli.CommandLine;

/** Main's command line (package-private there) for tests in other packages. */
public final class MainAccess {
  private MainAccess() {
  }

  public static CommandLine commandLine() {
    return Main.commandLine();
  }
}
