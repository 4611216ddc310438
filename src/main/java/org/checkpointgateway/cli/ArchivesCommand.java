package org.checkpointgateway.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code archives ls|inspect|get|rm|pin|unpin}: the archives API from the command line. */
@Command(name = "archives", mixinStandardHelpOptions = true,
    description = "List, inspect, download, delete, pin and unpin checkpoint archives.",
    subcommands = {ArchivesCommand.Ls.class, ArchivesCommand.Inspect.class,
        ArchivesCommand.Get.class, ArchivesCommand.Rm.class, ArchivesCommand.Pin.class,
        ArchivesCommand.Unpin.class})
public final class ArchivesCommand implements Callable<Integer> {

  static final String API = "/api/v1/archives";

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  /** What every sub-command shares (ClientSubcommand), and the member that holds an archive. */
  abstract static class Sub extends ClientSubcommand {
    /** A fleet member's name: which of the members holding an archive of that name. */
    @Option(names = "--node", paramLabel = "NAME",
        description = "in a fleet: the member whose archive of that name is meant (when several hold one)")
    String node;

    /** The archive's path with {@code suffix}, and {@code ?node=} when one was chosen. */
    String at(String name, String suffix) throws CliException {
      return path(name) + suffix + (node == null ? ""
          : "?node=" + java.net.URLEncoder.encode(node, StandardCharsets.UTF_8));
    }

    static String path(String name) throws CliException {
      if (name.isEmpty() || name.contains("/") || name.contains("?") || name.contains("#")
          || name.contains("%") || name.contains(" ")) {
        throw new CliException("'" + name + "' is not an archive name", 2);
      }
      return API + "/" + name;
    }
  }

  @Command(name = "ls", mixinStandardHelpOptions = true, description = "List the archives you may read, oldest first.")
  static final class Ls extends Sub {
    @Option(names = "--namespace", paramLabel = "NS") String namespace;
    @Option(names = "--pod", paramLabel = "POD") String pod;
    @Option(names = "--container", paramLabel = "NAME") String container;
    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
        description = "table or json") String format;

    @Override
    void run(GatewayClient gateway, PrintWriter out, PrintWriter err) throws CliException {
      StringBuilder query = new StringBuilder();
      append(query, "namespace", namespace);
      append(query, "pod", pod);
      append(query, "container", container);
      JsonObject answer = gateway.json("GET", API + query);
      if (format.equals("json")) {
        out.println(answer.encodePrettily());
        return;
      }
      List<String[]> rows = new ArrayList<>();
      JsonArray items = answer.getJsonArray("items", new JsonArray());
      // A fleet member lists every member's archives, each with its node: then a NODE column.
      boolean fleet = items.stream().anyMatch(item -> ((JsonObject) item).containsKey("node"));
      rows.add(fleet
          ? new String[] {"NODE", "NAMESPACE", "POD", "CONTAINER", "CHECKPOINTED", "SIZE", "ENGINE", "PINNED", "NAME"}
          : new String[] {"NAMESPACE", "POD", "CONTAINER", "CHECKPOINTED", "SIZE", "ENGINE", "PINNED", "NAME"});
      for (Object item : items) {
        JsonObject a = (JsonObject) item;
        if (node != null && !node.equals(a.getString("node"))) {
          continue;
        }
        String[] row = {dash(a.getString("namespace")), dash(a.getString("pod")),
            dash(a.getString("container")), dash(a.getString("checkpointed")),
            ProgressBar.bytes(a.getLong("size", 0L)), dash(a.getString("engine")),
            a.getBoolean("pinned", false) ? "yes" : "no",
            a.getString("name") + (a.getBoolean("writing", false) ? " (being written)" : "")};
        if (fleet) {
          String[] withNode = new String[row.length + 1];
          withNode[0] = dash(a.getString("node"));
          System.arraycopy(row, 0, withNode, 1, row.length);
          row = withNode;
        }
        rows.add(row);
      }
      table(out, rows);
      if (answer.containsKey("unavailable")) {
        err.println("not listed: no answer from node "
            + String.join(", node ", answer.getJsonArray("unavailable").getList()));
      }
    }

