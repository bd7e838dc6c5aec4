package io.xenha.scheduler.engine;

import io.xenha.config.Rule;
import io.xenha.scheduler.engine.Input.Expr;
import io.xenha.scheduler.engine.Input.RuleNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one evaluator of location rules against a node's attributes, with Pacemaker's meaning: the engine scores
 * nodes with it, whether the rule came from a HOCON file ({@link Rule}, crmsh syntax) or from a CIB's XML.
 */
public final class Rules {

  private Rules() {}

  /** True when a node with these attributes satisfies the crmsh-syntax rule. */
  public static boolean matches(Rule rule, Map<String, String> attributes) {
    return matches(ConfigInput.rule(rule), attributes);
  }

  /** The score the crmsh-syntax rule gives a node with these attributes, null when it gives none. */
  public static Integer score(Rule rule, Map<String, String> attributes) {
    return score(ConfigInput.rule(rule), attributes);
  }

  /**
   * The rule's score on a node with these attributes: null when it does not match, or when its score attribute is
   * missing there; a score attribute's value is read as Pacemaker reads a score (leading integer, INFINITY).
   */
  static Integer score(RuleNode rule, Map<String, String> attributes) {
    if (!matches(rule, attributes)) return null;
    if (rule.scoreAttribute() != null) {
      String v = attributes.get(rule.scoreAttribute());
      if (v == null) return null;
      return Values.score(v);
    }
    return rule.score() == null ? 0 : rule.score();
  }

  /** An empty rule matches; otherwise its expressions and nested rules joined by its boolean-op. */
  static boolean matches(RuleNode rule, Map<String, String> attributes) {
    boolean or = rule.or();
    boolean any = false;
    for (Expr e : rule.exprs()) {
      boolean m = matches(e, attributes);
      if (or && m) return true;
      if (!or && !m) return false;
      any = true;
    }
    for (RuleNode r : rule.rules()) {
      boolean m = matches(r, attributes);
      if (or && m) return true;
      if (!or && !m) return false;
      any = true;
    }
    return !any || !or;
  }

  private static boolean matches(Expr e, Map<String, String> attributes) {
    String op = e.op() == null ? "" : e.op().toLowerCase(Locale.ROOT);
    if (op.equals("date")) return false;
    String actual = attributes.get(e.attribute());
    switch (op) {
      case "defined": return actual != null;
      case "not_defined": return actual == null;
      default:
    }
    // an undefined attribute satisfies ne and nothing else
    if (actual == null) return op.equals("ne");
    String expected = e.value() == null ? "" : e.value();
    String type = e.type();
    if (type == null && List.of("lt", "gt", "lte", "gte").contains(op)) {
      // Pacemaker's default for ordered comparisons: numbers, with decimals when either side has a point
      type = actual.contains(".") || expected.contains(".") ? "number" : "integer";
    }
    int cmp = compare(actual, expected, type);
    switch (op) {
      case "lt": return cmp < 0;
      case "gt": return cmp > 0;
      case "lte": return cmp <= 0;
      case "gte": return cmp >= 0;
      case "eq": return cmp == 0;
      case "ne": return cmp != 0;
      default: return false;
    }
  }

  private static int compare(String a, String b, String type) {
    String t = type == null ? null : type.toLowerCase(Locale.ROOT);
    if (t == null) t = "string";
    switch (t) {
      case "integer": case "number":
        try {
          if (t.equals("number")) return Double.compare(Double.parseDouble(a.trim()), Double.parseDouble(b.trim()));
          return Long.compare(leadingLong(a), leadingLong(b));
        } catch (NumberFormatException ex) {
          try {
            return Double.compare(Double.parseDouble(a.trim()), Double.parseDouble(b.trim()));
          } catch (NumberFormatException ex2) {
            return a.compareToIgnoreCase(b);
          }
        }
      case "version":
        return compareVersion(a, b);
      default:
        return a.compareToIgnoreCase(b);
    }
  }

  /** strtoll: the leading integer ("3.4" is 3); no digits is an error. */
  private static long leadingLong(String text) {
    String t = text.trim();
    int i = t.startsWith("-") || t.startsWith("+") ? 1 : 0;
    int start = i;
    while (i < t.length() && Character.isDigit(t.charAt(i))) i++;
    if (i == start) throw new NumberFormatException(text);
    return Long.parseLong(t.substring(0, i).replace("+", ""));
  }

  private static int compareVersion(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      long p = i < x.length ? parseLong(x[i]) : 0;
      long q = i < y.length ? parseLong(y[i]) : 0;
      if (p != q) return Long.compare(p, q);
    }
    return 0;
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
