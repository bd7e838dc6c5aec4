package io.xenha.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.xenha.status.ClusterStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The fault-injection lab (#15): a cluster of network-namespace dom0s ({@link NetnsLab} with a BMC per node,
 * {@link Bmcs}), a nemesis that injects overlapping faults from a seed, and a checker outside xenha that reads every
 * node's libvirtd every 100 ms, the power log of the BMCs and, at the end, `xenha history --json`. One run: a fresh
 * cluster, the schedule, every fault healed, then the checks:
 * <ul>
 *   <li><b>double run</b>: a domU seen on two nodes in one reading (a powered-off node's libvirtd is gone, so only
 *       powered-on hosts count);</li>
 *   <li><b>early start</b>: a domU seen starting on B while its last host A still ran it as far as anyone could see,
 *       A then losing it only by a power-off (a fence) — recovered before the fence was confirmed; or seen starting
 *       on B while A, cut off from the cluster and not fenced, had stopped it itself after the cut (a stop for lack of
 *       quorum no one could have been told of);</li>
 *   <li><b>stall</b>: after the last fault healed, not every domU running exactly once within the bound;</li>
 *   <li><b>lost record</b>: a domU the checker saw start on a node without a start (or adoption) record of that
 *       node's journal near that time (one while that node's state directory was full or read-only is printed, not
 *       counted: the journal could not be written, and an agent restarted since has forgotten it).</li>
 * </ul>
 * {@code scripts/lab/chaos} runs it; ChaosIT runs a short fixed-seed series in CI.
 */
public final class Chaos {

  /** Fault kinds the nemesis knows. */
  static final List<String> KINDS = List.of("kill9", "power-off", "reboot", "pause", "cut", "split", "flap", "netem",
      "lan", "libvirtd", "controller-restart", "standby", "resource-stop", "migrate", "disk-full", "disk-ro", "reload");

  /** One fault: what, on which nodes, when (ms after the run began) and for how long. */
  public record Fault(String kind, List<String> nodes, long atMs, long forMs, String detail) {
    String describe() {
      return kind + ":" + String.join("+", nodes) + (detail == null || detail.isEmpty() ? "" : "(" + detail + ")")
          + "@" + atMs / 1000.0 + "s/" + forMs / 1000.0 + "s";
    }
  }

  /** A whole run, reproducible: the same schedule gives the same faults at the same times. */
  public record Schedule(long seed, int nodes, int domains, long runMs, List<Fault> faults) {}

  /** A violation the checker found, with the evidence. */
  public record Finding(String kind, String what) {}

  /** The outcome of one run. */
  public record RunResult(Schedule schedule, List<Finding> findings, Map<String, List<Long>> recoveryMs,
      long finalRecoveryMs, String statusAtEnd) {
    boolean ok() {
      return findings.isEmpty();
    }
  }

  static final long STALL_BOUND_MS = 60_000;

  // ---- the schedule ----------------------------------------------------------------------------------------------

