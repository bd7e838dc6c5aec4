package io.xenha.controller;

import io.xenha.config.XenhaConfig;
import io.xenha.config.XenhaConfig.NodeSpec;
import io.xenha.config.XenhaConfig.ResourceSpec;
import io.xenha.scheduler.ClusterSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * What `xenha reload` may change while the cluster runs, and what it refuses (the whole reload is then refused
 * and nothing changes). Resources, constraints, properties and resource defaults may change; what the running
 * processes were started with may not (nodes and their addresses, cluster-name, the cluster, JMX and persistence
 * sections: those need the agents restarted). A resource may only be removed once it is stopped everywhere, as
 * Serviceguard only deletes a halted package: xenha would otherwise lose track of a running domU.
 */
public final class ReloadCheck {

  private ReloadCheck() {}

  /** Why {@code next} cannot replace {@code current} now; empty when it can. */
  public static List<String> refusals(XenhaConfig current, XenhaConfig next, ClusterSnapshot snapshot) {
    List<String> out = new ArrayList<>();
    if (!current.clusterName().equals(next.clusterName())) {
      out.add("cluster-name changed (" + current.clusterName() + " -> " + next.clusterName() + "): restart every agent");
    }
    if (!current.nodes().keySet().equals(next.nodes().keySet())) {
      out.add("the nodes changed (" + String.join(", ", current.nodes().keySet()) + " -> "
          + String.join(", ", next.nodes().keySet()) + "): restart the agents to add or remove a node");
    } else {
      for (NodeSpec n : current.nodes().values()) {
        NodeSpec m = next.nodes().get(n.name());
        if (!n.host().equals(m.host()) || n.port() != m.port() || !n.hypervisor().equals(m.hypervisor())
            || !Objects.equals(n.stateDir(), m.stateDir()) || n.jmxPort() != m.jmxPort()
            || !Objects.equals(n.jmxHost(), m.jmxHost())) {
          out.add("node " + n.name() + ": address, hypervisor, state-dir or JMX changed: restart its agent");
        }
      }
    }
    if (!Objects.equals(current.cluster(), next.cluster())) {
      out.add("the cluster section changed: restart every agent");
    }
    if (!Objects.equals(current.jmx(), next.jmx())) {
      out.add("the jmx section changed: restart every agent");
    }
    if (!Objects.equals(current.persistence(), next.persistence())) {
      out.add("the persistence section changed: restart every agent");
    }
    for (String id : new TreeSet<>(current.resources().keySet())) {
      if (next.resources().containsKey(id)) {
        ResourceSpec a = current.resources().get(id);
        ResourceSpec b = next.resources().get(id);
        if (!a.type().equals(b.type()) && !snapshot.resource(id).activeOn().isEmpty()) {
          out.add(id + " changes type (" + a.type() + " -> " + b.type() + ") while it runs on "
              + String.join(", ", snapshot.resource(id).activeOn()) + ": stop it first");
        }
        if (a.isDomain() && b.isDomain() && !Objects.equals(a.domainName(), b.domainName())
            && !snapshot.resource(id).activeOn().isEmpty()) {
          out.add(id + " changes its domain name while it runs: stop it first");
        }
        continue;
      }
      if (!snapshot.resource(id).activeOn().isEmpty()) {
        out.add(id + " is removed but runs on " + String.join(", ", snapshot.resource(id).activeOn())
            + ": stop it first (xenha resource stop " + id + "), then remove it");
      }
    }
    return out;
  }

  /** A one-line account of what a reload changes: added, removed and changed resources, other sections. */
  public static String summary(XenhaConfig current, XenhaConfig next) {
    List<String> added = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    for (String id : new TreeSet<>(next.resources().keySet())) {
      if (!current.resources().containsKey(id)) {
        added.add(id);
      } else if (!current.resources().get(id).equals(next.resources().get(id))) {
        changed.add(id);
      }
    }
    for (String id : new TreeSet<>(current.resources().keySet())) {
      if (!next.resources().containsKey(id)) removed.add(id);
    }
    List<String> parts = new ArrayList<>();
    if (!added.isEmpty()) parts.add("added " + String.join(", ", added));
    if (!removed.isEmpty()) parts.add("removed " + String.join(", ", removed));
    if (!changed.isEmpty()) parts.add("changed " + String.join(", ", changed));
    if (!current.properties().equals(next.properties())) parts.add("properties changed");
    if (!current.locations().equals(next.locations()) || !current.orders().equals(next.orders())
        || !current.colocations().equals(next.colocations())) {
      parts.add("constraints changed");
    }
    return parts.isEmpty() ? "no resource, property or constraint changed" : String.join("; ", parts);
  }
}
