package io.xenha.config;

import com.typesafe.config.ConfigUtil;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks every include statement of a configuration, in the main file and in the files it includes. HOCON drops an
 * optional include whose file is missing without a word (so whatever it would define is silently left out) and
 * reports a missing required one at line 1 of the missing file; here both are reported at the include's own line.
 * Files are looked up as Typesafe Config does: {@code file("x")} relative to the working directory, the quoted form
 * next to the including file and then on the classpath, and a name without .conf, .json or .properties as
 * NAME.conf, NAME.json and NAME.properties (never NAME itself).
 */
final class IncludeCheck {
  private static final List<String> EXTENSIONS = List.of(".conf", ".json", ".properties");
  /** Includes nest; past this depth the files are not followed (Typesafe Config itself stops at 50). */
  private static final int MAX_DEPTH = 20;
  /** Marks the candidates of a classpath include, which are no files. */
  private static final String CLASSPATH = "classpath:";

  private final Problems problems;
  private final Set<Path> visited = new HashSet<>();

  private IncludeCheck(Problems problems) {
    this.problems = problems;
  }

  /** Checks the includes of {@code file}, whose text was scanned into {@code scan}, and of every file they name. */
  static void check(Path file, DuplicateScanner.Scan scan, Problems problems) {
    IncludeCheck c = new IncludeCheck(problems);
    c.visited.add(file.toAbsolutePath().normalize());
    c.includes(file, scan.includes(), List.of(), 0);
  }

  private void includes(Path file, List<DuplicateScanner.Include> includes, List<String> outer, int depth) {
    for (DuplicateScanner.Include inc : includes) {
      List<String> prefix = new java.util.ArrayList<>(outer);
      prefix.addAll(inc.prefix());
      List<Path> candidates;
      try {
        candidates = candidates(file, inc);
      } catch (java.nio.file.InvalidPathException e) {
        continue; // not a file name at all: the parser says so
      }
      if (candidates == null) continue; // a URL or a classpath resource that exists: nothing to follow
      Path found = null;
      for (Path p : candidates) {
        if (!inc.kind().equals("classpath") && Files.exists(p)) {
          found = p;
          break;
        }
      }
      String key = prefix.isEmpty() ? "include" : ConfigUtil.joinPath(prefix);
      if (found == null) {
        missing(file, inc, key, candidates);
      } else if (!Files.isReadable(found) || Files.isDirectory(found)) {
        problems.add(Problem.error(file, inc.line(), key, inc.statement() + ": cannot read " + found + ": "
            + (Files.isDirectory(found) ? "is a directory" : "permission denied")));
      } else if (depth < MAX_DEPTH && visited.add(found.toAbsolutePath().normalize())) {
        try {
          includes(found, DuplicateScanner.scan(Files.readString(found)).includes(), prefix, depth + 1);
        } catch (IOException | RuntimeException e) {
          // the parser reports what it cannot read
        }
      }
    }
  }

  private void missing(Path file, DuplicateScanner.Include inc, String key, List<Path> candidates) {
    boolean classpath = inc.kind().equals("classpath");
    List<String> names = candidates.stream().map(p -> classpath ? p.toString().substring(CLASSPATH.length()) : p.toString())
        .toList();
    String message = inc.statement() + ": no such " + (classpath ? "classpath resource" : "file") + ": "
        + (names.size() == 1 ? names.get(0) : names.get(0) + ", " + names.get(1) + " or " + names.get(2));
    if (names.size() > 1 && !classpath) {
      Path bare = Path.of(names.get(0).substring(0, names.get(0).length() - ".conf".length()));
      if (Files.isRegularFile(bare)) {
        message += " (" + bare + " is not read: a name without .conf, .json or .properties means one of these)";
      }
    }
    if (inc.required()) {
      problems.add(Problem.error(file, inc.line(), key, message));
    } else {
      problems.add(Problem.warn(file, inc.line(), key, message + "; what it would define is left out"
          + " (write include required(...) if the file must exist)"));
    }
  }

  /**
   * The files an include may read, in Typesafe's order of preference; null when it names something that exists
   * elsewhere (a classpath resource, a non-file URL).
   */
  private static List<Path> candidates(Path includingFile, DuplicateScanner.Include inc) {
    String name = inc.name();
    switch (inc.kind()) {
      case "classpath":
        return onClasspath(name) ? null : withExtensions(Path.of(CLASSPATH + name));
      case "url":
        if (!name.startsWith("file:")) return null;
        try {
          return withExtensions(Path.of(URI.create(name)));
        } catch (RuntimeException e) {
          return null; // the parser says what is wrong with the URL
        }
      case "file":
        return withExtensions(Path.of(name).toAbsolutePath());
      default:
        Path p = Path.of(name);
        if (!p.isAbsolute()) {
          Path dir = includingFile.toAbsolutePath().getParent();
          p = dir == null ? p.toAbsolutePath() : dir.resolve(name);
        }
        List<Path> files = withExtensions(p.normalize());
        if (files.stream().noneMatch(Files::exists) && onClasspath(name)) return null;
        return files;
    }
  }

  private static boolean onClasspath(String name) {
    ClassLoader cl = IncludeCheck.class.getClassLoader();
    String n = name.startsWith("/") ? name.substring(1) : name;
    if (hasExtension(n)) return cl.getResource(n) != null;
    return EXTENSIONS.stream().anyMatch(e -> cl.getResource(n + e) != null);
  }

  private static boolean hasExtension(String name) {
    return EXTENSIONS.stream().anyMatch(name::endsWith);
  }

  private static List<Path> withExtensions(Path p) {
    String s = p.toString();
    if (hasExtension(s)) return List.of(p);
    return EXTENSIONS.stream().map(e -> Path.of(s + e)).toList();
  }
}
