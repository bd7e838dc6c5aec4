package io.xenha.cib;

import com.typesafe.config.ConfigUtil;
import java.util.List;
import java.util.regex.Pattern;

/** A small writer of indented HOCON text with comments, for the configurations `xenha import` prints. */
final class Hocon {
  private static final Pattern BARE_KEY = Pattern.compile("[A-Za-z0-9_-]+");
  private static final Pattern BARE_VALUE = Pattern.compile("-?[A-Za-z0-9_][A-Za-z0-9_-]*");
  private final StringBuilder out = new StringBuilder();
  private int depth;

  /** A comment line; each line of {@code text} becomes one. */
  Hocon comment(String text) {
    for (String l : text.split("\n", -1)) line("# " + l);
    return this;
  }

  Hocon blank() {
    out.append('\n');
    return this;
  }

  Hocon line(String text) {
    out.append("  ".repeat(depth)).append(text.stripTrailing()).append('\n');
    return this;
  }

  Hocon open(String key) {
    line(key(key) + " {");
    depth++;
    return this;
  }

  Hocon openList(String key) {
    line(key(key) + " = [");
    depth++;
    return this;
  }

  Hocon closeList() {
    depth--;
    line("]");
    return this;
  }

  Hocon close() {
    depth--;
    line("}");
    return this;
  }

  /** key = value, the value quoted unless it is a plain word or number. */
  Hocon put(String key, String value) {
    return line(key(key) + " = " + value(value));
  }

  Hocon put(String key, String value, String comment) {
    return line(key(key) + " = " + value(value) + (comment == null ? "" : "   # " + comment));
  }

  /** key = value written as it is (numbers, booleans, lists, durations). */
  Hocon raw(String key, String value) {
    return line(key(key) + " = " + value);
  }

  static String key(String k) {
    return BARE_KEY.matcher(k).matches() ? k : ConfigUtil.quoteString(k);
  }

  static String value(String v) {
    if (BARE_VALUE.matcher(v).matches() && !v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")
        && !v.equalsIgnoreCase("null") && !v.equalsIgnoreCase("on") && !v.equalsIgnoreCase("off")
        && !v.equalsIgnoreCase("yes") && !v.equalsIgnoreCase("no")) {
      return v;
    }
    return ConfigUtil.quoteString(v);
  }

  static String list(List<String> items) {
    return "[" + String.join(", ", items.stream().map(Hocon::value).toList()) + "]";
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
