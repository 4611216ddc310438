package org.checkpointgateway.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Re-reads a group of files (a certificate and its key, a key set, an authorization file) when
 * any of them changes, as certificates rotate and rules are edited without a restart. Every
 * interval the files' identities (inode, modification time, size; symbolic links followed, so a
 * Kubernetes Secret's atomic swap of its {@code ..data} link counts) are read on a worker thread,
 * never on the event loop; when they differ from the last ones seen, {@code reload} runs. A
 * reload that fails keeps what is in use: its cause is logged once, it is counted for the
 * metrics, and it is not tried again until the files change again.
 */
public final class FileWatch {

  private static final Logger LOG = Logger.getLogger(FileWatch.class.getName());

  private final Vertx vertx;
  private final String name;
  private final List<Path> files;
  private final Supplier<Future<?>> reload;
  private final AtomicLong failures = new AtomicLong();
  private volatile double lastSuccessSeconds = System.currentTimeMillis() / 1000.0;
  private volatile boolean failing;
  private List<Object> seen;
  private boolean checking;
  private long timer = -1;

  private FileWatch(Vertx vertx, String name, List<Path> files, Supplier<Future<?>> reload) {
    this.vertx = vertx;
    this.name = name;
    this.files = List.copyOf(files);
    this.reload = Objects.requireNonNull(reload, "reload");
  }

  /**
   * Notes the files' identities now and checks them every {@code every}; the caller loads the
   * files for the first time after this succeeds, so a change in between is seen by the first
   * check and loaded again.
   *
   * @param name what the files are, for the log and the metrics' {@code file} label (a fixed
   *     word: {@code tls}, {@code jwt}, {@code authorization})
   */
  public static Future<FileWatch> start(Vertx vertx, String name, List<Path> files,
      Duration every, Supplier<Future<?>> reload) {
    FileWatch watch = new FileWatch(vertx, name, files, reload);
    return watch.identities().map(identities -> {
      watch.seen = identities;
      watch.timer = vertx.setPeriodic(every.toMillis(), ignored -> watch.check());
      return watch;
    });
  }

  /** Stops checking. */
  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** The fixed word naming these files. */
  public String name() {
    return name;
  }

  /** Reloads that failed since start. */
  public long failures() {
    return failures.get();
  }

  /** 1 while the files on disk are a version that failed to load (the previous one is in use). */
  public int failing() {
    return failing ? 1 : 0;
  }

  /** When the files were last loaded, in seconds since the epoch (start-up counts). */
  public double lastSuccessSeconds() {
    return lastSuccessSeconds;
  }

  // On the context that started the watch: seen and checking need no lock.
  private void check() {
    if (checking) {
      return;
    }
    checking = true;
    identities().compose(identities -> {
      if (identities.equals(seen)) {
        return Future.succeededFuture();
      }
      seen = identities;
      return Future.<Object>succeededFuture().compose(ignored -> reload.get())
          .onSuccess(ignored -> {
            failing = false;
            lastSuccessSeconds = System.currentTimeMillis() / 1000.0;
            LOG.info(() -> "reloaded " + name + " " + files);
          })
          .onFailure(e -> {
            failing = true;
            failures.incrementAndGet();
            LOG.warning(() -> "cannot reload " + name + " " + files + ", keeping what is in use: "
                + e.getMessage());
          });
    }).onComplete(ignored -> checking = false);
  }

  private Future<List<Object>> identities() {
    return vertx.executeBlocking(() -> {
      List<Object> identities = new ArrayList<>();
      for (Path file : files) {
        try {
          BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
          identities.add(List.of(String.valueOf(attributes.fileKey()),
              attributes.lastModifiedTime().toString(), attributes.size()));
        } catch (IOException e) {
          identities.add("unreadable: " + e);
        }
      }
      return identities;
    }, false);
  }
}
