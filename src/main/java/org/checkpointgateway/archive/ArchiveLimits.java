package org.checkpointgateway.archive;

/**
 * Bounds on reading archives (inspections, and the metadata a listing reads).
 *
 * @param inspectMaxMembers tar members one reading walks; beyond, the archive is refused (422)
 * @param inspectMaxBytes bytes one reading may read from the file: headers, names and the
 *     members it reads; beyond, the archive is refused (422). The heap one reading takes is
 *     bounded by this and by the members it keeps.
 * @param inspectMaxConcurrent inspections at once; beyond, 429
 */
public record ArchiveLimits(int inspectMaxMembers, long inspectMaxBytes, int inspectMaxConcurrent) {

  /** A checkpoint has a few CRIU images per process: thousands of members for a big container. */
  public static final int DEFAULT_INSPECT_MAX_MEMBERS = 10_000;
  /** Headers of 10,000 members are 5 MiB; spec.dump is tens of KiB. */
  public static final long DEFAULT_INSPECT_MAX_BYTES = 16L << 20;
  public static final int DEFAULT_INSPECT_MAX_CONCURRENT = 2;
  public static final ArchiveLimits DEFAULTS = new ArchiveLimits(DEFAULT_INSPECT_MAX_MEMBERS,
      DEFAULT_INSPECT_MAX_BYTES, DEFAULT_INSPECT_MAX_CONCURRENT);

  public ArchiveLimits {
    if (inspectMaxMembers < 1 || inspectMaxBytes < 1 || inspectMaxConcurrent < 1) {
      throw new IllegalArgumentException("archive limits must be at least 1");
    }
  }
}
