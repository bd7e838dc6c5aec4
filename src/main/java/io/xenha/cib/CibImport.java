package io.xenha.cib;

import io.xenha.config.DomainXml;
import io.xenha.config.Rule;
import io.xenha.config.Score;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.w3c.dom.Element;

/**
 * Translates a Pacemaker (1.0 and later) or Heartbeat 2.1 CIB into a xenha configuration (docs/import.md).
 * Everything in the CIB's configuration section is either translated, written down as a comment saying why it
 * has no xenha counterpart, or an error naming the element and its line; nothing is dropped silently. Clear-text
 * passwords go to secret files, never into the output.
 */
public final class CibImport {
  /**
   * outDir: where generated domain XML files go; secretsDir: where password files go; configDir: the directory
   * of the output file, to write paths relative to it (null: absolute paths).
   */
  public record Options(Path outDir, Path secretsDir, Path configDir) {}

  /** Pacemaker's boolean spellings. */
  private static final Set<String> TRUE = Set.of("true", "yes", "on", "y", "1");
  private static final Set<String> FALSE = Set.of("false", "no", "off", "n", "0");
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|msec|s|sec|m|min|h|hr)?");
  private static final Pattern ID = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");
  private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");

  /** crm_config options with no xenha counterpart, and why; they become comments. */
  private static final Map<String, String> PROPERTY_NOTES = Map.ofEntries(
      Map.entry("dc-version", "informational, set by Pacemaker"),
      Map.entry("cluster-infrastructure", "xenha has its own membership (Pekko cluster)"),
      Map.entry("have-watchdog", "informational, set by Pacemaker"),
      Map.entry("last-lrm-refresh", "informational, set by Pacemaker"),
      Map.entry("cluster-delay", "xenha waits for each action's own timeout"),
      Map.entry("cluster-recheck-interval", "xenha plans again on every event and failure-timeout expiry"),
      Map.entry("election-timeout", "the Controller is a Pekko cluster singleton, no election"),
      Map.entry("shutdown-escalation", "a stopping agent waits for each stop's own timeout"),
      Map.entry("stop-orphan-actions", "xenha always cancels the operations of removed resources"),
      Map.entry("default-resource-failure-stickiness",
          "replaced by migration-threshold in Pacemaker 1.0 (properties.migration-threshold, default 3)"),
      Map.entry("pe-error-series-max", "xenha keeps no scheduler input files"),
      Map.entry("pe-warn-series-max", "xenha keeps no scheduler input files"),
      Map.entry("pe-input-series-max", "xenha keeps no scheduler input files"),
      Map.entry("remove-after-stop", "deprecated in Pacemaker, xenha never removes resources"),
      Map.entry("enable-startup-probes", "xenha always probes"));
  private static final Map<String, String> BOOLEAN_PROPERTIES = Map.of(
      "stonith-enabled", "", "symmetric-cluster", "", "startup-fencing", "", "maintenance-mode", "",
      "start-failure-is-fatal", "", "stop-orphan-resources", "", "concurrent-fencing", "");
  private static final Set<String> DURATION_PROPERTIES =
      Set.of("dc-deadtime", "stonith-timeout", "priority-fencing-delay");

  private final CibXml cib;
  private final Options options;
  private final List<String> errors = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private final Map<Path, String> files = new LinkedHashMap<>();
  private final Set<Path> secrets = new LinkedHashSet<>();
  /** Ids the CIB uses for a resource that has another id in the output (clone children, cloned groups). */
  private final Map<String, String> alias = new HashMap<>();
  private final Set<String> resourceIds = new LinkedHashSet<>();
  /** Cloned fence devices written as one device per node: clone id -> node -> device id. */
  private final Map<String, Map<String, String>> splitDevices = new LinkedHashMap<>();
  private final List<String> nodeNames = new ArrayList<>();
  private final Hocon resources = new Hocon();
  private final Map<String, String> properties = new LinkedHashMap<>();
  private final List<String> propertyComments = new ArrayList<>();
  private final Map<String, String> resourceDefaults = new LinkedHashMap<>();
  private final List<String> defaultComments = new ArrayList<>();
  private String clusterName;
  private String hypervisor;
  private boolean anyDomain;
  /** The longest stop timeout of a domain in seconds (60s: xenha's default stop timeout). */
  private long maxDomainStop = 60;

  private CibImport(CibXml cib, Options options) {
    this.cib = cib;
    this.options = options;
  }

  /** Reads and translates a CIB; a CIB that cannot be read comes back as one error. */
  public static ImportResult translate(Path file, Options options) {
    CibXml cib;
    try {
      cib = CibXml.read(file);
    } catch (CibXml.Invalid e) {
      return new ImportResult("", Map.of(), Set.of(), e.errors(), List.of());
    }
    return new CibImport(cib, options).run();
  }

  private ImportResult run() {
    Element conf = CibXml.child(cib.root(), "configuration");
    if (conf == null) {
      err(cib.root(), "no <configuration> in the CIB");
      return result("");
    }
    for (Element e : CibXml.children(conf, null)) {
      switch (e.getTagName()) {
        case "crm_config", "nodes", "resources", "constraints", "rsc_defaults", "op_defaults", "fencing-topology":
          break;
        default:
          err(e, "<" + e.getTagName() + "> is not translated (xenha has no equivalent)");
      }
    }
    crmConfig(CibXml.child(conf, "crm_config"));
    nodes(CibXml.child(conf, "nodes"));
    rscDefaults(CibXml.child(conf, "rsc_defaults"));
    opDefaults(CibXml.child(conf, "op_defaults"));
    Element rs = CibXml.child(conf, "resources");
    if (rs != null) {
      for (Element r : CibXml.children(rs, null)) topResource(r);
    }
    Hocon constraints = constraints(CibXml.child(conf, "constraints"));
    Hocon topology = fencingTopology(CibXml.child(conf, "fencing-topology"));
    return result(render(constraints, topology));
  }

  private ImportResult result(String hocon) {
    return new ImportResult(errors.isEmpty() ? hocon : "", Map.copyOf(files), Set.copyOf(secrets),
        List.copyOf(errors), List.copyOf(notes));
  }

  private String render(Hocon constraints, Hocon topology) {
    Hocon h = new Hocon();
    h.comment("Translated by `xenha import cib " + cib.file().getFileName() + "` (see docs/import.md).");
    h.comment("Check it with `xenha verify --config FILE` and read every TODO before the first start.");
    h.open("xenha");
    h.put("cluster-name", clusterName != null ? clusterName : "xenha");
    h.raw("node-name", "${?XENHA_NODE}");
    h.blank();
    h.comment("TODO: the CIB has no node addresses: replace each 192.0.2.N (a documentation address) with the");
    h.comment("node's cluster address.");
    if (hypervisor != null) {
      h.open("node-defaults").put("hypervisor", hypervisor).close();
    }
    h.open("nodes");
    indent(h, nodesText.toString());
    h.close();
    h.blank();
    if ("false".equals(properties.get("stonith-enabled")) && anyDomain) {
      // verify demands it: a lost node must have stopped its domUs before the survivors start them
      propertyComments.add("Without fencing a lost node's domUs are taken as stopped after self-fence-deadline, which"
          + " must outlast\nthe longest domain stop timeout (" + maxDomainStop + "s).");
      properties.put("self-fence-deadline", (maxDomainStop + 30) + "s");
    }
    h.open("properties");
    for (String c : propertyComments) h.comment(c);
    properties.forEach(h::raw);
    h.close();
    if (!resourceDefaults.isEmpty() || !defaultComments.isEmpty()) {
      h.blank();
      h.open("resource-defaults");
      for (String c : defaultComments) h.comment(c);
      resourceDefaults.forEach((k, v) -> h.line(k + " = " + v)); // keys may be paths (ops.start.timeout)
      h.close();
    }
    h.blank();
    h.open("resources");
    indent(h, resources.toString());
    h.close();
    h.blank();
    h.open("constraints");
    indent(h, constraints.toString());
    h.close();
    if (!topology.toString().isEmpty()) {
      h.blank();
      h.open("fencing-topology");
      indent(h, topology.toString());
      h.close();
    }
    h.close();
    return h.toString();
  }

  static void indentInto(Hocon h, String text) {
    indent(h, text);
  }

  private static void indent(Hocon h, String text) {
    for (String l : text.split("\n")) {
      if (l.isEmpty()) {
        h.blank();
      } else {
        h.line(l);
      }
    }
  }

  // ---- errors and notes

  private void err(Element e, String message) {
    errors.add(cib.where(e) + ": " + message);
  }

  private void note(Hocon h, Element e, String message) {
    notes.add(cib.where(e) + ": " + message);
    h.comment("Not translated: " + message);
  }

  // ---- values

  private static Boolean bool(String v) {
    String s = v.trim().toLowerCase(Locale.ROOT);
    if (TRUE.contains(s)) return true;
    if (FALSE.contains(s)) return false;
    return null;
  }

  private Boolean bool(Element nv) {
    Boolean b = bool(value(nv));
    if (b == null) err(nv, name(nv) + ": expected true or false, got '" + value(nv) + "'");
    return b;
  }

  /** A Pacemaker duration (a bare number is seconds) as HOCON, or null after an error. */
  private String duration(Element e, String what, String v) {
    Matcher m = DURATION.matcher(v.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      err(e, what + ": cannot translate the duration '" + v + "' (a number with ms, s, m, min or h)");
      return null;
    }
    String unit = m.group(2) == null ? "s" : switch (m.group(2)) {
      case "msec" -> "ms";
      case "sec" -> "s";
      case "min" -> "m";
      case "hr" -> "h";
      default -> m.group(2);
    };
    return m.group(1) + unit;
  }

  private String score(Element e, String what, String v) {
    try {
      return Score.format(Score.parse(v));
    } catch (IllegalArgumentException ex) {
      err(e, what + ": " + ex.getMessage());
      return null;
    }
  }

  private String integer(Element e, String what, String v, long min) {
    try {
      long n = Long.parseLong(v.trim());
      if (n >= min) return Long.toString(n);
    } catch (NumberFormatException ignored) {
      // reported below
    }
    err(e, what + ": expected an integer >= " + min + ", got '" + v + "'");
    return null;
  }

  private static String name(Element nv) {
    return nv.getAttribute("name");
  }

  private static String value(Element nv) {
    return nv.getAttribute("value");
  }

  /** The nvpairs of every {@code setTag} child by name (first wins); sets with rules are errors. */
  private Map<String, Element> nvpairs(Element parent, String setTag) {
    Map<String, Element> out = new LinkedHashMap<>();
    if (parent == null) return out;
    for (Element set : CibXml.children(parent, setTag)) {
      if (CibXml.child(set, "rule") != null) {
        err(set, "<" + setTag + "> with a <rule> is not translated (xenha has no rule-based attribute sets)");
        continue;
      }
      for (Element nv : CibXml.children(set, "nvpair")) out.putIfAbsent(name(nv), nv);
    }
    return out;
  }

  private String path(Path p) {
    Path abs = p.toAbsolutePath().normalize();
    if (options.configDir() == null) return abs.toString();
    return options.configDir().toAbsolutePath().normalize().relativize(abs).toString();
  }

  // ---- crm_config, rsc_defaults, op_defaults

  private void crmConfig(Element crm) {
    properties.put("stonith-enabled", "true");
    if (crm == null) return;
    for (Map.Entry<String, Element> e : nvpairs(crm, "cluster_property_set").entrySet()) {
      String n = e.getKey();
      Element nv = e.getValue();
      String v = value(nv);
      if (PROPERTY_NOTES.containsKey(n)) {
        notes.add(cib.where(nv) + ": " + n + " is not translated: " + PROPERTY_NOTES.get(n));
        propertyComments.add("Not translated: " + n + " = " + v + " (" + PROPERTY_NOTES.get(n) + ")");
      } else if (BOOLEAN_PROPERTIES.containsKey(n)) {
        Boolean b = bool(nv);
        if (b != null) properties.put(n, b.toString());
      } else if (DURATION_PROPERTIES.contains(n)) {
        String d = duration(nv, n, v);
        if (d != null) properties.put(n, d);
      } else {
        property(nv, n, v);
      }
    }
  }

  private void property(Element nv, String n, String v) {
    String lower = v.trim().toLowerCase(Locale.ROOT);
    switch (n) {
      case "cluster-name" -> {
        if (v.matches("[A-Za-z0-9][A-Za-z0-9_-]*")) {
          clusterName = v;
        } else {
          err(nv, "cluster-name '" + v + "' is not a valid xenha cluster name (letters, digits, '-' and '_')");
        }
      }
      case "stonith-action" -> {
        if (lower.equals("reboot") || lower.equals("off") || lower.equals("poweroff")) {
          properties.put(n, lower.equals("reboot") ? "reboot" : "off");
        } else {
          err(nv, "stonith-action '" + v + "' is not translated (reboot or off)");
        }
      }
      case "no-quorum-policy" -> {
        if (List.of("stop", "freeze", "ignore").contains(lower)) {
          properties.put(n, lower);
        } else {
          err(nv, "no-quorum-policy '" + v + "' is not supported by xenha (stop, freeze or ignore)");
        }
      }
      case "default-resource-stickiness" -> put(properties, n, score(nv, n, v));
      case "placement-strategy" -> {
        if (List.of("default", "utilization", "balanced", "minimal").contains(lower)) {
          properties.put(n, lower);
        } else {
          err(nv, "placement-strategy '" + v + "' is not translated");
        }
      }
      case "batch-limit" -> {
        if (lower.equals("0")) {
          propertyComments.add("batch-limit = 0 (Pacemaker: automatic) is xenha's default of 4");
        } else {
          put(properties, n, integer(nv, n, v, 1));
        }
      }
      case "migration-limit" -> put(properties, n, integer(nv, n, v, -1));
      case "is-managed-default" -> {
        Boolean b = bool(nv);
        if (b != null) resourceDefaults.put("is-managed", b.toString());
      }
      case "default-action-timeout" -> defaultTimeouts(nv, v);
      default -> err(nv, "cluster option '" + n + "' is not translated (xenha has no equivalent)");
    }
  }

  private static void put(Map<String, String> m, String k, String v) {
    if (v != null) m.put(k, v);
  }

  private void defaultTimeouts(Element nv, String v) {
    String d = duration(nv, name(nv), v);
    if (d == null) return;
    for (String op : List.of("start", "stop", "monitor", "migrate")) resourceDefaults.put("ops." + op + ".timeout", d);
  }

  private void rscDefaults(Element d) {
    if (d == null) return;
    for (Map.Entry<String, Element> e : nvpairs(d, "meta_attributes").entrySet()) {
      String n = e.getKey();
      Element nv = e.getValue();
      String v = value(nv);
      switch (n) {
        case "resource-stickiness" -> put(properties, "default-resource-stickiness", score(nv, n, v));
        case "migration-threshold" -> put(properties, "migration-threshold", threshold(nv, v));
        case "failure-timeout" -> put(properties, "failure-timeout", duration(nv, n, v));
        case "is-managed", "allow-migrate" -> {
          Boolean b = bool(nv);
          if (b != null) resourceDefaults.put(n, b.toString());
        }
        case "target-role" -> put(resourceDefaults, n, targetRole(nv, v));
        case "priority" -> put(resourceDefaults, n, integer(nv, n, v, Integer.MIN_VALUE));
        case "multiple-active" -> put(resourceDefaults, n, multipleActive(nv, v));
        default -> err(nv, "resource default '" + n + "' is not translated (xenha has no equivalent)");
      }
    }
  }

  private void opDefaults(Element d) {
    if (d == null) return;
    for (Map.Entry<String, Element> e : nvpairs(d, "meta_attributes").entrySet()) {
      Element nv = e.getValue();
      switch (e.getKey()) {
        case "timeout" -> defaultTimeouts(nv, value(nv));
        case "record-pending" -> {
          notes.add(cib.where(nv) + ": record-pending is not translated: xenha always shows pending operations");
          defaultComments.add("Not translated: record-pending (xenha always shows pending operations)");
        }
        default -> err(nv, "operation default '" + e.getKey() + "' is not translated (xenha has no equivalent)");
      }
    }
  }

  private String threshold(Element nv, String v) {
    String s = score(nv, "migration-threshold", v);
    if (s == null) return null;
    int n = Score.parse(s);
    // Pacemaker: 0 (and INFINITY) disable the threshold, xenha writes INFINITY for that
    if (n == 0 || n >= Score.INFINITY) return "INFINITY";
    if (n < 0) {
      err(nv, "migration-threshold must not be negative, got " + v);
      return null;
    }
    return s;
  }

  private String targetRole(Element nv, String v) {
    String lower = v.trim().toLowerCase(Locale.ROOT);
    if (lower.equals("started") || lower.equals("default")) return "Started";
    if (lower.equals("stopped")) return "Stopped";
    err(nv, "target-role '" + v + "' is not supported (Started or Stopped: xenha has no promotable resources)");
    return null;
  }

  private String multipleActive(Element nv, String v) {
    String lower = v.trim().toLowerCase(Locale.ROOT);
    if (List.of("stop_start", "stop_only", "block").contains(lower)) return lower;
    err(nv, "multiple-active '" + v + "' is not supported (stop_start, stop_only or block)");
    return null;
  }

  // ---- nodes

  private final StringBuilder nodesText = new StringBuilder();

  private void nodes(Element ns) {
    List<Element> list = ns == null ? List.of() : CibXml.children(ns, null);
    if (list.isEmpty()) {
      err(ns != null ? ns : cib.root(), "no <node> in the CIB: xenha needs at least one node");
      return;
    }
    int n = 0;
    for (Element e : list) {
      if (!e.getTagName().equals("node")) {
        err(e, "<" + e.getTagName() + "> is not translated");
        continue;
      }
      String type = e.getAttribute("type").toLowerCase(Locale.ROOT);
      if (!type.isEmpty() && !type.equals("normal") && !type.equals("member")) {
        err(e, "node type '" + type + "' is not supported (xenha nodes are cluster members running an agent)");
        continue;
      }
      String uname = e.hasAttribute("uname") ? e.getAttribute("uname") : e.getAttribute("id");
      if (!NODE_NAME.matcher(uname).matches()) {
        err(e, "node name '" + uname + "' is not a valid xenha node name (letters, digits, '.', '-', '_')");
        continue;
      }
      n++;
      nodeNames.add(uname);
      Hocon h = new Hocon();
      h.open(uname);
      h.put("address", "192.0.2." + n + ":2551", "TODO: this node's cluster address");
      Map<String, String> attrs = new LinkedHashMap<>();
      for (Map.Entry<String, Element> a : nvpairs(e, "instance_attributes").entrySet()) {
        if (a.getKey().equals("standby")) {
          Boolean b = bool(a.getValue());
          if (b != null && b) h.raw("standby", "true");
        } else if (a.getKey().startsWith("#")) {
          err(a.getValue(), "node attribute '" + a.getKey() + "' is reserved ('#' names are set by the cluster)");
        } else {
          attrs.put(a.getKey(), value(a.getValue()));
        }
      }
      if (!attrs.isEmpty()) {
        h.open("attributes");
        attrs.forEach(h::put);
        h.close();
      }
      utilization(h, e);
      h.close();
      nodesText.append(h);
    }
  }

  /** {@code <utilization>} nvpairs: memory (MiB in Pacemaker's usual convention) gets a unit, the rest integers. */
  private void utilization(Hocon h, Element owner) {
    Map<String, Element> u = nvpairs(owner, "utilization");
    if (u.isEmpty()) return;
    h.open("utilization");
    for (Map.Entry<String, Element> e : u.entrySet()) {
      String v = value(e.getValue());
      if (e.getKey().equals("memory")) {
        String mib = integer(e.getValue(), "utilization memory (MiB)", v, 1);
        if (mib != null) h.raw("memory", mib + "M");
      } else {
        String i = integer(e.getValue(), "utilization " + e.getKey(), v, 0);
        if (i != null) h.raw(e.getKey(), i);
      }
    }
    h.close();
  }

  // ---- resources

  private void topResource(Element r) {
    switch (r.getTagName()) {
      case "primitive" -> primitive(r, r.getAttribute("id"), null);
      case "group" -> group(r, r.getAttribute("id"), null);
      case "clone" -> clone(r);
      case "master" -> err(r, "promotable clones (<master>) are not supported by xenha");
      default -> err(r, "<" + r.getTagName() + "> is not translated (xenha has no equivalent)");
    }
  }

  private boolean checkId(Element r, String id) {
    if (!ID.matcher(id).matches()) {
      err(r, "id '" + id + "' is not a valid xenha resource id (letters, digits, '.', '-', '_')");
      return false;
    }
    if (!resourceIds.add(id)) {
      err(r, "resource id '" + id + "' is used twice");
      return false;
    }
    return true;
  }

  private void clone(Element c) {
    String id = c.getAttribute("id");
    List<Element> inner = new ArrayList<>();
    for (Element e : CibXml.children(c, null)) {
      if (e.getTagName().equals("primitive") || e.getTagName().equals("group")) inner.add(e);
      else if (!e.getTagName().equals("meta_attributes") && !e.getTagName().equals("instance_attributes")) {
        err(e, "<" + e.getTagName() + "> in a clone is not translated");
      }
    }
    if (inner.size() != 1) {
      err(c, "a clone holds exactly one primitive or group, this one " + inner.size());
      return;
    }
    Element child = inner.get(0);
    alias.put(child.getAttribute("id"), id);
    if (child.getTagName().equals("group")) {
      group(child, id, c);
    } else {
      primitive(child, id, c);
    }
  }

  /** A clone's meta attributes as a clone { } block; the others go to {@code common}. */
  private void cloneBlock(Hocon h, Element c, Map<String, Element> common) {
    h.open("clone");
    for (Map.Entry<String, Element> e : nvpairs(c, "meta_attributes").entrySet()) {
      Element nv = e.getValue();
      String v = value(nv);
      switch (e.getKey()) {
        case "clone-max", "clone-min" -> put(h, e.getKey(), integer(nv, e.getKey(), v, 0));
        case "clone-node-max" -> put(h, e.getKey(), integer(nv, e.getKey(), v, 1));
        case "interleave", "notify" -> {
          Boolean b = bool(nv);
          if (b != null) h.raw(e.getKey(), b.toString());
        }
        case "globally-unique" -> {
          Boolean b = bool(nv);
          if (b != null && b) err(nv, "globally-unique clones are not supported (xenha's clones are anonymous)");
        }
        case "ordered" -> {
          Boolean b = bool(nv);
          if (b != null && b) note(h, nv, "ordered = true (xenha starts clone instances in parallel)");
        }
        default -> common.putIfAbsent(e.getKey(), nv);
      }
    }
    h.close();
  }

  private static void put(Hocon h, String k, String v) {
    if (v != null) h.raw(k, v);
  }

  private void group(Element g, String id, Element clone) {
    if (!checkId(g, id)) return;
    List<String> members = new ArrayList<>();
    for (Element e : CibXml.children(g, null)) {
      switch (e.getTagName()) {
        case "primitive" -> {
          if (clone != null && isDomain(e)) {
            err(e, "a domain in a cloned group cannot be translated: a domU runs on one node at a time");
          } else if (isStonith(e)) {
            err(e, "a fence device in a group cannot be translated: xenha places fence devices on their own");
          } else if (primitive(e, e.getAttribute("id"), null)) {
            members.add(e.getAttribute("id"));
          }
        }
        case "meta_attributes", "instance_attributes" -> { }
        default -> err(e, "<" + e.getTagName() + "> in a group is not translated");
      }
    }
    Hocon h = new Hocon();
    if (clone != null) h.comment("clone " + id + " of group " + g.getAttribute("id"));
    h.open(id);
    h.put("type", "group");
    h.raw("members", Hocon.list(members));
    Map<String, Element> meta = new LinkedHashMap<>();
    if (clone != null) cloneBlock(h, clone, meta);
    for (Map.Entry<String, Element> e : nvpairs(g, "meta_attributes").entrySet()) meta.putIfAbsent(e.getKey(), e.getValue());
    if (!nvpairs(g, "instance_attributes").isEmpty()) {
      err(g, "instance attributes of a group are not translated: set them on its members");
    }
    meta(h, meta, "group");
    h.close();
    indent(resources, h.toString());
  }

  private static boolean isStonith(Element p) {
    return p.getAttribute("class").equals("stonith");
  }

  private static boolean isDomain(Element p) {
    String agent = p.getAttribute("provider") + ":" + p.getAttribute("type");
    return p.getAttribute("class").equals("ocf")
        && (agent.equals("heartbeat:Xen") || agent.equals("heartbeat:VirtualDomain"));
  }

  private static boolean isPing(Element p) {
    String type = p.getAttribute("type");
    return p.getAttribute("class").equals("ocf") && (type.equals("pingd") || type.equals("ping"));
  }

  /** Translates one primitive; false when it was refused. */
  private boolean primitive(Element p, String id, Element clone) {
    if (isStonith(p) && clone != null) {
      List<String> targets = fenceTargets(p);
      if (targets.size() > 1) return splitFenceClone(p, id, clone, targets);
    }
    return primitive(p, id, clone, null);
  }

  /**
   * A cloned fence device that fences several nodes: Pacemaker ran an instance on every node, each able to fence the
   * others. xenha never runs a device on a node it fences, so one device for all of them could run nowhere; one
   * device per target ({@code ID-NODE}, hosts = [NODE]) runs on any other node, which is what the clone did.
   */
  private boolean splitFenceClone(Element p, String id, Element clone, List<String> targets) {
    Map<String, String> byNode = new LinkedHashMap<>();
    for (String node : targets) {
      String device = id + "-" + node;
      if (!primitive(p, device, clone, node)) return false; // the same refusal would repeat for every node
      byNode.put(node, device);
    }
    splitDevices.put(id, byNode);
    return true;
  }

  /** The nodes a fence device names: its host list (hostlist, pcmk_host_list, ipmi's hostname), else pcmk_host_map. */
  private List<String> fenceTargets(Element p) {
    Map<String, Element> params = nvpairs(p, "instance_attributes");
    String type = p.getAttribute("type");
    for (String k : List.of("hostlist", "pcmk_host_list", "hostname")) {
      if (k.equals("hostname") && !type.equals("external/ipmi")) continue;
      if (params.containsKey(k)) return List.of(value(params.get(k)).trim().split("[\\s,]+"));
    }
    if (params.containsKey("pcmk_host_map")) {
      List<String> nodes = new ArrayList<>();
      for (String pair : value(params.get("pcmk_host_map")).split("[;,\\s]+")) {
        int sep = pair.indexOf(':') >= 0 ? pair.indexOf(':') : pair.indexOf('=');
        if (sep > 0) nodes.add(pair.substring(0, sep));
      }
      return nodes;
    }
    return List.of();
  }

  /** As {@link #primitive(Element, String, Element)}; {@code onlyNode}: a split fence clone's device for that node. */
  private boolean primitive(Element p, String id, Element clone, String onlyNode) {
    if (!checkId(p, id)) return false;
    int before = errors.size();
    String cls = p.getAttribute("class");
    Hocon h = new Hocon();
    Map<String, Element> params = nvpairs(p, "instance_attributes");
    Map<String, Element> meta = new LinkedHashMap<>();
    if (clone != null) {
      h.comment("clone " + id + " of primitive " + p.getAttribute("id"));
    }
    h.open(id);
    if (p.hasAttribute("description")) h.put("description", p.getAttribute("description"));
    if (cls.equals("stonith")) {
      if (clone != null && onlyNode != null) {
        h.comment("A cloned fence device in the CIB (an instance on every node, each fencing the others): xenha never");
        h.comment("runs a device on a node it fences, so the clone is one device per node; this one fences " + onlyNode + ".");
      } else if (clone != null) {
        h.comment("A cloned fence device in the CIB: xenha places a device once and fences from any node, so this");
        h.comment("is one device.");
      }
      if (clone != null) {
        for (Map.Entry<String, Element> e : nvpairs(clone, "meta_attributes").entrySet()) {
          if (!e.getKey().startsWith("clone-") && !e.getKey().equals("globally-unique")) {
            meta.putIfAbsent(e.getKey(), e.getValue());
          }
        }
      }
      stonith(h, p, id, params, onlyNode, clone != null && onlyNode != null ? clone.getAttribute("id") : id);
    } else if (cls.equals("ocf") && isDomain(p)) {
      if (clone != null) {
        err(p, "a domain cannot be a clone: a domU runs on one node at a time");
        return false;
      }
      domain(h, p, id, params);
    } else if (cls.equals("ocf") && isPing(p)) {
      h.put("type", "builtin");
      h.put("agent", "ping");
      if (clone != null) cloneBlock(h, clone, meta);
      ping(h, p, params);
    } else if (cls.equals("ocf")) {
      h.put("type", "ocf");
      h.put("agent", p.getAttribute("provider") + ":" + p.getAttribute("type"));
      if (clone != null) cloneBlock(h, clone, meta);
      ocfParams(h, p, params);
    } else if (cls.equals("lsb") || cls.equals("systemd") || cls.equals("service") || cls.equals("upstart")) {
      err(p, cls + " resources cannot be run by xenha (it runs OCF agents, domains and fence devices): use an OCF"
          + " agent for '" + p.getAttribute("type") + "'");
      return false;
    } else {
      err(p, "resource class '" + cls + "' is not supported (ocf, stonith)");
      return false;
    }
    for (Map.Entry<String, Element> e : nvpairs(p, "meta_attributes").entrySet()) meta.putIfAbsent(e.getKey(), e.getValue());
    meta(h, meta, cls.equals("stonith") ? "stonith" : isDomain(p) ? "domain" : "agent");
    utilization(h, p);
    ops(h, p, cls.equals("ocf") && isDomain(p));
    h.close();
    if (errors.size() > before) return false;
    indent(resources, h.toString());
    return true;
  }

  /** Meta attributes of a resource ({@code kind}: domain, agent, stonith, group) as resource keys. */
  private void meta(Hocon h, Map<String, Element> meta, String kind) {
    for (Map.Entry<String, Element> e : meta.entrySet()) {
      String n = e.getKey();
      Element nv = e.getValue();
      String v = value(nv);
      switch (n) {
        case "target-role" -> put(h, n, targetRole(nv, v));
        case "is-managed" -> {
          Boolean b = bool(nv);
          if (b != null) h.raw(n, b.toString());
        }
        case "resource-stickiness" -> put(h, n, score(nv, n, v));
        case "migration-threshold" -> put(h, n, threshold(nv, v));
        case "failure-timeout" -> put(h, n, duration(nv, n, v));
        case "priority" -> put(h, n, integer(nv, n, v, Integer.MIN_VALUE));
        case "allow-migrate" -> {
          Boolean b = bool(nv);
          if (b == null) break;
          if (kind.equals("domain")) {
            h.raw(n, b.toString());
          } else if (b) {
            err(nv, "allow-migrate applies to domains only in xenha");
          }
        }
        case "multiple-active" -> {
          if (kind.equals("group")) err(nv, "multiple-active of a group is not translated: set it on its members");
          else put(h, n, multipleActive(nv, v));
        }
        case "requires" -> requires(h, nv, v, kind);
        case "ordered", "collocated" -> {
          Boolean b = bool(nv);
          if (b == null) break;
          if (kind.equals("group")) h.raw(n, b.toString());
          else err(nv, n + " applies to groups only");
        }
        case "resource-failure-stickiness" -> note(h, nv, "resource-failure-stickiness = " + v
            + " (replaced by migration-threshold in Pacemaker 1.0)");
        case "restart-type" -> note(h, nv, "restart-type = " + v + " (obsolete in Pacemaker)");
        case "description" -> h.put("description", v);
        default -> err(nv, "meta attribute '" + n + "' is not translated (xenha has no equivalent)");
      }
    }
  }

  private void requires(Hocon h, Element nv, String v, String kind) {
    String lower = v.trim().toLowerCase(Locale.ROOT);
    if (kind.equals("group")) {
      err(nv, "requires of a group is not translated: set it on its members");
    } else if (List.of("nothing", "quorum", "fencing").contains(lower)) {
      h.raw("requires", lower);
    } else {
      err(nv, "requires = " + v + " is not supported (nothing, quorum or fencing)");
    }
  }

  /** {@code <operations>}: timeouts, monitor interval, on-fail; start-delay of start; requires of start. */
  private void ops(Hocon h, Element p, boolean domain) {
    if (domain) anyDomain = true;
    Element ops = CibXml.child(p, "operations");
    if (ops == null) return;
    Hocon o = new Hocon();
    String migrate = null;
    boolean monitorSeen = false;
    for (Element op : CibXml.children(ops, "op")) {
      String name = op.getAttribute("name");
      String role = op.getAttribute("role");
      if (!role.isEmpty() && !role.equalsIgnoreCase("Started")) {
        err(op, "operations for role " + role + " are not supported (xenha has no promotable resources)");
        continue;
      }
      String timeout = op.hasAttribute("timeout") ? duration(op, "timeout", op.getAttribute("timeout")) : null;
      String onFail = op.hasAttribute("on-fail") ? onFail(op) : null;
      for (Element x : CibXml.children(op, null)) {
        err(x, "<" + x.getTagName() + "> in an operation is not translated");
      }
      switch (name) {
        case "start", "stop" -> {
          if (domain && name.equals("stop") && timeout != null) {
            maxDomainStop = Math.max(maxDomainStop, seconds(timeout));
          }
          if (timeout != null || onFail != null) {
            o.open(name);
            put(o, "timeout", timeout);
            put(o, "on-fail", onFail);
            o.close();
          }
          if (op.hasAttribute("start-delay")) {
            String d = duration(op, "start-delay", op.getAttribute("start-delay"));
            if (d != null && name.equals("start")) {
              h.raw("start-delay", d);
            } else if (d != null) {
              note(h, op, "start-delay = " + d + " of " + name + " (xenha delays starts only)");
            }
          }
          if (op.hasAttribute("requires")) {
            // Pacemaker reads requires from the start operation only; elsewhere it has no meaning
            if (name.equals("start")) requires(h, op, op.getAttribute("requires"), "resource");
          }
        }
        case "monitor" -> {
          if (monitorSeen) {
            err(op, "a second monitor operation is not translated (xenha runs one monitor per resource)");
            continue;
          }
          monitorSeen = true;
          o.open("monitor");
          Boolean enabled = op.hasAttribute("enabled") ? bool(op.getAttribute("enabled")) : Boolean.TRUE;
          if (Boolean.FALSE.equals(enabled)) {
            o.raw("interval", "0");
            o.comment("enabled = false in the CIB: not monitored");
          } else if (op.hasAttribute("interval")) {
            put(o, "interval", duration(op, "interval", op.getAttribute("interval")));
          }
          put(o, "timeout", timeout);
          put(o, "on-fail", onFail);
          o.close();
          if (op.hasAttribute("start-delay")) {
            note(h, op, "start-delay = " + op.getAttribute("start-delay") + " of monitor (xenha delays starts only)");
          }
        }
        case "migrate_to", "migrate_from" -> {
          if (timeout != null && (migrate == null || seconds(timeout) > seconds(migrate))) migrate = timeout;
          if (onFail != null) note(h, op, "on-fail of " + name + " (xenha treats a failed migration as a failed stop)");
          if (op.hasAttribute("start-delay")) {
            note(h, op, "start-delay = " + op.getAttribute("start-delay") + " of " + name
                + " (xenha delays starts only)");
          }
        }
        case "notify", "meta-data", "validate-all" -> note(h, op, name + " operation settings (xenha runs "
            + name + " with its built-in timeout)");
        default -> err(op, "operation '" + name + "' is not supported");
      }
    }
    if (migrate != null) o.open("migrate").raw("timeout", migrate).close();
    if (!o.toString().isEmpty()) {
      h.open("ops");
      indent(h, o.toString());
      h.close();
    }
  }

  private static long seconds(String hoconDuration) {
    Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)").matcher(hoconDuration);
    if (!m.matches()) return 0;
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> n / 1000;
      case "m" -> n * 60;
      case "h" -> n * 3600;
      default -> n;
    };
  }

  private String onFail(Element op) {
    String v = op.getAttribute("on-fail").trim().toLowerCase(Locale.ROOT);
    if (List.of("restart", "ignore", "block", "stop", "standby", "fence").contains(v)) return v;
    err(op, "on-fail '" + v + "' is not supported (restart, ignore, block, stop, standby, fence)");
    return null;
  }

  /** Copies an OCF agent's parameters; clear-text passwords are refused (an OCF agent cannot read a file). */
  private void ocfParams(Hocon h, Element p, Map<String, Element> params) {
    if (params.isEmpty()) return;
    h.open("params");
    for (Map.Entry<String, Element> e : params.entrySet()) {
      if (isSecret(e.getKey())) {
        err(e.getValue(), "parameter '" + e.getKey() + "' holds a clear-text password, which xenha never writes into"
            + " a configuration, and OCF agents cannot read it from a file: set it in the agent's own configuration");
        continue;
      }
      h.put(e.getKey(), value(e.getValue()));
    }
    h.close();
  }

  static boolean isSecret(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.endsWith("password") || k.endsWith("passwd") || k.endsWith("secret");
  }

  private void ping(Hocon h, Element p, Map<String, Element> params) {
    h.open("params");
    boolean hosts = false;
    for (Map.Entry<String, Element> e : params.entrySet()) {
      Element nv = e.getValue();
      String v = value(nv);
      switch (e.getKey()) {
        case "host_list" -> {
          hosts = true;
          h.raw("host-list", Hocon.list(List.of(v.trim().split("[\\s,]+"))));
        }
        case "multiplier" -> put(h, "multiplier", integer(nv, "multiplier", v, 1));
        case "dampen" -> put(h, "dampen", duration(nv, "dampen", v));
        case "name" -> h.put("name", v);
        case "user", "pidfile", "debug", "attempts", "timeout", "options", "ping_interval" ->
            note(h, nv, e.getKey() + " = " + v + " (a detail of " + p.getAttribute("type")
                + " with no counterpart in xenha's built-in ping)");
        default -> err(nv, "parameter '" + e.getKey() + "' of " + p.getAttribute("type") + " is not translated");
      }
    }
    if (!hosts) {
      notes.add(cib.where(p) + ": no host_list: the hosts pingd pinged were in ha.cf's ping lines;"
          + " a placeholder was written");
      h.raw("host-list", "[\"192.0.2.254\"]   # TODO: the addresses to ping (Heartbeat: ha.cf's ping lines)");
    }
    h.close();
  }

  // ---- domains

  private void domain(Hocon h, Element p, String id, Map<String, Element> params) {
    h.put("type", "domain");
    boolean xen = p.getAttribute("type").equals("Xen");
    String name = id;
    String config = null;
    Element configAt = p;
    for (Map.Entry<String, Element> e : params.entrySet()) {
      Element nv = e.getValue();
      String v = value(nv);
      switch (xen ? "xen:" + e.getKey() : "vd:" + e.getKey()) {
        case "xen:xmfile", "vd:config" -> {
          config = v;
          configAt = nv;
        }
        case "xen:name" -> name = v;
        case "vd:hypervisor" -> {
          if (hypervisor != null && !hypervisor.equals(v)) {
            err(nv, "hypervisor '" + v + "' differs from another domain's '" + hypervisor + "' (xenha has one per node)");
          }
          hypervisor = v;
        }
        case "xen:shutdown_timeout" -> note(h, nv, "shutdown_timeout = " + v + " (ops.stop.timeout bounds the shutdown)");
        default -> err(nv, "parameter '" + e.getKey() + "' of " + p.getAttribute("type") + " is not translated");
      }
    }
    if (config == null) {
      err(p, xen ? "a Xen domain without xmfile cannot be translated" : "a VirtualDomain without config cannot be"
          + " translated");
      return;
    }
    Path cfg = Path.of(config);
    if (!xen && Files.isReadable(cfg)) {
      try {
        DomainXml.read(cfg);
        h.put("domain-xml", cfg.toAbsolutePath().normalize().toString());
        return;
      } catch (DomainXml.Invalid e) {
        err(configAt, e.getMessage());
        return;
      }
    }
    long memory = 512;
    int vcpus = 1;
    if (xen && Files.isReadable(cfg)) {
      XmFile xm = XmFile.read(cfg);
      if (xm.name() != null && !params.containsKey("name")) name = xm.name();
      if (xm.memory() != null) memory = xm.memory();
      if (xm.vcpus() != null) vcpus = xm.vcpus();
    }
    Path out = options.outDir().resolve(id + ".xml");
    files.put(out.toAbsolutePath().normalize(), placeholderXml(name, memory, vcpus, config, xen));
    h.put("domain-xml", path(out), "TODO: generated placeholder, see the comment in it");
  }

  private static String placeholderXml(String name, long memory, int vcpus, String from, boolean xen) {
    String how = xen
        ? "Replace it with the real definition: virsh domxml-from-native xen-xm " + from
        : "Replace it with the domain's definition (" + from + " on the dom0s)";
    return "<!-- Generated by xenha import as a placeholder for " + from + ": it names the domain and nothing else.\n"
        + "     " + how + " -->\n"
        + "<domain type='xen'>\n"
        + "  <name>" + escape(name) + "</name>\n"
        + "  <memory unit='MiB'>" + memory + "</memory>\n"
        + "  <vcpu>" + vcpus + "</vcpu>\n"
        + "  <os>\n    <type>linux</type>\n  </os>\n"
        + "</domain>\n";
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;");
  }

  // ---- fence devices

  /** Heartbeat's STONITH plugins and their fence-agents counterparts: plugin param -> fence agent param. */
  private static final Map<String, Map<String, String>> PLUGIN_PARAMS = Map.of(
      "external/riloe", Map.of("ilo_hostname", "ip", "ilo_user", "username", "ilo_protocol", "ribcl_version"),
      "external/ipmi", Map.of("ipaddr", "ip", "userid", "username"));
  private static final Map<String, String> PLUGIN_AGENTS = Map.of(
      "external/riloe", "fence_ilo", "external/ipmi", "fence_ipmilan", "external/ssh", "builtin:ssh",
      "ssh", "builtin:ssh");

  /**
   * {@code onlyNode}: write the device for that node only (a split clone: hosts and host-map cut down to it);
   * {@code secretId}: names the password file, one for all devices of a split clone.
   */
  private void stonith(Hocon h, Element p, String id, Map<String, Element> params, String onlyNode, String secretId) {
    String type = p.getAttribute("type");
    String agent = type.startsWith("fence_") ? type : PLUGIN_AGENTS.get(type);
    if (agent == null) {
      err(p, "STONITH plugin '" + type + "' has no xenha counterpart: use a fence-agents program (fence_ipmilan,"
          + " fence_ilo4, ...) or builtin:ssh");
      return;
    }
    h.put("type", "stonith");
    h.put("agent", agent);
    if (!agent.equals(type)) h.comment("Heartbeat STONITH plugin " + type + " -> " + agent);
    Map<String, String> map = PLUGIN_PARAMS.getOrDefault(type, Map.of());
    Hocon ps = new Hocon();
    List<String> hosts = null;
    String hostMap = null;
    String secretParam = null;
    for (Map.Entry<String, Element> e : params.entrySet()) {
      String k = e.getKey();
      Element nv = e.getValue();
      String v = value(nv);
      if (isSecret(k)) {
        if (secretParam != null) {
          err(nv, "a second password parameter '" + k + "' (after '" + secretParam + "') is not translated:"
              + " xenha gives a fence agent one password-file");
          continue;
        }
        secretParam = k;
        Path file = options.secretsDir().resolve(secretId + ".secret").toAbsolutePath().normalize();
        files.put(file, v + "\n");
        secrets.add(file);
        ps.put("password-file", path(file), "written by xenha import (was " + k + ")");
        continue;
      }
      if (k.equals("hostlist") || k.equals("pcmk_host_list") || (type.equals("external/ipmi") && k.equals("hostname"))) {
        hosts = List.of(v.trim().split("[\\s,]+"));
        for (String n : hosts) {
          if (!nodeNames.contains(n)) err(nv, k + " names '" + n + "', which is not a node of the CIB");
        }
      } else if (k.equals("pcmk_host_map")) {
        hostMap = v;
      } else if (map.containsKey(k)) {
        ps.put(map.get(k), v);
      } else if (type.equals("external/riloe") && (k.equals("ilo_can_reset") || k.equals("ilo_powerdown_method"))) {
        note(ps, nv, k + " = " + v + " (fence_ilo always power-cycles the server)");
      } else if (type.equals("external/ipmi") && k.equals("interface")) {
        if (v.equals("lanplus")) ps.raw("lanplus", "1");
        else if (!v.equals("lan")) err(nv, "interface '" + v + "' is not translated (lan or lanplus)");
      } else if (agent.startsWith("fence_") && type.startsWith("fence_") && !k.startsWith("pcmk_") && !k.equals("action")) {
        ps.put(k, v);
      } else {
        err(nv, "parameter '" + k + "' of " + type + " is not translated");
      }
    }
    if (onlyNode != null) {
      if (hosts != null) hosts = List.of(onlyNode);
      if (hostMap != null) hostMap = onlyEntry(hostMap, onlyNode);
    }
    if (hosts != null) h.raw("hosts", Hocon.list(hosts));
    if (hostMap != null) h.put("host-map", hostMap);
    if (!ps.toString().isEmpty()) {
      h.open("params");
      indent(h, ps.toString());
      h.close();
    }
  }

  /** The entry of one node in Pacemaker's "node1:plug1;node2:plug2". */
  private static String onlyEntry(String hostMap, String node) {
    for (String pair : hostMap.split("[;,\\s]+")) {
      int sep = pair.indexOf(':') >= 0 ? pair.indexOf(':') : pair.indexOf('=');
      if (sep > 0 && pair.substring(0, sep).equals(node)) return pair;
    }
    return hostMap;
  }

  // ---- constraints

  private String ref(Element e, String attr) {
    String id = e.getAttribute(attr);
    if (id.isEmpty()) {
      err(e, "missing " + attr);
      return null;
    }
    String r = alias.getOrDefault(id, id);
    if (!resourceIds.contains(r) && !splitDevices.containsKey(r)) {
      err(e, attr + " '" + id + "' is not a translated resource");
      return null;
    }
    return r;
  }

  /** A constraint other than a location cannot name a split fence clone: it is several devices now. */
  private boolean notSplit(Element c, String id) {
    if (!splitDevices.containsKey(id)) return true;
    err(c, "'" + id + "' is a cloned fence device, written as one device per node ("
        + String.join(", ", splitDevices.get(id).values()) + "): write this constraint for each of them by hand");
    return false;
  }

  private Hocon constraints(Element cs) {
    Hocon h = new Hocon();
    Hocon order = new Hocon();
    Hocon location = new Hocon();
    Hocon colocation = new Hocon();
    if (cs != null) {
      for (Element c : CibXml.children(cs, null)) {
        if (CibXml.child(c, "resource_set") != null) {
          err(c, "resource sets are not supported: write one constraint per pair");
          continue;
        }
        switch (c.getTagName()) {
          case "rsc_location" -> location(location, c);
          case "rsc_order" -> order(order, c);
          case "rsc_colocation" -> colocation(colocation, c);
          default -> err(c, "<" + c.getTagName() + "> is not translated (xenha has no equivalent)");
        }
      }
    }
    list(h, "order", order);
    list(h, "location", location);
    list(h, "colocation", colocation);
    return h;
  }

  private static void list(Hocon h, String key, Hocon items) {
    if (items.toString().isEmpty()) {
      h.raw(key, "[]");
      return;
    }
    h.openList(key);
    indent(h, items.toString());
    h.closeList();
  }

  private static String entry(Map<String, String> kv) {
    StringBuilder sb = new StringBuilder("{ ");
    boolean first = true;
    for (Map.Entry<String, String> e : kv.entrySet()) {
      if (!first) sb.append(", ");
      sb.append(Hocon.key(e.getKey())).append(" = ").append(e.getValue());
      first = false;
    }
    return sb.append(" }").toString();
  }

  private void location(Hocon out, Element c) {
    if (c.hasAttribute("rsc-pattern")) {
      err(c, "rsc-pattern is not supported: write one location per resource");
      return;
    }
    if (!c.getAttribute("role").isEmpty() && !c.getAttribute("role").equalsIgnoreCase("Started")) {
      err(c, "a location for role " + c.getAttribute("role") + " is not supported");
      return;
    }
    if (c.hasAttribute("resource-discovery")) {
      err(c, "resource-discovery is not translated (xenha always probes)");
      return;
    }
    String rsc = ref(c, "rsc");
    if (rsc == null) return;
    if (splitDevices.containsKey(rsc)) {
      // a location of the clone applies to each of its devices
      for (String device : splitDevices.get(rsc).values()) location(out, c, device);
      return;
    }
    location(out, c, rsc);
  }

  private void location(Hocon out, Element c, String rsc) {
    if (c.hasAttribute("node")) {
      String score = score(c, "score", c.hasAttribute("score") ? c.getAttribute("score") : "");
      if (score == null) return;
      Map<String, String> kv = new LinkedHashMap<>();
      kv.put("resource", Hocon.value(rsc));
      kv.put("node", Hocon.value(c.getAttribute("node")));
      kv.put("score", Hocon.value(score));
      out.line(entry(kv) + "   # " + c.getAttribute("id"));
      return;
    }
    List<Element> rules = CibXml.children(c, "rule");
    if (rules.isEmpty()) {
      err(c, "a location without node or rule cannot be translated");
      return;
    }
    for (Element r : rules) {
      String text = rule(r);
      if (text == null) continue;
      Map<String, String> kv = new LinkedHashMap<>();
      kv.put("resource", Hocon.value(rsc));
      kv.put("rule", Hocon.value(text));
      out.line(entry(kv) + "   # " + c.getAttribute("id"));
    }
  }

  /** A {@code <rule>} in crmsh's syntax, checked by xenha's own parser; null after an error. */
  private String rule(Element r) {
    if (!r.getAttribute("role").isEmpty() && !r.getAttribute("role").equalsIgnoreCase("Started")) {
      err(r, "a rule for role " + r.getAttribute("role") + " is not supported");
      return null;
    }
    String score;
    if (r.hasAttribute("score-attribute")) {
      score = r.getAttribute("score-attribute");
    } else {
      score = score(r, "score", r.hasAttribute("score") ? r.getAttribute("score") : "0");
      if (score == null) return null;
    }
    String op = r.getAttribute("boolean-op").isEmpty() ? "and" : r.getAttribute("boolean-op").toLowerCase(Locale.ROOT);
    if (!op.equals("and") && !op.equals("or")) {
      err(r, "boolean-op '" + op + "' is not supported (and, or)");
      return null;
    }
    List<String> terms = new ArrayList<>();
    for (Element x : CibXml.children(r, null)) {
      if (!x.getTagName().equals("expression")) {
        err(x, "<" + x.getTagName() + "> in a rule is not supported (xenha rules hold expressions only)");
        return null;
      }
      String t = expression(x);
      if (t == null) return null;
      terms.add(t);
    }
    if (terms.isEmpty()) terms.add("defined #uname"); // Pacemaker's upgrade: an empty rule matches every node
    String text = score + ": " + String.join(" " + op + " ", terms);
    try {
      Rule.parse(text);
    } catch (Rule.Invalid e) {
      err(r, "the rule '" + text + "' does not parse in xenha: " + e.getMessage());
      return null;
    }
    return text;
  }

  private String expression(Element x) {
    String attr = x.getAttribute("attribute");
    String op = x.getAttribute("operation").toLowerCase(Locale.ROOT);
    if (attr.isEmpty() || attr.chars().anyMatch(Character::isWhitespace)) {
      err(x, "attribute '" + attr + "' cannot be written in a rule");
      return null;
    }
    if (x.hasAttribute("value-source") && !x.getAttribute("value-source").equals("literal")) {
      err(x, "value-source " + x.getAttribute("value-source") + " is not supported");
      return null;
    }
    if (op.equals("defined") || op.equals("not_defined")) return op + " " + attr;
    if (!Rule.OPERATORS.contains(op)) {
      err(x, "operation '" + op + "' is not supported (" + String.join(", ", Rule.OPERATORS) + ", defined, not_defined)");
      return null;
    }
    String type = x.getAttribute("type").toLowerCase(Locale.ROOT);
    if (!type.isEmpty() && !Rule.TYPES.contains(type)) {
      err(x, "type '" + type + "' is not supported (" + String.join(", ", Rule.TYPES) + ")");
      return null;
    }
    String value = x.getAttribute("value");
    if (value.contains("\"") && value.contains("'")) {
      err(x, "a value with both kinds of quotes cannot be written in a rule");
      return null;
    }
    if (value.isEmpty() || value.chars().anyMatch(Character::isWhitespace) || value.contains("(") || value.contains(")")
        || value.contains("\"") || value.contains("'")) {
      value = value.contains("\"") ? "'" + value + "'" : "\"" + value + "\"";
    }
    return attr + " " + (type.isEmpty() ? "" : type + ":") + op + " " + value;
  }

  private void order(Hocon out, Element c) {
    for (String a : List.of("first-instance", "then-instance")) {
      if (c.hasAttribute(a)) {
        err(c, a + " is not supported");
        return;
      }
    }
    String first = ref(c, "first");
    String then = ref(c, "then");
    if (first == null || then == null || !notSplit(c, first) || !notSplit(c, then)) return;
    Map<String, String> kv = new LinkedHashMap<>();
    if (!c.getAttribute("id").isEmpty()) kv.put("id", Hocon.value(c.getAttribute("id")));
    kv.put("first", Hocon.value(first));
    kv.put("then", Hocon.value(then));
    String comment = null;
    if (c.hasAttribute("kind")) {
      String kind = c.getAttribute("kind").toLowerCase(Locale.ROOT);
      if (!List.of("mandatory", "optional", "serialize").contains(kind)) {
        err(c, "kind '" + kind + "' is not supported (Mandatory, Optional, Serialize)");
        return;
      }
      kv.put("kind", kind);
    } else if (c.hasAttribute("score")) {
      String s = score(c, "score", c.getAttribute("score"));
      if (s == null) return;
      // Pacemaker: score 0 is an optional (advisory) order, any other score a mandatory one
      kv.put("kind", Score.parse(s) == 0 ? "optional" : "mandatory");
      comment = "score " + c.getAttribute("score");
    }
    for (String a : List.of("first-action", "then-action")) {
      if (!c.hasAttribute(a)) continue;
      String v = c.getAttribute(a).toLowerCase(Locale.ROOT);
      if (!List.of("start", "stop", "promote", "demote").contains(v)) {
        err(c, a + " '" + v + "' is not supported (start, stop, promote, demote)");
        return;
      }
      if (!v.equals("start")) kv.put(a, v);
    }
    for (String a : List.of("symmetrical", "require-all")) {
      if (!c.hasAttribute(a)) continue;
      Boolean b = bool(c.getAttribute(a));
      if (b == null) {
        err(c, a + ": expected true or false, got '" + c.getAttribute(a) + "'");
        return;
      }
      kv.put(a, b.toString());
    }
    out.line(entry(kv) + (comment == null ? "" : "   # " + comment));
  }

  private void colocation(Hocon out, Element c) {
    for (String a : List.of("rsc-role", "with-rsc-role")) {
      if (c.hasAttribute(a) && !c.getAttribute(a).equalsIgnoreCase("Started")) {
        err(c, a + " " + c.getAttribute(a) + " is not supported (xenha has no promotable resources)");
        return;
      }
    }
    if (c.hasAttribute("node-attribute") && !c.getAttribute("node-attribute").equals("#uname")) {
      err(c, "node-attribute is not supported (xenha colocates on the same node)");
      return;
    }
    if (c.hasAttribute("score-attribute") || c.hasAttribute("influence") || c.hasAttribute("rsc-instance")) {
      err(c, "score-attribute, influence and rsc-instance are not supported");
      return;
    }
    String rsc = ref(c, "rsc");
    String with = ref(c, "with-rsc");
    if (rsc == null || with == null || !notSplit(c, rsc) || !notSplit(c, with)) return;
    String score = score(c, "score", c.hasAttribute("score") ? c.getAttribute("score") : "INFINITY");
    if (score == null) return;
    Map<String, String> kv = new LinkedHashMap<>();
    if (!c.getAttribute("id").isEmpty()) kv.put("id", Hocon.value(c.getAttribute("id")));
    kv.put("resource", Hocon.value(rsc));
    kv.put("with", Hocon.value(with));
    kv.put("score", Hocon.value(score));
    out.line(entry(kv));
  }

  // ---- fencing topology

  private Hocon fencingTopology(Element t) {
    Hocon h = new Hocon();
    if (t == null) return h;
    Map<String, TreeMap<Integer, List<String>>> levels = new LinkedHashMap<>();
    for (Element l : CibXml.children(t, null)) {
      if (!l.getTagName().equals("fencing-level") || !l.hasAttribute("target")) {
        err(l, "only <fencing-level target=...> is translated (no target-pattern or target-attribute)");
        continue;
      }
      String index = integer(l, "index", l.getAttribute("index"), 1);
      if (index == null) continue;
      List<String> devices = new ArrayList<>();
      for (String d : l.getAttribute("devices").split(",")) {
        String r = alias.getOrDefault(d.trim(), d.trim());
        if (splitDevices.containsKey(r)) {
          // the clone's device for this level's node
          String device = splitDevices.get(r).get(l.getAttribute("target"));
          if (device == null) {
            err(l, "device '" + d.trim() + "' does not fence " + l.getAttribute("target"));
            continue;
          }
          r = device;
        }
        if (!resourceIds.contains(r)) {
          err(l, "device '" + d.trim() + "' is not a translated resource");
          continue;
        }
        devices.add(r);
      }
      levels.computeIfAbsent(l.getAttribute("target"), k -> new TreeMap<>()).put(Integer.parseInt(index), devices);
    }
    levels.forEach((node, byIndex) -> h.raw(node,
        "[ " + String.join(", ", byIndex.values().stream().map(Hocon::list).toList()) + " ]"));
    return h;
  }
}
