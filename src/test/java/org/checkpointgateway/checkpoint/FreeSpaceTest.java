package org.checkpointgateway.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The free-space reading: one read at a time, shared by everyone who asks while it runs. */
class FreeSpaceTest {

  private final AtomicInteger reads = new AtomicInteger();
  private final List<Promise<Long>> pending = new ArrayList<>();

  private FreeSpace freeSpace(long maxAgeNanos) {
    return new FreeSpace(() -> {
      reads.incrementAndGet();
      Promise<Long> read = Promise.promise();
      synchronized (pending) {
        pending.add(read);
      }
      return read.future();
    }, maxAgeNanos);
  }

  @Test
  void askersFromManyThreadsWhileAReadRunsShareIt() throws Exception {
    FreeSpace space = freeSpace(TimeUnit.HOURS.toNanos(1));
    ConcurrentLinkedQueue<Future<Long>> answers = new ConcurrentLinkedQueue<>();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      Thread thread = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        for (int i = 0; i < 1000; i++) {
          answers.add(space.read());
        }
      });
      thread.start();
      threads.add(thread);
    }
    go.countDown();
    for (Thread thread : threads) {
      thread.join(TimeUnit.SECONDS.toMillis(30));
    }

    assertThat(reads).hasValue(1);
    assertThat(space.recent()).isNull();
    pending.get(0).complete(5_000L);
    assertThat(answers).hasSize(8000).allSatisfy(answer -> assertThat(answer.result()).isEqualTo(5_000L));
    assertThat(space.recent()).isEqualTo(5_000L);
  }

  @Test
  void aReadingTooOldIsReadAgainOnce() {
    FreeSpace space = freeSpace(0);
    space.read();
    pending.get(0).complete(1L);
    assertThat(space.recent()).as("older than an age of 0").isNull();

    Future<Long> first = space.read();
    Future<Long> second = space.read();
    assertThat(reads).hasValue(2);
    pending.get(1).complete(2L);
    assertThat(first.result()).isEqualTo(2L);
    assertThat(second.result()).isEqualTo(2L);
  }

  @Test
  void aFailedReadIsNotKeptAndTheNextAskerReadsAgain() {
    FreeSpace space = freeSpace(TimeUnit.HOURS.toNanos(1));
    Future<Long> failed = space.read();
    pending.get(0).fail(new IllegalStateException("no such directory"));
    assertThat(failed.failed()).isTrue();
    assertThat(space.recent()).isNull();

    space.read();
    assertThat(reads).hasValue(2);
    pending.get(1).complete(7L);
    assertThat(space.recent()).isEqualTo(7L);
  }

  @Test
  void anArchiveWrittenWhileTheFileSystemIsReadCountsAgainstThatReading() {
    FreeSpace space = freeSpace(TimeUnit.HOURS.toNanos(1));
    space.read();
    space.written(20);
    pending.get(0).complete(100L);
    assertThat(space.recent()).as("the read may have begun before the archive was written")
        .isEqualTo(80L);
  }

  @Test
  void writtenArchivesCountAgainstTheReadingAndForgettingDropsIt() {
    FreeSpace space = freeSpace(TimeUnit.HOURS.toNanos(1));
    space.written(10);
    assertThat(space.recent()).as("nothing read yet: nothing to count against").isNull();
    space.read();
    pending.get(0).complete(100L);
    space.written(30);
    assertThat(space.recent()).isEqualTo(70L);
    space.forget();
    assertThat(space.recent()).isNull();
  }
}
