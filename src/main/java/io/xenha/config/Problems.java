package io.xenha.config;

import com.typesafe.config.ConfigOrigin;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Collects the problems of one load and places each at a file and line of the user's configuration. */
final class Problems {
  private final Path mainFile;
  private final List<Problem> list = new ArrayList<>();

  Problems(Path mainFile) {
    this.mainFile = mainFile;
  }

  void error(ConfigOrigin origin, String key, String message) {
    list.add(Problem.error(fileOf(origin), lineOf(origin), key, message));
  }

  void warning(ConfigOrigin origin, String key, String message) {
    list.add(Problem.warn(fileOf(origin), lineOf(origin), key, message));
  }

  void add(Problem p) {
    list.add(p);
  }

  boolean hasErrors() {
    return list.stream().anyMatch(p -> !p.warning());
  }

  List<Problem> all() {
    return List.copyOf(list);
  }

  /**
   * The file an origin points to. Values that came from reference.conf (a classpath resource) or
   * from code are reported against the user's file, which is where the fix goes.
   */
  Path fileOf(ConfigOrigin origin) {
    if (origin == null || origin.resource() != null || origin.filename() == null) return mainFile;
    return Path.of(origin.filename());
  }

  int lineOf(ConfigOrigin origin) {
    if (origin == null || origin.resource() != null || origin.filename() == null) return 1;
    return Math.max(1, origin.lineNumber());
  }
}
