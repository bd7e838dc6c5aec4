package io.xenha.config;

import java.nio.file.Path;

/**
 * One finding of the configuration check, placed at a file and line and named by its key path.
 * A warning does not stop the configuration from loading.
 */
public record Problem(Path file, int line, String key, String message, boolean warning) {

  public Problem {
    // Editors and compilers count lines from 1; an unknown line points at the file's start.
    if (line < 1) line = 1;
  }

  public static Problem error(Path file, int line, String key, String message) {
    return new Problem(file, line, key, message, false);
  }

  public static Problem warn(Path file, int line, String key, String message) {
    return new Problem(file, line, key, message, true);
  }

  /** `FILE:LINE: path.to.key: message`, with `warning: ` before the message of a warning. */
  public String format() {
    StringBuilder sb = new StringBuilder();
    sb.append(file).append(':').append(line).append(": ");
    if (key != null && !key.isEmpty()) sb.append(key).append(": ");
    if (warning) sb.append("warning: ");
    return sb.append(message).toString();
  }

  @Override
  public String toString() {
    return format();
  }
}
