package io.xenha.scheduler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xenha.config.Rule;
import io.xenha.config.Score;
import io.xenha.config.XenhaConfig;
import io.xenha.config.XenhaConfig.ClusterProperties;
import io.xenha.config.XenhaConfig.ColocationConstraint;
import io.xenha.config.XenhaConfig.LocationConstraint;
import io.xenha.config.XenhaConfig.NodeSpec;
import io.xenha.config.XenhaConfig.OrderConstraint;
import io.xenha.config.XenhaConfig.ResourceSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Builds a {@link ClusterSnapshot} from the small JSON used by the scheduler's scenario tests.
 *
 * <pre>
 * { "properties": { "stonith-enabled": true, "stonith-action": "reboot",
 *                   "default-resource-stickiness": 0, "symmetric-cluster": true, "migration-threshold": 3 },
 *   "nodes": { "host1": "online", "host2": "unclean" },                 // config order = key order
 *   "resources": [ { "id": "web", "type": "domain", "priority": 0, "stickiness": 100, "migration-threshold": 2,
 *                    "target-role": "Started", "active-on": ["host1"], "failed-on": [],
 *                    "fail-counts": { "host1": 1 } },
 *                  { "id": "ipmi-host1", "type": "stonith", "hosts": ["host1"] },
 *                  { "id": "pingd", "type": "builtin", "clone": { "clone-max": 2, "clone-node-max": 1, "clone-min": 0,
 *                    "interleave": false }, "active-on": ["host1"], "instances": { "host1": [1] } } ],
 *   "attributes": { "host1": { "pingd": "100", "#is_dc": "true" } },
 *   "locations": [ { "resource": "web", "node": "host1", "score": "INFINITY" },
 *                  { "resource": "web", "rule": "-INFINITY: not_defined pingd or pingd lte 0" } ],
 *   "orders": [ { "first": "a", "then": "b", "kind": "mandatory", "symmetrical": true } ] }
 * </pre>
 * A "clone" object makes the resource a clone set (clone-max defaults to the number of nodes); "instances" gives the
 * instance numbers running on a node. Also: "type": "group" with "members" (and "ordered", "collocated"; a group
 * may have a "clone"), per resource "utilization" ({ "memory": 1024 }), "is-managed", "allow-migrate",
 * "multiple-active", "failure-timeout" (seconds) and "last-failure" ({ node: epoch seconds }); top level
 * "utilization" ({ node: { "memory": 4096 } }), "colocations" ([ { "resource", "with", "score" (default INFINITY) } ]),
 * "now" (epoch seconds); properties "placement-strategy", "maintenance-mode", "failure-timeout" (seconds); orders
 * "first-action", "then-action", "require-all", "id".
 * Everything but "nodes" and the resource ids is optional; defaults are Pacemaker's.
 */
final class SnapshotFixture {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SnapshotFixture() {}

