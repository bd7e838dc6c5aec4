package io.xenha.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs our own golden scenario CIBs (src/test/resources/scheduler/cib/NAME.xml) through `xenha simulate --cib` and
 * compares the Transition Summary, whitespace collapsed, with NAME.expected, which crm_simulate 2.1.5 printed for the
 * same CIB. Scenarios listed in known-differences.txt must still disagree: one that starts agreeing fails too, so
 * that the list is kept honest.
 */
class GoldenCibScenarioTest {
  static final Path DIR = Path.of("src/test/resources/scheduler/cib");
  static final Path KNOWN = DIR.resolve("known-differences.txt");

  static Stream<String> scenarios() throws IOException {
    try (Stream<Path> files = Files.list(DIR)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".xml"))
          .map(n -> n.substring(0, n.length() - ".xml".length())).sorted().toList().stream();
    }
  }

  /** NAME -> reason, from known-differences.txt ("NAME reason...", # comments). */
  static Map<String, String> knownDifferences() throws IOException {
    Map<String, String> out = new TreeMap<>();
    for (String line : Files.readAllLines(KNOWN)) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) continue;
      String[] parts = l.split("\\s+", 2);
      out.put(parts[0], parts.length > 1 ? parts[1] : "");
    }
    return out;
  }

  /** The expected file's lines with whitespace collapsed, as PacemakerRegressionTest.summary does. */
  static List<String> expected(String name) throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(DIR.resolve(name + ".expected"))) {
      if (!line.isBlank()) out.add(line.trim().replaceAll("\\s+", " "));
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void agreesWithCrmSimulate(String name) throws IOException {
    List<String> want = expected(name);
    List<String> got = PacemakerRegressionTest.summary(PacemakerRegressionTest.simulate(DIR.resolve(name + ".xml")));
    String reason = knownDifferences().get(name);
    if (reason == null) {
      assertEquals(String.join("\n", want), String.join("\n", got), name + ": xenha disagrees with crm_simulate");
    } else {
      assertNotEquals(want, got, name + " now agrees with crm_simulate: remove it from known-differences.txt"
          + " (it was listed because: " + reason + ")");
    }
  }

  @Test
  void knownDifferencesNameScenarios() throws IOException {
    Set<String> unknown = new TreeSet<>(knownDifferences().keySet());
    unknown.removeAll(scenarios().toList());
    assertTrue(unknown.isEmpty(), "known-differences.txt names scenarios that do not exist: " + unknown);
  }

  @Test
  void everyScenarioHasAnExpectedSummary() throws IOException {
    List<String> missing = scenarios().filter(n -> !Files.exists(DIR.resolve(n + ".expected"))).toList();
    assertTrue(missing.isEmpty(), "scenarios without NAME.expected: " + missing);
  }
}
