package org.checkpointgateway.archive;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * The archives of the checkpoint directory: list, find, inspect, download, delete, pin. Only
 * regular files directly inside the directory whose names are archive names exist here;
 * symbolic links and other files do not. Its state (pins, downloads in flight, the metadata
 * cache) lives on one Vert.x context, so concurrent requests and retention runs need no locks;
 * every method may be called from any thread and completes on the caller's context.
 */
public interface ArchiveStore {

  /**
   * Name of the file in the checkpoint directory where gateways before {@code .keep} markers kept
   * their pins; turned into markers on start. Not an archive name.
   */
  String PINS_FILE = ".checkpoint-gateway-pins.json";

  static ArchiveStore create(Vertx vertx, ArchiveDirectory directory) {
    return create(vertx, directory, ArchiveLimits.DEFAULTS);
  }

  static ArchiveStore create(Vertx vertx, ArchiveDirectory directory, ArchiveLimits limits) {
    return new LocalArchiveStore(vertx, directory, limits);
  }

  /** Turns an old pins file into {@code .keep} markers, once, and removes a half-written one. */
  Future<Void> start();

  /** Every archive, oldest first. */
  Future<List<Archive>> list();

  /** The archive of this file name; a {@code NotFoundException} for anything else. */
  Future<Archive> find(String name);

  /**
   * Reads the archive's members (seeking past the memory pages) on a worker thread, within the
   * {@link ArchiveLimits}: an {@code OverloadedException} when too many inspections run, a
   * {@code LimitExceededException} when the archive is beyond the limits, a
   * {@code ConflictException} when it is not a readable checkpoint or no longer the file found.
   */
  Future<ArchiveInspection> inspect(Archive archive);

  /**
   * Opens the archive for a download and registers it, which keeps retention and deletion away
   * from it until {@link Download#release} (call it when the response ends or the connection
   * closes). Only the file {@link #find} looked at is opened: a {@code ConflictException} when
   * the name denotes anything else by now (another file, a link, a FIFO).
   */
  Future<Download> startDownload(Archive archive);

  /**
   * Deletes the archive. A {@code ConflictException} when it is pinned, being written or being
   * downloaded; {@code NotFoundException} when it is gone.
   */
  Future<Void> delete(Archive archive);

  /** Pins or unpins the archive; answers it as it is afterwards. */
  Future<Archive> pin(Archive archive, boolean pinned);

  /**
   * Starts applying {@code options} after each completed checkpoint and on their timer (nothing
   * when no rule is set). {@link Retention#stop} stops it.
   */
  default Retention startRetention(RetentionOptions options) {
    return startRetention(options, ContainerCensus.NONE);
  }

  /**
   * The same, asking {@code census} during each run which containers exist, for
   * {@code retainOrphan: false}.
   */
  Retention startRetention(RetentionOptions options, ContainerCensus census);

  /** A registered download of an open archive; releasing (closing) twice is harmless. */
  interface Download {
    /** The archive's file, open for reading: serve from this, never from its name. */
    java.nio.channels.FileChannel channel();

    /**
     * A name of the open file ({@code /proc/self/fd/N}) until release, for APIs that take only
     * a name (Vert.x sends a file over HTTP/2 only by name).
     */
    String path();

    void release();
  }
}
