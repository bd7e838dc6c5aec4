package io.xenha.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xenha.cib.CibXml;
import io.xenha.config.ConfigLoader;
import io.xenha.config.LoadResult;
import io.xenha.config.Problem;
import io.xenha.config.XenhaConfig;
import io.xenha.config.XenhaConfig.ResourceSpec;
import io.xenha.scheduler.ClusterSnapshot;
import io.xenha.scheduler.NodeState;
import io.xenha.scheduler.ResourceState;
import io.xenha.scheduler.Scheduler;
import io.xenha.scheduler.Transition;
import io.xenha.scheduler.engine.CibInput;
import io.xenha.scheduler.engine.Input;
import io.xenha.scheduler.engine.PolicyEngine;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `xenha simulate`: plans a transition offline from a configuration and a state and prints it (crm_simulate). */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description = {
      "Run the scheduler offline on a configuration and print the transition it",
      "would execute in crm_simulate's wording (\"Transition Summary:\", then one",
      "action per line). Nothing is started, stopped or fenced.",
      "",
      "Without --state every configured node is online and nothing runs. Each",
      "builtin ping resource is assumed to have set its node attribute on every",
      "node as it will once it runs there with all hosts answering: attribute",
      "params.name (default pingd) = multiplier x number of hosts in host-list,",
      "so that pingd location rules let the domUs start.",
      "",
      "--state FILE gives the cluster as it is now, in JSON (every key optional):",
      "  { \"nodes\": { \"host1\": \"online\", \"host2\": \"standby\" },",
      "    \"resources\": { \"nfs\": [\"host1\"], \"pingd\": [\"host1\", \"host2\"],",
      "      \"sles\": { \"active-on\": [\"host2\"], \"failed-on\": [],",
      "                \"fail-counts\": { \"host2\": 1 } } },",
      "    \"attributes\": { \"host1\": { \"pingd\": \"100\" } } }",
      "nodes: online | standby | offline | unclean (lost, not fenced yet); a",
      "  configured node that is not listed is online.",
      "resources: where each resource runs, as a list of nodes or as an object",
      "  with active-on, failed-on and fail-counts; a clone set goes by its id",
      "  (the nodes running an instance); a resource not listed is stopped.",
      "attributes: node attributes seen by location rules; without this key the",
      "  ping attributes above are assumed; \"attributes\": {} means none at all.",
      "",
      "Exit code 0: transition printed; 2: bad configuration or state (the",
      "problems go to stderr)."
    })
