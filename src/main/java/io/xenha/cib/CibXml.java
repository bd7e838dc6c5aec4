package io.xenha.cib;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParserFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.Attributes;
import org.xml.sax.Locator;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * A Pacemaker CIB read into a DOM whose elements remember their line in the file, plus the helpers every reader
 * of a CIB needs: children by tag, nvpair sets, and a place ("FILE:LINE: <tag id=...>") for error messages.
 * External entities and DTDs are never loaded. The Heartbeat 2.1 syntax is rewritten to the current one first
 * (see {@link LegacySyntax}).
 */
public final class CibXml {
  private static final String LINE = "xenha.line";

  private final Path file;
  private final Document document;

  private CibXml(Path file, Document document) {
    this.file = file;
    this.document = document;
  }

  /** A CIB that cannot be read; the message names the file and line. */
  public static final class Invalid extends Exception {
    private final List<String> errors;

    public Invalid(String message) {
      super(message);
      this.errors = List.of(message);
    }

    /** Several errors, each "FILE:LINE: ..."; the message adds a last line counting them. */
    Invalid(List<String> errors, String summary) {
      super(String.join("\n", errors) + "\n" + summary);
      this.errors = List.copyOf(errors);
    }

    /** One line per error. */
    public List<String> errors() {
      return errors;
    }
  }

  public static CibXml read(Path file) throws Invalid {
    try (InputStream in = Files.newInputStream(file)) {
      Document doc = parse(in);
      CibXml cib = new CibXml(file, doc);
      if (!"cib".equals(doc.getDocumentElement().getTagName())) {
        throw new Invalid(cib.where(doc.getDocumentElement()) + ": the root element is not <cib>");
      }
      List<String> errors = cib.schemaErrors();
      if (!errors.isEmpty()) {
        int n = errors.size();
        throw new Invalid(errors, file + ": " + n + (n == 1 ? " schema error" : " schema errors")
            + ": the CIB is not valid (crm_simulate and crm_verify refuse it too)");
      }
      LegacySyntax.normalize(cib);
      return cib;
    } catch (SAXParseException e) {
      throw new Invalid(file + ":" + e.getLineNumber() + ": not well-formed XML: " + e.getMessage());
    } catch (SAXException | IOException e) {
      throw new Invalid(file + ": cannot read: " + e.getMessage());
    }
  }

  /**
   * The errors of the configuration section that make Pacemaker's schema (any version) refuse the CIB, in
   * crm_verify's form "FILE:LINE: element TAG: message": an id defined twice, and an element without an attribute
   * every schema requires (a resource's or constraint's id, a primitive's class and type, an ocf primitive's
   * provider, an nvpair's name). References (resource_ref, role inside acl_*, ...) reuse ids and are not
   * definitions; the status section is the cluster's own record and is not checked.
   */
  List<String> schemaErrors() {
    List<String> out = new ArrayList<>();
    Element conf = child(root(), "configuration");
    if (conf == null) return out;
    Map<String, Element> ids = new java.util.HashMap<>();
    Deque<Element> todo = new ArrayDeque<>();
    todo.push(conf);
    List<Element> inOrder = new ArrayList<>();
    while (!todo.isEmpty()) {
      Element e = todo.pop();
      inOrder.add(e);
      List<Element> kids = children(e, null);
      for (int i = kids.size() - 1; i >= 0; i--) todo.push(kids.get(i));
    }
    for (Element e : inOrder) {
      String tag = e.getTagName();
      String id = attr(e, "id");
      if (id != null && !isReference(e)) {
        Element first = ids.putIfAbsent(id, e);
        if (first != null) out.add(schemaError(e, "ID " + id + " redefined (first defined at line " + line(first) + ")"));
      }
      for (String required : REQUIRED.getOrDefault(tag, List.of())) {
        if (attr(e, required) == null) out.add(schemaError(e, "attribute " + required + " is required"));
      }
      if (tag.equals("primitive")) {
        if (id == null) out.add(schemaError(e, "attribute id is required"));
        if (attr(e, "template") == null) {
          if (attr(e, "class") == null) out.add(schemaError(e, "attribute class is required"));
          if (attr(e, "type") == null) out.add(schemaError(e, "attribute type is required"));
        }
      }
      if (tag.equals("primitive") && "ocf".equals(attr(e, "class")) && attr(e, "provider") == null && attr(e, "template") == null) {
        out.add(schemaError(e, "attribute provider is required for class ocf"));
      }
    }
    return out;
  }

