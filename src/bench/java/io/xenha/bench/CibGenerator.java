package io.xenha.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes a synthetic Pacemaker 2.x CIB of N dom0s and M resources for the scheduler benchmark: VirtualDomain domUs
 * and small Dummy groups with memory/vcpus utilization (placement-strategy=utilization, capacity sized to fit even
 * without the pingd-less node and one failed node), evmsd/configpool clones ordered and colocated before every
 * domU, a pingd location rule per domU, chains of ordered groups, positive and negative colocations between domU
 * pairs, and one fence device per node. Two variants: "initial" (every node online, nothing has run) and
 * "failover" (everything running where {@link #placement()} put it, one node lost and so to be fenced).
 * Deterministic for a given seed.
 *
 * <pre>java -cp ... io.xenha.bench.CibGenerator NODES DOMUS initial|failover OUT.xml [--seed S] [--probes]</pre>
 */
public final class CibGenerator {
  /** A resource that is placed as one unit: a standalone domU or a group (its members share a node). */
  public record Unit(String id, boolean group, List<String> members, int memory, int vcpus) {}

  /** A colocation between two units. */
  public record Pair(String id, String dependent, String primary, String score) {}

  /** An ordering between two units. */
  public record Order(String id, String first, String then) {}

  private static final long NOW = 1_700_000_000L;
  private static final int OP_TIMEOUT_MS = 120_000;
  private static final int[] MEMORY = {1024, 2048, 2048, 4096, 4096, 8192};
  private static final int[] VCPUS = {1, 2, 2, 4};

  public final int nodeCount;
  public final int domuCount;
  private final long seed;
  private final List<String> nodes = new ArrayList<>();
  private final List<Unit> units = new ArrayList<>();
  private final List<Pair> colocations = new ArrayList<>();
  private final List<Order> orders = new ArrayList<>();
  private int nodeMemory;
  private int nodeVcpus;
  private String[] placement;

  public CibGenerator(int nodeCount, int domuCount, long seed) {
    if (nodeCount < 4) throw new IllegalArgumentException("at least 4 nodes");
    this.nodeCount = nodeCount;
    this.domuCount = domuCount;
    this.seed = seed;
    build();
  }

  /** The node with no pingd attribute: no domU may run there. */
  public String pinglessNode() {
    return nodes.get(nodeCount - 1);
  }

  /** The node the failover variant loses (not the DC, which is the first node). */
  public String failedNode() {
    return nodes.get(1);
  }

  public List<String> nodes() {
    return nodes;
  }

  public List<Unit> units() {
    return units;
  }

  public List<Pair> colocations() {
    return colocations;
  }

  public int nodeMemory() {
    return nodeMemory;
  }

  public int nodeVcpus() {
    return nodeVcpus;
  }

  /** The previous placement the failover variant starts from: node per unit, index-aligned with units(). */
  public String[] placement() {
    return placement.clone();
  }

  private void build() {
    Random random = new Random(seed);
    int nodeWidth = Math.max(2, Integer.toString(nodeCount).length());
    for (int i = 1; i <= nodeCount; i++) nodes.add(String.format("node%0" + nodeWidth + "d", i));
    int width = Math.max(4, Integer.toString(domuCount).length());
    // Every tenth primitive slot pair becomes a two-member group of Dummy services; the rest are domUs.
    int made = 0;
    int groups = 0;
    while (made < domuCount) {
      if (made % 20 == 10 && domuCount - made >= 2) {
        groups++;
        String g = String.format("grp%0" + width + "d", groups);
        units.add(new Unit(g, true, List.of(g + "-ip", g + "-app"), 2 * 256, 2));
        made += 2;
      } else {
        made++;
        String vm = String.format("vm%0" + width + "d", made);
        units.add(new Unit(vm, false, List.of(vm), MEMORY[random.nextInt(MEMORY.length)],
            VCPUS[random.nextInt(VCPUS.length)]));
      }
    }
    // Groups ordered in chains of three: grpA then grpB then grpC.
    List<Unit> groupUnits = units.stream().filter(Unit::group).toList();
    for (int i = 0; i + 1 < groupUnits.size(); i++) {
      if (i % 3 == 2) continue;
      orders.add(new Order("order-" + groupUnits.get(i).id() + "-" + groupUnits.get(i + 1).id(),
          groupUnits.get(i).id(), groupUnits.get(i + 1).id()));
    }
    // domU pairs: some must share a node, some must not, some merely prefer one or the other.
    List<Unit> vms = units.stream().filter(u -> !u.group()).toList();
    for (int i = 0; i + 1 < vms.size(); i += 40) {
      Unit a = vms.get(i);
      Unit b = vms.get(i + 1);
      colocations.add(new Pair("col-" + a.id() + "-with-" + b.id(), a.id(), b.id(), "INFINITY"));
    }
    for (int i = 20; i + vms.size() / 2 < vms.size(); i += 40) {
      Unit a = vms.get(i);
      Unit b = vms.get(i + vms.size() / 2);
      colocations.add(new Pair("anti-" + a.id() + "-" + b.id(), a.id(), b.id(), "-INFINITY"));
    }
    for (int i = 10; i + 3 < vms.size(); i += 80) {
      Unit a = vms.get(i);
      Unit b = vms.get(i + 3);
      colocations.add(new Pair("pref-" + a.id() + "-" + b.id(), a.id(), b.id(), i % 160 == 10 ? "200" : "-200"));
    }
    // Capacity: the whole load fits on the nodes left without the pingd-less and the failed one, with headroom.
    long memory = 0;
    long vcpus = 0;
    for (Unit u : units) {
      memory += u.memory();
      vcpus += u.vcpus();
    }
    int usable = nodeCount - 2;
    nodeMemory = roundUp((int) Math.ceil(memory * 1.3 / usable), 1024);
    nodeVcpus = roundUp((int) Math.ceil(vcpus * 1.3 / usable), 4);
    place();
  }

  private static int roundUp(int v, int step) {
    return (v + step - 1) / step * step;
  }

  /**
   * A plausible earlier placement on every node but the pingd-less one (the failed node included): the least
   * loaded node by memory, within capacity, together with INFINITY partners and away from -INFINITY ones.
   */
  private void place() {
    placement = new String[units.size()];
    int[] usedMemory = new int[nodeCount];
    int[] usedVcpus = new int[nodeCount];
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < units.size(); i++) index.put(units.get(i).id(), i);
    Map<Integer, List<Pair>> pairsOf = new HashMap<>();
    for (Pair p : colocations) {
      pairsOf.computeIfAbsent(index.get(p.dependent()), k -> new ArrayList<>()).add(p);
      pairsOf.computeIfAbsent(index.get(p.primary()), k -> new ArrayList<>()).add(p);
    }
    for (int i = 0; i < units.size(); i++) {
      if (placement[i] != null) continue;
      // An INFINITY pair is placed at once, as one unit.
      List<Integer> together = new ArrayList<>(List.of(i));
      for (Pair p : pairsOf.getOrDefault(i, List.of())) {
        int other = index.get(p.dependent()) == i ? index.get(p.primary()) : index.get(p.dependent());
        if (p.score().equals("INFINITY") && placement[other] == null) together.add(other);
      }
      Set<Integer> apart = new HashSet<>();
      for (int t : together) {
        for (Pair p : pairsOf.getOrDefault(t, List.of())) {
          int other = index.get(p.dependent()) == t ? index.get(p.primary()) : index.get(p.dependent());
          if (p.score().equals("-INFINITY") && placement[other] != null) apart.add(nodes.indexOf(placement[other]));
        }
      }
      int mem = 0;
      int cpu = 0;
      for (int t : together) {
        mem += units.get(t).memory();
        cpu += units.get(t).vcpus();
      }
      int best = -1;
      for (int n = 0; n < nodeCount - 1; n++) {
        if (apart.contains(n)) continue;
        if (usedMemory[n] + mem > nodeMemory || usedVcpus[n] + cpu > nodeVcpus) continue;
        if (best < 0 || usedMemory[n] < usedMemory[best]) best = n;
      }
      if (best < 0) throw new IllegalStateException("no room for " + units.get(i).id());
      for (int t : together) placement[t] = nodes.get(best);
      usedMemory[best] += mem;
      usedVcpus[best] += cpu;
    }
  }

  // ------------------------------------------------------------------ writing

  public void write(Path out, boolean failover, boolean probes) throws IOException {
    try (Writer w = new BufferedWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8), 1 << 16)) {
      write(w, failover, probes);
    }
  }

  public void write(Writer w, boolean failover, boolean probes) throws IOException {
    w.write("<cib crm_feature_set=\"3.16.2\" validate-with=\"pacemaker-3.9\" epoch=\"100\" num_updates=\"0\""
        + " admin_epoch=\"0\" have-quorum=\"1\" dc-uuid=\"1\" execution-date=\"" + NOW + "\">\n");
    w.write("  <configuration>\n");
    w.write("    <crm_config>\n      <cluster_property_set id=\"cib-bootstrap-options\">\n");
    nvpair(w, "cib-bootstrap-options", "stonith-enabled", "true", 8);
    nvpair(w, "cib-bootstrap-options", "placement-strategy", "utilization", 8);
    nvpair(w, "cib-bootstrap-options", "no-quorum-policy", "stop", 8);
    nvpair(w, "cib-bootstrap-options", "cluster-infrastructure", "corosync", 8);
    w.write("      </cluster_property_set>\n    </crm_config>\n");
    writeNodes(w);
    writeResources(w);
    writeConstraints(w);
    w.write("    <rsc_defaults>\n      <meta_attributes id=\"rsc-options\">\n");
    nvpair(w, "rsc-options", "resource-stickiness", "100", 8);
    w.write("      </meta_attributes>\n    </rsc_defaults>\n");
    w.write("    <op_defaults>\n      <meta_attributes id=\"op-options\">\n");
    nvpair(w, "op-options", "timeout", OP_TIMEOUT_MS / 1000 + "s", 8);
    w.write("      </meta_attributes>\n    </op_defaults>\n");
    w.write("  </configuration>\n");
    writeStatus(w, failover, probes);
    w.write("</cib>\n");
  }

  private static void nvpair(Writer w, String set, String name, String value, int indent) throws IOException {
    w.write(" ".repeat(indent));
    w.write("<nvpair id=\"" + set + "-" + name + "\" name=\"" + name + "\" value=\"" + value + "\"/>\n");
  }

  private void writeNodes(Writer w) throws IOException {
    w.write("    <nodes>\n");
    for (int i = 0; i < nodeCount; i++) {
      String n = nodes.get(i);
      w.write("      <node id=\"" + (i + 1) + "\" uname=\"" + n + "\">\n");
      w.write("        <utilization id=\"" + n + "-utilization\">\n");
      nvpair(w, n + "-utilization", "memory", Integer.toString(nodeMemory), 10);
      nvpair(w, n + "-utilization", "vcpus", Integer.toString(nodeVcpus), 10);
      w.write("        </utilization>\n      </node>\n");
    }
    w.write("    </nodes>\n");
  }

  private void writeResources(Writer w) throws IOException {
    w.write("    <resources>\n");
    for (String n : nodes) {
      String id = "fence-" + n;
      w.write("      <primitive id=\"" + id + "\" class=\"stonith\" type=\"fence_ipmilan\">\n");
      w.write("        <instance_attributes id=\"" + id + "-params\">\n");
      for (Map.Entry<String, String> p : new TreeMap<>(fenceParams(n)).entrySet()) {
        nvpair(w, id + "-params", p.getKey(), p.getValue(), 10);
      }
      w.write("        </instance_attributes>\n");
      w.write("        <operations>\n          <op id=\"" + id + "-monitor-60s\" name=\"monitor\" interval=\"60s\"/>\n"
          + "        </operations>\n      </primitive>\n");
    }
    clone(w, "evmsd", "ocf", "heartbeat", "Evmsd");
    clone(w, "configpool", "ocf", "heartbeat", "Filesystem");
    for (Unit u : units) {
      if (u.group()) {
        w.write("      <group id=\"" + u.id() + "\">\n");
        for (String m : u.members()) dummy(w, m, 256, 1);
        w.write("      </group>\n");
      } else {
        domu(w, u);
      }
    }
    w.write("    </resources>\n");
  }

  private static void clone(Writer w, String id, String cls, String provider, String type) throws IOException {
    w.write("      <clone id=\"" + id + "-clone\">\n");
    w.write("        <meta_attributes id=\"" + id + "-clone-meta\">\n");
    nvpair(w, id + "-clone-meta", "interleave", "true", 10);
    w.write("        </meta_attributes>\n");
    w.write("        <primitive id=\"" + id + "\" class=\"" + cls + "\" provider=\"" + provider + "\" type=\""
        + type + "\">\n");
    w.write("          <operations>\n            <op id=\"" + id + "-monitor-20s\" name=\"monitor\" interval=\"20s\"/>\n"
        + "          </operations>\n        </primitive>\n      </clone>\n");
  }

  private static void domu(Writer w, Unit u) throws IOException {
    String id = u.id();
    w.write("      <primitive id=\"" + id + "\" class=\"ocf\" provider=\"heartbeat\" type=\"VirtualDomain\">\n");
    w.write("        <instance_attributes id=\"" + id + "-params\">\n");
    for (Map.Entry<String, String> p : new TreeMap<>(domuParams(id)).entrySet()) {
      nvpair(w, id + "-params", p.getKey(), p.getValue(), 10);
    }
    w.write("        </instance_attributes>\n");
    w.write("        <meta_attributes id=\"" + id + "-meta\">\n");
    nvpair(w, id + "-meta", "allow-migrate", "true", 10);
    w.write("        </meta_attributes>\n");
    utilization(w, id, u.memory(), u.vcpus(), 8);
    w.write("        <operations>\n          <op id=\"" + id + "-monitor-30s\" name=\"monitor\" interval=\"30s\"/>\n"
        + "        </operations>\n      </primitive>\n");
  }

  private static void dummy(Writer w, String id, int memory, int vcpus) throws IOException {
    w.write("        <primitive id=\"" + id + "\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">\n");
    utilization(w, id, memory, vcpus, 10);
    w.write("          <operations>\n            <op id=\"" + id + "-monitor-30s\" name=\"monitor\" interval=\"30s\"/>\n"
        + "          </operations>\n        </primitive>\n");
  }

  private static void utilization(Writer w, String id, int memory, int vcpus, int indent) throws IOException {
    String pad = " ".repeat(indent);
    w.write(pad + "<utilization id=\"" + id + "-utilization\">\n");
    nvpair(w, id + "-utilization", "memory", Integer.toString(memory), indent + 2);
    nvpair(w, id + "-utilization", "vcpus", Integer.toString(vcpus), indent + 2);
    w.write(pad + "</utilization>\n");
  }

  private void writeConstraints(Writer w) throws IOException {
    w.write("    <constraints>\n");
    for (String n : nodes) {
      w.write("      <rsc_location id=\"fence-" + n + "-not-self\" rsc=\"fence-" + n + "\" node=\"" + n
          + "\" score=\"-INFINITY\"/>\n");
    }
    w.write("      <rsc_order id=\"evmsd-before-configpool\" first=\"evmsd-clone\" then=\"configpool-clone\""
        + " kind=\"Mandatory\"/>\n");
    w.write("      <rsc_colocation id=\"configpool-with-evmsd\" rsc=\"configpool-clone\" with-rsc=\"evmsd-clone\""
        + " score=\"INFINITY\"/>\n");
    for (Unit u : units) {
      String id = u.id();
      w.write("      <rsc_order id=\"configpool-before-" + id + "\" first=\"configpool-clone\" then=\"" + id
          + "\" kind=\"Mandatory\"/>\n");
      w.write("      <rsc_colocation id=\"" + id + "-with-configpool\" rsc=\"" + id
          + "\" with-rsc=\"configpool-clone\" score=\"INFINITY\"/>\n");
      w.write("      <rsc_location id=\"" + id + "-connected\" rsc=\"" + id + "\">\n");
      w.write("        <rule id=\"" + id + "-connected-rule\" score=\"-INFINITY\" boolean-op=\"or\">\n");
      w.write("          <expression id=\"" + id + "-connected-undefined\" attribute=\"pingd\""
          + " operation=\"not_defined\"/>\n");
      w.write("          <expression id=\"" + id + "-connected-zero\" attribute=\"pingd\" operation=\"lte\""
          + " value=\"0\"/>\n");
      w.write("        </rule>\n      </rsc_location>\n");
    }
    for (Order o : orders) {
      w.write("      <rsc_order id=\"" + o.id() + "\" first=\"" + o.first() + "\" then=\"" + o.then()
          + "\" kind=\"Mandatory\"/>\n");
    }
    for (Pair p : colocations) {
      w.write("      <rsc_colocation id=\"" + p.id() + "\" rsc=\"" + p.dependent() + "\" with-rsc=\"" + p.primary()
          + "\" score=\"" + p.score() + "\"/>\n");
    }
    w.write("    </constraints>\n");
  }

  // ------------------------------------------------------------------ status

  private void writeStatus(Writer w, boolean failover, boolean probes) throws IOException {
    w.write("  <status>\n");
    int callId = 10;
    for (int i = 0; i < nodeCount; i++) {
      String n = nodes.get(i);
      boolean lost = failover && n.equals(failedNode());
      String id = Integer.toString(i + 1);
      if (lost) {
        w.write("    <node_state id=\"" + id + "\" uname=\"" + n + "\" in_ccm=\"false\" crmd=\"offline\""
            + " crm-debug-origin=\"post_cache_update\" join=\"down\" expected=\"member\">\n");
      } else {
        w.write("    <node_state id=\"" + id + "\" uname=\"" + n + "\" in_ccm=\"true\" crmd=\"online\""
            + " crm-debug-origin=\"do_update_resource\" join=\"member\" expected=\"member\">\n");
      }
      w.write("      <transient_attributes id=\"" + id + "\">\n");
      w.write("        <instance_attributes id=\"status-" + id + "\">\n");
      if (!n.equals(pinglessNode())) nvpair(w, "status-" + id, "pingd", "100", 10);
      w.write("        </instance_attributes>\n      </transient_attributes>\n");
      if (failover) {
        w.write("      <lrm id=\"" + id + "\">\n        <lrm_resources>\n");
        // every fence device runs on the next node; the clones run everywhere
        String fenced = nodes.get((i + nodeCount - 1) % nodeCount);
        callId = running(w, "fence-" + fenced, "stonith", null, "fence_ipmilan", 60_000, fenceParams(fenced), callId);
        callId = running(w, "evmsd", "ocf", "heartbeat", "Evmsd", 20_000, Map.of(), callId);
        callId = running(w, "configpool", "ocf", "heartbeat", "Filesystem", 20_000, Map.of(), callId);
        for (int u = 0; u < units.size(); u++) {
          Unit unit = units.get(u);
          boolean here = placement[u].equals(n);
          for (String m : unit.members()) {
            String type = unit.group() ? "Dummy" : "VirtualDomain";
            String provider = unit.group() ? "pacemaker" : "heartbeat";
            Map<String, String> params = unit.group() ? Map.of() : domuParams(m);
            if (here) callId = running(w, m, "ocf", provider, type, 30_000, params, callId);
            else if (probes) callId = probed(w, m, provider, type, params, callId);
          }
        }
        w.write("        </lrm_resources>\n      </lrm>\n");
      }
      w.write("    </node_state>\n");
    }
    w.write("  </status>\n");
  }

  /** A start and its recurring monitor, both successful. */
  private static int running(Writer w, String id, String cls, String provider, String type, int monitorMs,
      Map<String, String> params, int callId) throws IOException {
    w.write("          <lrm_resource id=\"" + id + "\" class=\"" + cls + "\""
        + (provider == null ? "" : " provider=\"" + provider + "\"") + " type=\"" + type + "\">\n");
    op(w, id, "start", 0, 0, params, callId);
    op(w, id, "monitor", monitorMs, 0, params, callId + 1);
    w.write("          </lrm_resource>\n");
    return callId + 2;
  }

  /** A probe that found the resource not running. */
  private static int probed(Writer w, String id, String provider, String type, Map<String, String> params, int callId)
      throws IOException {
    w.write("          <lrm_resource id=\"" + id + "\" class=\"ocf\" provider=\"" + provider + "\" type=\"" + type
        + "\">\n");
    op(w, id, "monitor", 0, 7, params, callId);
    w.write("          </lrm_resource>\n");
    return callId + 1;
  }

  /** The parameters of a domU, as written in its instance_attributes. */
  private static Map<String, String> domuParams(String id) {
    return Map.of("config", "/etc/xen/vm/" + id + ".xml", "hypervisor", "xen:///system");
  }

  private static Map<String, String> fenceParams(String node) {
    return Map.of("pcmk_host_list", node, "ip", node + "-ipmi", "username", "admin");
  }

  /**
   * Pacemaker's op-digest: the MD5 of " <parameters a="1" b="2"/>\n" over the resource's parameters, sorted, plus
   * CRM_meta_timeout for a recurring operation. Without it Pacemaker sees a definition change and restarts
   * everything that runs.
   */
  static String digest(Map<String, String> params, int intervalMs) {
    Map<String, String> all = new TreeMap<>(params);
    if (intervalMs > 0) all.put("CRM_meta_timeout", Integer.toString(OP_TIMEOUT_MS));
    StringBuilder sb = new StringBuilder(" <parameters");
    for (Map.Entry<String, String> e : all.entrySet()) sb.append(' ').append(e.getKey()).append("=\"").append(e.getValue()).append('"');
    sb.append("/>\n");
    try {
      byte[] md5 = MessageDigest.getInstance("MD5").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(md5);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void op(Writer w, String id, String task, int intervalMs, int rc, Map<String, String> params,
      int callId) throws IOException {
    String opId = intervalMs == 0 ? id + "_last_0" : id + "_" + task + "_" + intervalMs;
    String key = callId + ":1:" + (intervalMs == 0 && task.equals("monitor") ? 7 : 0)
        + ":6b3e9a62-1111-4c2f-9b1d-000000000000";
    w.write("            <lrm_rsc_op id=\"" + opId + "\" operation_key=\"" + id + "_" + task + "_" + intervalMs
        + "\" operation=\"" + task + "\" crm-debug-origin=\"do_update_resource\" crm_feature_set=\"3.16.2\""
        + " transition-key=\"" + key + "\" transition-magic=\"0:" + rc + ";" + key + "\" call-id=\"" + callId
        + "\" rc-code=\"" + rc + "\" op-status=\"0\" interval=\"" + intervalMs + "\" last-rc-change=\"" + (NOW - 3600)
        + "\" exec-time=\"10\" queue-time=\"0\" op-digest=\"" + digest(params, intervalMs) + "\"/>\n");
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 4) {
      System.err.println("usage: CibGenerator NODES DOMUS initial|failover OUT.xml [--seed S] [--probes]");
      System.exit(2);
    }
    int n = Integer.parseInt(args[0]);
    int m = Integer.parseInt(args[1]);
    boolean failover = switch (args[2]) {
      case "initial" -> false;
      case "failover" -> true;
      default -> throw new IllegalArgumentException("variant: initial or failover, not " + args[2]);
    };
    long seed = 42;
    boolean probes = false;
    for (int i = 4; i < args.length; i++) {
      if (args[i].equals("--seed")) seed = Long.parseLong(args[++i]);
      else if (args[i].equals("--probes")) probes = true;
      else throw new IllegalArgumentException("unknown option " + args[i]);
    }
    CibGenerator g = new CibGenerator(n, m, seed);
    g.write(Path.of(args[3]), failover, probes);
    System.out.printf("%s: %d nodes x %d primitives (%d units), %s%n", args[3], n, m, g.units.size(), args[2]);
  }
}
