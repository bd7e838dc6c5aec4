package io.xenha.config;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * Finds a `{` or `[` that is never closed. Typesafe Config reports that at the end of the file, in words about
 * parentheses ("expecting a close parentheses ')' here, not: end of file"); this names the bracket's own line and the
 * key it opens. Strings, comments and substitutions are skipped as HOCON reads them.
 */
final class Brackets {
  /** An unclosed bracket: its line, the key path it opens (may be empty) and the message. */
  record Unclosed(int line, String key, String message) {}

  private record Open(char bracket, int line, int indent, String key) {}

  private final String s;
  private int pos;
  private int line = 1;
  private int lineStart;

  private Brackets(String text) {
    this.s = text;
  }

  /** The unclosed bracket of {@code text}, if there is one and every bracket before it is matched. */
  static Optional<Unclosed> unclosed(String text) {
    return new Brackets(text).scan();
  }

  private Optional<Unclosed> scan() {
    Deque<Open> stack = new ArrayDeque<>();
    // the first bracket whose closing one is indented unlike the line that opened it: likely the one never closed
    Open suspect = null;
    int suspectCloser = 0;
    StringBuilder key = new StringBuilder();
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c == '"') {
        String str = string();
        if (str == null) return Optional.empty(); // an unclosed string: the parser's message is right
        key.append(str);
        continue;
      }
      if (c == '#' || (c == '/' && at(1) == '/')) {
        while (pos < s.length() && s.charAt(pos) != '\n') pos++;
        continue;
      }
      if (c == '$' && at(1) == '{') {
        int end = s.indexOf('}', pos);
        if (end < 0) return Optional.empty();
        advanceTo(end + 1);
        continue;
      }
      if (c == '{' || c == '[') {
        stack.push(new Open(c, line, indentOf(lineStart), path(stack, key.toString())));
        key.setLength(0);
      } else if (c == '}' || c == ']') {
        Open open = stack.poll();
        if (open == null) return Optional.empty(); // a stray one: the parser's message is right
        if (open.bracket() != (c == '}' ? '{' : '[')) {
          return Optional.of(new Unclosed(open.line(), open.key(), "unclosed '" + open.bracket() + "': no '"
              + closer(open.bracket()) + "' closes it before the '" + c + "' at line " + line));
        }
        boolean firstOnLine = s.substring(lineStart, pos).isBlank();
        if (suspect == null && firstOnLine && pos - lineStart != open.indent() && open.line() != line) {
          suspect = open;
          suspectCloser = line;
        }
        key.setLength(0);
      } else if (c == '\n' || c == ',') {
        key.setLength(0);
      } else if (c == '=' || c == ':') {
        // the key ends here; what follows is its value
      } else if (!Character.isWhitespace(c)) {
        key.append(c);
      } else if (key.length() > 0 && key.charAt(key.length() - 1) != ' ') {
        key.append(' ');
      }
      advanceTo(pos + 1);
    }
    if (stack.isEmpty()) return Optional.empty();
    Open culprit = stack.peek();
    String hint = "";
    if (suspect != null && suspect.line() >= stack.peekLast().line()) {
      culprit = suspect;
      hint = " (the '" + closer(suspect.bracket()) + "' at line " + suspectCloser + " is indented for an outer block)";
    }
    return Optional.of(new Unclosed(culprit.line(), culprit.key(), "unclosed '" + culprit.bracket() + "': no '"
        + closer(culprit.bracket()) + "' closes it before the end of the file" + hint));
  }

  private static char closer(char open) {
    return open == '{' ? '}' : ']';
  }

  /** The key path of a bracket: the path of the object it is in and the words before it on its line. */
  private static String path(Deque<Open> stack, String key) {
    String k = key.strip().replaceAll("\\s*\\+$", ""); // a += [ ... ]
    String outer = stack.isEmpty() ? "" : stack.peek().key();
    if (outer.isEmpty()) return k;
    return k.isEmpty() ? outer : outer + "." + k;
  }

  private int indentOf(int start) {
    int i = start;
    while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) i++;
    return i - start;
  }

  /** Skips a quoted or triple-quoted string; returns its text, or null when it is never closed. */
  private String string() {
    if (s.startsWith("\"\"\"", pos)) {
      int end = s.indexOf("\"\"\"", pos + 3);
      if (end < 0) return null;
      while (end + 3 < s.length() && s.charAt(end + 3) == '"') end++; // """ may end with more quotes
      String body = s.substring(pos + 3, end);
      advanceTo(end + 3);
      return body;
    }
    StringBuilder b = new StringBuilder();
    int i = pos + 1;
    while (i < s.length() && s.charAt(i) != '"') {
      if (s.charAt(i) == '\n') return null;
      if (s.charAt(i) == '\\') i++;
      if (i < s.length()) b.append(s.charAt(i));
      i++;
    }
    if (i >= s.length()) return null;
    advanceTo(i + 1);
    return b.toString();
  }

  private void advanceTo(int to) {
    while (pos < to && pos < s.length()) {
      if (s.charAt(pos) == '\n') {
        line++;
        lineStart = pos + 1;
      }
      pos++;
    }
  }

  private char at(int ahead) {
    return pos + ahead < s.length() ? s.charAt(pos + ahead) : '\0';
  }
}
