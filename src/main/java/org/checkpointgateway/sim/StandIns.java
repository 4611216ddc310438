package org.checkpointgateway.sim;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The empty stand-in archives of a runtime that writes none, made on worker threads in batches:
 * the stand-ins asked for in one turn of the runtime's event loop share one worker task. One task
 * each was a worker's wake-up and a hand-back per checkpoint, which under load cost the simulator
 * more than the files. A batch whose open blocks (a FIFO in an archive's place) holds only its
 * own checkpoints, which their deadlines end; the next batch takes another worker.
 * Lives on the runtime's context.
 */
final class StandIns {

  private record Asked(Path location, Promise<Long> made) {
  }

  private final Context context;
  private List<Asked> batch;

  StandIns(Context context) {
    this.context = context;
  }

  /** Completes, on the runtime's context, once the stand-in exists (0 bytes written). */
  Future<Long> make(Path location) {
    Promise<Long> made = Promise.promise();
    if (batch == null) {
      batch = new ArrayList<>();
      // After the calls of this turn (they arrived together): then one task makes them all.
      context.runOnContext(ignored -> flush());
    }
    batch.add(new Asked(location, made));
    return made.future();
  }

  private void flush() {
    List<Asked> mine = batch;
    batch = null;
    Throwable[] failures = new Throwable[mine.size()];
    context.executeBlocking(() -> {
      for (int i = 0; i < mine.size(); i++) {
        try {
          SimulatedArchiveWriter.standIn(mine.get(i).location());
        } catch (Exception e) {
          failures[i] = e;
        }
      }
      return null;
    }, false).onComplete(done -> {
      for (int i = 0; i < mine.size(); i++) {
        Throwable failure = done.failed() ? done.cause() : failures[i];
        if (failure == null) {
          mine.get(i).made().complete(0L);
        } else {
          mine.get(i).made().fail(failure);
        }
      }
    });
  }
}