public final class SimulateCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "configuration file (default: ${DEFAULT-VALUE})")
  Path config = ConfigLoader.DEFAULT_PATH;

  @Option(names = {"-s", "--state"}, paramLabel = "STATE.json", description = "the cluster's current state (see above)")
  Path state;

  @Option(names = "--cib", paramLabel = "CIB.xml", description = "a Pacemaker CIB with its status section (instead of --config/--state)")
  Path cib;

  /** A state file that cannot be used; the message names what is wrong. */
  static final class BadStateException extends Exception {
    BadStateException(String message) {
      super(message);
    }
  }

  @Override
  public Integer call() {
    // looked up at call time so that tests can redirect them
    PrintStream out = System.out;
    PrintStream err = System.err;
    if (cib != null) return simulateCib(out, err);
    LoadResult result = ConfigLoader.load(config, Optional.empty());
    // stdout carries only the transition, so that it can be diffed against crm_simulate
    for (Problem p : result.errors()) err.println(p.format());
    for (Problem p : result.warnings()) err.println(p.format());
    if (!result.ok() || result.config().isEmpty()) {
      int n = result.errors().size();
      err.println(n + (n == 1 ? " error" : " errors") + " in " + config);
      return 2;
    }
    XenhaConfig c = result.config().get();
    ClusterSnapshot snapshot;
    try {
      snapshot = state == null ? emptySnapshot(c) : snapshotFromState(c, readState(state));
    } catch (BadStateException e) {
      err.println(state + ": " + e.getMessage());
      return 2;
    }
    Transition t = Scheduler.plan(snapshot);
    for (String w : t.warnings()) err.println("warning: " + w);
    out.print(Scheduler.format(t));
    out.flush();
    return 0;
  }

  /** Reads a Pacemaker CIB (configuration and status) and prints the Transition Summary as crm_simulate does. */
  private int simulateCib(PrintStream out, PrintStream err) {
    CibXml xml;
    try {
      xml = CibXml.read(cib);
    } catch (CibXml.Invalid e) {
      err.println(e.getMessage());
      return 2;
    }
    Input input = CibInput.read(xml);
    for (String w : input.warnings) err.println("warning: " + w);
    PolicyEngine.Result result = PolicyEngine.run(input);
    StringBuilder sb = new StringBuilder("Transition Summary:\n");
    for (String line : result.summary()) sb.append(line).append('\n');
    out.print(sb);
    out.flush();
    return 0;
  }

  /** Every configured node online, nothing running, ping attributes as if the ping agents already ran. */
  static ClusterSnapshot emptySnapshot(XenhaConfig c) {
    Map<String, NodeState> nodes = new LinkedHashMap<>();
    for (String n : c.nodes().keySet()) nodes.put(n, NodeState.ONLINE);
    return new ClusterSnapshot(c, nodes, Map.of(), pingAttributes(c));
  }

  /**
   * The attributes the builtin ping resources would set once they run on every node with all their hosts answering:
   * multiplier x number of hosts (the model always fills in host-list, multiplier and name).
   */
  static Map<String, Map<String, String>> pingAttributes(XenhaConfig c) {
    Map<String, String> values = new LinkedHashMap<>();
    for (ResourceSpec r : c.resources().values()) {
      if (!r.isBuiltin() || !"ping".equals(r.agent())) continue;
      String hostList = r.params().getOrDefault("host-list", "").trim();
      int hosts = hostList.isEmpty() ? 0 : hostList.split("\\s+").length;
      long multiplier = Long.parseLong(r.params().getOrDefault("multiplier", "1"));
      values.put(r.params().getOrDefault("name", "pingd"), Long.toString(multiplier * hosts));
    }
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    if (values.isEmpty()) return out;
    for (String n : c.nodes().keySet()) out.put(n, Map.copyOf(values));
    return out;
  }

  static JsonNode readState(Path file) throws BadStateException {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new BadStateException("cannot read state file: " + e.getMessage());
    }
    try {
      JsonNode root = JSON.readTree(text);
      if (root == null || !root.isObject()) throw new BadStateException("expected a JSON object");
      return root;
    } catch (JsonProcessingException e) {
      throw new BadStateException("not valid JSON: " + e.getOriginalMessage());
    }
  }

  /** The snapshot a state file describes, checked against the configuration (unknown nodes and ids are refused). */
  static ClusterSnapshot snapshotFromState(XenhaConfig c, JsonNode root) throws BadStateException {
    for (String key : names(root)) {
      if (!List.of("nodes", "resources", "attributes").contains(key)) {
        throw new BadStateException("unknown key '" + key + "' (nodes, resources, attributes)");
      }
    }
    Map<String, NodeState> nodes = new LinkedHashMap<>();
    for (String n : c.nodes().keySet()) nodes.put(n, NodeState.ONLINE);
    JsonNode ns = object(root, "nodes");
    for (String n : names(ns)) {
      knownNode(c, n, "nodes");
      JsonNode v = ns.get(n);
      NodeState s = null;
      if (v.isTextual()) {
        for (NodeState candidate : NodeState.values()) {
          if (candidate.wire().equals(v.asText().toLowerCase(Locale.ROOT))) s = candidate;
        }
      }
      if (s == null) {
        throw new BadStateException("nodes." + n + ": expected online, standby, offline or unclean, got " + v);
      }
      nodes.put(n, s);
    }

    Map<String, ResourceState> resources = new LinkedHashMap<>();
    JsonNode rs = object(root, "resources");
    for (String id : names(rs)) {
      if (!c.resources().containsKey(id)) {
        throw new BadStateException("resources." + id + ": unknown resource (clone sets go by their id, e.g. pingd)");
      }
      resources.put(id, resourceState(c, id, rs.get(id)));
    }

    Map<String, Map<String, String>> attributes;
    if (!root.has("attributes")) {
      attributes = pingAttributes(c);
    } else {
      attributes = new LinkedHashMap<>();
      JsonNode as = object(root, "attributes");
      for (String n : names(as)) {
        knownNode(c, n, "attributes");
        JsonNode values = as.get(n);
        if (!values.isObject()) throw new BadStateException("attributes." + n + ": expected an object { name: value }");
        Map<String, String> m = new LinkedHashMap<>();
        for (String a : names(values)) {
          JsonNode v = values.get(a);
          if (!v.isValueNode() || v.isNull()) {
            throw new BadStateException("attributes." + n + "." + a + ": expected a string or a number");
          }
          m.put(a, v.asText());
        }
        attributes.put(n, m);
      }
    }
    return new ClusterSnapshot(c, nodes, resources, attributes);
  }

  /** A resource's state: a list of nodes it runs on, or { active-on, failed-on, fail-counts }. */
  private static ResourceState resourceState(XenhaConfig c, String id, JsonNode v) throws BadStateException {
    String where = "resources." + id;
    if (v.isArray()) return new ResourceState(id, nodeSet(c, v, where), Set.of(), Map.of());
    if (!v.isObject()) throw new BadStateException(where + ": expected a list of nodes or an object");
    for (String key : names(v)) {
      if (!List.of("active-on", "failed-on", "fail-counts").contains(key)) {
        throw new BadStateException(where + ": unknown key '" + key + "' (active-on, failed-on, fail-counts)");
      }
    }
    Set<String> active = v.has("active-on") ? nodeSet(c, v.get("active-on"), where + ".active-on") : Set.of();
    Set<String> failed = v.has("failed-on") ? nodeSet(c, v.get("failed-on"), where + ".failed-on") : Set.of();
    Map<String, Integer> counts = new LinkedHashMap<>();
    JsonNode fc = object(v, "fail-counts");
    for (String n : names(fc)) {
      knownNode(c, n, where + ".fail-counts");
      JsonNode count = fc.get(n);
      if (!count.canConvertToInt() || count.asInt() < 0) {
        throw new BadStateException(where + ".fail-counts." + n + ": expected a count, got " + count);
      }
      counts.put(n, count.asInt());
    }
    return new ResourceState(id, active, failed, counts);
  }

  private static Set<String> nodeSet(XenhaConfig c, JsonNode array, String where) throws BadStateException {
    if (!array.isArray()) throw new BadStateException(where + ": expected a list of nodes");
    Set<String> out = new LinkedHashSet<>();
    for (JsonNode n : array) {
      if (!n.isTextual()) throw new BadStateException(where + ": expected node names, got " + n);
      knownNode(c, n.asText(), where);
      out.add(n.asText());
    }
    return java.util.Collections.unmodifiableSet(out);
  }

  private static void knownNode(XenhaConfig c, String node, String where) throws BadStateException {
    if (!c.nodes().containsKey(node)) {
      throw new BadStateException(where + ": unknown node '" + node + "' (" + String.join(", ", c.nodes().keySet()) + ")");
    }
  }

  /** The object under key, or an empty object when it is missing. */
  private static JsonNode object(JsonNode parent, String key) throws BadStateException {
    JsonNode v = parent.get(key);
    if (v == null || v.isNull()) return JSON.createObjectNode();
    if (!v.isObject()) throw new BadStateException(key + ": expected an object");
    return v;
  }

  private static List<String> names(JsonNode object) {
    List<String> out = new ArrayList<>();
    object.fieldNames().forEachRemaining(out::add);
    return out;
  }
}
