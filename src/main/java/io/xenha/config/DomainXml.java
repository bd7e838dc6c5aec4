package io.xenha.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.DefaultHandler;

/** Reads a libvirt domain definition and checks the little xenha relies on: root `domain`, a `type`, a `name`. */
public final class DomainXml {

  /** A readable, well-formed domain definition. */
  public record Parsed(Path path, String xml, String name, String type) {}

  /** Why a domain definition cannot be used; the message names the file. */
  public static final class Invalid extends Exception {
    Invalid(String message) {
      super(message);
    }
  }

  private DomainXml() {}

  public static Parsed read(Path path) throws Invalid {
    String xml;
    try {
      xml = Files.readString(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new Invalid("cannot read domain XML " + path + ": no such file");
    } catch (AccessDeniedException e) {
      throw new Invalid("cannot read domain XML " + path + ": permission denied");
    } catch (IOException e) {
      throw new Invalid("cannot read domain XML " + path + ": " + reason(e));
    }
    return parse(path, xml);
  }

  /** Checks {@code xml} as if it had been read from {@code path} (used in messages only). */
  public static Parsed parse(Path path, String xml) throws Invalid {
    Document doc;
    try {
      doc = builder().parse(new InputSource(new StringReader(xml)));
    } catch (SAXParseException e) {
      throw new Invalid("invalid domain XML " + path + ": line " + e.getLineNumber() + ": " + e.getMessage());
    } catch (SAXException | IOException e) {
      throw new Invalid("invalid domain XML " + path + ": " + reason(e));
    }
    Element root = doc.getDocumentElement();
    if (!"domain".equals(root.getTagName())) {
      throw new Invalid("invalid domain XML " + path + ": root element is <" + root.getTagName() + ">, expected <domain>");
    }
    String type = root.getAttribute("type");
    if (type.isBlank()) {
      throw new Invalid("invalid domain XML " + path + ": <domain> has no type attribute (e.g. type='xen')");
    }
    String name = null;
    for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && "name".equals(e.getTagName())) {
        name = e.getTextContent().trim();
        break;
      }
    }
    if (name == null || name.isEmpty()) {
      throw new Invalid("invalid domain XML " + path + ": no <name> in <domain>");
    }
    return new Parsed(path, xml, name, type);
  }

  /** The default handler prints "[Fatal Error]" to stderr; the exception is enough. */
  private static final DefaultHandler THROW = new DefaultHandler() {
    @Override
    public void fatalError(SAXParseException e) throws SAXException {
      throw e;
    }
  };

  /**
   * One parser per thread, reset before each use: making a factory and a parser costs more than parsing a domain
   * definition, and `verify` of thousands of domains paid it for each.
   */
  private static final ThreadLocal<DocumentBuilder> BUILDER = ThreadLocal.withInitial(DomainXml::newBuilder);

  private static DocumentBuilder builder() {
    DocumentBuilder b = BUILDER.get();
    b.reset();
    b.setErrorHandler(THROW);
    return b;
  }

  private static DocumentBuilder newBuilder() {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      // Domain definitions never need a DTD; refusing them rules out external entity tricks.
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setXIncludeAware(false);
      f.setExpandEntityReferences(false);
      return f.newDocumentBuilder();
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("the JDK's XML parser lacks a standard feature", e);
    }
  }

  private static String reason(Exception e) {
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
