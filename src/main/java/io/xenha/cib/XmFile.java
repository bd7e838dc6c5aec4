package io.xenha.cib;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The few settings of a Xen xm configuration file (Python syntax) a placeholder domain XML needs. */
record XmFile(String name, Long memory, Integer vcpus) {
  private static final Pattern SETTING = Pattern.compile("^\\s*(name|memory|vcpus)\\s*=\\s*['\"]?([^'\"#\\s]+)['\"]?");

  /** The file's name, memory (MiB) and vcpus, each null when absent or unreadable. */
  static XmFile read(Path file) {
    String name = null;
    Long memory = null;
    Integer vcpus = null;
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        Matcher m = SETTING.matcher(line);
        if (!m.find()) continue;
        try {
          switch (m.group(1)) {
            case "name" -> name = m.group(2);
            case "memory" -> memory = Long.parseLong(m.group(2));
            default -> vcpus = Integer.parseInt(m.group(2));
          }
        } catch (NumberFormatException ignored) {
          // not a plain number: the placeholder keeps its default
        }
      }
    } catch (IOException | RuntimeException e) {
      return new XmFile(null, null, null);
    }
    return new XmFile(name, memory, vcpus);
  }
}
