package io.xenha.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds objects written twice in one HOCON file, e.g. two `web1 { ... }` blocks under resources.
 * Typesafe Config merges them silently (and when the second block sets every key of the first, not
 * even the merged origin shows it), so the raw text is scanned: a light reading of HOCON's structure
 * that skips values, strings, arrays, substitutions and comments.
 */
final class DuplicateScanner {
  private final String s;
  private int pos;
  private int line = 1;
  private final Map<List<String>, List<Integer>> defs = new LinkedHashMap<>();
  private final List<Include> includes = new ArrayList<>();

  /**
   * One include statement: the object it is in ({@code prefix}), its line, its text as written, and what it names:
   * {@code kind} is "file", "url", "classpath" or "" (the quoted form, a file next to the including one or a
   * classpath resource).
   */
  record Include(List<String> prefix, int line, String statement, boolean required, String kind, String name) {}

  /** What a scan found: object blocks by path and the include statements, both in file order. */
  record Scan(Map<List<String>, List<Integer>> definitions, List<Include> includes) {}

  private DuplicateScanner(String text) {
    this.s = text;
  }

  /** For every object path opened with `{` in the file, the lines where it was opened, in file order. */
  static Map<List<String>, List<Integer>> objectDefinitions(String text) {
    return scan(text).definitions();
  }

  /** Object definitions and include statements of one file. */
  static Scan scan(String text) {
    DuplicateScanner sc = new DuplicateScanner(text);
    try {
      sc.skipBlank();
      if (sc.peek() == '{') {
        sc.next();
        sc.objectBody(List.of(), true);
      } else {
        sc.objectBody(List.of(), false);
      }
    } catch (RuntimeException e) {
      // malformed text is the parser's business; keep what was found
    }
    return new Scan(sc.defs, sc.includes);
  }

  private void objectBody(List<String> prefix, boolean braced) {
    while (true) {
      skipBlank();
      while (peek() == ',') {
        next();
        skipBlank();
      }
      if (eof()) return;
      if (peek() == '}') {
        next();
        if (braced) return;
        continue;
      }
      if (s.startsWith("include", pos) && pos + 7 < s.length() && Character.isWhitespace(s.charAt(pos + 7))
          && include(prefix)) {
        continue;
      }
      int keyLine = line;
      List<String> key = key();
      if (key.isEmpty()) {
        next(); // not a key: step over it rather than loop
        continue;
      }
      skipInlineBlank();
      if (peek() == '+' && peekAt(1) == '=') {
        pos += 2;
      } else if (peek() == '=' || peek() == ':') {
        next();
      }
      List<String> path = new ArrayList<>(prefix);
      path.addAll(key);
      value(path, keyLine);
    }
  }

  /**
   * include "x", include file("x"), include required(classpath("x")), ...; false (nothing consumed) when this
   * "include" is a key after all.
   */
  private boolean include(List<String> prefix) {
    int start = pos;
    int at = line;
    pos += "include".length();
    skipInlineBlank();
    boolean required = false;
    if (s.startsWith("required(", pos)) {
      required = true;
      pos += "required(".length();
      skipInlineBlank();
    }
    String kind = "";
    for (String k : List.of("file", "url", "classpath")) {
      if (s.startsWith(k + "(", pos)) {
        kind = k;
        pos += k.length() + 1;
        skipInlineBlank();
        break;
      }
    }
    if (peek() != '"' || s.startsWith("\"\"\"", pos)) {
      pos = start;
      line = at;
      return false;
    }
    String name = string();
    skipInlineBlank();
    if (!kind.isEmpty() && peek() == ')') next();
    skipInlineBlank();
    if (required && peek() == ')') next();
    includes.add(new Include(prefix, at, s.substring(start, pos).strip(), required, kind, name));
    return true;
  }

  private void value(List<String> path, int keyLine) {
    skipInlineBlank();
    while (!eof()) {
      char c = peek();
      if (c == '{') {
        next();
        defs.computeIfAbsent(path, k -> new ArrayList<>()).add(keyLine);
        objectBody(path, true);
      } else if (c == '[') {
        skipArray();
      } else if (c == '"') {
        string();
      } else if (c == '$' && peekAt(1) == '{') {
        while (!eof() && peek() != '}') next();
        next();
      } else if (c == '#' || (c == '/' && peekAt(1) == '/')) {
        skipToEndOfLine();
        return;
      } else if (c == '\n' || c == ',' || c == '}') {
        return;
      } else {
        next();
      }
    }
  }

  private List<String> key() {
    List<String> parts = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean any = false;
    while (!eof()) {
      char c = peek();
      if (c == '"') {
        cur.append(string());
        any = true;
      } else if (c == '.') {
        next();
        parts.add(cur.toString());
        cur.setLength(0);
      } else if (Character.isWhitespace(c) || "=:{}[],#+$".indexOf(c) >= 0 || (c == '/' && peekAt(1) == '/')) {
        break;
      } else {
        cur.append(next());
        any = true;
      }
    }
    if (any) parts.add(cur.toString());
    return any ? parts : List.of();
  }

  /** A quoted or triple-quoted string; returns its content (escapes kept as written, good enough for keys). */
  private String string() {
    if (s.startsWith("\"\"\"", pos)) {
      pos += 3;
      int end = s.indexOf("\"\"\"", pos);
      if (end < 0) end = s.length() - 3;
      String body = s.substring(pos, end);
      for (int i = 0; i < body.length(); i++) if (body.charAt(i) == '\n') line++;
      pos = end + 3;
      return body;
    }
    next();
    StringBuilder b = new StringBuilder();
    while (!eof() && peek() != '"' && peek() != '\n') {
      char c = next();
      if (c == '\\' && !eof()) c = next();
      b.append(c);
    }
    if (!eof() && peek() == '"') next();
    return b.toString();
  }

  private void skipArray() {
    int depth = 0;
    while (!eof()) {
      char c = peek();
      if (c == '"') {
        string();
        continue;
      }
      if (c == '#' || (c == '/' && peekAt(1) == '/')) {
        skipToEndOfLine();
        continue;
      }
      next();
      if (c == '[') depth++;
      if (c == ']' && --depth == 0) return;
    }
  }

  private void skipBlank() {
    while (!eof()) {
      char c = peek();
      if (Character.isWhitespace(c)) {
        next();
      } else if (c == '#' || (c == '/' && peekAt(1) == '/')) {
        skipToEndOfLine();
      } else {
        return;
      }
    }
  }

  private void skipInlineBlank() {
    while (!eof() && peek() != '\n' && Character.isWhitespace(peek())) next();
  }

  private void skipToEndOfLine() {
    while (!eof() && peek() != '\n') next();
  }

  private boolean eof() {
    return pos >= s.length();
  }

  private char peek() {
    return eof() ? '\0' : s.charAt(pos);
  }

  private char peekAt(int ahead) {
    return pos + ahead < s.length() ? s.charAt(pos + ahead) : '\0';
  }

  private char next() {
    char c = s.charAt(pos++);
    if (c == '\n') line++;
    return c;
  }
}
