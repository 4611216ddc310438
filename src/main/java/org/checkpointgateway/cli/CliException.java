package org.checkpointgateway.cli;

/** A failure the command prints as one line and exits on (1 unless said otherwise). */
final class CliException extends Exception {
  private final int exitCode;

  CliException(String message) {
    this(message, 1);
  }

  CliException(String message, int exitCode) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
