package io.xenha.membership;

import io.xenha.config.XenhaConfig;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Corosync votequorum's arithmetic over the <b>configured</b> nodes, never over whoever is in the current
 * membership: each configured node has its votes (default 1), a partition has quorum when the nodes present in it
 * hold a strict majority of all configured votes. In two-node mode (corosync's two_node) one node of the two is
 * enough once both have been seen together (wait_for_all, which {@link BootstrapDecision} enforces when a cluster
 * forms).
 */
public record Quorum(int present, int expected, int needed, boolean quorate, SortedSet<String> presentNodes) {

  /**
   * The configured nodes: their votes in configuration order, their cluster addresses ("host:port"; absent for
   * port 0, where in-JVM tests let the system choose), and whether the cluster runs in two-node mode.
   */
  public record Votes(Map<String, Integer> byNode, Map<String, String> addresses, boolean twoNode) {

    public Votes {
      byNode = Collections.unmodifiableMap(new LinkedHashMap<>(byNode));
      addresses = Map.copyOf(addresses);
    }

    public Votes(Map<String, Integer> byNode, boolean twoNode) {
      this(byNode, Map.of(), twoNode);
    }

    public static Votes of(XenhaConfig config) {
      Map<String, Integer> v = new LinkedHashMap<>();
      Map<String, String> a = new LinkedHashMap<>();
      config.nodes().forEach((name, spec) -> {
        v.put(name, spec.votes());
        if (spec.port() != 0) {
          a.put(name, spec.host() + ":" + spec.port());
        }
      });
      return new Votes(v, a, "two-node".equals(config.cluster().sbrStrategy()));
    }

    /** The Pekko settings that carry these votes to a downing provider, which only sees the ActorSystem. */
    public com.typesafe.config.Config toPekko() {
      Map<String, Object> nodes = new LinkedHashMap<>();
      byNode.forEach((n, votes) -> {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("votes", votes);
        spec.put("address", addresses.getOrDefault(n, ""));
        nodes.put(n, spec);
      });
      Map<String, Object> root = new LinkedHashMap<>();
      root.put("nodes", nodes);
      root.put("order", List.copyOf(byNode.keySet()));
      root.put("two-node", twoNode);
      return com.typesafe.config.ConfigFactory.parseMap(Map.of(PEKKO_PATH, root));
    }

    /** The votes {@link #toPekko()} wrote. */
    public static Votes fromPekko(com.typesafe.config.Config pekko) {
      com.typesafe.config.Config c = pekko.getConfig(PEKKO_PATH);
      Map<String, Integer> v = new LinkedHashMap<>();
      Map<String, String> a = new LinkedHashMap<>();
      for (String n : c.getStringList("order")) {
        com.typesafe.config.Config spec = c.getConfig("nodes").getConfig("\"" + n + "\"");
        v.put(n, spec.getInt("votes"));
        if (!spec.getString("address").isEmpty()) {
          a.put(n, spec.getString("address"));
        }
      }
      return new Votes(v, a, c.getBoolean("two-node"));
    }

    /** Whether {@code hostPort} is where {@code node} is configured (always, for nodes configured on port 0). */
    public boolean at(String node, String hostPort) {
      String a = addresses.get(node);
      return byNode.containsKey(node) && (a == null || a.equals(hostPort));
    }

    public int expected() {
      return byNode.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** The votes a partition needs: a strict majority of the expected votes (1 in two-node mode). */
    public int needed() {
      return twoNode ? 1 : expected() / 2 + 1;
    }

    public int of(Collection<String> nodes) {
      int sum = 0;
      for (String n : new TreeSet<>(nodes)) {
        sum += byNode.getOrDefault(n, 0);
      }
      return sum;
    }

    /** The quorum of a partition made of {@code nodes} (names that are not configured nodes count nothing). */
    public Quorum quorum(Collection<String> nodes) {
      SortedSet<String> present = new TreeSet<>();
      for (String n : nodes) {
        if (byNode.containsKey(n)) {
          present.add(n);
        }
      }
      int votes = of(present);
      return new Quorum(votes, expected(), needed(), expected() > 0 && votes >= needed(),
          Collections.unmodifiableSortedSet(present));
    }
  }

  /** Where {@link Votes#toPekko()} puts the votes in the Pekko configuration. */
  public static final String PEKKO_PATH = "xenha-membership";

  /** "2 of 3 votes", as status prints it. */
  public String describe() {
    return present + " of " + expected + " votes";
  }

  /** The status line's words: "partition with quorum (2 of 3 votes)" / "partition WITHOUT quorum (1 of 3 votes)". */
  public String partition() {
    return (quorate ? "partition with quorum (" : "partition WITHOUT quorum (") + describe() + ")";
  }
}
