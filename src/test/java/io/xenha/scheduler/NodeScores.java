package io.xenha.scheduler;

import io.xenha.config.Score;
import io.xenha.config.XenhaConfig.LocationConstraint;
import io.xenha.config.XenhaConfig.ResourceSpec;
import io.xenha.scheduler.engine.Rules;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test oracle for the hard bans (the old planner's node scores): node state, location constraints and their rules,
 * stickiness and failure bans. A node it scores -INFINITY must never get a start, whatever the engine decides.
 */
public final class NodeScores {
  private final ClusterSnapshot snapshot;
  // Indexed once so scoring stays linear in the number of constraints on large clusters.
  private final Map<String, List<LocationConstraint>> locations = new HashMap<>();

  public NodeScores(ClusterSnapshot snapshot) {
    this.snapshot = snapshot;
    for (LocationConstraint l : snapshot.config().locations()) {
      locations.computeIfAbsent(l.resource(), r -> new ArrayList<>()).add(l);
    }
  }

  /** Scores of one resource; see {@link #scores(ResourceSpec)}. */
  public static Map<String, Integer> of(ClusterSnapshot snapshot, ResourceSpec rsc) {
    return new NodeScores(snapshot).scores(rsc);
  }

  /**
   * Scores of {@code rsc} on every configured node, in configuration order. A node where the resource may
   * not run (not ONLINE, banned, failed there, not opted in on an asymmetric cluster, or, for a fence device,
   * one of the nodes it fences) scores {@link Score#MINUS_INFINITY}.
   */
  public Map<String, Integer> scores(ResourceSpec rsc) {
    ResourceState state = snapshot.resource(rsc.id());
    boolean symmetric = snapshot.config().properties().symmetricCluster();
    int stickiness = rsc.stickiness() != null
        ? rsc.stickiness()
        : snapshot.config().properties().defaultResourceStickiness();
    int threshold = rsc.migrationThreshold() != null
        ? rsc.migrationThreshold()
        : snapshot.config().properties().migrationThreshold();
    Map<String, Integer> scores = new LinkedHashMap<>();
    for (String node : snapshot.config().nodes().keySet()) {
      int location = locationScore(rsc.id(), node);
      int score = location;
      if (state.activeOn().contains(node)) score = Score.add(score, stickiness);
      boolean expired = expired(rsc, state, node);
      if (!expired && (state.failedOn().contains(node) || failCount(state, node) >= threshold)) score = Score.MINUS_INFINITY;
      // A device never runs on a node it fences: that node cannot fence itself once it is lost.
      if (rsc.isStonith() && rsc.hosts().contains(node)) score = Score.MINUS_INFINITY;
      // Standby, offline and unclean nodes host nothing new, whatever the constraints say.
      if (snapshot.node(node) != NodeState.ONLINE) score = Score.MINUS_INFINITY;
      // Opt-in cluster: only nodes a location constraint (of any score but -INFINITY) invites are candidates.
      if (!symmetric && !invited(rsc.id(), node)) score = Score.MINUS_INFINITY;
      scores.put(node, score);
    }
    return Collections.unmodifiableMap(scores);
  }

  /** failure-timeout: the failures on node are older than the resource's failure-timeout at the snapshot's time. */
  private boolean expired(ResourceSpec rsc, ResourceState state, String node) {
    java.time.Duration timeout = rsc.failureTimeout() != null ? rsc.failureTimeout() : snapshot.config().properties().failureTimeout();
    Long last = state.lastFailure().get(node);
    return timeout != null && !timeout.isZero() && last != null && snapshot.now() > 0
        && snapshot.now() > last + timeout.toSeconds();
  }

  /** True when a score lets the resource run on the node. */
  public static boolean allowed(int score) {
    return score > Score.MINUS_INFINITY;
  }

  private static int failCount(ResourceState state, String node) {
    Integer n = state.failCounts() == null ? null : state.failCounts().get(node);
    return n == null ? 0 : n;
  }

  private boolean invited(String rsc, String node) {
    for (LocationConstraint l : locations.getOrDefault(rsc, List.of())) {
      if (l.rule() != null ? Rules.score(l.rule(), snapshot.ruleAttributes(node)) != null : node.equals(l.node())) return true;
    }
    return false;
  }

  private int locationScore(String rsc, String node) {
    int sum = 0;
    Map<String, String> attributes = null;
    for (LocationConstraint l : locations.getOrDefault(rsc, List.of())) {
      if (l.rule() != null) {
        if (attributes == null) attributes = snapshot.ruleAttributes(node);
        // A rule that does not match, or a score-attribute the node lacks, contributes nothing.
        Integer s = Rules.score(l.rule(), attributes);
        if (s != null) sum = Score.add(sum, s);
      } else if (node.equals(l.node())) {
        sum = Score.add(sum, l.score());
      }
    }
    return sum;
  }
}
