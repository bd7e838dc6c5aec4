package io.xenha.scheduler.engine;

import io.xenha.scheduler.engine.Model.Node;
import io.xenha.scheduler.engine.Model.Rsc;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the engine plans from: cluster properties, nodes (with their state already determined), resources (with
 * their current roles, failures and fail counts already unpacked) and constraints. Readers fill it in.
 */
public final class Input {
  public final Map<String, String> properties = new LinkedHashMap<>();
  public final List<Node> nodes = new ArrayList<>();
  public final List<Rsc> resources = new ArrayList<>();
  public final Map<String, Rsc> byId = new HashMap<>();
  public final List<Location> locations = new ArrayList<>();
  public final List<Order> orders = new ArrayList<>();
  public final List<Colocation> colocations = new ArrayList<>();
  /** Nodes to fence with the reason found while reading the state, in the order found. */
  public final Map<Node, String> fenceReasons = new LinkedHashMap<>();
  /** What the reader could not represent (shown by simulate; nothing is dropped silently). */
  public final List<String> warnings = new ArrayList<>();
  public boolean haveQuorum = true;
  public String dcUname;
  /** The time the engine plans at, epoch seconds (failure-timeout expiry). */
  public long now = System.currentTimeMillis() / 1000;

  public String property(String name, String dflt) {
    String v = properties.get(name);
    return v == null ? dflt : v;
  }

  public boolean flag(String name, boolean dflt) {
    String v = properties.get(name);
    return v == null ? dflt : Values.isTrue(v);
  }

  /** rsc_location: a fixed node score, or rules evaluated on every node. */
  public record Location(String id, Rsc rsc, Node node, int score, List<RuleNode> rules, boolean discoveryExclusive) {}

  /** A rule (score or score-attribute, and/or over expressions and nested rules). */
  public record RuleNode(Integer score, String scoreAttribute, boolean or, List<Expr> exprs, List<RuleNode> rules) {}

  /** One expression of a rule: attribute OP value (op defined/not_defined take no value). */
  public record Expr(String attribute, String op, String value, String type) {}

  /** rsc_order, before expansion. kind: mandatory, optional, serialize. */
  public record Order(String id, Rsc first, String firstAction, Rsc then, String thenAction, String kind,
      boolean symmetrical, boolean requireAll) {}

  /** rsc_colocation. */
  public record Colocation(String id, Rsc rsc, Rsc with, int score, String nodeAttribute, Boolean influence) {}
}
