package org.checkpointgateway.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Logger;

/**
 * The audit log in a file, appended by one writer thread of its own: event loops only encode a
 * line and put it on a lock-free queue.
 *
 * <p>What a slow or full disk costs is bounded: at most {@code bufferBytes} of lines wait for the
 * writer; a line that would go beyond is dropped, and so are the lines of a write that fails
 * (disk full, I/O error). Every drop is counted ({@link #dropped()}, in {@code /metrics}) and
 * logged, at most once a minute, so that a slow disk never slows requests and a broken one never
 * floods the log. Lines are appended ({@code O_APPEND}, so {@code copytruncate} rotation works)
 * and handed to the OS after each batch, without {@code fsync}.
 */
final class FileAudit implements Audit {

  /** No field of a line (user, a group, target) is longer; a token or a path can be long. */
  static final int MAX_FIELD_CHARS = 256;
  /** Groups written per line, the first ones. */
  static final int MAX_GROUPS = 32;
  static final Audit NONE = new Audit() {
    @Override
    public void record(Caller caller, String action, String target, String outcome, int status) {
    }

    @Override
    public long dropped() {
      return 0;
    }

    @Override
    public long written() {
      return 0;
    }

    @Override
    public void close() {
    }
  };

  private static final Logger LOG = Logger.getLogger(FileAudit.class.getName());
  private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
  private static final long IDLE_PARK_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long CLOSE_WAIT_MILLIS = 5_000;
  private static final int BATCH_BYTES = 256 * 1024;

  private final Path file;
  private final WritableByteChannel channel;
  private final long bufferBytes;
  private final Queue<byte[]> lines = new ConcurrentLinkedQueue<>();
  private final AtomicLong buffered = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong nextWarning = new AtomicLong(System.nanoTime());
  private final Thread writer;
  private volatile boolean closing;

  private FileAudit(Path file, WritableByteChannel channel, long bufferBytes) {
    if (bufferBytes < 1) {
      throw new IllegalArgumentException("audit log buffer under one byte: " + bufferBytes);
    }
    this.file = file;
    this.channel = channel;
    this.bufferBytes = bufferBytes;
    this.writer = new Thread(this::write, "checkpoint-gateway-audit");
    writer.setDaemon(true);
  }

  static FileAudit open(Path file, long bufferBytes) throws IOException {
    // A FIFO or a device would block the writer, or start-up, in open() or write().
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file)) {
      throw new IOException("not a regular file");
    }
    // User names and what they touched: readable by the gateway's user only.
    FileChannel channel = FileChannel.open(file,
        Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    return over(file, channel, bufferBytes);
  }

  /** An audit log written to {@code channel}; {@code file} names it in warnings. */
  static FileAudit over(Path file, WritableByteChannel channel, long bufferBytes) {
    FileAudit audit = new FileAudit(file, channel, bufferBytes);
    audit.writer.start();
    return audit;
  }

  @Override
  public void record(Caller caller, String action, String target, String outcome, int status) {
    byte[] line = line(caller, action, target, outcome, status);
    if (closing) {
      drop(1, "the gateway is stopping");
      return;
    }
    if (buffered.addAndGet(line.length) > bufferBytes) {
      buffered.addAndGet(-line.length);
      drop(1, "the disk is slower than requests: more than --audit-log-buffer waits");
      return;
    }
    lines.add(line);
    LockSupport.unpark(writer);
  }

  @Override
  public long dropped() {
    return dropped.get();
  }

  @Override
  public long written() {
    return written.get();
  }

  @Override
  public void close() {
    closing = true;
    LockSupport.unpark(writer);
    try {
      writer.join(CLOSE_WAIT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    int left = lines.size();
    if (left > 0) {
      drop(left, "not written before the gateway stopped");
    }
    try {
      channel.close();
    } catch (IOException e) {
      LOG.warning(() -> "audit log " + file + ": close failed: " + e.getMessage());
    }
  }

  static byte[] line(Caller caller, String action, String target, String outcome, int status) {
    JsonArray groups = new JsonArray();
    caller.groups().stream().limit(MAX_GROUPS).map(FileAudit::cut).forEach(groups::add);
    String json = new JsonObject()
        .put("time", Instant.now().toString())
        .put("user", cut(caller.subject()))
        .put("groups", groups)
        .put("action", action)
        .put("target", cut(target))
        .put("outcome", outcome)
        .put("status", status)
        .encode();
    return (json + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private static String cut(String text) {
    return text.length() <= MAX_FIELD_CHARS ? text : text.substring(0, MAX_FIELD_CHARS) + "...";
  }

  /** The writer thread: batches what is queued, writes it, sleeps until there is more. */
  private void write() {
    ByteBuffer batch = ByteBuffer.allocate(BATCH_BYTES);
    int count = 0;
    while (true) {
      byte[] line = lines.poll();
      if (line != null) {
        buffered.addAndGet(-line.length);
        if (batch.remaining() < line.length) {
          flush(batch, count);
          count = 0;
        }
        if (line.length > batch.capacity()) {
          drop(1, "a line longer than a batch");
        } else {
          batch.put(line);
          count++;
        }
      } else if (count > 0) {
        flush(batch, count);
        count = 0;
      } else if (closing) {
        return;
      } else {
        // Timed, so that a stop is noticed even if its unpark came before this park.
        LockSupport.parkNanos(this, IDLE_PARK_NANOS);
      }
    }
  }

  private void flush(ByteBuffer batch, int count) {
    batch.flip();
    try {
      while (batch.hasRemaining()) {
        channel.write(batch);
      }
      written.addAndGet(count);
    } catch (IOException e) {
      drop(count, "write failed: " + e.getMessage());
    }
    batch.clear();
  }

  private void drop(long count, String why) {
    long total = dropped.addAndGet(count);
    long now = System.nanoTime();
    long next = nextWarning.get();
    if (now - next >= 0 && nextWarning.compareAndSet(next, now + WARN_EVERY_NANOS)) {
      LOG.warning(() -> "audit log " + file + ": " + total + " line(s) dropped so far ("
          + why + "); at most one such warning a minute");
    }
  }
}