  /** A schedule from a seed: 3 to 6 faults, overlapping, all in the run's first part; the last minute heals. */
  static Schedule generate(long seed, int nodeCount, int domainCount, Duration run) {
    Random r = new Random(seed);
    List<String> nodes = new ArrayList<>();
    for (int i = 1; i <= nodeCount; i++) {
      nodes.add("n" + i);
    }
    long faultWindow = Math.max(10_000, run.toMillis() - 45_000);
    int count = 3 + r.nextInt(4);
    List<Fault> faults = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String kind = KINDS.get(r.nextInt(KINDS.size()));
      long at = 5_000 + (long) (r.nextDouble() * (faultWindow - 5_000));
      long max = Math.max(1_000, faultWindow + 10_000 - at);
      String node = nodes.get(r.nextInt(nodes.size()));
      Fault f = switch (kind) {
        case "kill9" -> new Fault(kind, List.of(node), at, Math.min(max, 1_000 + r.nextInt(15_000)), "");
        case "power-off" -> new Fault(kind, List.of(node), at, Math.min(max, 3_000 + r.nextInt(20_000)), "");
        case "reboot" -> new Fault(kind, List.of(node), at, 0, "");
        case "pause" -> new Fault(kind, List.of(node), at, Math.min(max, 500 + r.nextInt(29_500)), "");
        case "cut", "flap", "lan" -> new Fault(kind, List.of(node), at, Math.min(max, 2_000 + r.nextInt(20_000)), "");
        case "split" -> {
          // a minority moved to a bridge of its own: it can talk to itself, not to the majority
          List<String> shuffled = new ArrayList<>(nodes);
          java.util.Collections.shuffle(shuffled, r);
          int minority = Math.max(1, (nodeCount - 1) / 2);
          yield new Fault(kind, List.copyOf(new TreeSet<>(shuffled.subList(0, minority))), at,
              Math.min(max, 3_000 + r.nextInt(20_000)), "");
        }
        case "netem" -> {
          String[] shapes = {"delay 200ms 100ms", "loss 20%", "duplicate 20%", "delay 50ms 20ms loss 5% duplicate 5%"};
          yield new Fault(kind, List.of(node), at, Math.min(max, 3_000 + r.nextInt(20_000)), shapes[r.nextInt(shapes.length)]);
        }
        case "libvirtd" -> new Fault(kind, List.of(node), at, 1_000, "");
        case "controller-restart" -> new Fault(kind, List.of(), at, 1_000 + r.nextInt(5_000), "");
        case "standby" -> new Fault(kind, List.of(node), at, Math.min(max, 3_000 + r.nextInt(15_000)), "");
        case "resource-stop" -> new Fault(kind, List.of("vm" + (1 + r.nextInt(domainCount))), at,
            Math.min(max, 3_000 + r.nextInt(15_000)), "");
        case "migrate" -> new Fault(kind, List.of("vm" + (1 + r.nextInt(domainCount)), node), at,
            Math.min(max, 3_000 + r.nextInt(15_000)), "");
        case "disk-full", "disk-ro" -> new Fault(kind, List.of(node), at, Math.min(max, 3_000 + r.nextInt(27_000)), "");
        case "reload" -> new Fault(kind, List.of(node), at, 0, "");
        default -> throw new IllegalStateException(kind);
      };
      faults.add(f);
    }
    faults.sort(Comparator.comparingLong(Fault::atMs));
    return new Schedule(seed, nodeCount, domainCount, run.toMillis(), List.copyOf(faults));
  }

  // ---- one run ---------------------------------------------------------------------------------------------------

  /**
   * The HOCON every lab cluster runs with: fencing by IPMI with reboot, the demo's failure detector, and pingd on the
   * LAN gateway with the seed's rule (no domU on a node that cannot reach the network), so a LAN fault moves domUs.
   */
  static String labSettings(List<String> domains) {
    StringBuilder b = new StringBuilder("""
        properties { stonith-action = reboot, dc-deadtime = 20s }
        cluster { heartbeat-interval = 500ms, acceptable-heartbeat-pause = 2500ms, stable-after = 2s }
        resources.pingd { type = builtin, agent = ping, clone {}
                          params { host-list = ["10.78.0.1"], multiplier = 100, dampen = 1s }
                          ops.monitor { interval = 1s, timeout = 5s } }
        constraints.location = [
        """);
    for (String d : domains) {
      b.append("  { resource = ").append(d).append(", rule = \"-INFINITY: not_defined pingd or pingd lte 0\" }\n");
    }
    return b.append("]\n").toString();
  }

  /** Runs one schedule on a fresh lab under dir; never throws for what the checker finds. */
  static RunResult run(Path dir, Schedule s) throws Exception {
    List<String> domains = new ArrayList<>();
    for (int i = 1; i <= s.domains(); i++) {
      domains.add("vm" + i);
    }
    Files.createDirectories(dir);
    try (NetnsLab lab = new NetnsLab(dir, s.nodes(), domains, labSettings(domains), true)) {
      for (String n : lab.nodes) {
        lab.ensureAgent(n);
      }
      try {
        lab.awaitAllOnce(Duration.ofSeconds(180));
        lab.awaitStatus(lab.nodes.get(0), st -> NetnsLab.settled(st, domains), Duration.ofSeconds(60), "a settled cluster");
      } catch (AssertionError e) {
        // a cold start that never brings every domU up is xenha's failure (a stall before any fault), not the lab's
        String status = statusOf(lab);
        return new RunResult(s, List.of(new Finding("stall", "the cluster did not come up before the faults: "
            + e.getMessage().lines().findFirst().orElse("") + "; status: " + status)), Map.of(), -1, status);
      }
      long began = System.currentTimeMillis();
      Nemesis nemesis = new Nemesis(lab, s, began);
      nemesis.start();
      long end = began + s.runMs() - STALL_BOUND_MS / 2;
      while (System.currentTimeMillis() < end && !nemesis.done()) {
        Thread.sleep(200);
      }
      nemesis.awaitDone(Duration.ofSeconds(120));
      nemesis.healAll();
      long healed = System.currentTimeMillis();
      List<Finding> findings = new ArrayList<>();
      long recovered = awaitRecovery(lab, domains, healed, STALL_BOUND_MS);
      String status = "";
      if (recovered < 0) {
        status = statusOf(lab);
        findings.add(new Finding("stall", "not every domU ran once within " + STALL_BOUND_MS / 1000 + " s of the last heal: "
            + lab.running() + "; status: " + status));
      }
      findings.addAll(nemesis.errors());
      for (NetnsLab.Seen d : lab.doubles) {
        findings.add(new Finding("double-run", d.domain() + " on " + d.nodes() + " in the reading of "
            + d.atMillis() + "-" + d.endMillis()));
      }
      findings.addAll(earlyStarts(lab, began, nemesis.isolationWindows()));
      findings.addAll(lostRecords(lab, began, nemesis.stateDirFullWindows()));
      Map<String, List<Long>> recovery = nemesis.recoveryTimes(lab, domains);
      return new RunResult(s, findings, recovery, recovered < 0 ? -1 : recovered - healed, status);
    }
  }

  static String statusOf(NetnsLab lab) {
    for (String n : lab.nodes) {
      try {
        NetnsLab.Cli c = lab.cli(n, "status");
        if (c.exit() == 0) {
          return c.out();
        }
      } catch (Exception e) {
        // the next node
      }
    }
    return "(no node answered status)";
  }

  /** The first moment (millis) after t at which every domU ran exactly once, within bound; -1 when it did not. */
  static long awaitRecovery(NetnsLab lab, List<String> domains, long t, long boundMs) throws InterruptedException {
    long deadline = t + boundMs;
    while (System.currentTimeMillis() < deadline) {
      NetnsLab.Round r = lab.round();
      if (r.where().keySet().containsAll(domains) && r.where().values().stream().allMatch(l -> l.size() == 1)) {
        return r.end();
      }
      Thread.sleep(100);
    }
    return -1;
  }

  /**
   * A domU seen on B in a reading while its previous host A, whose last answer still had it, did not answer and was
   * powered on (the BMCs' power log) and had not lost its domUs to a libvirtd restart: the domU may still have run on
   * A, so it was recovered before A's fence was confirmed (a fence powers A off, which destroys it). A domU seen on A
   * and B in one reading is a double run, counted there.
   */
  static List<Finding> earlyStarts(NetnsLab lab, long began, Map<String, List<long[]>> isolated)
      throws java.io.IOException {
    List<Finding> out = new ArrayList<>();
    List<String> power = lab.bmcs.powerLog();
    Map<String, NetnsLab.Seen> lastWith = new LinkedHashMap<>(); // domain -> last reading where it ran on one node
    for (NetnsLab.Seen s : lab.timeline) {
      NetnsLab.Seen prev = lastWith.get(s.domain());
      if (s.nodes().size() == 1) {
        lastWith.put(s.domain(), s);
      }
      if (prev == null || s.atMillis() < began || s.nodes().isEmpty()) {
        continue;
      }
      String a = prev.nodes().get(0);
      if (s.nodes().contains(a)) {
        continue; // still there (a double run if elsewhere too)
      }
      if (s.answered().contains(a)) {
        // A had stopped it. Early all the same when A was cut off from the cluster since before that stop, is still
        // cut off, and has not been fenced: the stop (A's own, for lack of quorum) could not have been reported, so
        // the start elsewhere was made for a lost node that was not fenced.
        Long stopped = lab.timeline.stream().filter(x -> x.domain().equals(s.domain()) && x.atMillis() > prev.atMillis()
            && x.atMillis() <= s.atMillis() && x.answered().contains(a) && !x.nodes().contains(a))
            .map(NetnsLab.Seen::atMillis).findFirst().orElse(null);
        for (long[] w : isolated.getOrDefault(a, List.of())) {
          boolean cutOffWhileStopping = stopped != null && stopped > w[0] + 1_000 && s.atMillis() < w[1];
          boolean fenced = power.stream().map(l -> l.split(" ")).anyMatch(f -> f.length == 3 && f[1].equals("off")
              && f[2].equals(NetnsLab.ns(a)) && Long.parseLong(f[0]) >= w[0] && Long.parseLong(f[0]) <= s.endMillis());
          if (cutOffWhileStopping && !fenced) {
            out.add(new Finding("early-start", s.domain() + " seen on " + s.nodes() + " in the reading " + s.atMillis()
                + "-" + s.endMillis() + " while " + a + ", cut off from the cluster since " + w[0] + " and not fenced, "
                + "had stopped it itself at " + stopped + " (a stop no one could have been told of)"));
          }
        }
        continue;
      }
      boolean seenWithoutIt = lab.timeline.stream().anyMatch(x -> x.domain().equals(s.domain())
          && x.atMillis() > prev.atMillis() && x.atMillis() < s.atMillis() && x.answered().contains(a)
          && !x.nodes().contains(a));
      boolean powerLost = power.stream().map(l -> l.split(" ")).anyMatch(f -> f.length == 3 && f[1].equals("off")
          && f[2].equals(NetnsLab.ns(a)) && Long.parseLong(f[0]) >= prev.atMillis() && Long.parseLong(f[0]) <= s.endMillis());
      boolean daemonLost = lab.daemonRestarts.getOrDefault(a, List.of()).stream()
          .anyMatch(t -> t >= prev.atMillis() && t <= s.endMillis());
      if (!seenWithoutIt && !powerLost && !daemonLost) {
        out.add(new Finding("early-start", s.domain() + " seen on " + s.nodes() + " in the reading " + s.atMillis() + "-"
            + s.endMillis() + " while " + a + ", which ran it at " + prev.atMillis() + ", was powered on and unread"));
      }
    }
    return out;
  }

  /**
   * Every start the checker saw (a domU appearing on a node whose libvirtd answered before without it) has a record
   * in that node's journal: start, probe (adopted) or migrate_from, within 30 s before to 10 s after.
   */
  static List<Finding> lostRecords(NetnsLab lab, long began, Map<String, List<long[]>> fullWindows) throws Exception {
    // every node's journal must answer: a node still starting is asked again (its records are not lost for that)
    com.fasterxml.jackson.databind.JsonNode tree = null;
    String last = "no node answered `xenha history --json`";
    long deadline = System.currentTimeMillis() + 60_000;
    while (tree == null && System.currentTimeMillis() < deadline) {
      for (String n : lab.nodes) {
        NetnsLab.Cli c = lab.cli(n, "history", "--json");
        if (c.exit() != 0 || c.out().indexOf('{') < 0) {
          continue;
        }
        var t = new ObjectMapper().readTree(c.out().substring(c.out().indexOf('{')));
        if (t.path("missing").isEmpty()) {
          tree = t;
          break;
        }
        last = "history via " + n + " misses " + t.path("missing");
      }
      if (tree == null) {
        Thread.sleep(2_000);
      }
    }
    if (tree == null) {
      return List.of(new Finding("lost-record", "no complete history within 60 s: " + last));
    }
    Map<String, List<Long>> recorded = new TreeMap<>();
    for (var rec : tree.get("records")) {
      String op = rec.path("operation").asText();
      if (rec.path("kind").asText().equals("operation") && rec.path("result").asText().equals("ok")
          && Set.of("start", "probe", "migrate_from").contains(op)) {
        recorded.computeIfAbsent(rec.path("node").asText() + "/" + rec.path("resource").asText(), k -> new ArrayList<>())
            .add(java.time.Instant.parse(rec.path("at").asText()).toEpochMilli());
      }
    }
    List<Finding> out = new ArrayList<>();
    Map<String, NetnsLab.Seen> lastSeen = new LinkedHashMap<>();
    for (NetnsLab.Seen s : lab.timeline) {
      NetnsLab.Seen prev = lastSeen.put(s.domain(), s);
      if (prev == null || s.atMillis() < began) {
        continue;
      }
      for (String n : s.nodes()) {
        if (!prev.nodes().contains(n) && prev.answered().contains(n)) {
          List<Long> at = recorded.getOrDefault(n + "/" + s.domain(), List.of());
          boolean found = at.stream().anyMatch(t -> t >= prev.atMillis() - 30_000 && t <= s.endMillis() + 10_000);
          boolean diskFull = fullWindows.getOrDefault(n, List.of()).stream()
              .anyMatch(w -> s.endMillis() >= w[0] && prev.atMillis() <= w[1]);
          if (!found && diskFull) {
            // the journal could not be written (the agent said so); the agent's memory had it until it restarted
            System.out.println("  not recorded (state directory of " + n + " full or read-only): " + s.domain()
                + " started there at " + s.endMillis());
          } else if (!found) {
            out.add(new Finding("lost-record", s.domain() + " started on " + n + " between " + prev.atMillis() + " and "
                + s.endMillis() + " with no start record there (records: " + at + ")"));
          }
        }
      }
    }
    return out;
  }

  // ---- the nemesis -----------------------------------------------------------------------------------------------

  /** Injects a schedule's faults at their times and heals each after its duration. */
  static final class Nemesis {
    private final NetnsLab lab;
    private final Schedule schedule;
    private final long began;
    private final ScheduledExecutorService pool;
    private final List<Finding> errors = new CopyOnWriteArrayList<>();
    /** fault -> when it was healed (millis). */
    private final Map<Fault, Long> healedAt = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger pending = new java.util.concurrent.atomic.AtomicInteger();

    Nemesis(NetnsLab lab, Schedule schedule, long began) {
      this.lab = lab;
      this.schedule = schedule;
      this.began = began;
      // a thread per fault: each holds its thread for its whole duration, and none may delay another's start
      this.pool = Executors.newScheduledThreadPool(schedule.faults().size() + 1);
    }

    void start() {
      for (Fault f : schedule.faults()) {
        pending.incrementAndGet();
        pool.schedule(() -> {
          try {
            inject(f);
            if (f.forMs() > 0) {
              Thread.sleep(f.forMs());
            }
            heal(f);
          } catch (Exception e) {
            errors.add(new Finding("nemesis", f.describe() + ": " + e));
          } finally {
            healedAt.put(f, System.currentTimeMillis());
            pending.decrementAndGet();
          }
        }, Math.max(0, began + f.atMs() - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
      }
    }

    boolean done() {
      return pending.get() == 0;
    }

    void awaitDone(Duration max) throws InterruptedException {
      long deadline = System.nanoTime() + max.toNanos();
      while (!done() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      pool.shutdownNow();
    }

    List<Finding> errors() {
      return errors;
    }

    /** node -> [from, to] (millis) while its cluster link was cut or it was on the minority side of a split. */
    Map<String, List<long[]>> isolationWindows() {
      Map<String, List<long[]>> out = new TreeMap<>();
      for (Fault f : schedule.faults()) {
        if (f.kind().equals("cut") || f.kind().equals("split")) {
          long to = healedAt.getOrDefault(f, Long.MAX_VALUE);
          for (String n : f.nodes()) {
            out.computeIfAbsent(n, k -> new ArrayList<>()).add(new long[] {began + f.atMs(), to});
          }
        }
      }
      return out;
    }

    /** node -> [from, to] (millis) while its state directory was full or read-only, to 2 s after it was healed. */
    Map<String, List<long[]>> stateDirFullWindows() {
      Map<String, List<long[]>> out = new TreeMap<>();
      for (Fault f : schedule.faults()) {
        if (f.kind().equals("disk-full") || f.kind().equals("disk-ro")) {
          long to = healedAt.getOrDefault(f, System.currentTimeMillis()) + 2_000;
          out.computeIfAbsent(f.nodes().get(0), k -> new ArrayList<>()).add(new long[] {began + f.atMs(), to});
        }
      }
      return out;
    }

    private void inject(Fault f) throws Exception {
      String n = f.nodes().isEmpty() ? null : f.nodes().get(0);
      switch (f.kind()) {
        case "kill9" -> {
          Process p = lab.agents.get(n);
          if (p != null) {
            p.destroyForcibly();
          }
        }
        case "power-off" -> lab.bmcs.chassis(n, "off");
        case "reboot" -> lab.bmcs.chassis(n, "cycle");
        case "pause" -> signal(n, "STOP");
        case "cut" -> NetnsLab.sh(NetnsLab.LAB.toString(), "cut-cluster", n.substring(1));
        case "lan" -> NetnsLab.sh(NetnsLab.LAB.toString(), "cut", n.substring(1));
        case "split" -> {
          for (String m : f.nodes()) {
            NetnsLab.sh(NetnsLab.LAB.toString(), "split", m.substring(1));
          }
        }
        case "flap" -> {
          long until = System.currentTimeMillis() + f.forMs();
          while (System.currentTimeMillis() < until) {
            NetnsLab.sh(NetnsLab.LAB.toString(), "cut-cluster", n.substring(1));
            Thread.sleep(700);
            NetnsLab.sh(NetnsLab.LAB.toString(), "mend-cluster", n.substring(1));
            Thread.sleep(1_300);
          }
        }
        case "netem" -> {
          List<String> cmd = new ArrayList<>(List.of(NetnsLab.LAB.toString(), "netem", n.substring(1)));
          cmd.addAll(List.of(f.detail().split(" ")));
          NetnsLab.sh(cmd.toArray(String[]::new));
        }
        case "libvirtd" -> lab.restartDaemon(n);
        case "controller-restart" -> {
          String c = controller();
          if (c != null && lab.agents.get(c) != null) {
            lab.agents.get(c).destroyForcibly();
            System.out.println("  controller-restart: killed " + c + "'s agent");
          }
        }
        case "standby" -> admin("node", "standby", n);
        case "resource-stop" -> admin("resource", "stop", n);
        case "migrate" -> admin("resource", "migrate", n, "--node", f.nodes().get(1));
        case "disk-full" -> lab.stateDirFault(n, true);
        case "disk-ro" -> lab.stateDirReadOnly(n, true);
        case "reload" -> reload(n);
        default -> throw new IllegalStateException(f.kind());
      }
    }

    private void heal(Fault f) throws Exception {
      String n = f.nodes().isEmpty() ? null : f.nodes().get(0);
      switch (f.kind()) {
        case "kill9" -> {
          if ("on".equals(lab.bmcs.power(n))) {
            lab.ensureAgent(n);
          }
        }
        case "power-off" -> lab.bmcs.chassis(n, "on");
        case "pause" -> signal(n, "CONT");
        case "cut", "flap" -> NetnsLab.sh(NetnsLab.LAB.toString(), "mend-cluster", n.substring(1));
        case "lan" -> NetnsLab.sh(NetnsLab.LAB.toString(), "mend", n.substring(1));
        case "split" -> {
          for (String m : f.nodes()) {
            NetnsLab.sh(NetnsLab.LAB.toString(), "unsplit", m.substring(1));
          }
        }
        case "netem" -> NetnsLab.sh(NetnsLab.LAB.toString(), "netem-clear", n.substring(1));
        case "controller-restart" -> {
          for (String m : lab.nodes) {
            if ("on".equals(lab.bmcs.power(m))) {
              lab.ensureAgent(m);
            }
          }
        }
        case "standby" -> admin("node", "online", n);
        case "resource-stop" -> admin("resource", "start", n);
        case "migrate" -> admin("resource", "unmigrate", n);
        case "disk-full" -> lab.stateDirFault(n, false);
        case "disk-ro" -> lab.stateDirReadOnly(n, false);
        default -> { }
      }
    }

    /** Heals everything whatever the schedule did: power on, links up, no netem, agents running and not paused. */
    void healAll() throws Exception {
      for (int i = 0; i < lab.nodes.size(); i++) {
        String n = lab.nodes.get(i);
        String idx = Integer.toString(i + 1);
        NetnsLab.sh(NetnsLab.LAB.toString(), "mend-cluster", idx);
        NetnsLab.sh(NetnsLab.LAB.toString(), "mend", idx);
        NetnsLab.sh(NetnsLab.LAB.toString(), "unsplit", idx);
        NetnsLab.sh(NetnsLab.LAB.toString(), "netem-clear", idx);
        lab.stateDirFault(n, false);
        lab.stateDirReadOnly(n, false);
        if (!"on".equals(lab.bmcs.power(n))) {
          lab.bmcs.chassis(n, "on");
        }
        Process p = lab.agents.get(n);
        if (p != null && p.isAlive()) {
          NetnsLab.sh("kill", "-CONT", Long.toString(p.pid()));
        }
      }
      long deadline = System.currentTimeMillis() + 20_000;
      for (String n : lab.nodes) {
        while (!"on".equals(lab.bmcs.power(n)) && System.currentTimeMillis() < deadline) {
          Thread.sleep(100);
        }
        if ("on".equals(lab.bmcs.power(n))) {
          lab.ensureAgent(n);
        }
      }
      for (Fault f : schedule.faults()) {
        if (f.kind().equals("standby")) {
          admin("node", "online", f.nodes().get(0));
        } else if (f.kind().equals("resource-stop")) {
          admin("resource", "start", f.nodes().get(0));
        } else if (f.kind().equals("migrate")) {
          admin("resource", "unmigrate", f.nodes().get(0));
        }
      }
    }

    /**
     * `xenha reload` through node (the same configuration: every agent re-reads and checks it, the Controller plans
     * again), as an operator's reload during whatever else happens. A node that is off, cut off or paused may not
     * answer: an unanswered reload is not a finding, what follows is judged by the checker.
     */
    private void reload(String node) throws Exception {
      if ("on".equals(lab.bmcs.power(node))) {
        NetnsLab.Cli c = lab.cli(node, "reload");
        System.out.println("  reload via " + node + ": exit " + c.exit() + " " + c.out().trim().replace('\n', ' '));
      }
    }

    private void signal(String node, String sig) throws Exception {
      Process p = lab.agents.get(node);
      if (p != null && p.isAlive()) {
        NetnsLab.sh("kill", "-" + sig, Long.toString(p.pid()));
      }
    }

    private String controller() {
      for (String n : lab.nodes) {
        try {
          NetnsLab.Cli c = lab.cli(n, "status", "--json");
          if (c.exit() == 0) {
            ClusterStatus s = io.xenha.status.StatusJson.fromJson(c.out());
            return s.controller();
          }
        } catch (Exception e) {
          // the next node
        }
      }
      return null;
    }

    /**
     * An admin command through any node, as an operator would try the next one, until it is done (or possibly done:
     * "unknown"), for up to 60 s (the Controller may be moving, a node may be cut off). A command only ever refused
     * is an answer too; one that no agent ever answered is a finding.
     */
    private void admin(String... args) throws Exception {
      long deadline = System.currentTimeMillis() + 60_000;
      String last = "";
      boolean refused = false;
      while (System.currentTimeMillis() < deadline) {
        for (String n : lab.nodes) {
          if (!"on".equals(lab.bmcs.power(n))) {
            continue;
          }
          NetnsLab.Cli c = lab.cli(n, args);
          last = n + ": " + c.out().trim();
          if (c.exit() == 0 || c.out().contains("unknown:")) {
            return; // done, or possibly done: the Controller died mid-way
          }
          refused |= c.out().contains(": refused: ");
        }
        Thread.sleep(1_000);
      }
      if (refused) {
        System.out.println("  xenha " + String.join(" ", args) + " refused: " + last);
        return; // an answer (e.g. standby of the only node left): the checker judges what follows
      }
      errors.add(new Finding("nemesis", "xenha " + String.join(" ", args) + " never succeeded: " + last));
    }

    /**
     * Per fault kind: from its injection to the first reading with every domU running exactly once again after the
     * disturbance it caused, for the faults that disturbed something, that no other fault overlapped and whose
     * recovery came before the next fault began.
     */
    Map<String, List<Long>> recoveryTimes(NetnsLab lab, List<String> domains) {
      Map<String, List<Long>> out = new TreeMap<>();
      for (Fault f : schedule.faults()) {
        Long healed = healedAt.get(f);
        if (healed == null) {
          continue;
        }
        long start = began + f.atMs();
        boolean alone = schedule.faults().stream().noneMatch(o -> o != f && healedAt.containsKey(o)
            && began + o.atMs() <= healed && healedAt.get(o) >= start);
        long next = schedule.faults().stream().mapToLong(o -> began + o.atMs()).filter(t -> t > start).min()
            .orElse(Long.MAX_VALUE);
        if (!alone) {
          continue;
        }
        Long at = firstAllOnceAfter(lab, domains, start, next);
        if (at != null) {
          out.computeIfAbsent(f.kind(), k -> new ArrayList<>()).add(Math.max(0, at - start));
        }
      }
      return out;
    }

    /**
     * The end of the first reading after t with every domU on exactly one node following one that was not; null when
     * nothing was disturbed before {@code until}, or the recovery did not come before it.
     */
    private Long firstAllOnceAfter(NetnsLab lab, List<String> domains, long t, long until) {
      Map<String, List<String>> where = new TreeMap<>();
      boolean disturbed = false;
      for (NetnsLab.Seen s : lab.timeline) {
        where.put(s.domain(), s.nodes());
        if (s.atMillis() < t) {
          continue;
        }
        boolean allOnce = where.keySet().containsAll(domains) && domains.stream().allMatch(d -> where.get(d).size() == 1);
        if (!allOnce) {
          if (!disturbed && s.atMillis() >= until) {
            return null; // the next fault came first: this one disturbed nothing
          }
          disturbed = true;
        } else if (disturbed) {
          return s.endMillis() <= until ? s.endMillis() : null;
        }
      }
      return null;
    }
  }

  // ---- the command line ------------------------------------------------------------------------------------------

  /**
   * {@code Chaos --nodes N --runs R --seed S --minutes M [--domains D] [--out FILE] [--dir DIR] | --replay FILE}.
   * Prints one line per run and a summary; results go to the JSON file (default chaos-results.json).
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> opt = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --option VALUE, got " + args[i]);
      }
      opt.put(args[i].substring(2), args[i + 1]);
    }
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    Path dir = Path.of(opt.getOrDefault("dir", "/tmp/xenha-chaos"));
    Path outFile = Path.of(opt.getOrDefault("out", "chaos-results.json"));
    List<Schedule> schedules = new ArrayList<>();
    if (opt.containsKey("replay")) {
      schedules.add(json.readValue(Path.of(opt.get("replay")).toFile(), Schedule.class));
    } else {
      int nodes = Integer.parseInt(opt.getOrDefault("nodes", "3"));
      int runs = Integer.parseInt(opt.getOrDefault("runs", "1"));
      long seed = Long.parseLong(opt.getOrDefault("seed", Long.toString(System.currentTimeMillis())));
      int domains = Integer.parseInt(opt.getOrDefault("domains", Integer.toString(2 * nodes)));
      Duration minutes = Duration.ofSeconds((long) (Double.parseDouble(opt.getOrDefault("minutes", "2")) * 60));
      for (int i = 0; i < runs; i++) {
        schedules.add(generate(seed + i, nodes, domains, minutes));
      }
    }
    List<RunResult> results = new ArrayList<>();
    int i = 0;
    for (Schedule s : schedules) {
      i++;
      RunResult r;
      try {
        r = run(dir.resolve("run-" + i), s);
      } catch (Exception | AssertionError e) {
        r = new RunResult(s, List.of(new Finding("lab", e.toString().lines().limit(3).reduce("", (a, b) -> a + " " + b))),
            Map.of(), -1, "");
      }
      results.add(r);
      System.out.printf("run %d seed=%d faults=%s result=%s recovery=%s%n", i, s.seed(),
          s.faults().stream().map(Fault::describe).toList(), r.ok() ? "ok" : "FAILED " + r.findings(),
          r.finalRecoveryMs() < 0 ? "-" : r.finalRecoveryMs() / 1000.0 + "s");
      if (!r.ok()) {
        Path replay = outFile.resolveSibling("chaos-replay-" + s.seed() + ".json");
        json.writeValue(replay.toFile(), s);
        System.out.println("  schedule: " + json.writeValueAsString(s).replace("\n", "\n  "));
        System.out.println("  replay: scripts/lab/chaos --replay " + replay);
      }
      json.writeValue(outFile.toFile(), Map.of("runs", results, "summary", summary(results)));
    }
    System.out.println(json.writeValueAsString(summary(results)));
    System.exit(results.stream().allMatch(RunResult::ok) ? 0 : 1);
  }

  static Map<String, Object> summary(List<RunResult> results) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("runs", results.size());
    out.put("ok", results.stream().filter(RunResult::ok).count());
    Map<String, Long> faults = new TreeMap<>();
    results.forEach(r -> r.schedule().faults().forEach(f -> faults.merge(f.kind(), 1L, Long::sum)));
    out.put("faultsByKind", faults);
    for (String k : List.of("double-run", "early-start", "stall", "lost-record", "nemesis", "lab")) {
      out.put(k, results.stream().flatMap(r -> r.findings().stream()).filter(f -> f.kind().equals(k)).count());
    }
    Map<String, Map<String, Double>> rec = new TreeMap<>();
    Map<String, List<Long>> all = new TreeMap<>();
    results.forEach(r -> r.recoveryMs().forEach((k, v) -> all.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v)));
    List<Long> finals = results.stream().map(RunResult::finalRecoveryMs).filter(x -> x >= 0).toList();
    if (!finals.isEmpty()) {
      all.put("after-last-heal", new ArrayList<>(finals));
    }
    all.forEach((k, v) -> {
      List<Long> sorted = v.stream().sorted().toList();
      Map<String, Double> m = new LinkedHashMap<>();
      m.put("n", (double) sorted.size());
      m.put("medianS", sorted.get(sorted.size() / 2) / 1000.0);
      m.put("p95S", sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.95) - 1)) / 1000.0);
      m.put("maxS", sorted.get(sorted.size() - 1) / 1000.0);
      rec.put(k, m);
    });
    out.put("recoveryByKind", rec);
    return out;
  }
}
