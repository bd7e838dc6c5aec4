package io.xenha.cib;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Translates a Heartbeat v1 haresources file into a xenha configuration (docs/import.md). Each line
 * {@code node res1 res2::arg::arg ...} becomes a group of its resources (started in that order) that prefers
 * the line's node. Resource scripts become the OCF agents Heartbeat itself later shipped, with the positional
 * arguments named; a bare IP address is IPaddr; an init script xenha cannot run is an error naming FILE:LINE.
 */
public final class HaresourcesImport {
  /** Heartbeat v1 resource scripts with an OCF counterpart: script -> agent and names of the :: arguments. */
  private static final Map<String, Agent> AGENTS = Map.of(
      "IPaddr", new Agent("heartbeat:IPaddr", List.of("ip", "cidr_netmask", "nic", "broadcast")),
      "IPaddr2", new Agent("heartbeat:IPaddr2", List.of("ip", "cidr_netmask", "nic", "broadcast")),
      "IPsrcaddr", new Agent("heartbeat:IPsrcaddr", List.of("ipaddress")),
      "Filesystem", new Agent("heartbeat:Filesystem", List.of("device", "directory", "fstype", "options")),
      "LVM", new Agent("heartbeat:LVM", List.of("volgrpname")),
      "MailTo", new Agent("heartbeat:MailTo", List.of("email", "subject")),
      "Xinetd", new Agent("heartbeat:Xinetd", List.of("service")),
      "apache", new Agent("heartbeat:apache", List.of("configfile")),
      "Delay", new Agent("heartbeat:Delay", List.of("startdelay", "stopdelay")),
      "SendArp", new Agent("heartbeat:SendArp", List.of("ip", "nic")));
  /** Init scripts with an OCF agent that manages the same service from its default configuration. */
  private static final Map<String, String> INIT_SCRIPTS = Map.of(
      "apache", "heartbeat:apache", "apache2", "heartbeat:apache", "httpd", "heartbeat:apache");
  /** IPaddr's v1 argument forms split at '/': ip/cidr_netmask/nic/broadcast. */
  private static final Set<String> SLASH_ARGUMENTS = Set.of("IPaddr", "IPaddr2");
  private static final Pattern IP = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}(/.*)?");
  private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");

  private record Agent(String agent, List<String> params) {}

  private record Resource(String id, String agent, Map<String, String> params, String comment) {}

  private final Path file;
  private final List<String> errors = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private final Set<String> ids = new LinkedHashSet<>();

  private HaresourcesImport(Path file) {
    this.file = file;
  }

  /** Translates the file; {@code extraNodes} are nodes that hold no resources (ha.cf's other node lines). */
  public static ImportResult translate(Path file, List<String> extraNodes) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return new ImportResult("", Map.of(), Set.of(), List.of(file + ": cannot read: " + e.getMessage()), List.of());
    }
    return new HaresourcesImport(file).run(lines, extraNodes);
  }

  private ImportResult run(List<String> lines, List<String> extraNodes) {
    Set<String> nodes = new LinkedHashSet<>();
    Hocon resources = new Hocon();
    Hocon locations = new Hocon();
    Hocon groups = new Hocon();
    int groupNo = 0;
    StringBuilder logical = new StringBuilder();
    int start = 0;
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i);
      int hash = l.indexOf('#');
      if (hash >= 0) l = l.substring(0, hash);
      if (logical.length() == 0) start = i + 1;
      if (l.stripTrailing().endsWith("\\")) {
        logical.append(l.stripTrailing(), 0, l.stripTrailing().length() - 1).append(' ');
        continue;
      }
      logical.append(l);
      String text = logical.toString().trim();
      logical.setLength(0);
      if (text.isEmpty()) continue;
      String[] words = text.split("\\s+");
      String node = words[0];
      if (!NODE_NAME.matcher(node).matches()) {
        error(start, "'" + node + "' is not a valid node name");
        continue;
      }
      nodes.add(node);
      List<Resource> group = new ArrayList<>();
      for (int w = 1; w < words.length; w++) {
        Resource r = resource(start, words[w]);
        if (r != null) group.add(r);
      }
      if (words.length == 1) {
        error(start, "node " + node + " has no resources on this line");
        continue;
      }
      for (Resource r : group) {
        resources.comment("haresources line " + start + ": " + r.comment());
        resources.open(r.id()).put("type", "ocf").put("agent", r.agent());
        if (!r.params().isEmpty()) {
          resources.open("params");
          r.params().forEach(resources::put);
          resources.close();
        }
        resources.close();
      }
      if (group.isEmpty()) continue;
      String target = group.get(0).id();
      if (group.size() > 1) {
        groupNo++;
        target = "group" + groupNo;
        while (ids.contains(target)) target = target + "_";
        ids.add(target);
        groups.comment("haresources line " + start + ": started in this order, stopped in reverse, on one node");
        groups.open(target).put("type", "group")
            .raw("members", Hocon.list(group.stream().map(Resource::id).toList())).close();
      }
      locations.line("{ resource = " + Hocon.value(target) + ", node = " + Hocon.value(node)
          + ", score = 100 }   # line " + start + ": " + node + " is the preferred node");
    }
    for (String n : extraNodes) {
      if (!NODE_NAME.matcher(n).matches()) {
        errors.add("--nodes: '" + n + "' is not a valid node name");
      } else {
        nodes.add(n);
      }
    }
    if (nodes.isEmpty() && errors.isEmpty()) errors.add(file + ":1: no resource lines in the file");
    if (!errors.isEmpty()) return new ImportResult("", Map.of(), Set.of(), List.copyOf(errors), List.copyOf(notes));

    Hocon h = new Hocon();
    h.comment("Translated by `xenha import haresources " + file.getFileName() + "` (see docs/import.md).");
    h.comment("Check it with `xenha verify --config FILE` and read every TODO before the first start.");
    h.open("xenha");
    h.put("cluster-name", "xenha");
    h.raw("node-name", "${?XENHA_NODE}");
    h.blank();
    h.comment("TODO: haresources names only the preferred node of each group. Add the other nodes (ha.cf's node");
    h.comment("lines, or --nodes) and replace each 192.0.2.N (a documentation address) with the node's address.");
    h.open("nodes");
    int n = 0;
    for (String node : nodes) {
      n++;
      h.open(node).put("address", "192.0.2." + n + ":2551", "TODO: this node's cluster address").close();
    }
    h.close();
    h.blank();
    h.comment("Heartbeat v1 fenced nothing unless ha.cf had stonith lines: so does this configuration. Add a fence");
    h.comment("device (type = stonith, docs/fencing.md) and set stonith-enabled = true for safe recovery.");
    h.open("properties").raw("stonith-enabled", "false").close();
    h.blank();
    h.open("resources");
    CibImport.indentInto(h, resources.toString());
    CibImport.indentInto(h, groups.toString());
    h.close();
    h.blank();
    h.comment("auto_failback on (ha.cf) moves a group back to its node: raise these scores above");
    h.comment("properties.default-resource-stickiness (100). With auto_failback off, leave them.");
    h.open("constraints");
    h.openList("location");
    CibImport.indentInto(h, locations.toString());
    h.closeList();
    h.close();
    h.close();
    return new ImportResult(h.toString(), Map.of(), Set.of(), List.of(), List.copyOf(notes));
  }

  private void error(int line, String message) {
    errors.add(file + ":" + line + ": " + message);
  }

  /** One word of a line: SCRIPT, SCRIPT::arg::arg or a bare IP address; null after an error. */
  private Resource resource(int line, String word) {
    String[] parts = word.split("::", -1);
    String script = parts[0];
    List<String> args = new ArrayList<>(List.of(parts).subList(1, parts.length));
    if (IP.matcher(script).matches() && args.isEmpty()) {
      args.add(script);
      script = "IPaddr";
    }
    Agent agent = AGENTS.get(script);
    if (agent == null && args.isEmpty() && INIT_SCRIPTS.containsKey(script)) {
      String id = id(script);
      notes.add(file + ":" + line + ": init script " + script + " became OCF agent " + INIT_SCRIPTS.get(script));
      return new Resource(id, INIT_SCRIPTS.get(script), Map.of(),
          "init script " + script + " -> ocf:" + INIT_SCRIPTS.get(script) + " (its default configuration file; set"
              + " params.configfile if it differs)");
    }
    if (agent == null) {
      error(line, args.isEmpty()
          ? "'" + script + "' is an init script (/etc/ha.d/resource.d or /etc/init.d): xenha runs no init scripts;"
              + " write it as an OCF agent (type = ocf) or a domain by hand"
          : "resource script '" + script + "' has no known OCF counterpart with named parameters;"
              + " write it as type = ocf by hand");
      return null;
    }
    if (SLASH_ARGUMENTS.contains(script) && args.size() == 1 && args.get(0).contains("/")) {
      args = List.of(args.get(0).split("/", -1));
    }
    if (args.size() > agent.params().size()) {
      error(line, script + " takes at most " + agent.params().size() + " arguments (" + String.join(", ", agent.params())
          + "), got " + args.size() + " in '" + word + "'");
      return null;
    }
    Map<String, String> params = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      if (!args.get(i).isEmpty()) params.put(agent.params().get(i), args.get(i));
    }
    String base = switch (script) {
      case "IPaddr", "IPaddr2", "IPsrcaddr", "SendArp" -> "ip-" + args.get(0);
      case "Filesystem" -> args.size() > 1 ? "fs-" + args.get(1) : "fs";
      default -> script.toLowerCase(java.util.Locale.ROOT);
    };
    return new Resource(id(base), agent.agent(), params, word + " -> ocf:" + agent.agent());
  }

  /** A unique resource id from a name: '/' and other characters become '-'. */
  private String id(String base) {
    String id = base.replaceAll("[^A-Za-z0-9_.-]+", "-").replaceAll("-{2,}", "-").replaceAll("^-+|-+$", "");
    if (id.isEmpty() || !Character.isLetter(id.charAt(0)) && id.charAt(0) != '_') id = "r-" + id;
    String unique = id;
    for (int i = 2; ids.contains(unique); i++) unique = id + "-" + i;
    ids.add(unique);
    return unique;
  }
}
