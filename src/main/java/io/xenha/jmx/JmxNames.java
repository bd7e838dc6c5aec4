package io.xenha.jmx;

import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/** The ObjectNames of xenha's MXBeans, shared by the server and its clients. */
public final class JmxNames {

  public static final String DOMAIN = "io.xenha";
  public static final ObjectName CLUSTER = name(DOMAIN + ":type=Cluster");

  private JmxNames() {}

  /** `io.xenha:type=Node,name=NODE`. */
  public static ObjectName node(String node) {
    return name(DOMAIN + ":type=Node,name=" + value(node));
  }

  /** `io.xenha:type=Resource,name=ID`. */
  public static ObjectName resource(String id) {
    return name(DOMAIN + ":type=Resource,name=" + value(id));
  }

  // Names with JMX's special characters (clone instances are `id:N`) must be quoted to be legal.
  private static String value(String v) {
    for (char c : v.toCharArray()) {
      if (",=:\"*?\n".indexOf(c) >= 0) return ObjectName.quote(v);
    }
    return v;
  }

  private static ObjectName name(String s) {
    try {
      return new ObjectName(s);
    } catch (MalformedObjectNameException e) {
      throw new IllegalArgumentException("not a usable JMX name: " + s, e);
    }
  }
}
