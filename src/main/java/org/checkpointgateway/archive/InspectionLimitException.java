package org.checkpointgateway.archive;

import java.io.IOException;

/** Reading an archive would pass one of the {@link ArchiveLimits}. */
final class InspectionLimitException extends IOException {
  InspectionLimitException(String message) {
    super(message);
  }
}
