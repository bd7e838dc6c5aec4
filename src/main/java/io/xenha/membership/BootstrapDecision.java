package io.xenha.membership;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * How a starting agent gets into the cluster without ever forming an island: it joins a running cluster when any
 * configured node it reaches is a member of one; it forms a new cluster only when the nodes that are looking for a
 * cluster with it hold a quorum of the configured votes (in two-node mode: both nodes, corosync's wait_for_all), and
 * then only the first of them in configuration order does, once each of them names it. Otherwise it waits and says
 * why. Pure: {@link Bootstrap} feeds it the answers of the other nodes.
 *
 * <p>A node's vote is sticky: once it named another node, it keeps naming it while that node answers and still
 * means to form the cluster itself, and it follows that node when it defers to another. Without this, a node that
 * named node2 and then heard of node1 (listed first, its JVM slower) could name node1 while node2 was already
 * forming with its earlier word: two clusters, the one without quorum later fenced by the other.
 */
public sealed interface BootstrapDecision {

  /** A peer's answer: a member of a running cluster (with the members it knows), or looking for one. */
  record PeerView(boolean member, List<String> memberAddresses, String choice) {
    public PeerView {
      memberAddresses = List.copyOf(memberAddresses);
    }
  }

  /** Join the running cluster through these members. */
  record Join(List<String> seeds) implements BootstrapDecision {}

  /** Form a new cluster: these nodes (self first) agree, and they hold quorum. */
  record Form(Quorum quorum, Set<String> with) implements BootstrapDecision {}

  /** Neither: why, for the log and the status. */
  record Wait(String why) implements BootstrapDecision {}

  /**
   * The decision of {@code self} from the fresh answers of the other configured nodes ({@code answers}: node name
   * to its view; a node that did not answer is absent).
   */
  static BootstrapDecision decide(String self, Quorum.Votes votes, Map<String, PeerView> answers) {
    return decide(self, votes, answers, null);
  }

  /** As above, for a node whose vote went to {@code committed} last (null: none yet). */
  static BootstrapDecision decide(String self, Quorum.Votes votes, Map<String, PeerView> answers, String committed) {
    return decide(self, votes, answers, committed, List.of());
  }

  /**
   * As above, for a node that saw a running cluster lately ({@code recentSeeds}: its members' addresses, empty when
   * it saw none within the grace time): it goes on joining that cluster though no member answered this round. A
   * member's answer may come late (a loaded host, a lost packet); forming a new cluster meanwhile made two clusters
   * (the fault-injection lab, 5 nodes at a load average of 24: node2, joining node1's cluster, formed its own with
   * the votes of nodes that had not heard of node1's yet, and node1's Controller waited for node2's probe for ever).
   */
  static BootstrapDecision decide(String self, Quorum.Votes votes, Map<String, PeerView> answers, String committed,
      List<String> recentSeeds) {
    Set<String> seeds = new LinkedHashSet<>();
    for (String n : votes.byNode().keySet()) {
      PeerView v = answers.get(n);
      if (v != null && v.member() && !n.equals(self)) {
        seeds.addAll(v.memberAddresses());
      }
    }
    if (!seeds.isEmpty()) {
      return new Join(new ArrayList<>(seeds));
    }
    if (!recentSeeds.isEmpty()) {
      return new Join(List.copyOf(recentSeeds));
    }
    Set<String> seeking = seekers(self, answers);
    String choice = choice(self, votes, answers, committed);
    Quorum seen = votes.quorum(seeking);
    if (!self.equals(choice)) {
      String reason = canForm(votes, seeking)
          ? "waiting for " + choice + " to form the cluster (it comes first in the configuration)"
          : "waiting for quorum: " + sees(seeking, votes);
      return new Wait(reason);
    }
    Set<String> agree = new TreeSet<>();
    agree.add(self);
    answers.forEach((n, v) -> {
      if (!v.member() && self.equals(v.choice())) {
        agree.add(n);
      }
    });
    if (canForm(votes, agree)) {
      return new Form(votes.quorum(agree), agree);
    }
    if (!canForm(votes, seeking)) {
      return new Wait("waiting for quorum: " + sees(seeking, votes));
    }
    return new Wait("waiting for " + String.join(", ", difference(seeking, agree)) + " to agree that " + self
        + " forms the cluster (" + seen.describe() + " seen)");
  }

  /** Self and every node that answered it is looking for a cluster too. */
  static Set<String> seekers(String self, Map<String, PeerView> answers) {
    Set<String> seeking = new TreeSet<>();
    seeking.add(self);
    answers.forEach((n, v) -> {
      if (!v.member()) {
        seeking.add(n);
      }
    });
    return seeking;
  }

  /**
   * Whom {@code self} names to form the cluster: the node it named last ({@code committed}) while that node answers,
   * is looking for a cluster and names itself; the node that one names instead when it defers; else the first of the
   * nodes looking for a cluster in configuration order.
   */
  static String choice(String self, Quorum.Votes votes, Map<String, PeerView> answers, String committed) {
    if (committed != null && !committed.equals(self)) {
      PeerView v = answers.get(committed);
      if (v != null && !v.member() && v.choice() != null
          && (v.choice().equals(committed) || votes.byNode().containsKey(v.choice()))) {
        return v.choice();
      }
    }
    return choice(votes, seekers(self, answers));
  }

  /** The node that forms the cluster among {@code seeking}: the first of them in configuration order. */
  static String choice(Quorum.Votes votes, Set<String> seeking) {
    for (String n : votes.byNode().keySet()) {
      if (seeking.contains(n)) {
        return n;
      }
    }
    return null;
  }

  /** Whether these nodes may form a cluster: quorum of the configured votes; two-node mode: both nodes. */
  static boolean canForm(Quorum.Votes votes, Set<String> nodes) {
    if (votes.twoNode()) {
      return nodes.containsAll(votes.byNode().keySet());
    }
    return votes.quorum(nodes).quorate();
  }

  private static String sees(Set<String> seeking, Quorum.Votes votes) {
    Quorum q = votes.quorum(seeking);
    return "sees " + q.presentNodes() + " (" + q.describe() + ", "
        + (votes.twoNode() ? "both nodes (two-node mode, wait_for_all)" : q.needed() + " needed") + " to form a cluster)";
  }

  private static List<String> difference(Set<String> a, Set<String> b) {
    List<String> out = new ArrayList<>();
    for (String x : a) {
      if (!b.contains(x)) {
        out.add(x);
      }
    }
    return out;
  }
}
