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
 * agent's RSS once settled, then kill -9 of node2 and the time until every domU runs exactly once on the
 * survivors (read from each node's own libvirt through JMX, every 50 ms). Prints each run and the median.
 * Run by scripts/measure-failover.sh, not by the test suite.
 */
public final class FailoverBenchmark {

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    List<Long> times = new ArrayList<>();
    for (int run = 1; run <= runs; run++) {
      Path dir = Files.createTempDirectory("xenha-failover-");
      try (DemoCluster demo = DemoCluster.start(3, dir, 26551 + 10 * run, 29111 + 10 * run, null)) {
        List<String> domains = awaitSettled(demo);
        StringBuilder rss = new StringBuilder();
        for (String n : demo.nodes()) {
          rss.append(n).append(' ').append(rssMiB(demo.pid(n))).append(" MiB  ");
        }
        // the victim: the node (other than node1) running the most domUs, so that every run moves something
        Map<String, Integer> load = new TreeMap<>();
        for (String n : demo.nodes().subList(1, demo.nodes().size())) {
          load.put(n, demo.activeDomains(n).size());
        }
        String victim = load.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        int lost = load.get(victim);
        long t0 = System.nanoTime();
        demo.kill(victim);
        while (!allOnce(demo, domains, victim)) {
          if (System.nanoTime() - t0 > 120_000_000_000L) {
            throw new IllegalStateException("no failover within 120 s");
          }
          Thread.sleep(50);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        times.add(ms);
        System.out.printf("run %d: kill -9 %s (%d domUs): failover %d ms; RSS %s%n", run, victim, lost, ms, rss);
      }
    }
    Collections.sort(times);
    System.out.printf("median failover over %d runs: %d ms (min %d, max %d)%n",
        runs, times.get(times.size() / 2), times.get(0), times.get(times.size() - 1));
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
