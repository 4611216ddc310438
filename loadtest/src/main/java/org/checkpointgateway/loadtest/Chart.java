package org.checkpointgateway.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Small hand-written SVG line charts: panels side by side, log or linear axes, one line per
 * series (solid or dashed), a legend under each panel. No dependencies, readable as text.
 */
final class Chart {

  static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"};
  private static final int W = 460;
  private static final int H = 300;
  private static final int LEFT = 62;
  private static final int RIGHT = 14;
  private static final int TOP = 34;
  private static final int BOTTOM = 44;

  record Series(String name, String color, boolean dashed, List<double[]> points) {
  }

  record Tick(double value, String label) {
  }

  record Panel(String title, String xLabel, String yLabel, boolean xLog, boolean yLog, List<Tick> xTicks,
               List<Series> series) {
  }

  /** The x positions of p50, p90, p99, p99.9 and max on a "nines" axis. */
  static final List<Tick> PERCENTILE_TICKS = List.of(new Tick(nines(50), "p50"), new Tick(nines(90), "p90"),
      new Tick(nines(99), "p99"), new Tick(nines(99.9), "p99.9"), new Tick(4, "max"));

  static double nines(double percentile) {
    return -Math.log10(1 - percentile / 100);
  }

  static String svg(String title, String subtitle, List<Panel> panels) {
    int legendRows = panels.stream().mapToInt(p -> (p.series().size() + 1) / 2).max().orElse(0);
    int height = 46 + H + legendRows * 16 + 10;
    int width = Math.max(1, panels.size()) * W;
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
        + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">%n", width, height, width, height));
    s.append(String.format("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
    s.append(String.format("<text x=\"10\" y=\"18\" font-size=\"14\" font-weight=\"bold\">%s</text>%n", esc(title)));
    s.append(String.format("<text x=\"10\" y=\"34\" fill=\"#555\">%s</text>%n", esc(subtitle)));
    for (int i = 0; i < panels.size(); i++) {
      s.append(String.format("<g transform=\"translate(%d,40)\">%n", i * W));
      panel(s, panels.get(i));
      s.append("</g>\n");
    }
    return s.append("</svg>\n").toString();
  }

  private static void panel(StringBuilder s, Panel p) {
    List<double[]> all = new ArrayList<>();
    p.series().forEach(series -> all.addAll(series.points()));
    all.removeIf(pt -> !Double.isFinite(pt[1]) || (p.yLog() && pt[1] <= 0));
    double xMin = p.xTicks().stream().mapToDouble(Tick::value).min().orElse(0);
    double xMax = p.xTicks().stream().mapToDouble(Tick::value).max().orElse(1);
    double yMinRaw = all.stream().mapToDouble(pt -> pt[1]).min().orElse(1);
    double yMaxRaw = all.stream().mapToDouble(pt -> pt[1]).max().orElse(10);
    double yMin;
    double yMax;
    if (p.yLog()) {
      yMin = Math.pow(10, Math.floor(Math.log10(yMinRaw)));
      yMax = Math.pow(10, Math.ceil(Math.log10(yMaxRaw * 1.0001)));
    } else {
      yMin = 0;
      yMax = niceCeil(yMaxRaw * 1.05);
    }
    int plotW = W - LEFT - RIGHT;
    int plotH = H - TOP - BOTTOM;
    Axis x = new Axis(p.xLog(), xMin, xMax, LEFT, LEFT + plotW);
    Axis y = new Axis(p.yLog(), yMin, yMax, TOP + plotH, TOP);
    s.append(String.format("<text x=\"%d\" y=\"16\" font-size=\"12\" font-weight=\"bold\">%s</text>%n", LEFT, esc(p.title())));
    s.append(String.format("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n",
        LEFT, TOP, plotW, plotH));
    for (Tick t : p.xTicks()) {
      double px = x.at(t.value());
      s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>"
          + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", px, TOP, px, TOP + plotH, px, TOP + plotH + 14, esc(t.label())));
    }
    for (double v : yTicks(p.yLog(), yMin, yMax)) {
      double py = y.at(v);
      s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
          + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT, py, LEFT + plotW, py, LEFT - 4, py + 4, number(v)));
    }
    s.append(String.format("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
        LEFT + plotW / 2, TOP + plotH + 30, esc(p.xLabel())));
    s.append(String.format("<text transform=\"translate(14,%d) rotate(-90)\" text-anchor=\"middle\">%s</text>%n",
        TOP + plotH / 2, esc(p.yLabel())));
    int row = 0;
    for (int i = 0; i < p.series().size(); i++) {
      Series series = p.series().get(i);
      StringBuilder path = new StringBuilder();
      for (double[] pt : series.points()) {
        if (!Double.isFinite(pt[1]) || (p.yLog() && pt[1] <= 0)) {
          continue;
        }
        path.append(String.format(Locale.ROOT, "%s%.1f,%.1f ", path.length() == 0 ? "M" : "L", x.at(pt[0]), y.at(pt[1])));
        s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>%n",
            x.at(pt[0]), y.at(pt[1]), series.color()));
      }
      s.append(String.format("<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\"%s/>%n",
          path.toString().trim(), series.color(), series.dashed() ? " stroke-dasharray=\"5,3\"" : ""));
      int lx = LEFT + (i % 2) * (plotW / 2);
      int ly = H + 8 + row * 16;
      s.append(String.format("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>"
          + "<text x=\"%d\" y=\"%d\">%s</text>%n", lx, ly - 4, lx + 18, ly - 4, series.color(),
          series.dashed() ? " stroke-dasharray=\"5,3\"" : "", lx + 22, ly, esc(series.name())));
      if (i % 2 == 1) {
        row++;
      }
    }
  }

  private record Axis(boolean log, double min, double max, double from, double to) {
    double at(double v) {
      double f = log ? (Math.log10(v) - Math.log10(min)) / (Math.log10(max) - Math.log10(min))
          : (v - min) / (max - min == 0 ? 1 : max - min);
      return from + f * (to - from);
    }
  }

  private static List<Double> yTicks(boolean log, double min, double max) {
    List<Double> ticks = new ArrayList<>();
    if (log) {
      for (double d = min; d <= max * 1.0001; d *= 10) {
        ticks.add(d);
      }
    } else {
      double step = max / 5;
      for (int i = 0; i <= 5; i++) {
        ticks.add(i * step);
      }
    }
    return ticks;
  }

  private static double niceCeil(double v) {
    if (v <= 0) {
      return 1;
    }
    double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * magnitude >= v) {
        return m * magnitude;
      }
    }
    return 10 * magnitude;
  }

  static String number(double v) {
    if (v == 0) {
      return "0";
    }
    if (Math.abs(v) >= 1_000_000) {
      return trim(v / 1_000_000) + "M";
    }
    if (Math.abs(v) >= 1000) {
      return trim(v / 1000) + "k";
    }
    return trim(v);
  }

  private static String trim(double v) {
    String s = String.format(Locale.ROOT, "%.3f", v);
    return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
  }

  private static String esc(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
