package io.xenha.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Random clusters from fixed seeds: every transition keeps the safety invariants and is reproducible. */
class SchedulerPropertyTest {
  private static final String[] STATES = {"online", "online", "online", "standby", "offline", "unclean"};
  private static final String[] SCORES = {"100", "-100", "50", "INFINITY", "-INFINITY", "0"};
  private static final String[] RULES = {"-INFINITY: not_defined pingd or pingd lte 0", "pingd: defined pingd",
      "50: #uname eq n1", "-INFINITY: #uname ne n0 and pingd gt 0"};

  @Test
  void randomClustersKeepTheInvariants() {
    check(false);
  }

  /** The same with clone sets (instance numbers, clone-max, clone-node-max, interleave), rules and node attributes. */
  @Test
  void randomClustersWithClonesAndRulesKeepTheInvariants() {
    check(true);
  }

  private static void check(boolean clones) {
    for (long seed = 0; seed < 500; seed++) {
      String json = randomCluster(new Random(seed), clones);
      ClusterSnapshot s = SnapshotFixture.fromJson(json);
      Transition t = Scheduler.plan(s);
      try {
        TransitionInvariants.check(s, t);
        assertEquals(t, Scheduler.plan(SnapshotFixture.fromJson(json)));
      } catch (AssertionError e) {
        throw new AssertionError("seed " + seed + ": " + e.getMessage() + "\n" + json, e);
      }
    }
  }

  private static String randomCluster(Random r, boolean clones) {
    int nodes = 1 + r.nextInt(5);
    int resources = 1 + r.nextInt(8);
    StringBuilder sb = new StringBuilder("{ \"properties\": { \"stonith-enabled\": ").append(r.nextBoolean())
        .append(", \"default-resource-stickiness\": ").append(r.nextInt(3) * 50)
        .append(", \"symmetric-cluster\": ").append(r.nextInt(4) > 0).append(" },\n  \"nodes\": {");
    for (int n = 0; n < nodes; n++) {
      sb.append(n == 0 ? " " : ", ").append("\"n").append(n).append("\": \"")
          .append(STATES[r.nextInt(STATES.length)]).append('"');
    }
    sb.append(" },\n  \"resources\": [");
    for (int i = 0; i < resources; i++) {
      sb.append(i == 0 ? " " : ", ").append("{ \"id\": \"r").append(i).append("\", \"priority\": ").append(r.nextInt(3))
          .append(r.nextInt(5) == 0 ? ", \"type\": \"stonith\", \"hosts\": " + someNodes(r, nodes, 0.4) : "")
          .append(", \"fail-counts\": { \"n").append(r.nextInt(nodes)).append("\": ").append(r.nextInt(4)).append(" }")
          .append(", \"migration-threshold\": ").append(1 + r.nextInt(4))
          .append(", \"target-role\": \"").append(r.nextInt(8) == 0 ? "Stopped" : "Started").append('"')
          .append(", \"active-on\": ").append(someNodes(r, nodes, 0.25))
          .append(", \"failed-on\": ").append(someNodes(r, nodes, 0.1));
      if (clones && r.nextInt(3) == 0) {
        sb.append(", \"type\": \"ocf\", \"clone\": { \"clone-max\": ").append(r.nextInt(nodes + 2))
            .append(", \"clone-node-max\": ").append(1 + r.nextInt(2))
            .append(", \"clone-min\": ").append(r.nextInt(2))
            .append(", \"interleave\": ").append(r.nextBoolean()).append(" }");
        if (r.nextBoolean()) sb.append(", \"instances\": { \"n").append(r.nextInt(nodes)).append("\": [").append(r.nextInt(4)).append("] }");
      }
      sb.append(" }");
    }

    sb.append(" ],\n  \"locations\": [");
    int locations = r.nextInt(resources * 2 + 1);
    for (int i = 0; i < locations; i++) {
      sb.append(i == 0 ? " " : ", ").append("{ \"resource\": \"r").append(r.nextInt(resources));
      if (clones && r.nextInt(3) == 0) {
        sb.append("\", \"rule\": \"").append(RULES[r.nextInt(RULES.length)]).append("\" }");
      } else {
        sb.append("\", \"node\": \"n").append(r.nextInt(nodes)).append("\", \"score\": \"")
            .append(SCORES[r.nextInt(SCORES.length)]).append("\" }");
      }
    }
    sb.append(" ],\n  \"orders\": [");
    int orders = resources > 1 ? r.nextInt(resources) : 0;
    for (int i = 0; i < orders; i++) {
      // first before then in config order keeps the graph acyclic, as validation guarantees
      int first = r.nextInt(resources - 1);
      int then = first + 1 + r.nextInt(resources - first - 1);
      sb.append(i == 0 ? " " : ", ").append("{ \"first\": \"r").append(first).append("\", \"then\": \"r").append(then)
          .append("\", \"kind\": \"").append(r.nextInt(3) == 0 ? "optional" : "mandatory")
          .append("\", \"symmetrical\": ").append(r.nextBoolean()).append(" }");
    }
    sb.append(" ]");
    if (clones) {
      sb.append(",\n  \"attributes\": {");
      for (int n = 0; n < nodes; n++) {
        sb.append(n == 0 ? " " : ", ").append("\"n").append(n).append("\": ")
            .append(r.nextInt(3) == 0 ? "{}" : "{ \"pingd\": \"" + r.nextInt(2) * 100 + "\" }");
      }
      sb.append(" }");
    }
    return sb.append(" }").toString();
  }

  private static String someNodes(Random r, int nodes, double p) {
    StringBuilder sb = new StringBuilder("[");
    for (int n = 0; n < nodes; n++) {
      if (r.nextDouble() < p) sb.append(sb.length() > 1 ? ", " : "").append("\"n").append(n).append('"');
    }
    return sb.append(']').toString();
  }
}
