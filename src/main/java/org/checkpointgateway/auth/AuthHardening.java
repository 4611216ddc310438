package org.checkpointgateway.auth;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The hardening settings of authentication and accountability.
 *
 * @param tokens what a signed token must also satisfy ({@code --jwt-allow-no-exp},
 *     {@code --jwt-max-lifetime})
 * @param auditLog where the audit log goes ({@code --audit-log}); none by default
 * @param auditLogBufferBytes lines waiting for the disk beyond which new ones are dropped and
 *     counted ({@code --audit-log-buffer})
 */
public record AuthHardening(TokenRules tokens, Optional<Path> auditLog, long auditLogBufferBytes) {

  /** About 20,000 lines of 200 bytes: seconds of a busy gateway's actions on a stalled disk. */
  public static final long DEFAULT_AUDIT_LOG_BUFFER_BYTES = 4L << 20;

  public static final AuthHardening DEFAULT =
      new AuthHardening(TokenRules.DEFAULT, Optional.empty(), DEFAULT_AUDIT_LOG_BUFFER_BYTES);

  public AuthHardening {
    Objects.requireNonNull(tokens, "tokens");
    Objects.requireNonNull(auditLog, "auditLog");
  }
}
