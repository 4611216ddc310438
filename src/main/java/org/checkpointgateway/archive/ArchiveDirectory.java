package org.checkpointgateway.archive;

import io.netty.util.concurrent.FastThreadLocal;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The checkpoint directory and the names of the archives in it. Names follow the kubelet
 * ({@code checkpoint-<pod>_<namespace>-<container>-<RFC 3339 timestamp>.tar}) but with
 * nanosecond fractional seconds and a strictly increasing clock, so that two checkpoints of one
 * container in the same second do not overwrite each other as they do with the kubelet.
 */
public final class ArchiveDirectory {

  /** Like the kubelet's directory: the archives hold process memory, so only the owner may enter. */
  public static final String DIRECTORY_PERMISSIONS = "rwx------";

  // Fixed width keeps names of one container sorting in time order.
  static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);
  /** {@link #TIMESTAMP} up to the fraction, formatted once per second (per archive it showed in profiles). */
  private static final DateTimeFormatter SECOND =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.").withZone(ZoneOffset.UTC);

  /** One second's formatted prefix, replaced whole when the second changes. */
  private record Second(long epochSecond, String text) {
  }

  // Each thread's stripe of the archives being written, handed out in turn (an event loop's
  // thread is a FastThreadLocalThread: this is an array read).
  private static final AtomicInteger NEXT_STRIPE = new AtomicInteger();
  private static final FastThreadLocal<Integer> STRIPE = new FastThreadLocal<>() {
    @Override
    protected Integer initialValue() {
      return NEXT_STRIPE.getAndIncrement();
    }
  };

  private static volatile Second lastSecond = new Second(Long.MIN_VALUE, "");

  private final Vertx vertx;
  private final Path directory;
  private final AtomicReference<Instant> lastIssued = new AtomicReference<>(Instant.EPOCH);
  // Archives a runtime is writing now: listings may show them, clean-ups must not touch them.
  // Striped by the thread that marks them (each event loop its own set, most likely): one set
  // shared by the loops moved its table and counters between the cores on every checkpoint,
  // about 0.9 us per checkpoint at 256 in flight in profiles. Asking (listings, retention: once
  // per archive listed, not per checkpoint) looks in every set.
  private final Set<Path>[] beingWritten = stripes();
  private final List<Consumer<Path>> completionListeners = new CopyOnWriteArrayList<>();
  // Archives whose checkpoint this gateway saw complete: retention need not wait for their
  // quiet period. Bounded: beyond it, the oldest are dropped and merely wait for their quiet
  // period. Insertion order makes dropping the oldest O(1); picking "any" entry of a concurrent
  // set to drop scanned its emptied bins and cost a sixth of the gateway's CPU at 256 in flight
  // once 10,000 checkpoints had completed. The lock is held for a map operation only.
  static final int MAX_COMPLETED_REMEMBERED = 10_000;
  private final Set<Path> completedHere = Collections.synchronizedSet(Collections.newSetFromMap(
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Path, Boolean> eldest) {
          return size() > MAX_COMPLETED_REMEMBERED;
        }
      }));

  /**
   * File systems that answer a stat of a file just written from the kernel's memory, in
   * microseconds, and cannot hang on a server or a user-space daemon (not NFS, CIFS, FUSE).
   */
  static final Set<String> LOCAL_FILE_SYSTEMS = Set.of("tmpfs", "ramfs", "ext2", "ext3", "ext4",
      "xfs", "btrfs", "f2fs", "overlay", "zfs");

  // The directory's file-system type once probed; "" until then (treated as not local).
  private volatile String fileSystem = "";

  public ArchiveDirectory(Vertx vertx, Path directory) {
    this.vertx = vertx;
    this.directory = directory.toAbsolutePath().normalize();
  }

  public Path path() {
    return directory;
  }

  /** Creates the directory (mode 0700) if it is missing; an existing one is left as it is. */
  public Future<Void> ensureExists() {
    return vertx.fileSystem().mkdirs(directory.toString(), DIRECTORY_PERMISSIONS);
  }

  /**
   * Learns, off the event loop, which file system holds the directory (made first if missing);
   * returns its type. Asked once, at start: a mount under a running gateway is not followed.
   */
  public Future<String> probeFileSystem() {
    return ensureExists().compose(made -> vertx.executeBlocking(() -> {
      fileSystem = Files.getFileStore(directory).type();
      return fileSystem;
    }, false));
  }

  /**
   * Whether the directory lies on a {@link #LOCAL_FILE_SYSTEMS local file system}, where a stat
   * of an archive the runtime just closed may run on the event loop (it costs less than the hop
   * to a worker and back, which was a third of the gateway's CPU per checkpoint).
   */
  public boolean onLocalFileSystem() {
    return isLocal(fileSystem);
  }

  static boolean isLocal(String fileSystemType) {
    return LOCAL_FILE_SYSTEMS.contains(fileSystemType);
  }

  /** A fresh, unique archive path for one checkpoint of the given container. */
  public Path newArchivePath(String namespace, String pod, String container) {
    String name = "checkpoint-" + pod + "_" + namespace + "-" + container + "-"
        + timestamp(uniqueNow()) + ".tar";
    return directory.resolve(name);
  }

  /**
   * Marks an archive as being written until {@link #written} is called for it. Once per archive
   * (each checkpoint has a name of its own): marked on two threads, one {@code written} would
   * take out only one mark.
   */
  public void writing(Path archive) {
    ownStripe().add(archive);
  }

  public void written(Path archive) {
    // Normally on the thread that marked it; should it end elsewhere, every set is asked.
    if (!ownStripe().remove(archive)) {
      for (Set<Path> stripe : beingWritten) {
        stripe.remove(archive);
      }
    }
  }

  private Set<Path> ownStripe() {
    return beingWritten[STRIPE.get() & (beingWritten.length - 1)];
  }

  @SuppressWarnings("unchecked")
  private static Set<Path>[] stripes() {
    // At least twice Vert.x's event loops by default, a power of two. Stripes go to threads in
    // the order they first ask, so a few workers or test threads asking first still leave each
    // loop a stripe of its own.
    int count = Integer.highestOneBit(VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE * 4 - 1);
    Set<Path>[] stripes = new Set[count];
    for (int i = 0; i < count; i++) {
      stripes[i] = ConcurrentHashMap.newKeySet();
    }
    return stripes;
  }

  /** Tells the listeners (retention, for one) that a checkpoint finished this archive. */
  public void completed(Path archive) {
    if (completionListeners.isEmpty()) {
      // Retention, the only one to ask isCompletedHere, listens when it has a rule; without one
      // (the default) remembering cost a lock and a map entry per checkpoint for nobody.
      return;
    }
    completedHere.add(archive);
    completionListeners.forEach(listener -> listener.accept(archive));
  }

  /**
   * Whether a checkpoint of this gateway completed this archive (and it was not removed since).
   * Remembered only while someone listens ({@link #onCompleted}): before that, nobody asks.
   */
  public boolean isCompletedHere(Path archive) {
    return completedHere.contains(archive);
  }

  /** The archive is gone: a new file by that name is someone else's until completed here. */
  void forget(Path archive) {
    completedHere.remove(archive);
  }

  /** Called, on the checkpoint's event loop, with each archive a checkpoint finished. */
  public void onCompleted(Consumer<Path> listener) {
    completionListeners.add(listener);
  }

  /** Whether a runtime is writing this archive now. */
  public boolean isBeingWritten(Path archive) {
    for (Set<Path> stripe : beingWritten) {
      if (stripe.contains(archive)) {
        return true;
      }
    }
    return false;
  }

  /** Removes an archive left by a failed or cancelled checkpoint; a missing file is fine. */
  public Future<Void> discard(Path archive) {
    return vertx.fileSystem().delete(archive.toString()).recover(ignored -> Future.succeededFuture());
  }

  /** What {@link #TIMESTAMP} makes of {@code time}, with the second's part formatted once. */
  static String timestamp(Instant time) {
    Second second = lastSecond;
    if (second.epochSecond() != time.getEpochSecond()) {
      second = new Second(time.getEpochSecond(), SECOND.format(time));
      lastSecond = second;
    }
    String nanos = Integer.toString(time.getNano());
    return second.text() + "000000000".substring(nanos.length()) + nanos + "Z";
  }

  private Instant uniqueNow() {
    // Verticle instances on several event loops ask at once: a CAS loop keeps every name unique.
    return lastIssued.updateAndGet(last -> {
      Instant now = Instant.now();
      return now.isAfter(last) ? now : last.plusNanos(1);
    });
  }
}
