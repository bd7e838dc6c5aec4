package io.xenha.bench;

import io.xenha.cib.CibXml;
import io.xenha.scheduler.engine.CibInput;
import io.xenha.scheduler.engine.Input;
import io.xenha.scheduler.engine.Model.Rsc;
import io.xenha.scheduler.engine.PolicyEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks that the engine's placement for a generated CIB is plausible: every domU placed, no node over its memory
 * or vcpus capacity, nothing on the pingd-less or the failed node, INFINITY colocations together and -INFINITY ones
 * apart, group members together, and counts (failover) what moved off a surviving node. Prints what it found and
 * exits 1 on a violation.
 *
 * <pre>java -cp ... io.xenha.bench.PlacementCheck NODES DOMUS initial|failover CIB.xml</pre>
 */
public final class PlacementCheck {
  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    int m = Integer.parseInt(args[1]);
    boolean failover = args[2].equals("failover");
    CibGenerator g = new CibGenerator(n, m, 42);
    Input in = CibInput.read(CibXml.read(Path.of(args[3])));
    Map<String, Rsc> primitives = new HashMap<>();
    for (Rsc r : in.resources) for (Rsc p : r.primitives()) primitives.put(p.id, p);
    PolicyEngine.Result result = PolicyEngine.run(in);
    Map<String, String> at = result.placement();
    List<String> problems = new ArrayList<>();

    Map<String, int[]> used = new TreeMap<>();
    for (String node : g.nodes()) used.put(node, new int[2]);
    int placed = 0;
    int total = 0;
    int moved = 0;
    String[] before = g.placement();
    for (int u = 0; u < g.units().size(); u++) {
      CibGenerator.Unit unit = g.units().get(u);
      String first = null;
      for (String member : unit.members()) {
        total++;
        String node = at.get(member);
        if (node == null) continue;
        placed++;
        Rsc p = primitives.get(member);
        used.get(node)[0] += p.utilization.getOrDefault("memory", 0);
        used.get(node)[1] += p.utilization.getOrDefault("vcpus", 0);
        if (node.equals(g.pinglessNode())) problems.add(member + " on " + node + ", which has no pingd");
        if (failover && node.equals(g.failedNode())) problems.add(member + " on the failed node " + node);
        if (first == null) first = node;
        else if (!first.equals(node)) problems.add(unit.id() + ": members on " + first + " and " + node);
        if (failover && !before[u].equals(g.failedNode()) && !before[u].equals(node)) moved++;
      }
    }
    if (placed < total) problems.add((total - placed) + " of " + total + " primitives not placed");
    for (Map.Entry<String, int[]> e : used.entrySet()) {
      if (e.getValue()[0] > g.nodeMemory() || e.getValue()[1] > g.nodeVcpus()) {
        problems.add(e.getKey() + " overcommitted: memory " + e.getValue()[0] + "/" + g.nodeMemory() + ", vcpus "
            + e.getValue()[1] + "/" + g.nodeVcpus());
      }
    }
    for (CibGenerator.Pair p : g.colocations()) {
      String a = at.get(first(g, p.dependent()));
      String b = at.get(first(g, p.primary()));
      if (a == null || b == null) continue;
      if (p.score().equals("INFINITY") && !a.equals(b)) problems.add(p.id() + ": apart (" + a + ", " + b + ")");
      if (p.score().equals("-INFINITY") && a.equals(b)) problems.add(p.id() + ": together on " + a);
    }
    for (String node : g.nodes()) {
      if (node.equals(at.get("fence-" + node))) problems.add("fence-" + node + " runs on the node it fences");
    }

    Map<String, Integer> verbs = new TreeMap<>();
    for (String line : result.summary()) {
      String verb = line.trim().replaceFirst("^\\* ", "").split("\\s+")[0];
      verbs.merge(verb, 1, Integer::sum);
    }
    int minMem = Integer.MAX_VALUE;
    int maxMem = 0;
    for (Map.Entry<String, int[]> e : used.entrySet()) {
      if (e.getKey().equals(g.pinglessNode()) || failover && e.getKey().equals(g.failedNode())) continue;
      minMem = Math.min(minMem, e.getValue()[0]);
      maxMem = Math.max(maxMem, e.getValue()[0]);
    }
    System.out.printf("placement %dx%d %s: %d/%d primitives placed; %s memory per node %d..%d of %d MiB;"
        + " summary %s; %s%n", n, m, args[2], placed, total,
        failover ? moved + " moved off a surviving node (colocation preferences);" : "", minMem, maxMem, g.nodeMemory(), verbs,
        problems.isEmpty() ? "OK" : problems.size() + " PROBLEMS");
    for (String p : problems.subList(0, Math.min(20, problems.size()))) System.out.println("  " + p);
    System.exit(problems.isEmpty() ? 0 : 1);
  }

  private static String first(CibGenerator g, String unitId) {
    for (CibGenerator.Unit u : g.units()) if (u.id().equals(unitId)) return u.members().get(0);
    return unitId;
  }
}
