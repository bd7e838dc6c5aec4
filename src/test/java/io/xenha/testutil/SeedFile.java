package io.xenha.testutil;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** A list of seeds with a reason each ("SEED reason...", # comments), as the fuzz tests keep their known cases. */
public final class SeedFile {

  private SeedFile() {}

  /** seed -> reason; empty when the file does not exist. */
  public static Map<Long, String> read(Path file) throws IOException {
    Map<Long, String> known = new LinkedHashMap<>();
    if (!Files.exists(file)) return known;
    for (String l : Files.readAllLines(file)) {
      l = l.trim();
      if (l.isEmpty() || l.startsWith("#")) continue;
      String[] parts = l.split("\\s+", 2);
      known.put(Long.parseLong(parts[0]), parts.length > 1 ? parts[1] : "");
    }
    return known;
  }
}
