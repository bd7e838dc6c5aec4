package io.xenha.cib;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * Rewrites the Heartbeat 2.1 (CIB 0.6) syntax of a CIB into the current one in place, so that every reader
 * sees one syntax: {@code <attributes>} wrappers, {@code clone_max}-style names with underscores,
 * {@code from/to/type} orders, {@code target_role}, {@code allow_migrate}. A current CIB is left unchanged.
 * The rewrite follows Pacemaker's own upgrade06.xsl; moved elements keep their line numbers.
 */
final class LegacySyntax {
  /** Instance attributes Heartbeat 2.1 read as meta attributes (the upgrade moves them). */
  private static final Set<String> META_IN_INSTANCE = Set.of(
      "resource_stickiness", "resource_failure_stickiness", "allow_migrate", "globally_unique", "target_role",
      "is_managed", "clone_max", "clone_node_max", "master_max", "master_node_max", "notify", "interleave",
      "ordered", "collocated", "migration_threshold", "failure_timeout", "multiple_active", "restart_type");
  /** Attributes of primitive/group/clone elements that are not meta attributes. */
  private static final Set<String> RESOURCE_ATTRIBUTES = Set.of("id", "class", "type", "provider", "description");

  private LegacySyntax() {}

  static void normalize(CibXml cib) {
    Element root = cib.root();
    String validateWith = root.getAttribute("validate-with");
    // Pacemaker 1.0 and later say validate-with="pacemaker-N.M"; Heartbeat 2.1 wrote no such attribute
    boolean legacy = !validateWith.startsWith("pacemaker-");
    unwrapAttributes(root);
    if (!legacy) return;
    renameAttributes(root);
    walk(root, cib.document());
    stonithDefault(root, cib.document());
  }

  /** Heartbeat 2.1 fenced only when told to; Pacemaker's upgrade writes that down as stonith-enabled = false. */
  private static void stonithDefault(Element root, Document doc) {
    Element crm = CibXml.path(root, "configuration", "crm_config");
    if (crm == null) return;
    for (Element set : CibXml.children(crm, "cluster_property_set")) {
      for (Element nv : CibXml.children(set, "nvpair")) {
        if (nv.getAttribute("name").equals("stonith-enabled")) return;
      }
    }
    Element set = doc.createElement("cluster_property_set");
    CibXml.setLine(set, CibXml.line(crm));
    set.setAttribute("id", "xenha-upgrade");
    Element nv = doc.createElement("nvpair");
    CibXml.setLine(nv, CibXml.line(crm));
    nv.setAttribute("id", "xenha-upgrade-stonith-enabled");
    nv.setAttribute("name", "stonith-enabled");
    nv.setAttribute("value", "false");
    set.appendChild(nv);
    crm.appendChild(set);
  }

  /** {@code <instance_attributes><attributes><nvpair/></attributes></instance_attributes>}: drop the wrapper. */
  private static void unwrapAttributes(Element root) {
    for (Element a : List.copyOf(descendants(root, "attributes"))) {
      Node parent = a.getParentNode();
      while (a.getFirstChild() != null) parent.insertBefore(a.getFirstChild(), a);
      parent.removeChild(a);
    }
  }

  private static List<Element> descendants(Element root, String tag) {
    List<Element> out = new java.util.ArrayList<>();
    var nodes = root.getElementsByTagName(tag);
    for (int i = 0; i < nodes.getLength(); i++) out.add((Element) nodes.item(i));
    return out;
  }

  /** Attribute renames of upgrade06.xsl that apply wherever they occur. */
  private static void renameAttributes(Element root) {
    for (Element e : descendants(root, "*")) {
      rename(e, "boolean_op", "boolean-op");
      rename(e, "score_attribute", "score-attribute");
      rename(e, "on_fail", "on-fail");
      rename(e, "start_delay", "start-delay");
      rename(e, "prereq", "requires");
      if (e.hasAttribute("disabled")) {
        boolean disabled = e.getAttribute("disabled").toLowerCase(Locale.ROOT).contains("true");
        e.removeAttribute("disabled");
        e.setAttribute("enabled", disabled ? "false" : "true");
      }
    }
  }

  private static void rename(Element e, String from, String to) {
    if (!e.hasAttribute(from)) return;
    if (!e.hasAttribute(to)) e.setAttribute(to, e.getAttribute(from));
    e.removeAttribute(from);
  }

