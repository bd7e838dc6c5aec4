package io.xenha.config;

/** Pacemaker's score arithmetic: integers saturating at +/-INFINITY (1,000,000); -INFINITY wins over +INFINITY. */
public final class Score {
  public static final int INFINITY = 1_000_000;
  public static final int MINUS_INFINITY = -INFINITY;

  private Score() {}

  /** Adds two scores the way Pacemaker does: -INFINITY dominates, then +INFINITY, otherwise saturating. */
  public static int add(int a, int b) {
    if (a <= MINUS_INFINITY || b <= MINUS_INFINITY) return MINUS_INFINITY;
    if (a >= INFINITY || b >= INFINITY) return INFINITY;
    long s = (long) a + b;
    if (s >= INFINITY) return INFINITY;
    if (s <= MINUS_INFINITY) return MINUS_INFINITY;
    return (int) s;
  }

  /** Parses "INFINITY", "+INFINITY", "-INFINITY", "inf" or an integer; throws IllegalArgumentException otherwise. */
  public static int parse(String text) {
    String t = text.trim();
    switch (t.toUpperCase()) {
      case "INFINITY": case "+INFINITY": case "INF": case "+INF": return INFINITY;
      case "-INFINITY": case "-INF": return MINUS_INFINITY;
      default:
    }
    try {
      // Pacemaker clamps any larger number to +/-INFINITY, also one beyond 64 bits
      java.math.BigInteger v = new java.math.BigInteger(t.startsWith("+") ? t.substring(1) : t);
      return v.max(java.math.BigInteger.valueOf(MINUS_INFINITY)).min(java.math.BigInteger.valueOf(INFINITY)).intValue();
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a score: '" + text + "' (an integer, INFINITY or -INFINITY)");
    }
  }

  public static String format(int score) {
    if (score >= INFINITY) return "INFINITY";
    if (score <= MINUS_INFINITY) return "-INFINITY";
    return Integer.toString(score);
  }
}
