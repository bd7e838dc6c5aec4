package io.xenha.bench;

import io.xenha.cli.DemoCluster;
import io.xenha.status.ClusterStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Measures the demo's failover, as the closing note reports it: for each run, a fresh 3-node demo, every
 * agent's RSS once settled and its CPU use over the following 20 s (the demo's load: monitors every 2 s, pingd,
 * heartbeats), then kill -9 of the busiest node but node1 and the time until every domU runs exactly once on the
 * survivors (read from each node's own libvirt through JMX, every 50 ms). Runs with mutual TLS between the agents
 * and with plain TCP (xenha.security.insecure) alternate, so that both see the same machine; prints each run and
 * the medians of each. Run by scripts/measure-failover.sh [RUNS [tls|insecure|both]], not by the test suite.
 */
public final class FailoverBenchmark {

  static final int CPU_WINDOW_SECONDS = 20;

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    String modes = args.length > 1 ? args[1] : "both";
    Map<String, List<Long>> times = new TreeMap<>();
    Map<String, List<Double>> cpu = new TreeMap<>();
    Map<String, List<Long>> rssAll = new TreeMap<>();
    int port = 0;
    for (int run = 1; run <= runs; run++) {
      for (String mode : List.of("tls", "insecure")) {
        if (!modes.equals("both") && !modes.equals(mode)) continue;
        port++;
        Path dir = Files.createTempDirectory("xenha-failover-");
        try (DemoCluster demo = DemoCluster.start(3, dir, 26551 + 10 * port, 29111 + 10 * port, null,
            mode.equals("insecure"))) {
          List<String> domains = awaitSettled(demo);
          StringBuilder rss = new StringBuilder();
          Map<String, Long> ticks = new TreeMap<>();
          for (String n : demo.nodes()) {
            long r = rssMiB(demo.pid(n));
            rssAll.computeIfAbsent(mode, k -> new ArrayList<>()).add(r);
            rss.append(n).append(' ').append(r).append(" MiB  ");
            ticks.put(n, cpuTicks(demo.pid(n)));
          }
          Thread.sleep(CPU_WINDOW_SECONDS * 1000L);
          StringBuilder load = new StringBuilder();
          for (String n : demo.nodes()) {
            double pct = (cpuTicks(demo.pid(n)) - ticks.get(n)) / (double) CPU_WINDOW_SECONDS; // 100 ticks a second
            cpu.computeIfAbsent(mode, k -> new ArrayList<>()).add(pct);
            load.append(n).append(String.format(" %.1f%%  ", pct));
          }
          // the victim: the node (other than node1) running the most domUs, so that every run moves something
          Map<String, Integer> placed = new TreeMap<>();
          for (String n : demo.nodes().subList(1, demo.nodes().size())) {
            placed.put(n, demo.activeDomains(n).size());
          }
          String victim = placed.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
          int lost = placed.get(victim);
          long t0 = System.nanoTime();
          demo.kill(victim);
          while (!allOnce(demo, domains, victim)) {
            if (System.nanoTime() - t0 > 120_000_000_000L) {
              throw new IllegalStateException("no failover within 120 s");
            }
            Thread.sleep(50);
          }
          long ms = (System.nanoTime() - t0) / 1_000_000;
          times.computeIfAbsent(mode, k -> new ArrayList<>()).add(ms);
          System.out.printf("run %d %s: kill -9 %s (%d domUs): failover %d ms; RSS %s; CPU %s%n", run, mode, victim,
              lost, ms, rss, load);
        }
      }
    }
    for (String mode : times.keySet()) {
      List<Long> t = new ArrayList<>(times.get(mode));
      Collections.sort(t);
      List<Double> c = new ArrayList<>(cpu.get(mode));
      Collections.sort(c);
      List<Long> r = new ArrayList<>(rssAll.get(mode));
      Collections.sort(r);
      System.out.printf("%s: median failover over %d runs: %d ms (min %d, max %d); agent RSS median %d MiB;"
          + " agent CPU median %.1f%% of one core%n", mode, t.size(), t.get(t.size() / 2), t.get(0), t.get(t.size() - 1),
          r.get(r.size() / 2), c.get(c.size() / 2));
    }
  }

  /** utime + stime of the process, in clock ticks (1/100 s on Linux). */
  static long cpuTicks(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  static List<String> awaitSettled(DemoCluster demo) throws Exception {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (System.nanoTime() < deadline) {
      try {
        ClusterStatus s = demo.status(demo.nodes().get(0));
        if (DemoCluster.settled(s)) {
          List<String> ids = new ArrayList<>();
          s.resources().stream().filter(r -> r.type().equals("domain")).forEach(r -> ids.add(r.id()));
          if (allOnce(demo, ids, null)) {
            return ids;
          }
        }
      } catch (Exception e) {
        // not up yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("demo did not settle");
  }

  static boolean allOnce(DemoCluster demo, List<String> domains, String dead) {
    Map<String, Integer> count = new TreeMap<>();
    for (String n : demo.nodes()) {
      if (n.equals(dead)) {
        continue;
      }
      try {
        for (String d : demo.activeDomains(n)) {
          count.merge(d, 1, Integer::sum);
        }
      } catch (Exception e) {
        return false;
      }
    }
    return domains.stream().allMatch(d -> count.getOrDefault(d, 0) == 1);
  }

  static long rssMiB(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    }
    return -1;
  }
}