    private static void append(StringBuilder query, String key, String value) {
      if (value != null) {
        query.append(query.length() == 0 ? '?' : '&').append(key).append('=')
            .append(java.net.URLEncoder.encode(value, StandardCharsets.UTF_8));
      }
    }
  }

  @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show what an archive holds.")
  static final class Inspect extends Sub {
    @Parameters(paramLabel = "NAME") String name;
    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
        description = "text or json") String format;

    @Override
    void run(GatewayClient gateway, PrintWriter out, PrintWriter err) throws CliException {
      JsonObject a = gateway.json("GET", at(name, "/inspect"));
      if (format.equals("json")) {
        out.println(a.encodePrettily());
        return;
      }
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"Archive", a.getString("name")});
      rows.add(new String[] {"Container", dash(a.getString("container")) + " (pod " + dash(a.getString("pod"))
          + ", namespace " + dash(a.getString("namespace")) + ")"});
      rows.add(new String[] {"Engine", dash(a.getString("engine"))
          + (a.getString("manager") != null ? " (" + a.getString("manager") + ")" : "")
          + ", runtime " + dash(a.getString("runtime"))});
      rows.add(new String[] {"Image", dash(a.getString("image"))});
      rows.add(new String[] {"Container ID", dash(a.getString("containerId"))});
      rows.add(new String[] {"Created", dash(a.getString("created"))});
      rows.add(new String[] {"Checkpointed", dash(a.getString("checkpointed"))});
      List<String> command = new ArrayList<>();
      a.getJsonArray("command", new JsonArray()).forEach(arg -> command.add(String.valueOf(arg)));
      rows.add(new String[] {"Command", command.isEmpty() ? "-" : String.join(" ", command)});
      JsonObject sizes = a.getJsonObject("sizes", new JsonObject());
      rows.add(new String[] {"Sizes", "archive " + ProgressBar.bytes(sizes.getLong("archive", 0L))
          + ", CRIU images " + ProgressBar.bytes(sizes.getLong("criuImages", 0L))
          + ", memory pages " + ProgressBar.bytes(sizes.getLong("memoryPages", 0L))
          + ", root-fs diff " + ProgressBar.bytes(sizes.getLong("rootfsDiff", 0L))});
      JsonObject criu = a.getJsonObject("criu", new JsonObject());
      JsonObject stats = criu.getJsonObject("dumpStatistics");
      if (stats != null) {
        rows.add(new String[] {"CRIU dump", "freezing " + millis(stats, "freezingTimeMicros")
            + ", frozen " + millis(stats, "frozenTimeMicros") + ", memdump "
            + millis(stats, "memdumpTimeMicros") + ", memwrite " + millis(stats, "memwriteTimeMicros")});
        rows.add(new String[] {"", "pages scanned " + stats.getLong("pagesScanned") + ", written "
            + stats.getLong("pagesWritten") + ", skipped (parent) " + stats.getLong("pagesSkippedParent")});
      } else {
        rows.add(new String[] {"CRIU dump", "no stats-dump"});
      }
      List<String> processes = new ArrayList<>();
      for (Object p : a.getJsonArray("processes", new JsonArray())) {
        JsonObject process = (JsonObject) p;
        processes.add(process.getInteger("pid") + " " + dash(process.getString("command"))
            + " (parent " + process.getInteger("ppid") + ", " + process.getInteger("threads") + " threads)");
      }
      rows.add(new String[] {"Processes", processes.isEmpty() ? "not in the archive" : processes.get(0)});
      for (int i = 1; i < processes.size(); i++) {
        rows.add(new String[] {"", processes.get(i)});
      }
      rows.add(new String[] {"Members", a.getInteger("memberCount", 0) + ""});
      rows.add(new String[] {"Pinned", a.getBoolean("pinned", false) ? "yes" : "no"});
      table(out, rows);
    }

    private static String millis(JsonObject stats, String key) {
      return String.format(Locale.ROOT, "%.1f ms", stats.getLong(key, 0L) / 1000.0);
    }
  }

  /**
   * Downloads into {@code FILE.part}, renamed to FILE when complete. A {@code .part} left by a
   * broken download is resumed with a Range request; {@code If-Range} with the ETag saved beside
   * it makes the gateway send the whole archive instead if it changed meanwhile.
   */
  @Command(name = "get", mixinStandardHelpOptions = true, description = "Download an archive, resuming a partial download.")
  static final class Get extends Sub {
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+)");

    @Parameters(paramLabel = "NAME") String name;
    @Option(names = {"-O", "--output-file"}, paramLabel = "FILE", description = "where to save (default: ./NAME)")
    Path file;

    @Override
    void run(GatewayClient gateway, PrintWriter out, PrintWriter err) throws CliException {
      Path target = file != null ? file : Path.of(name);
      Path part = target.resolveSibling(target.getFileName() + ".part");
      Path etagFile = target.resolveSibling(target.getFileName() + ".part.etag");
      if (Files.exists(target)) {
        throw new CliException(target + " already exists");
      }
      long have = 0;
      String etag = null;
      try {
        if (Files.exists(part) && Files.exists(etagFile)) {
          have = Files.size(part);
          etag = Files.readString(etagFile).trim();
        }
      } catch (IOException e) {
        throw new CliException("cannot read " + part + ": " + e.getMessage());
      }
      HttpRequest.Builder request = gateway.request(at(name, "")).GET();
      if (have > 0) {
        request.header("Range", "bytes=" + have + "-").header("If-Range", etag);
      }
      HttpResponse<InputStream> response = gateway.send(request.build(),
          HttpResponse.BodyHandlers.ofInputStream());
      long total;
      boolean append;
      if (response.statusCode() == 206) {
        Matcher range = CONTENT_RANGE.matcher(response.headers().firstValue("Content-Range").orElse(""));
        if (!range.matches() || Long.parseLong(range.group(1)) != have) {
          throw new CliException("the gateway sent a range this client did not ask for");
        }
        total = Long.parseLong(range.group(3));
        append = true;
        client.progressLines(err).println("resuming " + name + " at " + ProgressBar.bytes(have) + " of " + ProgressBar.bytes(total));
      } else if (response.statusCode() == 200) {
        total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        append = false;
        have = 0;
      } else if (response.statusCode() == 416 && have > 0) {
        // The part is as long as the archive (or longer: start over).
        close(response);
        long size = response.headers().firstValue("Content-Range").map(v -> v.replace("bytes */", ""))
            .map(Long::parseLong).orElse(-1L);
        if (size == have) {
          finish(part, etagFile, target, have, out);
          return;
        }
        delete(part, etagFile);
        run(gateway, out, err);
        return;
      } else {
        throw gateway.failure(response);
      }
      try {
        Files.writeString(etagFile, response.headers().firstValue("ETag").orElse(""));
      } catch (IOException e) {
        throw new CliException("cannot write " + etagFile + ": " + e.getMessage());
      }
      ProgressBar bar = new ProgressBar(err, client.terminal());
      long written = have;
      try (InputStream in = response.body();
          OutputStream outFile = Files.newOutputStream(part, StandardOpenOption.CREATE,
              StandardOpenOption.WRITE, append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
        byte[] buffer = new byte[256 * 1024];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          outFile.write(buffer, 0, n);
          written += n;
          bar.show("downloading", total > 0 ? (double) written / total : 0,
              ProgressBar.bytes(written) + " / " + (total > 0 ? ProgressBar.bytes(total) : "?"));
        }
      } catch (IOException e) {
        bar.clear();
        throw new CliException("download broken at " + ProgressBar.bytes(written) + " (" + e.getMessage()
            + "); run the same command again to resume");
      }
      bar.clear();
      if (total >= 0 && written != total) {
        throw new CliException("download ended at " + written + " of " + total
            + " bytes; run the same command again to resume");
      }
      finish(part, etagFile, target, written, out);
    }

    private static void finish(Path part, Path etagFile, Path target, long size, PrintWriter out)
        throws CliException {
      try {
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
        Files.deleteIfExists(etagFile);
      } catch (IOException e) {
        throw new CliException("cannot move " + part + " to " + target + ": " + e.getMessage());
      }
      out.println("saved " + target + " (" + size + " bytes)");
    }

    private static void delete(Path... files) throws CliException {
      try {
        for (Path f : files) {
          Files.deleteIfExists(f);
        }
      } catch (IOException e) {
        throw new CliException(e.getMessage());
      }
    }

    private static void close(HttpResponse<InputStream> response) {
      try {
        response.body().close();
      } catch (IOException ignored) {
        // nothing was to be read
      }
    }
  }

  @Command(name = "rm", mixinStandardHelpOptions = true, description = "Delete an archive (not a pinned one).")
  static final class Rm extends Sub {
    @Parameters(paramLabel = "NAME") String name;

    @Override
    void run(GatewayClient gateway, PrintWriter out, PrintWriter err) throws CliException {
      gateway.json("DELETE", at(name, ""));
      out.println("deleted " + name);
    }
  }

  @Command(name = "pin", mixinStandardHelpOptions = true, description = "Keep an archive from retention and deletion.")
  static final class Pin extends Sub {
    @Parameters(paramLabel = "NAME") String name;

    @Override
    void run(GatewayClient gateway, PrintWriter out, PrintWriter err) throws CliException {
      gateway.json("PUT", at(name, "/pin"));
      out.println("pinned " + name);
    }
  }

  @Command(name = "unpin", mixinStandardHelpOptions = true, description = "Let retention remove an archive again.")
  static final class Unpin extends Sub {
    @Parameters(paramLabel = "NAME") String name;

    @Override
    void run(GatewayClient gateway, PrintWriter out, PrintWriter err) throws CliException {
      gateway.json("DELETE", at(name, "/pin"));
      out.println("unpinned " + name);
    }
  }

  static String dash(String value) {
    return value == null ? "-" : value;
  }

  /** Columns padded to their widest cell; the last column is not padded. */
  static void table(PrintWriter out, List<String[]> rows) {
    int columns = rows.get(0).length;
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int i = 0; i < columns - 1; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < columns; i++) {
        line.append(i < columns - 1 ? String.format("%-" + (widths[i] + 2) + "s", row[i]) : row[i]);
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
