package org.checkpointgateway.loadtest;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * async-profiler (Maven Central's {@code tools.profiler:async-profiler}, its native library
 * packed into the harness jar) attached to a running server for one window: CPU samples of every
 * thread, Java and kernel frames together, every millisecond. A sampling profiler that sees the
 * kernel shows what a timing run cannot: which part of a server's CPU per request is whose
 * (a finer interval halved the gateway's throughput here; one millisecond costs it about 10%).
 */
final class Profiler {

  /** Where the library is in the harness jar (async-profiler's own layout). */
  private static final String LIBRARY = "linux-x64/libasyncProfiler.so";

  /**
   * How it samples: CPU time of every thread, every millisecond (kernel frames too where perf
   * events are allowed).
   */
  static final int INTERVAL_MILLIS = 1;
  static final String SETTINGS = "event=cpu,interval=" + INTERVAL_MILLIS + "ms";

  private final Path library;

  private Profiler(Path library) {
    this.library = library;
  }

  /**
   * The profiler, its library copied out of the jar into {@code work}, writing its stacks into
   * {@code output}.
   *
   * @throws IllegalStateException saying why there is none: another architecture, a jar built
   *     without it, a directory the profiler cannot be given
   */
  static Profiler in(Path work, Path output) {
    // The profiler reads its options split at commas, and expands % in file names.
    if (output.toString().contains(",") || output.toString().contains("%")) {
      throw new IllegalStateException("async-profiler cannot write into a path with ',' or '%': "
          + output);
    }
    String os = System.getProperty("os.name") + "/" + System.getProperty("os.arch");
    if (!os.equals("Linux/amd64")) {
      throw new IllegalStateException("the harness carries async-profiler for linux-x64 only, not " + os);
    }
    try (InputStream packed = Profiler.class.getClassLoader().getResourceAsStream(LIBRARY)) {
      if (packed == null) {
        throw new IllegalStateException(LIBRARY + " is not in the harness jar");
      }
      Path library = work.resolve("libasyncProfiler.so");
      Files.copy(packed, library, StandardCopyOption.REPLACE_EXISTING);
      return new Profiler(library);
    } catch (IOException failure) {
      throw new IllegalStateException("async-profiler's library could not be copied into " + work
          + ": " + failure, failure);
    }
  }

  /** Starts sampling {@code pid}'s CPU, every thread, every millisecond. */
  void start(long pid) throws Refused {
    command(pid, "start," + SETTINGS);
  }

  /**
   * Stops sampling {@code pid} and writes what it sampled as collapsed stacks to {@code output},
   * a file in the directory given to {@link #in}.
   */
  void stop(long pid, Path output) throws Refused {
    command(pid, "stop,file=" + output + ",collapsed");
  }

  /**
   * Stops sampling {@code pid} after a run that failed, keeping that failure: whatever the
   * profiler says is added to it, and nothing is kept of what it sampled.
   */
  void stopAfter(long pid, Exception failure) {
    try {
      command(pid, "stop");
    } catch (Refused refused) {
      failure.addSuppressed(refused);
    }
  }

  private void command(long pid, String command) throws Refused {
    String verb = command.split(",", 2)[0];
    VirtualMachine vm;
    try {
      vm = VirtualMachine.attach(String.valueOf(pid));
    } catch (IOException | AttachNotSupportedException failure) {
      throw new Refused("could not attach to process " + pid + " to " + verb + " async-profiler: "
          + failure, failure);
    }
    try {
      vm.loadAgentPath(library.toString(), command);
    } catch (IOException | AgentLoadException | AgentInitializationException failure) {
      // The JDK says only that the agent failed; the profiler says why in the server's output.
      throw new Refused("async-profiler refused to " + verb + " in process " + pid + " (its reason"
          + " is in that process's output): " + failure, failure);
    } finally {
      try {
        vm.detach();
      } catch (IOException ignored) {
        // The command was delivered (or refused) already; a detach that fails changes neither.
      }
    }
  }

  /** The process would not let the profiler in, or the profiler refused the command. */
  static final class Refused extends Exception {
    Refused(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