  /** The input of the golden scenario {@code name} (a directory under test resources scheduler/). */
  static ClusterSnapshot scenario(String name) {
    try {
      return load(Path.of(SnapshotFixture.class.getResource("/scheduler/" + name + "/input.json").toURI()));
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static ClusterSnapshot load(Path file) {
    try {
      return fromJson(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ClusterSnapshot fromJson(String text) {
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException("bad scenario JSON: " + e.getMessage(), e);
    }
    JsonNode p = root.path("properties");
    ClusterProperties props = new ClusterProperties(
        p.path("stonith-enabled").asBoolean(true),
        p.path("stonith-action").asText("reboot"),
        "stop",
        p.path("default-resource-stickiness").asInt(0),
        threshold(p.path("migration-threshold")),
        Duration.ofSeconds(p.path("failure-timeout").asLong(0)),
        p.path("symmetric-cluster").asBoolean(true),
        p.path("placement-strategy").asText("default"),
        p.path("batch-limit").asInt(0),
        true,
        Duration.ofSeconds(20),
        Duration.ofSeconds(60),
        Duration.ZERO,
        Duration.ofSeconds(30),
        Duration.ofSeconds(30),
        p.path("maintenance-mode").asBoolean(false),
        true,
        true,
        -1,
        true);

    Map<String, NodeSpec> nodes = new LinkedHashMap<>();
    Map<String, NodeState> nodeStates = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : root.path("nodes").properties()) {
      String name = e.getKey();
      Map<String, Long> capacity = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> u : root.path("utilization").path(name).properties()) {
        capacity.put(u.getKey(), u.getValue().asLong());
      }
      nodes.put(name, new NodeSpec(name, "127.0.0.1", 0, "test:///default", "127.0.0.1", 0, null, Map.of(), false,
          capacity, 1));
      nodeStates.put(name, NodeState.valueOf(e.getValue().asText().toUpperCase()));
    }

    Map<String, ResourceSpec> resources = new LinkedHashMap<>();
    Map<String, ResourceState> states = new LinkedHashMap<>();
    for (JsonNode r : root.path("resources")) {
      String id = r.path("id").asText();
      JsonNode st = r.path("stickiness");
      JsonNode mt = r.path("migration-threshold");
      String type = r.path("type").asText("domain");
      boolean stonith = type.equals("stonith");
      JsonNode c = r.path("clone");
      XenhaConfig.Clone clone = c.isMissingNode() ? null : new XenhaConfig.Clone(
          c.path("clone-max").asInt(nodes.size()), c.path("clone-node-max").asInt(1), c.path("clone-min").asInt(0),
          c.path("interleave").asBoolean(false), c.path("notify").asBoolean(false));
      boolean domain = type.equals("domain");
      List<String> members = new ArrayList<>(strings(r.path("members")));
      Map<String, Long> utilization = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> u : r.path("utilization").properties()) utilization.put(u.getKey(), u.getValue().asLong());
      JsonNode ft = r.path("failure-timeout");
      boolean plain = domain || stonith || type.equals("group");
      resources.put(id, new ResourceSpec(
          id, type, null, domain ? "" : null, domain ? id : null, r.path("allow-migrate").asBoolean(false),
          st.isMissingNode() ? null : st.asInt(),
          mt.isMissingNode() ? null : threshold(mt), Duration.ofSeconds(r.path("start-delay").asLong(0)),
          r.path("priority").asInt(0),
          r.path("target-role").asText("Started"),
          null, stonith ? "builtin:kill" : plain ? null : r.path("agent").asText("heartbeat:Dummy"),
          List.copyOf(strings(r.path("hosts"))), Map.of(), Map.of(), clone, List.copyOf(members),
          r.path("ordered").asBoolean(true), r.path("collocated").asBoolean(true), null, utilization,
          r.path("is-managed").asBoolean(true), ft.isMissingNode() ? null : Duration.ofSeconds(ft.asLong()),
          r.path("multiple-active").asText("stop_start"), null));
      Set<String> active = strings(r.path("active-on"));
      Set<String> failed = strings(r.path("failed-on"));
      Map<String, Integer> failCounts = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> f : r.path("fail-counts").properties()) {
        failCounts.put(f.getKey(), f.getValue().asInt());
      }
      Map<String, List<Integer>> instances = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> f : r.path("instances").properties()) {
        List<Integer> numbers = new ArrayList<>();
        for (JsonNode k : f.getValue()) numbers.add(k.asInt());
        instances.put(f.getKey(), List.copyOf(numbers));
      }
      Map<String, Long> lastFailure = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> f : r.path("last-failure").properties()) lastFailure.put(f.getKey(), f.getValue().asLong());
      if (!active.isEmpty() || !failed.isEmpty() || !failCounts.isEmpty()) {
        states.put(id, new ResourceState(id, active, failed, failCounts, instances, lastFailure));
      }
    }
    // a member names its group, as ModelBuilder records it
    for (ResourceSpec g : List.copyOf(resources.values())) {
      for (String m : g.members()) {
        ResourceSpec r = resources.get(m);
        resources.put(m, new ResourceSpec(r.id(), r.type(), r.domainXmlPath(), r.domainXml(), r.domainName(),
            r.allowMigrate(), r.stickiness(), r.migrationThreshold(), r.startDelay(), r.priority(), r.targetRole(),
            r.ops(), r.agent(), r.hosts(), r.params(), r.hostMap(), r.cloneSet(), r.members(), r.ordered(),
            r.collocated(), g.id(), r.utilization(), r.managed(), r.failureTimeout(), r.multipleActive(), r.requires()));
      }
    }

    List<LocationConstraint> locations = new ArrayList<>();
    for (JsonNode l : root.path("locations")) {
      if (l.has("rule")) {
        Rule rule = Rule.parse(l.path("rule").asText());
        locations.add(new LocationConstraint(
            l.path("resource").asText(), null, rule.score() == null ? 0 : rule.score(), rule));
      } else {
        locations.add(new LocationConstraint(
            l.path("resource").asText(), l.path("node").asText(), Score.parse(l.path("score").asText())));
      }
    }
    Map<String, Map<String, String>> attributes = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : root.path("attributes").properties()) {
      Map<String, String> values = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> a : e.getValue().properties()) values.put(a.getKey(), a.getValue().asText());
      attributes.put(e.getKey(), values);
    }
    List<OrderConstraint> orders = new ArrayList<>();
    for (JsonNode o : root.path("orders")) {
      String kind = o.path("kind").asText("mandatory");
      orders.add(new OrderConstraint(o.path("first").asText(), o.path("then").asText(), kind,
          o.path("symmetrical").asBoolean(!kind.equals("serialize")), o.path("first-action").asText("start"),
          o.path("then-action").asText(o.path("first-action").asText("start")), o.path("require-all").asBoolean(true),
          null, o.has("id") ? o.path("id").asText() : null));
    }
    List<ColocationConstraint> colocations = new ArrayList<>();
    for (JsonNode c : root.path("colocations")) {
      colocations.add(new ColocationConstraint(c.path("resource").asText(), c.path("with").asText(),
          Score.parse(c.path("score").asText("INFINITY")), c.has("id") ? c.path("id").asText() : null));
    }

    XenhaConfig config = new XenhaConfig(null, "test", Optional.empty(), nodes, props, resources,
        locations, orders, null, null, "", Map.of(), Path.of("/usr/lib/ocf"), colocations);
    return new ClusterSnapshot(config, nodeStates, states, attributes, root.path("now").asLong(0));
  }

  /** A migration-threshold: a number or "INFINITY" (never moves); missing: INFINITY, as the scenarios assume. */
  private static int threshold(JsonNode n) {
    if (n.isMissingNode() || n.asText().equalsIgnoreCase("INFINITY")) return Integer.MAX_VALUE;
    return n.asInt();
  }

  private static Set<String> strings(JsonNode array) {
    Set<String> out = new LinkedHashSet<>();
    for (JsonNode n : array) out.add(n.asText());
    return out;
  }
}
