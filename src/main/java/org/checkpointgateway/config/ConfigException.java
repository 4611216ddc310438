package org.checkpointgateway.config;

/** A setting that stops start-up. The message names the flag or the file key, on one line. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message, null, false, false);
  }
}
