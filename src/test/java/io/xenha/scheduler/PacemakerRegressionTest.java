package io.xenha.scheduler;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xenha.cli.SimulateCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Runs Pacemaker 2.1.5's scheduler regression cases (../shared/pacemaker, not part of the project: GPL test data)
 * through `xenha simulate --cib` and compares the Transition Summary with crm_simulate's, whitespace collapsed.
 * Reports agreement overall and per feature (BUILD-DIR/pacemaker-agreement.txt) and fails when a case that agreed
 * at the recorded baseline (src/test/resources/scheduler/pacemaker-baseline.txt) no longer does.
 */
class PacemakerRegressionTest {
  static final Path DIR = Path.of(System.getProperty("xenha.pacemaker.dir", "../shared/pacemaker/scheduler"));
  static final Path BASELINE = Path.of("src/test/resources/scheduler/pacemaker-baseline.txt");

  /** The lines between "Transition Summary:" and "Executing Cluster Transition:", whitespace collapsed. */
  static List<String> summary(String text) {
    return io.xenha.testutil.TransitionSummary.lines(text);
  }

  static String simulate(Path cib) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream saved = System.out;
    PrintStream savedErr = System.err;
    try (PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      System.setOut(ps);
      System.setErr(new PrintStream(new ByteArrayOutputStream()));
      new CommandLine(new SimulateCommand()).execute("--cib", cib.toString());
    } catch (RuntimeException e) {
      return "Transition Summary:\nEXCEPTION " + e;
    } finally {
      System.setOut(saved);
      System.setErr(savedErr);
    }
    return buf.toString(StandardCharsets.UTF_8);
  }

  @Test
  void agreesWithCrmSimulate() throws IOException {
    assumeTrue(Files.isDirectory(DIR), "Pacemaker's regression cases are not at " + DIR.toAbsolutePath()
        + " (set -Dxenha.pacemaker.dir): skipped");
    JsonNode cases = new ObjectMapper().readTree(DIR.resolve("cases.json").toFile());
    Set<String> agreed = new TreeSet<>();
    Map<String, int[]> perFeature = new TreeMap<>();
    StringBuilder diffs = new StringBuilder();
    int total = 0;
    for (JsonNode c : cases) {
      String name = c.get("name").asText();
      Path xml = DIR.resolve("xml").resolve(name + ".xml");
      Path expected = DIR.resolve("summary").resolve(name + ".summary");
      if (!Files.exists(xml) || !Files.exists(expected)) continue;
      total++;
      List<String> want = summary(Files.readString(expected));
      List<String> got = summary(simulate(xml));
      boolean ok = want.equals(got);
      if (ok) agreed.add(name);
      else diffs.append("== ").append(name).append("\n  want: ").append(String.join("\n        ", want))
          .append("\n  got:  ").append(String.join("\n        ", got)).append('\n');
      for (JsonNode f : c.get("features")) {
        int[] counts = perFeature.computeIfAbsent(f.asText(), k -> new int[2]);
        counts[1]++;
        if (ok) counts[0]++;
      }
    }
    StringBuilder report = new StringBuilder();
    report.append(String.format("agreement: %d of %d cases (%.1f%%)%n", agreed.size(), total, 100.0 * agreed.size() / total));
    for (Map.Entry<String, int[]> e : perFeature.entrySet()) {
      report.append(String.format("  %-32s %4d of %4d%n", e.getKey(), e.getValue()[0], e.getValue()[1]));
    }
    Path target = Path.of(System.getProperty("xenha.build.dir", "target"));
    Files.createDirectories(target);
    Files.writeString(target.resolve("pacemaker-agreement.txt"), report + "\n" + diffs);
    Files.writeString(target.resolve("pacemaker-agreed.txt"), String.join("\n", agreed) + "\n");
    System.out.print(report);
    Set<String> baseline = new TreeSet<>();
    if (Files.exists(BASELINE)) {
      for (String l : Files.readAllLines(BASELINE)) if (!l.isBlank() && !l.startsWith("#")) baseline.add(l.trim());
    }
    Set<String> lost = new TreeSet<>(baseline);
    lost.removeAll(agreed);
    assertTrue(lost.isEmpty(), "cases that agreed with crm_simulate at the baseline no longer do: " + lost
        + " (details in " + target.resolve("pacemaker-agreement.txt") + ")");
  }
}
