package org.checkpointgateway.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Reads Server-Sent Events (the WHATWG HTML "event stream" format): {@code event:} and
 * {@code data:} fields, several data lines joined by newlines, a blank line ends an event, lines
 * starting with {@code :} are comments (heartbeats), {@code id:} and {@code retry:} are ignored.
 */
final class SseReader {

  /** One event: its name ({@code message} when the stream gives none) and data. */
  record Event(String name, String data) {
  }

  /** Receives events; answers false to stop reading. */
  interface Listener {
    boolean onEvent(Event event) throws CliException;
  }

  private SseReader() {
  }

  /** Reads until the stream ends or the listener stops; returns whether the stream ended. */
  static boolean read(InputStream in, Listener listener) throws IOException, CliException {
    BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    String name = null;
    StringBuilder data = null;
    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
      if (line.isEmpty()) {
        if (data != null) {
          if (!listener.onEvent(new Event(name == null ? "message" : name, data.toString()))) {
            return false;
          }
        }
        name = null;
        data = null;
        continue;
      }
      if (line.startsWith(":")) {
        continue;
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      if (field.equals("event")) {
        name = value;
      } else if (field.equals("data")) {
        data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
      }
    }
    return true;
  }
}
