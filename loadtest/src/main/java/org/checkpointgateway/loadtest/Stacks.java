package org.checkpointgateway.loadtest;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a profile ({@link Profiler}, collapsed stacks sampled every millisecond) says of a
 * server's CPU per request, in the parts {@code docs/performance.md} compares: the work any
 * server of this design does (HTTP in and out, the gRPC call's I/O), the archive check, the JVM's
 * own threads, and the server's own code with what it calls, the last also by its innermost
 * method of ours. The same rules read the gateway and the limit: both are this project's code.
 */
final class Stacks {

  static final String IO = "httpAndGrpcIo";
  static final String ARCHIVE_CHECK = "archiveCheck";
  static final String JVM_THREADS = "jvmThreads";
  static final String OWN_CODE = "ownCode";

  private static final String OURS = "org/checkpointgateway/";
  // Calls from our code into the HTTP server's and the gRPC client's I/O: what is under them is
  // the work every server of this design does, whoever asked for it. The connection deadline's
  // handler passes every read and write on, and the work under it is the same I/O.
  private static final List<String> INTO_IO = List.of(
      "io/vertx/core/http/impl/Http1xServerResponse.end",
      "io/vertx/core/http/impl/HttpClientRequestImpl.end",
      "io/vertx/core/http/impl/CleanableHttpClient.request",
      "io/netty/channel/ChannelInboundHandlerAdapter.channelRead",
      "io/netty/channel/ChannelDuplexHandler.write");
  private static final double SAMPLE_MS = 1.0;
  private static final int OWN_PARTS = 12;

  private Stacks() {
  }

  /** Microseconds of CPU per request by part, and the largest own parts, from {@code collapsed}. */
  static JsonObject perRequest(Path collapsed, long requests) throws IOException {
    Map<String, Long> parts = new HashMap<>();
    Map<String, Long> own = new HashMap<>();
    long samples = 0;
    for (String line : Files.readAllLines(collapsed, StandardCharsets.UTF_8)) {
      int space = line.lastIndexOf(' ');
      if (space <= 0) {
        continue;
      }
      long count = Long.parseLong(line.substring(space + 1).trim());
      String[] frames = line.substring(0, space).split(";");
      samples += count;
      String part = part(frames);
      parts.merge(part, count, Long::sum);
      if (part.equals(OWN_CODE)) {
        own.merge(method(frames[innermostOurs(frames)]), count, Long::sum);
      }
    }
    JsonObject byPart = new JsonObject();
    for (String part : List.of(IO, ARCHIVE_CHECK, JVM_THREADS, OWN_CODE)) {
      byPart.put(part, micros(parts.getOrDefault(part, 0L), requests));
    }
    JsonObject largestOwn = new JsonObject();
    own.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(OWN_PARTS)
        .forEach(entry -> largestOwn.put(entry.getKey(), micros(entry.getValue(), requests)));
    return new JsonObject().put("samples", samples).put("requests", requests)
        .put("totalMicrosPerRequest", micros(samples, requests)).put("microsPerRequest", byPart)
        .put("largestOwnPartsMicrosPerRequest", largestOwn);
  }

  /** Which part one sample is in. */
  static String part(String[] frames) {
    int ours = innermostOurs(frames);
    if (ours < 0) {
      // A thread that is not a Java thread's run (the JIT compiler, the collector) is the JVM's.
      return frames.length > 0 && frames[0].startsWith("java/lang/Thread.run") ? IO : JVM_THREADS;
    }
    for (int i = 0; i <= ours; i++) {
      if (frames[i].contains("/checkpoint/ArchiveStats.")) {
        return ARCHIVE_CHECK;
      }
    }
    if (ours + 1 < frames.length) {
      for (String io : INTO_IO) {
        if (frames[ours + 1].startsWith(io)) {
          return IO;
        }
      }
    }
    return OWN_CODE;
  }

  private static int innermostOurs(String[] frames) {
    for (int i = frames.length - 1; i >= 0; i--) {
      if (frames[i].startsWith(OURS)) {
        return i;
      }
    }
    return -1;
  }

  /** {@code api/CheckpointRoutes.answer} for a frame of ours; a lambda's class for its body. */
  private static String method(String frame) {
    String name = frame.substring(OURS.length());
    int lambda = name.indexOf("$$Lambda");
    return lambda < 0 ? name : name.substring(0, lambda) + " (a lambda)";
  }

  private static double micros(long samples, long requests) {
    return requests > 0 ? Math.round(samples * SAMPLE_MS * 1000 / requests * 100) / 100.0 : 0;
  }
}
