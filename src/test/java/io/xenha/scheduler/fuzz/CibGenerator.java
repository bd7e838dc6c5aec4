package io.xenha.scheduler.fuzz;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A random Pacemaker CIB (configuration and status) from a seed, written from Pacemaker Explained and the
 * pacemaker-3.x RNG schema: dom0 nodes, Xen / VirtualDomain / Dummy primitives, groups, clones, orders,
 * colocations, locations (node scores and rules on pingd and #uname), resource meta attributes, utilization with
 * each placement-strategy, and a status section with online, standby, offline and unclean nodes, running
 * resources, failed operations and fail counts. The same seed always gives the same text; {@code execution-date} is
 * fixed, so that failure-timeout expiry does not depend on the clock. Every id is unique, except in about 1 % of
 * the seeds, which define one id twice on purpose (a CIB both crm_simulate and xenha must refuse).
 */
public final class CibGenerator {
  /** "now" of every generated CIB. */
  public static final long NOW = 1700000000L;
  private static final String UUID = "3c7a4f1e-5b2d-4e6f-8a9b-0c1d2e3f4a5b";

  /** What a generated CIB holds, for tests that want to classify or check a case. */
  public record Case(long seed, String xml, String strategy, Map<String, String> nodeStates) {}

  private final SplittableRandom rnd;
  private final long seed;
  private final StringBuilder out = new StringBuilder();
  private final List<String> nodes = new ArrayList<>();
  /** node -> online | standby | offline | unclean */
  private final Map<String, String> nodeState = new LinkedHashMap<>();
  private final List<Top> tops = new ArrayList<>();
  private final List<Prim> prims = new ArrayList<>();
  private boolean stonith;
  private String strategy;
  private int callId = 10;

  /** A top-level resource: primitive, group or clone (of a primitive or a group). */
  private static final class Top {
    String id;
    String kind; // primitive | group | clone
    Prim prim; // for a primitive top
    List<Prim> members = new ArrayList<>(); // group members, or the clone's primitives
    String cloneChild; // "group" when the clone holds a group
    String groupId; // a cloned group's id
    int cloneMax;
    int cloneNodeMax;
    boolean interleave;
    boolean unmanaged; // the top's own is-managed=false (primitive) - members carry their own
  }

  private static final class Prim {
    String id;
    String cls = "ocf";
    String provider;
    String type;
    Top top;
    boolean inClone;
    boolean unmanaged;
    boolean allowMigrate;
    String targetRole;
    int stickiness = -1;
    int migrationThreshold = -1;
    int failureTimeout = -1;
    Map<String, Integer> utilization = new LinkedHashMap<>();
  }

  private CibGenerator(long seed) {
    this.seed = seed;
    this.rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 12345);
  }

  /** The CIB for a seed. */
  public static Case generate(long seed) {
    CibGenerator g = new CibGenerator(seed);
    String xml = g.build();
    return new Case(seed, xml, g.strategy, Map.copyOf(g.nodeState));
  }

  private boolean chance(double p) {
    return rnd.nextDouble() < p;
  }

  private int between(int lo, int hi) {
    return lo + rnd.nextInt(hi - lo + 1);
  }

  private <T> T pick(List<T> l) {
    return l.get(rnd.nextInt(l.size()));
  }

  private String build() {
    int nNodes = between(2, 8);
    for (int i = 1; i <= nNodes; i++) nodes.add("node" + i);
    stonith = chance(0.5);
    strategy = pick(List.of("default", "default", "utilization", "balanced", "minimal"));
    // node states: at least one plain online node
    for (String n : nodes) {
      double r = rnd.nextDouble();
      String s = r < 0.70 ? "online" : r < 0.80 ? "standby" : r < 0.90 ? "offline" : "unclean";
      nodeState.put(n, s);
    }
    nodeState.put(pick(nodes), "online");
    makeResources();

    out.append("<cib crm_feature_set=\"3.16.1\" validate-with=\"pacemaker-3.9\" epoch=\"1\" num_updates=\"0\"")
        .append(" admin_epoch=\"0\" have-quorum=\"1\" dc-uuid=\"").append(onlineNode()).append("\" execution-date=\"")
        .append(NOW).append("\">\n  <configuration>\n");
    crmConfig();
    nodesSection();
    resourcesSection();
    constraints();
    if (chance(0.4)) {
      out.append("    <rsc_defaults>\n      <meta_attributes id=\"rsc-options\">\n");
      out.append("        <nvpair id=\"rsc-options-resource-stickiness\" name=\"resource-stickiness\" value=\"")
          .append(pick(List.of(0, 1, 50, 100, 200, 1000))).append("\"/>\n");
      if (chance(0.3)) {
        out.append("        <nvpair id=\"rsc-options-migration-threshold\" name=\"migration-threshold\" value=\"")
            .append(between(1, 3)).append("\"/>\n");
      }
      out.append("      </meta_attributes>\n    </rsc_defaults>\n");
    }
    out.append("  </configuration>\n");
    status();
    out.append("</cib>\n");
    // now and then a CIB the schema refuses: an id defined twice (decided apart from the main stream, so that
    // the other seeds stay as they were)
    if (new SplittableRandom(seed ^ 0x5DEECE66DL).nextDouble() < 0.01) {
      return out.toString().replace("<nvpair id=\"opt-stonith-enabled\"", "<nvpair id=\"cib-bootstrap-options\"");
    }
    return out.toString();
  }

  private String onlineNode() {
    for (String n : nodes) if (nodeState.get(n).equals("online")) return n;
    return nodes.get(0);
  }

  private void crmConfig() {
    out.append("    <crm_config>\n      <cluster_property_set id=\"cib-bootstrap-options\">\n");
    nv("opt-stonith-enabled", "stonith-enabled", String.valueOf(stonith));
    if (!strategy.equals("default") || chance(0.3)) nv("opt-placement-strategy", "placement-strategy", strategy);
    if (chance(0.2)) nv("opt-symmetric-cluster", "symmetric-cluster", "true");
    if (chance(0.2)) nv("opt-start-failure-is-fatal", "start-failure-is-fatal", String.valueOf(chance(0.5)));
    out.append("      </cluster_property_set>\n    </crm_config>\n");
  }

  private void nv(String id, String name, String value) {
    out.append("        <nvpair id=\"").append(id).append("\" name=\"").append(name).append("\" value=\"")
        .append(value).append("\"/>\n");
  }

  private void nodesSection() {
    out.append("    <nodes>\n");
    boolean capacities = !strategy.equals("default") || chance(0.3);
    boolean sameCapacity = chance(0.3);
    int cpu0 = between(2, 16);
    int mem0 = between(2, 32) * 1024;
    for (String n : nodes) {
      out.append("      <node id=\"").append(n).append("\" uname=\"").append(n).append("\"");
      boolean standby = nodeState.get(n).equals("standby");
      if (!standby && !capacities) {
        out.append("/>\n");
        continue;
      }
      out.append(">\n");
      if (standby) {
        out.append("        <instance_attributes id=\"nodes-").append(n).append("\">\n");
        out.append("          <nvpair id=\"nodes-").append(n).append("-standby\" name=\"standby\" value=\"on\"/>\n");
        out.append("        </instance_attributes>\n");
      }
      if (capacities) {
        out.append("        <utilization id=\"nodes-").append(n).append("-utilization\">\n");
        // some nodes define only one of the capacities
        int which = sameCapacity ? 3 : chance(0.85) ? 3 : between(1, 2);
        if ((which & 1) != 0) {
          out.append("          <nvpair id=\"nodes-").append(n).append("-utilization-cpu\" name=\"cpu\" value=\"")
              .append(sameCapacity ? cpu0 : between(1, 16)).append("\"/>\n");
        }
        if ((which & 2) != 0) {
          out.append("          <nvpair id=\"nodes-").append(n).append("-utilization-memory\" name=\"memory\" value=\"")
              .append(sameCapacity ? mem0 : between(1, 32) * 1024).append("\"/>\n");
        }
        out.append("        </utilization>\n");
      }
      out.append("      </node>\n");
    }
    out.append("    </nodes>\n");
  }

  // ---------------------------------------------------------------- resources

  private void makeResources() {
    int target = between(3, 60);
    int n = 0;
    int g = 0;
    int c = 0;
    while (prims.size() < target) {
      double r = rnd.nextDouble();
      Top t = new Top();
      if (r < 0.60 || target - prims.size() < 2) {
        t.kind = "primitive";
        t.prim = prim("vm" + (++n), t, false);
        t.id = t.prim.id;
      } else if (r < 0.82) {
        t.kind = "group";
        t.id = "grp" + (++g);
        int m = between(2, Math.min(4, target - prims.size()));
        for (int i = 0; i < m; i++) t.members.add(prim(t.id + "-m" + (i + 1), t, false));
      } else {
        t.kind = "clone";
        c++;
        t.id = "cl" + c;
        t.interleave = chance(0.5);
        t.cloneMax = chance(0.5) ? between(1, nodes.size() + 1) : -1;
        t.cloneNodeMax = chance(0.25) ? between(1, 2) : -1;
        if (chance(0.3) && target - prims.size() >= 2) {
          t.cloneChild = "group";
          t.groupId = "cg" + c;
          int m = between(2, Math.min(3, target - prims.size()));
          for (int i = 0; i < m; i++) t.members.add(prim(t.groupId + "-m" + (i + 1), t, true));
        } else {
          t.members.add(prim(pick(List.of("stor", "ping", "cfg", "evms")) + c, t, true));
        }
      }
      tops.add(t);
    }
    if (stonith) {
      Prim f = new Prim();
      f.id = "fencing";
      f.cls = "stonith";
      f.type = "fence_xvm";
      Top t = new Top();
      t.kind = "primitive";
      t.id = f.id;
      t.prim = f;
      f.top = t;
      prims.add(f);
      tops.add(0, t);
    }
  }

  private Prim prim(String id, Top top, boolean inClone) {
    Prim p = new Prim();
    p.id = id;
    p.top = top;
    p.inClone = inClone;
    double r = rnd.nextDouble();
    if (inClone) {
      p.provider = "pacemaker";
      p.type = "Dummy";
    } else if (r < 0.45) {
      p.provider = "heartbeat";
      p.type = "Xen";
    } else if (r < 0.75) {
      p.provider = "heartbeat";
      p.type = "VirtualDomain";
    } else {
      p.provider = chance(0.5) ? "pacemaker" : "heartbeat";
      p.type = "Dummy";
    }
    if (chance(0.06)) p.unmanaged = true;
    if (!inClone && chance(0.25)) p.allowMigrate = true;
    if (chance(0.08)) p.targetRole = chance(0.7) ? "Stopped" : "Started";
    if (chance(0.25)) p.stickiness = pick(List.of(0, 10, 100, 500, 1000000));
    if (chance(0.2)) p.migrationThreshold = between(1, 3);
    if (chance(0.15)) p.failureTimeout = pick(List.of(60, 600, 3600));
    if (!inClone && (!strategy.equals("default") ? chance(0.9) : chance(0.2))) {
      if (chance(0.9)) p.utilization.put("cpu", between(1, 4));
      if (chance(0.8)) p.utilization.put("memory", between(1, 8) * 512);
    }
    prims.add(p);
    return p;
  }

  private void resourcesSection() {
    out.append("    <resources>\n");
    for (Top t : tops) {
      switch (t.kind) {
        case "primitive" -> primitive(t.prim, "      ");
        case "group" -> {
          out.append("      <group id=\"").append(t.id).append("\">\n");
          if (chance(0.15)) groupMeta(t.id, "        ");
          for (Prim p : t.members) primitive(p, "        ");
          out.append("      </group>\n");
        }
        default -> {
          out.append("      <clone id=\"").append(t.id).append("\">\n");
          out.append("        <meta_attributes id=\"").append(t.id).append("-meta\">\n");
          meta(t.id, "interleave", String.valueOf(t.interleave), "          ");
          if (t.cloneMax > 0) meta(t.id, "clone-max", String.valueOf(t.cloneMax), "          ");
          if (t.cloneNodeMax > 0) meta(t.id, "clone-node-max", String.valueOf(t.cloneNodeMax), "          ");
          out.append("        </meta_attributes>\n");
          if (t.groupId != null) {
            out.append("        <group id=\"").append(t.groupId).append("\">\n");
            for (Prim p : t.members) primitive(p, "          ");
            out.append("        </group>\n");
          } else {
            primitive(t.members.get(0), "        ");
          }
          out.append("      </clone>\n");
        }
      }
    }
    out.append("    </resources>\n");
  }

  private void groupMeta(String id, String indent) {
    out.append(indent).append("<meta_attributes id=\"").append(id).append("-meta\">\n");
    if (chance(0.5)) meta(id, "resource-stickiness", String.valueOf(pick(List.of(0, 100, 1000))), indent + "  ");
    else meta(id, "target-role", "Stopped", indent + "  ");
    out.append(indent).append("</meta_attributes>\n");
  }

  private void meta(String owner, String name, String value, String indent) {
    out.append(indent).append("<nvpair id=\"").append(owner).append("-meta-").append(name).append("\" name=\"")
        .append(name).append("\" value=\"").append(value).append("\"/>\n");
  }

  private void primitive(Prim p, String in) {
    out.append(in).append("<primitive id=\"").append(p.id).append("\" class=\"").append(p.cls).append('"');
    if (p.provider != null) out.append(" provider=\"").append(p.provider).append('"');
    out.append(" type=\"").append(p.type).append("\">\n");
    String[] kv = param(p).split("=", 2);
    out.append(in).append("  <instance_attributes id=\"").append(p.id).append("-params\">\n");
    out.append(in).append("    <nvpair id=\"").append(p.id).append("-params-").append(kv[0]).append("\" name=\"")
        .append(kv[0]).append("\" value=\"").append(kv[1]).append("\"/>\n");
    out.append(in).append("  </instance_attributes>\n");
    List<String[]> metas = new ArrayList<>();
    if (p.unmanaged) metas.add(new String[] {"is-managed", "false"});
    if (p.allowMigrate) metas.add(new String[] {"allow-migrate", "true"});
    if (p.targetRole != null) metas.add(new String[] {"target-role", p.targetRole});
    if (p.stickiness >= 0) metas.add(new String[] {"resource-stickiness", p.stickiness == 1000000 ? "INFINITY" : String.valueOf(p.stickiness)});
    if (p.migrationThreshold >= 0) metas.add(new String[] {"migration-threshold", String.valueOf(p.migrationThreshold)});
    if (p.failureTimeout >= 0) metas.add(new String[] {"failure-timeout", p.failureTimeout + "s"});
    if (!metas.isEmpty()) {
      out.append(in).append("  <meta_attributes id=\"").append(p.id).append("-meta\">\n");
      for (String[] m : metas) meta(p.id, m[0], m[1], in + "    ");
      out.append(in).append("  </meta_attributes>\n");
    }
    if (!p.utilization.isEmpty()) {
      out.append(in).append("  <utilization id=\"").append(p.id).append("-utilization\">\n");
      for (Map.Entry<String, Integer> u : p.utilization.entrySet()) {
        out.append(in).append("    <nvpair id=\"").append(p.id).append("-utilization-").append(u.getKey())
            .append("\" name=\"").append(u.getKey()).append("\" value=\"").append(u.getValue()).append("\"/>\n");
      }
      out.append(in).append("  </utilization>\n");
    }
    out.append(in).append("  <operations>\n");
    out.append(in).append("    <op id=\"").append(p.id).append("-monitor-10s\" name=\"monitor\" interval=\"10s\" timeout=\"30s\"/>\n");
    out.append(in).append("  </operations>\n");
    out.append(in).append("</primitive>\n");
  }

  // ---------------------------------------------------------------- constraints

  private String score() {
    double r = rnd.nextDouble();
    if (r < 0.35) return "INFINITY";
    if (r < 0.55) return "-INFINITY";
    return String.valueOf(pick(List.of(-1000, -500, -100, 50, 100, 200, 500, 1000)));
  }

  /** Constraints name top-level resources (and now and then a group member); orders and colocations go one way. */
  private void constraints() {
    out.append("    <constraints>\n");
    List<Top> rs = new ArrayList<>();
    for (Top t : tops) if (!t.id.equals("fencing")) rs.add(t);
    int k = 0;
    int nLoc = between(0, Math.max(1, rs.size() / 2));
    for (int i = 0; i < nLoc; i++) {
      Top t = pick(rs);
      String id = "loc" + (++k);
      double r = rnd.nextDouble();
      if (r < 0.55) {
        out.append("      <rsc_location id=\"").append(id).append("\" rsc=\"").append(t.id).append("\" node=\"")
            .append(pick(nodes)).append("\" score=\"").append(score()).append("\"/>\n");
      } else if (r < 0.8) {
        out.append("      <rsc_location id=\"").append(id).append("\" rsc=\"").append(t.id).append("\">\n");
        out.append("        <rule id=\"").append(id).append("-rule\" score=\"-INFINITY\" boolean-op=\"or\">\n");
        out.append("          <expression id=\"").append(id).append("-e1\" attribute=\"pingd\" operation=\"not_defined\"/>\n");
        out.append("          <expression id=\"").append(id).append("-e2\" attribute=\"pingd\" operation=\"lte\" value=\"0\" type=\"integer\"/>\n");
        out.append("        </rule>\n      </rsc_location>\n");
      } else if (r < 0.9) {
        out.append("      <rsc_location id=\"").append(id).append("\" rsc=\"").append(t.id).append("\">\n");
        out.append("        <rule id=\"").append(id).append("-rule\" score-attribute=\"pingd\">\n");
        out.append("          <expression id=\"").append(id).append("-e1\" attribute=\"pingd\" operation=\"defined\"/>\n");
        out.append("        </rule>\n      </rsc_location>\n");
      } else {
        out.append("      <rsc_location id=\"").append(id).append("\" rsc=\"").append(t.id).append("\">\n");
        out.append("        <rule id=\"").append(id).append("-rule\" score=\"").append(score()).append("\">\n");
        out.append("          <expression id=\"").append(id).append("-e1\" attribute=\"#uname\" operation=\"")
            .append(chance(0.7) ? "eq" : "ne").append("\" value=\"").append(pick(nodes)).append("\"/>\n");
        out.append("        </rule>\n      </rsc_location>\n");
      }
    }
    if (rs.size() >= 2) {
      int nOrd = between(0, rs.size() / 2);
      for (int i = 0; i < nOrd; i++) {
        int a = rnd.nextInt(rs.size() - 1);
        int b = between(a + 1, rs.size() - 1);
        String id = "ord" + (++k);
        out.append("      <rsc_order id=\"").append(id).append("\" first=\"").append(rs.get(a).id).append("\" then=\"")
            .append(rs.get(b).id).append('"');
        double r = rnd.nextDouble();
        if (r < 0.6) out.append(" kind=\"Mandatory\"");
        else if (r < 0.75) out.append(" score=\"INFINITY\"");
        else if (r < 0.9) out.append(" kind=\"Optional\"");
        else out.append(" score=\"0\"");
        out.append("/>\n");
      }
      int nCol = between(0, rs.size() / 2);
      for (int i = 0; i < nCol; i++) {
        int a = rnd.nextInt(rs.size() - 1);
        int b = between(a + 1, rs.size() - 1);
        String id = "col" + (++k);
        // the later resource is placed with (or away from) the earlier one
        out.append("      <rsc_colocation id=\"").append(id).append("\" rsc=\"").append(rs.get(b).id)
            .append("\" with-rsc=\"").append(rs.get(a).id).append("\" score=\"").append(score()).append("\"/>\n");
      }
    }
    out.append("    </constraints>\n");
  }

  // ---------------------------------------------------------------- status

  private void status() {
    // what runs where: a node -> lrm entries
    Map<String, StringBuilder> lrm = new LinkedHashMap<>();
    Map<String, StringBuilder> attrs = new LinkedHashMap<>();
    for (String n : nodes) {
      lrm.put(n, new StringBuilder());
      attrs.put(n, new StringBuilder());
    }
    List<String> hosts = new ArrayList<>();
    for (String n : nodes) if (!nodeState.get(n).equals("offline")) hosts.add(n);
    // pingd on (most) nodes that are up
    for (String n : hosts) {
      if (chance(0.85)) attr(attrs.get(n), n, "pingd", String.valueOf(pick(List.of(0, 100, 200, 300))));
    }
    for (Top t : tops) {
      if (t.kind.equals("clone")) {
        int max = t.cloneMax > 0 ? t.cloneMax : nodes.size();
        int placed = 0;
        for (String n : hosts) {
          if (placed >= max || !chance(0.6)) continue;
          placed++;
          for (Prim p : t.members) history(p, n, lrm.get(n), attrs.get(n), true);
        }
      } else {
        List<Prim> ps = t.kind.equals("group") ? t.members : List.of(t.prim);
        String where = chance(0.55) && !hosts.isEmpty() ? pick(hosts) : null;
        for (Prim p : ps) {
          if (where != null && chance(0.9)) history(p, where, lrm.get(where), attrs.get(where), false);
          // now and then an older failure elsewhere
          if (chance(0.08) && !hosts.isEmpty()) {
            String other = pick(hosts);
            if (!other.equals(where)) failedHistory(p, other, lrm.get(other), attrs.get(other));
          }
        }
      }
    }
    out.append("  <status>\n");
    for (String n : nodes) {
      String s = nodeState.get(n);
      out.append("    <node_state id=\"").append(n).append("\" uname=\"").append(n).append('"');
      switch (s) {
        case "offline" -> out.append(" in_ccm=\"false\" crmd=\"offline\" join=\"down\" expected=\"down\"");
        case "unclean" -> out.append(chance(0.5)
            ? " in_ccm=\"false\" crmd=\"offline\" join=\"member\" expected=\"member\""
            : " in_ccm=\"true\" crmd=\"offline\" join=\"member\" expected=\"member\"");
        default -> out.append(" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\"");
      }
      out.append(" crm-debug-origin=\"do_update_resource\">\n");
      if (attrs.get(n).length() > 0) {
        out.append("      <transient_attributes id=\"").append(n).append("\">\n");
        out.append("        <instance_attributes id=\"status-").append(n).append("\">\n");
        out.append(attrs.get(n));
        out.append("        </instance_attributes>\n      </transient_attributes>\n");
      }
      if (!s.equals("offline")) {
        out.append("      <lrm id=\"").append(n).append("\">\n        <lrm_resources>\n");
        out.append(lrm.get(n));
        out.append("        </lrm_resources>\n      </lrm>\n");
      }
      out.append("    </node_state>\n");
    }
    out.append("  </status>\n");
  }

  private void attr(StringBuilder sb, String node, String name, String value) {
    sb.append("          <nvpair id=\"status-").append(node).append('-').append(name.replace('#', '-'))
        .append("\" name=\"").append(name).append("\" value=\"").append(value).append("\"/>\n");
  }

  private void lrmResource(StringBuilder sb, Prim p, List<String> ops) {
    sb.append("          <lrm_resource id=\"").append(p.id).append("\" class=\"").append(p.cls).append('"');
    if (p.provider != null) sb.append(" provider=\"").append(p.provider).append('"');
    sb.append(" type=\"").append(p.type).append("\">\n");
    for (String o : ops) sb.append(o);
    sb.append("          </lrm_resource>\n");
  }

  private String op(Prim p, String node, String task, int intervalMs, int rc, int targetRc, long when) {
    int call = ++callId;
    String key = call + ":1:" + targetRc + ":" + UUID;
    String opKey = p.id + "_" + task + "_" + intervalMs;
    return "            <lrm_rsc_op id=\"" + (rc != targetRc && intervalMs > 0 ? p.id + "_last_failure_0" : opKey)
        + "\" operation_key=\"" + opKey + "\" operation=\"" + task + "\" crm-debug-origin=\"do_update_resource\""
        + " crm_feature_set=\"3.16.1\" transition-key=\"" + key + "\" transition-magic=\"0:" + rc + ";" + key
        + "\" exit-reason=\"\" on_node=\"" + node + "\" call-id=\"" + call + "\" rc-code=\"" + rc
        + "\" op-status=\"0\" interval=\"" + intervalMs + "\" last-rc-change=\"" + when
        + "\" exec-time=\"10\" queue-time=\"0\""
        + (intervalMs == 0 ? " op-digest=\"" + digest(p) + "\"" : "") + "/>\n";
  }

  /** The md5 over the resource's instance attributes as one XML element, as recorded for non-recurring operations. */
  private String digest(Prim p) {
    String[] kv = param(p).split("=", 2);
    String text = " <parameters " + kv[0] + "=\"" + kv[1] + "\"/>\n";
    try {
      byte[] md5 = java.security.MessageDigest.getInstance("MD5").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(md5);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private String param(Prim p) {
    return switch (p.type) {
      case "Xen" -> "xmfile=/etc/xen/vm/" + p.id;
      case "VirtualDomain" -> "config=/etc/libvirt/qemu/" + p.id + ".xml";
      case "fence_xvm" -> "pcmk_host_list=" + String.join(",", nodes);
      default -> "state=/run/" + p.id + ".state";
    };
  }

  /** p ran (or runs) on node: a start, then a monitor, a failure or a failed stop. */
  private void history(Prim p, String node, StringBuilder lrm, StringBuilder attrs, boolean clone) {
    List<String> ops = new ArrayList<>();
    double r = rnd.nextDouble();
    long t0 = NOW - 4000;
    if (r < 0.08 && !p.cls.equals("stonith")) {
      // the start failed
      ops.add(op(p, node, "start", 0, 1, 0, t0));
      attr(attrs, node, "fail-count-" + p.id + "#start_0", "INFINITY");
      attr(attrs, node, "last-failure-" + p.id + "#start_0", String.valueOf(t0));
    } else if (r < 0.13 && !p.cls.equals("stonith")) {
      // the stop failed after a monitor failure
      ops.add(op(p, node, "start", 0, 0, 0, t0));
      ops.add(op(p, node, "stop", 0, 1, 0, NOW - 100));
      attr(attrs, node, "fail-count-" + p.id + "#stop_0", "INFINITY");
      attr(attrs, node, "last-failure-" + p.id + "#stop_0", String.valueOf(NOW - 100));
    } else {
      ops.add(op(p, node, "start", 0, 0, 0, t0));
      if (r < 0.33 && !p.cls.equals("stonith")) {
        // a monitor failed: fail count, maybe more than once, maybe long ago
        long when = chance(0.5) ? NOW - 30 : NOW - 5000;
        ops.add(op(p, node, "monitor", 10000, 7, 0, when));
        int count = between(1, 3);
        attr(attrs, node, "fail-count-" + p.id + "#monitor_10000", String.valueOf(count));
        attr(attrs, node, "last-failure-" + p.id + "#monitor_10000", String.valueOf(when));
      } else {
        ops.add(op(p, node, "monitor", 10000, 0, 0, t0 + 1));
      }
    }
    lrmResource(lrm, p, ops);
  }

  /** A resource that failed on node and stopped there: a fail count stays. */
  private void failedHistory(Prim p, String node, StringBuilder lrm, StringBuilder attrs) {
    if (p.cls.equals("stonith")) return;
    List<String> ops = new ArrayList<>();
    ops.add(op(p, node, "start", 0, 0, 0, NOW - 9000));
    ops.add(op(p, node, "monitor", 10000, 7, 0, NOW - 8000));
    ops.add(op(p, node, "stop", 0, 0, 0, NOW - 7990));
    lrmResource(lrm, p, ops);
    long when = chance(0.5) ? NOW - 8000 : NOW - 200;
    attr(attrs, node, "fail-count-" + p.id + "#monitor_10000", String.valueOf(between(1, 3)));
    attr(attrs, node, "last-failure-" + p.id + "#monitor_10000", String.valueOf(when));
  }

  public long seed() {
    return seed;
  }
}
