package io.xenha.scheduler.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.xenha.cli.SimulateCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Differential fuzzing against Pacemaker: random CIBs from {@link CibGenerator} go through crm_simulate 2.1.5 and
 * `xenha simulate --cib`, and their Transition Summaries are compared with whitespace collapsed. The CI seeds are
 * fixed; src/test/resources/scheduler/fuzz-baseline.txt lists the seeds known to differ, each with its cause.
 * A seed that agrees and is not listed must keep agreeing; a listed seed must keep differing (remove its line when
 * it starts agreeing). The agreement and every difference go to BUILD-DIR/scheduler-fuzz.txt.
 * {@link #main} runs any range of fresh seeds (scripts/scheduler-fuzz.sh).
 */
@Tag("slow") // about 20 s each on an idle machine: not among the fast unit tests
class DifferentialFuzzTest {
  static final Path CRM_SIMULATE = Path.of(System.getProperty("xenha.crm_simulate", "/usr/sbin/crm_simulate"));
  static final Path BASELINE = Path.of("src/test/resources/scheduler/fuzz-baseline.txt");
  /** The CI seeds: 1..CI_CASES. */
  static final long CI_FIRST_SEED = 1;
  static final int CI_CASES = 320;

  /** One seed's outcome. */
  record Outcome(long seed, String strategy, List<String> want, List<String> got) {
    boolean agrees() {
      return want.equals(got);
    }
  }

  /** The lines between "Transition Summary:" and "Executing Cluster Transition:", whitespace collapsed. */
  static List<String> summary(String text) {
    return io.xenha.testutil.TransitionSummary.lines(text);
  }

  /** What either says of a CIB that is not valid. */
  static final String REFUSED = "REFUSED: not a valid CIB";

  /** crm_simulate's summary, or one line saying how it failed. */
  static List<String> crmSimulate(Path cib) {
    try {
      Process p = new ProcessBuilder(CRM_SIMULATE.toString(), "-x", cib.toString(), "-R")
          .redirectErrorStream(false).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return List.of("CRM_SIMULATE TIMEOUT");
      }
      // 78: the CIB does not validate against Pacemaker's schema (xenha exits 2 for it)
      if (p.exitValue() == 78) return List.of(REFUSED);
      if (p.exitValue() != 0) return List.of("CRM_SIMULATE EXIT " + p.exitValue());
      return summary(text);
    } catch (IOException e) {
      return List.of("CRM_SIMULATE " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of("CRM_SIMULATE INTERRUPTED");
    }
  }

  /** Our summary, in-process; a refused CIB gives "XENHA EXIT n". */
  static List<String> xenha(Path cib) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int rc;
    synchronized (DifferentialFuzzTest.class) {
      PrintStream saved = System.out;
      PrintStream savedErr = System.err;
      try (PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
        System.setOut(ps);
        System.setErr(new PrintStream(new ByteArrayOutputStream()));
        rc = new CommandLine(new SimulateCommand()).execute("--cib", cib.toString());
      } catch (RuntimeException e) {
        return List.of("EXCEPTION " + e);
      } finally {
        System.setOut(saved);
        System.setErr(savedErr);
      }
    }
    if (rc == 2) return List.of(REFUSED);
    if (rc != 0) return List.of("XENHA EXIT " + rc);
    return summary(buf.toString(StandardCharsets.UTF_8));
  }

  /** Runs seeds first..first+count-1 on a small pool (crm_simulate is a process: run a few at once). */
  static List<Outcome> run(long first, int count, int threads) throws Exception {
    List<Long> seeds = new ArrayList<>();
    for (long s = first; s < first + count; s++) seeds.add(s);
    return run(seeds, threads);
  }

  static List<Outcome> run(List<Long> seeds, int threads) throws Exception {
    Path dir = Files.createTempDirectory("xenha-fuzz");
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Outcome>> futures = new ArrayList<>();
      for (long seed : seeds) {
        futures.add(pool.submit(() -> {
          CibGenerator.Case c = CibGenerator.generate(seed);
          Path f = dir.resolve("seed-" + seed + ".xml");
          Files.writeString(f, c.xml());
          List<String> want = crmSimulate(f);
          List<String> got = xenha(f);
          if (want.equals(got)) Files.delete(f);
          return new Outcome(seed, c.strategy(), want, got);
        }));
      }
      List<Outcome> out = new ArrayList<>();
      for (Future<Outcome> f : futures) out.add(f.get());
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * A rough kind for a difference, from the lines alone, to group them; the baseline file carries a cause checked by
   * hand where it matters.
   */
  static String kind(Outcome o) {
    if (o.agrees()) return "agrees";
    if (o.want().size() == 1 && o.want().get(0).startsWith("CRM_SIMULATE")) return "crm_simulate fails: " + o.want().get(0);
    if (o.got().size() == 1 && (o.got().get(0).startsWith("XENHA") || o.got().get(0).startsWith("EXCEPTION"))) {
      return "xenha fails: " + o.got().get(0);
    }
    List<String> w = new ArrayList<>(o.want());
    List<String> g = new ArrayList<>(o.got());
    if (new java.util.HashSet<>(w).equals(new java.util.HashSet<>(g))) return "same actions, another order";
    if (strip(w, FENCE_INSTANCE).equals(strip(g, FENCE_INSTANCE))) return "fence reason: clone instance number";
    if (strip(w, INSTANCE).equals(strip(g, INSTANCE))) return "clone instance numbers";
    if (strip(w, REASON).equals(strip(g, REASON))) return "reason (due to ...) differs";
    List<String> onlyWant = new ArrayList<>(w);
    onlyWant.removeAll(g);
    List<String> onlyGot = new ArrayList<>(g);
    onlyGot.removeAll(w);
    if (!o.strategy().equals("default")) return "node choice or stop under placement-strategy=" + o.strategy();
    boolean blocked = onlyWant.stream().anyMatch(l -> l.contains("(blocked)")) != onlyGot.stream().anyMatch(l -> l.contains("(blocked)"));
    if (blocked) return "(blocked) on one side only";
    return "other (default placement)";
  }

  private static final java.util.regex.Pattern FENCE_INSTANCE = java.util.regex.Pattern.compile("(Fence .*'\\S+?):\\d+( failed there'| is thought)");
  private static final java.util.regex.Pattern INSTANCE = java.util.regex.Pattern.compile("(\\S):\\d+\\b");
  private static final java.util.regex.Pattern REASON = java.util.regex.Pattern.compile("(\\)) due to .*$");

  private static List<String> strip(List<String> lines, java.util.regex.Pattern p) {
    List<String> out = new ArrayList<>();
    for (String l : lines) out.add(p.matcher(l).replaceAll("$1"));
    out.sort(null);
    return out;
  }

  /** The agreement lines (overall, default vs the utilization strategies) and each difference. */
  static String report(List<Outcome> outcomes, Map<Long, String> known) {
    StringBuilder sb = new StringBuilder();
    Map<String, int[]> byStrategy = new TreeMap<>();
    int agreed = 0;
    for (Outcome o : outcomes) {
      int[] c = byStrategy.computeIfAbsent(o.strategy(), k -> new int[2]);
      c[1]++;
      if (o.agrees()) {
        agreed++;
        c[0]++;
      }
    }
    sb.append(String.format("agreement: %d of %d cases (%.1f%%)%n", agreed, outcomes.size(), 100.0 * agreed / outcomes.size()));
    for (Map.Entry<String, int[]> e : byStrategy.entrySet()) {
      sb.append(String.format("  placement-strategy=%-12s %4d of %4d%n", e.getKey(), e.getValue()[0], e.getValue()[1]));
    }
    Map<String, List<Long>> byKind = new TreeMap<>();
    for (Outcome o : outcomes) if (!o.agrees()) byKind.computeIfAbsent(kind(o), k -> new ArrayList<>()).add(o.seed());
    sb.append("differences by kind:\n");
    for (Map.Entry<String, List<Long>> e : byKind.entrySet()) {
      sb.append(String.format("  %4d  %s: seeds %s%n", e.getValue().size(), e.getKey(), e.getValue()));
    }
    for (Outcome o : outcomes) {
      if (o.agrees()) continue;
      sb.append("== seed ").append(o.seed()).append(" (").append(o.strategy()).append(") ").append(kind(o));
      if (known.containsKey(o.seed())) sb.append(" known: ").append(known.get(o.seed()));
      sb.append('\n');
      List<String> onlyWant = new ArrayList<>(o.want());
      onlyWant.removeAll(o.got());
      List<String> onlyGot = new ArrayList<>(o.got());
      onlyGot.removeAll(o.want());
      for (String l : onlyWant) sb.append("  crm_simulate: ").append(l).append('\n');
      for (String l : onlyGot) sb.append("  xenha:        ").append(l).append('\n');
      if (onlyWant.isEmpty() && onlyGot.isEmpty()) sb.append("  (same lines, another order)\n");
    }
    return sb.toString();
  }

  /** seed -> cause, from the baseline file ("SEED cause...", # comments). */
  static Map<Long, String> knownDifferences() throws IOException {
    return io.xenha.testutil.SeedFile.read(BASELINE);
  }

  @Test
  void agreesWithCrmSimulateOnTheCiSeeds() throws Exception {
    assumeTrue(Files.isExecutable(CRM_SIMULATE), CRM_SIMULATE + " is not installed (Debian package pacemaker-cli-utils,"
        + " scripts/setup-deps.sh installs it): differential fuzzing skipped");
    List<Outcome> outcomes = run(CI_FIRST_SEED, CI_CASES, 3);
    Map<Long, String> known = knownDifferences();
    String report = report(outcomes, known);
    Path target = Path.of(System.getProperty("xenha.build.dir", "target"));
    Files.createDirectories(target);
    Files.writeString(target.resolve("scheduler-fuzz.txt"), report);
    System.out.print(report.substring(0, report.indexOf("==") < 0 ? report.length() : report.indexOf("==")));
    List<Long> lost = new ArrayList<>();
    List<Long> fixed = new ArrayList<>();
    for (Outcome o : outcomes) {
      if (!o.agrees() && !known.containsKey(o.seed())) lost.add(o.seed());
      if (o.agrees() && known.containsKey(o.seed())) fixed.add(o.seed());
    }
    assertTrue(lost.isEmpty(), "seeds that agreed with crm_simulate at the baseline no longer do: " + lost
        + " (details in " + target.resolve("scheduler-fuzz.txt") + ")");
    assertTrue(fixed.isEmpty(), "seeds listed in " + BASELINE + " now agree with crm_simulate: remove their lines: " + fixed);
  }

  /** Fresh seeds: {@code --seed FIRST --cases N | --seeds S1,S2,...} {@code [--threads T] [--keep DIR]}; prints the report. */
  public static void main(String[] args) throws Exception {
    long first = 1000;
    int cases = 100;
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    Path keep = null;
    List<Long> listed = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--seed" -> first = Long.parseLong(args[++i]);
        case "--cases" -> cases = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--keep" -> keep = Path.of(args[++i]);
        case "--seeds" -> {
          for (String x : args[++i].split(",")) listed.add(Long.parseLong(x.trim()));
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    List<Outcome> outcomes = listed.isEmpty() ? run(first, cases, threads) : run(listed, threads);
    if (keep != null) {
      Files.createDirectories(keep);
      for (Outcome o : outcomes) {
        if (!o.agrees()) Files.writeString(keep.resolve("seed-" + o.seed() + ".xml"), CibGenerator.generate(o.seed()).xml());
      }
    }
    System.out.print(report(outcomes, Map.of()));
    if (System.getProperty("xenha.fuzz.baseline") != null) {
      StringBuilder b = new StringBuilder();
      for (Outcome o : outcomes) if (!o.agrees()) b.append(o.seed()).append(' ').append(kind(o)).append('\n');
      Files.writeString(Path.of(System.getProperty("xenha.fuzz.baseline")), b.toString());
    }
    System.exit(0);
  }
}
