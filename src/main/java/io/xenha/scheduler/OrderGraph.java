package io.xenha.scheduler;

import io.xenha.config.XenhaConfig.OrderConstraint;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/** The order constraints between placed resources, as a graph with a stable topological order. */
final class OrderGraph {
  private final List<String> resources;
  private final Map<String, List<OrderConstraint>> into = new HashMap<>();
  private final Map<String, List<OrderConstraint>> from = new HashMap<>();

  /** {@code resources} in configuration order; orders naming anything else are ignored. */
  OrderGraph(List<String> resources, List<OrderConstraint> orders) {
    this.resources = List.copyOf(resources);
    for (String r : resources) {
      into.put(r, new ArrayList<>());
      from.put(r, new ArrayList<>());
    }
    for (OrderConstraint o : orders) {
      if (!into.containsKey(o.first()) || !into.containsKey(o.then()) || o.first().equals(o.then())) continue;
      into.get(o.then()).add(o);
      from.get(o.first()).add(o);
    }
  }

  /** Orders whose {@code then} is the resource, in configuration order. */
  List<OrderConstraint> into(String rsc) {
    return into.get(rsc);
  }

  /** Orders whose {@code first} is the resource, in configuration order. */
  List<OrderConstraint> from(String rsc) {
    return from.get(rsc);
  }

  /**
   * Every resource after all its {@code first}s; among ready ones, configuration order, so the result
   * depends only on the configuration. A cycle (rejected by validation) is broken by appending the rest.
   */
  List<String> topologicalOrder() {
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < resources.size(); i++) index.put(resources.get(i), i);
    Map<String, Integer> pending = new HashMap<>();
    for (String r : resources) pending.put(r, into.get(r).size());
    PriorityQueue<String> ready = new PriorityQueue<>(Comparator.comparing(index::get));
    for (String r : resources) if (pending.get(r) == 0) ready.add(r);
    List<String> out = new ArrayList<>();
    while (!ready.isEmpty()) {
      String r = ready.poll();
      out.add(r);
      for (OrderConstraint o : from.get(r)) {
        if (pending.merge(o.then(), -1, Integer::sum) == 0) ready.add(o.then());
      }
    }
    for (String r : resources) if (!out.contains(r)) out.add(r);
    return out;
  }
}