  private static void walk(Element e, Document doc) {
    switch (e.getTagName()) {
      case "cluster_property_set":
        for (Element nv : CibXml.children(e, "nvpair")) dashes(nv);
        break;
      case "primitive": case "group": case "clone": case "master_slave":
        resource(e, doc);
        break;
      case "rsc_order":
        order(e);
        break;
      case "rsc_colocation":
        colocation(e);
        break;
      default:
    }
    for (Element c : CibXml.children(e, null)) walk(c, doc);
  }

  private static void dashes(Element nv) {
    String name = nv.getAttribute("name");
    if (name.equals("transition_idle_timeout")) {
      nv.setAttribute("name", "cluster-delay");
    } else {
      nv.setAttribute("name", name.replace('_', '-'));
    }
  }

  /**
   * Resource attributes other than id/class/type/provider/description become meta attributes; meta names get
   * dashes; the instance attributes Heartbeat read as meta attributes move to meta_attributes. master_slave
   * becomes master.
   */
  private static void resource(Element r, Document doc) {
    Element meta = CibXml.child(r, "meta_attributes");
    NamedNodeMap attrs = r.getAttributes();
    List<Attr> toMeta = new java.util.ArrayList<>();
    for (int i = 0; i < attrs.getLength(); i++) {
      Attr a = (Attr) attrs.item(i);
      if (!RESOURCE_ATTRIBUTES.contains(a.getName())) toMeta.add(a);
    }
    for (Element ia : CibXml.children(r, "instance_attributes")) {
      for (Element nv : CibXml.children(ia, "nvpair")) {
        if (!META_IN_INSTANCE.contains(nv.getAttribute("name"))) continue;
        meta = meta != null ? meta : newMeta(r, doc);
        ia.removeChild(nv);
        meta.appendChild(nv);
      }
    }
    for (Attr a : toMeta) {
      meta = meta != null ? meta : newMeta(r, doc);
      Element nv = doc.createElement("nvpair");
      CibXml.setLine(nv, CibXml.line(r));
      nv.setAttribute("id", r.getAttribute("id") + "-meta-" + a.getName());
      nv.setAttribute("name", a.getName());
      nv.setAttribute("value", a.getValue());
      meta.appendChild(nv);
      r.removeAttribute(a.getName());
    }
    for (Element m : CibXml.children(r, "meta_attributes")) {
      for (Element nv : CibXml.children(m, "nvpair")) dashes(nv);
    }
    if (r.getTagName().equals("master_slave")) doc.renameNode(r, null, "master");
  }

  private static Element newMeta(Element r, Document doc) {
    Element meta = doc.createElement("meta_attributes");
    CibXml.setLine(meta, CibXml.line(r));
    meta.setAttribute("id", r.getAttribute("id") + "-meta");
    r.insertBefore(meta, r.getFirstChild());
    return meta;
  }

  /**
   * {@code <rsc_order from=A to=B type=after|before action=.. to_action=..>}: "A after B" (the default) is
   * first=B then=A; "A before B" is first=A then=B.
   */
  private static void order(Element o) {
    if (!o.hasAttribute("from") && !o.hasAttribute("to")) return;
    String from = o.getAttribute("from");
    String to = o.getAttribute("to");
    String type = o.getAttribute("type");
    String action = o.hasAttribute("action") ? o.getAttribute("action") : null;
    String toAction = o.hasAttribute("to_action") ? o.getAttribute("to_action") : null;
    if (!type.contains("before")) {
      o.setAttribute("first", to);
      o.setAttribute("then", from);
      o.setAttribute("then-action", action != null ? action : "start");
      o.setAttribute("first-action", toAction != null ? toAction : action != null ? action : "start");
    } else {
      o.setAttribute("first", from);
      o.setAttribute("then", to);
      if (action != null) o.setAttribute("first-action", action);
      if (toAction != null) o.setAttribute("then-action", toAction);
    }
    for (String a : List.of("from", "to", "type", "action", "to_action")) o.removeAttribute(a);
  }

  /** {@code <rsc_colocation from=A to=B from_role to_role>}: A is placed with B. */
  private static void colocation(Element c) {
    if (!c.hasAttribute("from") && !c.hasAttribute("to")) return;
    c.setAttribute("rsc", c.getAttribute("from"));
    c.setAttribute("with-rsc", c.getAttribute("to"));
    if (c.hasAttribute("from_role")) c.setAttribute("rsc-role", camel(c.getAttribute("from_role")));
    if (c.hasAttribute("to_role")) c.setAttribute("with-rsc-role", camel(c.getAttribute("to_role")));
    for (String a : List.of("from", "to", "from_role", "to_role", "symmetrical")) c.removeAttribute(a);
  }

  private static String camel(String s) {
    return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
  }
}