  /** Attributes every Pacemaker schema requires, by element (a primitive made from a template takes its class and type from it). */
  private static final Map<String, List<String>> REQUIRED = Map.of(
      "group", List.of("id"),
      "clone", List.of("id"),
      "master", List.of("id"),
      "rsc_location", List.of("id"),
      "rsc_colocation", List.of("id"),
      "rsc_order", List.of("id"),
      "nvpair", List.of("name"));

  private static boolean isReference(Element e) {
    String tag = e.getTagName();
    if (tag.endsWith("_ref")) return true;
    return tag.equals("role") && e.getParentNode() instanceof Element p && p.getTagName().startsWith("acl_");
  }

  private String schemaError(Element e, String message) {
    return file + ":" + line(e) + ": element " + e.getTagName() + ": " + message;
  }

  public Path file() {
    return file;
  }

  public Document document() {
    return document;
  }

  public Element root() {
    return document.getDocumentElement();
  }

  /** The line an element starts on (0 when unknown, e.g. for an element created while normalizing). */
  public static int line(Element e) {
    Object l = e.getUserData(LINE);
    return l instanceof Integer i ? i : 0;
  }

  /** Gives an element created while normalizing the line of the element it replaces. */
  static void setLine(Element e, int line) {
    e.setUserData(LINE, line, null);
  }

  /** "FILE:LINE: <tag id="ID">", for error messages. */
  public String where(Element e) {
    String id = e.getAttribute("id");
    return file + ":" + line(e) + ": <" + e.getTagName() + (id.isEmpty() ? "" : " id=\"" + id + "\"") + ">";
  }

  /** The first element at this path of tags below {@code from}, or null. */
  public static Element path(Element from, String... tags) {
    Element e = from;
    for (String t : tags) {
      if (e == null) return null;
      e = child(e, t);
    }
    return e;
  }

  public static Element child(Element parent, String tag) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(tag)) return e;
    }
    return null;
  }

  /** Child elements with this tag, or every child element when tag is null. */
  public static List<Element> children(Element parent, String tag) {
    List<Element> out = new ArrayList<>();
    if (parent == null) return out;
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && (tag == null || e.getTagName().equals(tag))) out.add(e);
    }
    return out;
  }

  /** An attribute's value, or null when absent (DOM gives "" for a missing attribute). */
  public static String attr(Element e, String name) {
    return e.hasAttribute(name) ? e.getAttribute(name) : null;
  }

  /**
   * The name/value pairs of every {@code setTag} child (e.g. meta_attributes, instance_attributes,
   * cluster_property_set), in document order; a later set does not override an earlier one (Pacemaker's first
   * wins for sets without rules). Sets with a {@code <rule>} are skipped: they are evaluated by the caller.
   */
  public static Map<String, String> nvpairs(Element parent, String setTag) {
    Map<String, String> out = new LinkedHashMap<>();
    if (parent == null) return out;
    for (Element set : children(parent, setTag)) {
      if (child(set, "rule") != null) continue;
      for (Element nv : children(set, "nvpair")) {
        String name = attr(nv, "name");
        if (name != null) out.putIfAbsent(name, nv.hasAttribute("value") ? nv.getAttribute("value") : "");
      }
    }
    return out;
  }

  private static Document parse(InputStream in) throws IOException, SAXException {
    try {
      SAXParserFactory spf = SAXParserFactory.newInstance();
      spf.setNamespaceAware(false);
      spf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      spf.setFeature("http://xml.org/sax/features/external-general-entities", false);
      spf.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
      Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().newDocument();
      spf.newSAXParser().parse(in, new Builder(doc));
      return doc;
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Builds the DOM from SAX events so every element carries the line it starts on. */
  private static final class Builder extends DefaultHandler {
    private final Document doc;
    private final Deque<Node> stack = new ArrayDeque<>();
    private Locator locator;

    Builder(Document doc) {
      this.doc = doc;
      stack.push(doc);
    }

    @Override
    public void setDocumentLocator(Locator locator) {
      this.locator = locator;
    }

    @Override
    public void startElement(String uri, String localName, String qName, Attributes atts) {
      Element e = doc.createElement(qName);
      for (int i = 0; i < atts.getLength(); i++) e.setAttribute(atts.getQName(i), atts.getValue(i));
      e.setUserData(LINE, locator == null ? 0 : locator.getLineNumber(), null);
      stack.peek().appendChild(e);
      stack.push(e);
    }

    @Override
    public void endElement(String uri, String localName, String qName) {
      stack.pop();
    }
  }
}
