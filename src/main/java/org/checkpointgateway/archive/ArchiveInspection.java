package org.checkpointgateway.archive;

import java.util.List;

/**
 * What a checkpoint inspector shows about one archive (checkpointctl's {@code show} and
 * {@code inspect}, read without unpacking anything).
 *
 * @param facts the metadata members' account of the container
 * @param command the container's process arguments from {@code spec.dump}; empty when unknown
 * @param sizes the archive's parts
 * @param dumpStats CRIU's dump statistics from {@code stats-dump}; null when absent
 * @param criuImagesVersion {@code img_version} of {@code checkpoint/inventory.img}; null when absent
 * @param processes the dumped process tree from {@code pstree.img} and {@code core-<pid>.img}; empty when absent
 * @param members the archive's members in order, at most {@link #MAX_MEMBERS}
 * @param memberCount how many members the archive has (more than {@code members} when cut)
 */
public record ArchiveInspection(ArchiveFacts facts, List<String> command, Sizes sizes,
    DumpStats dumpStats, Integer criuImagesVersion, List<Process> processes,
    List<Member> members, int memberCount) {

  /** Listing more members than this says nothing more to a reader and costs a big answer. */
  public static final int MAX_MEMBERS = 1000;

  /**
   * @param archive the whole file
   * @param criuImages the members under {@code checkpoint/} (checkpointctl's "checkpoint size")
   * @param memoryPages the members {@code checkpoint/pages-*.img}
   * @param rootfsDiff {@code rootfs-diff.tar}, 0 when absent
   */
  public record Sizes(long archive, long criuImages, long memoryPages, long rootfsDiff) {
  }

  /** CRIU's {@code dump_stats_entry}; times in microseconds. */
  public record DumpStats(long freezingTimeMicros, long frozenTimeMicros, long memdumpTimeMicros,
      long memwriteTimeMicros, long pagesScanned, long pagesSkippedParent, long pagesWritten,
      long pagesLazy) {
  }

  /** One dumped process; {@code command} ({@code comm}) is null when its core image is missing. */
  public record Process(int pid, int ppid, int pgid, int sid, int threads, String command) {
  }

  /** One tar member: name, size and type ({@code file}, {@code directory}, {@code symlink}, {@code other}). */
  public record Member(String name, long size, String type) {
  }
}
