package org.checkpointgateway.loadtest;

final class Hold {
  static String run(Run run) throws Exception {
    throw new UnsupportedOperationException("hold: not yet");
  }
}
