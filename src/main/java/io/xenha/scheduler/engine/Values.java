package io.xenha.scheduler.engine;

import java.util.Locale;

/** Pacemaker's value syntax: booleans, scores, intervals. */
public final class Values {
  private Values() {}

  public static boolean isTrue(String v) {
    if (v == null) return false;
    switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "true": case "on": case "yes": case "y": case "1":
        return true;
      default:
        return false;
    }
  }

  /** A score; unparsable text counts as 0 as in Pacemaker (callers validate where it matters). */
  public static int score(String text) {
    if (text == null) return 0;
    String t = text.trim();
    switch (t.toLowerCase(Locale.ROOT)) {
      case "infinity": case "+infinity": case "inf": case "+inf":
        return Model.INFINITY;
      case "-infinity": case "-inf":
        return -Model.INFINITY;
      case "red":
        return 0;
      default:
    }
    // like strtol: the leading integer counts ("1.0" is 1), anything else is 0
    int i = 0;
    if (i < t.length() && (t.charAt(i) == '+' || t.charAt(i) == '-')) i++;
    int start = i;
    while (i < t.length() && Character.isDigit(t.charAt(i))) i++;
    if (i == start) return 0;
    try {
      long v = Long.parseLong(t.substring(0, Math.min(i, start + 18)).replace("+", ""));
      return (int) Math.max(-Model.INFINITY, Math.min(Model.INFINITY, v));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  public static boolean isScore(String text) {
    if (text == null) return false;
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.matches("[+-]?inf(inity)?")) return true;
    return t.matches("[+-]?\\d+");
  }

  /** Pacemaker's score addition: -INFINITY dominates, then +INFINITY, otherwise saturating. */
  public static int add(int a, int b) {
    if (a <= -Model.INFINITY || b <= -Model.INFINITY) return -Model.INFINITY;
    if (a >= Model.INFINITY || b >= Model.INFINITY) return Model.INFINITY;
    long s = (long) a + b;
    if (s >= Model.INFINITY) return Model.INFINITY;
    if (s <= -Model.INFINITY) return -Model.INFINITY;
    return (int) s;
  }

  /** An interval or timeout ("10", "10s", "500ms", "1m", "2h", "PT10S") in milliseconds; -1 if unparsable. */
  public static long millis(String text) {
    if (text == null) return 0;
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.isEmpty()) return 0;
    if (t.startsWith("pt") || t.startsWith("p")) return iso(t);
    int i = 0;
    while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.')) i++;
    if (i == 0) return -1;
    double n;
    try {
      n = Double.parseDouble(t.substring(0, i));
    } catch (NumberFormatException e) {
      return -1;
    }
    String unit = t.substring(i).trim();
    switch (unit) {
      case "": case "s": case "sec": case "secs": case "second": case "seconds":
        return Math.round(n * 1000);
      case "ms": case "msec": case "msecs":
        return Math.round(n);
      case "us": case "usec": case "usecs":
        return Math.round(n / 1000);
      case "m": case "min": case "mins": case "minute": case "minutes":
        return Math.round(n * 60_000);
      case "h": case "hr": case "hrs": case "hour": case "hours":
        return Math.round(n * 3_600_000);
      default:
        return -1;
    }
  }

  private static long iso(String t) {
    long total = 0;
    boolean time = false;
    StringBuilder num = new StringBuilder();
    for (char c : t.substring(1).toCharArray()) {
      if (c == 't') {
        time = true;
      } else if (Character.isDigit(c)) {
        num.append(c);
      } else {
        if (num.length() == 0) return -1;
        long n = Long.parseLong(num.toString());
        num.setLength(0);
        switch (c) {
          case 'd': total += n * 86_400_000L; break;
          case 'h': total += n * 3_600_000L; break;
          case 'm': total += time ? n * 60_000L : n * 30L * 86_400_000L; break;
          case 's': total += n * 1000L; break;
          case 'w': total += n * 7 * 86_400_000L; break;
          case 'y': total += n * 365 * 86_400_000L; break;
          default: return -1;
        }
      }
    }
    return total;
  }
}
