package org.checkpointgateway.auth;

import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The audit log: who did what to which checkpoint or archive, and how it ended. One JSON line
 * per action ({@code time}, {@code user}, {@code groups}, {@code action}, {@code target},
 * {@code outcome}, {@code status}); see {@link FileAudit} for where it goes and what happens when
 * the disk cannot keep up. Routes do not call this directly: {@link BearerAuthHandler#audited}
 * records each audited request when its response ends.
 */
public interface Audit {

  /** No audit log: nothing is recorded and requests carry no extra handler. */
  static Audit none() {
    return FileAudit.NONE;
  }

  /**
   * An audit log appended to {@code file} by a writer thread of its own, holding at most
   * {@code bufferBytes} of lines not yet written. Opens the file here: blocking, so never on an
   * event loop.
   *
   * @throws IOException when the file cannot be opened for appending, or is not a regular file
   */
  static Audit toFile(Path file, long bufferBytes) throws IOException {
    return FileAudit.open(file, bufferBytes);
  }

  /**
   * Records that {@code caller} did {@code action} on {@code target} with this {@code outcome}
   * and HTTP {@code status}. Never blocks and never fails: a line that cannot be kept is dropped
   * and counted in {@link #dropped()}.
   */
  void record(Caller caller, String action, String target, String outcome, int status);

  /** Lines dropped so far: the writer was behind by more than its buffer, or a write failed. */
  long dropped();

  /** Lines written so far. */
  long written();

  /** Writes what is buffered and closes the file; blocks for at most a few seconds. */
  void close();

  /**
   * Tells the audit record of this request what its outcome was, as the HTTP status the plain
   * route would have answered, when the response's own status does not say it: a streamed
   * checkpoint answers 200 before it knows how it ends.
   */
  static void outcome(RoutingContext ctx, int status) {
    AuditedRequest.outcome(ctx, status);
  }

  /**
   * Records this request now as aborted, for a response that hears of no close: one ended at
   * once and sent by {@code sendFile}, whose caller went away during the transfer.
   */
  static void cutShort(RoutingContext ctx) {
    AuditedRequest.cutShort(ctx);
  }
}
