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
  // the work every server of this design does, whoever asked for it.
  private static final List<String> INTO_IO = List.of(
      "io/vertx/core/http/impl/Http1xServerResponse.end",
      "io/vertx/core/http/impl/HttpClientRequestImpl.end",
      "io/vertx/core/http/impl/CleanableHttpClient.request");
  // The gateway's Netty handlers (its connection deadline, the joining of an answer's buffers)
  // pass every event on, through these base classes or their context: what is under such a call
  // is the same I/O.
  private static final List<String> PASSED_ON = List.of(
      "io/netty/channel/ChannelInboundHandlerAdapter.", "io/netty/channel/ChannelDuplexHandler.",
      "io/netty/channel/AbstractChannelHandlerContext.write",
      "io/netty/channel/AbstractChannelHandlerContext.flush",
      "io/netty/channel/AbstractChannelHandlerContext.close",
      "io/netty/channel/AbstractChannelHandlerContext.fire");
  // The gateway's choice of router, reached through that same I/O: its own code.
  private static final String ROUTER = "io/vertx/ext/web/";
  static final String ROUTER_PART = "vertx-web's router";
  private static final int OWN_PARTS = 12;

  private Stacks() {
  }

  /** Microseconds of CPU per request by part, and the largest own parts, from {@code collapsed}. */
  static JsonObject perRequest(Path collapsed, long requests) throws IOException {
    Map<String, Long> parts = new HashMap<>();
    Map<String, Long> own = new HashMap<>();
    long samples = 0;
    for (String line : Files.readAllLines(collapsed, StandardCharsets.UTF_8)) {
      // FRAME;FRAME;...;FRAME COUNT (a frame may hold spaces, never a ';')
      int space = line.lastIndexOf(' ');
      long count;
      try {
        count = space > 0 ? Long.parseLong(line.substring(space + 1).trim()) : -1;
      } catch (NumberFormatException notASample) {
        count = -1;
      }
      if (count < 0) {
        continue;
      }
      String[] frames = line.substring(0, space).split(";");
      samples += count;
      int ours = innermostOurs(frames);
      String part = part(frames, ours);
      parts.merge(part, count, Long::sum);
      if (part.equals(OWN_CODE)) {
        own.merge(underRouter(frames, ours) ? ROUTER_PART : method(frames[ours]), count, Long::sum);
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

  /** Which part one sample is in; {@code ours} is the index of its innermost frame of ours, or -1. */
  private static String part(String[] frames, int ours) {
    if (ours < 0) {
      // Not a Java thread's run: the JIT compiler, the collector, the JVM's other threads, and
      // samples whose Java stack could not be walked.
      return frames.length > 0 && frames[0].startsWith("java/lang/Thread.run") ? IO : JVM_THREADS;
    }
    for (int i = 0; i <= ours; i++) {
      if (frames[i].contains("/checkpoint/ArchiveStats.")) {
        return ARCHIVE_CHECK;
      }
    }
    String called = ours + 1 < frames.length ? frames[ours + 1] : "";
    boolean io = INTO_IO.contains(called) || PASSED_ON.stream().anyMatch(called::startsWith);
    return io && !underRouter(frames, ours) ? IO : OWN_CODE;
  }

  /** Whether the sample is in the router (or what it calls), below our innermost frame. */
  private static boolean underRouter(String[] frames, int ours) {
    for (int i = ours + 1; i < frames.length; i++) {
      if (frames[i].startsWith(ROUTER)) {
        return true;
      }
    }
    return false;
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
    return requests > 0 ? Math.round(samples * Profiler.INTERVAL_MILLIS * 1000.0 / requests * 100) / 100.0 : 0;
  }
}
