package org.checkpointgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, start-up race: a connection accepted while the HTTP server was still coming up could
 * hang for good ("socketMetric" is null in vertx-micrometer's requestBegin). The race needs a
 * cold JVM, so each start is a new gateway process, with clients connecting in a tight loop from
 * before it listens; every request that reached it must be answered.
 */
class StartupRaceTest {

  private static final int STARTS = 15;
  private static final int CLIENTS = 4;
  /** Answers after which a start has shown what it had to. */
  private static final int ENOUGH = 40;
  private static final String REQUEST = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

  @TempDir
  Path dir;

  @Test
  void everyRequestFromTheFirstInstantIsAnswered() throws Exception {
    for (int start = 0; start < STARTS; start++) {
      int port = freePort();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger answered = new AtomicInteger();
      List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
      ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
      List<Future<?>> loops = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        loops.add(clients.submit(() -> connectInALoop(port, stop, answered, failures)));
      }
      Path log = dir.resolve("gateway-" + start + ".log");
      Process gateway = startGateway(port, log);
      try {
        // A cold JVM on a busy machine: longer than Await's usual deadline.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (answered.get() < ENOUGH && gateway.isAlive() && System.nanoTime() < deadline) {
          Thread.sleep(50); // the poll interval
        }
      } finally {
        stop.set(true);
        for (Future<?> loop : loops) {
          loop.get(30, TimeUnit.SECONDS);
        }
        clients.shutdown();
        gateway.destroy();
        assertThat(gateway.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
      String output = Files.readString(log);
      assertThat(failures).as("start %d: requests not answered\n%s", start, output).isEmpty();
      assertThat(answered.get()).as("start %d answered\n%s", start, output).isGreaterThanOrEqualTo(ENOUGH);
      assertThat(output).as("start %d", start).doesNotContain("socketMetric")
          .doesNotContain("NullPointerException");
    }
  }

  /** Connects, sends, reads the answer; a refused connection (not listening yet) is retried. */
  private static void connectInALoop(int port, AtomicBoolean stop, AtomicInteger answered,
      List<String> failures) {
    while (!stop.get()) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        socket.setSoTimeout(10_000);
        OutputStream out = socket.getOutputStream();
        out.write(REQUEST.getBytes(StandardCharsets.US_ASCII));
        InputStream in = socket.getInputStream();
        String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        if (answer.startsWith("HTTP/1.1 200 ")) {
          answered.incrementAndGet();
        } else {
          failures.add("answered: " + answer);
        }
      } catch (SocketTimeoutException e) {
        failures.add("no answer in 10 s");
      } catch (IOException e) {
        // not listening yet (refused), or stopping
      }
    }
  }

  private Process startGateway(int port, Path log) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    return new ProcessBuilder(java, "-Dio.netty.jfr.enabled=false", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "--port", String.valueOf(port), "--checkpoint-dir", dir.resolve("checkpoints").toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
