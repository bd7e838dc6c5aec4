package io.xenha.config;

import com.typesafe.config.ConfigValue;
import io.xenha.config.XenhaConfig.NodeSpec;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Reads xenha.security (SecuritySettings) and checks what the configuration alone can tell: plaintext links only
 * when asked for (and then a warning), JMX on a non-loopback address only with TLS. The key files themselves are
 * checked per node by io.xenha.security.KeyFiles (`xenha verify` and `xenha agent`).
 */
final class SecuritySection {

  static final List<String> KEYS =
      List.of("tls-dir", "insecure", "credentials", "jmx-tls", "jmx-platform-beans", "reload-interval");

  private final Problems problems;

  SecuritySection(Problems problems) {
    this.problems = problems;
  }

  SecuritySettings read(Section top, Map<String, NodeSpec> nodes, Path baseDir) {
    SecuritySettings d = SecuritySettings.DEFAULT;
    Section s = top.section("security");
    if (s == null) {
      s = new Section(com.typesafe.config.ConfigFactory.empty().root(), "xenha.security", problems);
    }
    s.checkKeys(KEYS);
    Path tlsDir = path(s, "tls-dir", d.tlsDir(), baseDir);
    Path credentials = path(s, "credentials", d.credentials(), baseDir);
    boolean insecure = s.bool("insecure", false);
    boolean jmxTls = s.bool("jmx-tls", false);
    boolean platformBeans = s.bool("jmx-platform-beans", false);
    Duration reload = s.duration("reload-interval", d.reloadInterval(), false);
    if (insecure) {
      problems.warning(s.value("insecure").origin(), s.keyPath("insecure"),
          "cluster links are neither encrypted nor authenticated: any host that reaches a node's cluster port can join"
              + " and command the cluster (labs only; remove it to use mutual TLS with the keys in " + tlsDir + ")");
    }
    if (!jmxTls) {
      for (NodeSpec n : nodes.values()) {
        if (n.jmxHost() != null && !isLoopback(n.jmxHost())) {
          ConfigValue at = jmxHostValue(top, n.name());
          problems.error(at == null ? null : at.origin(), at == null ? "xenha.jmx.host" : keyOf(top, n.name()),
              "JMX of node '" + n.name() + "' would listen on " + n.jmxHost() + ", which is not a loopback address:"
                  + " that needs TLS (set xenha.security.jmx-tls = true) or bind it to 127.0.0.1");
          break;
        }
      }
    }
    return new SecuritySettings(tlsDir, insecure, credentials, jmxTls, platformBeans, reload,
        where(s, "tls-dir"), where(s, "credentials"));
  }

  /** The node's own jmx-host when it sets one, else xenha.jmx.host when the file sets it. */
  private static ConfigValue jmxHostValue(Section top, String node) {
    Section nodes = top.section("nodes");
    Section n = nodes == null ? null : nodes.section(node);
    if (n != null && n.has("jmx-host")) return n.value("jmx-host");
    Section jmx = top.section("jmx");
    return jmx == null ? null : jmx.value("host");
  }

  private static String keyOf(Section top, String node) {
    Section nodes = top.section("nodes");
    Section n = nodes == null ? null : nodes.section(node);
    if (n != null && n.has("jmx-host")) return n.keyPath("jmx-host");
    return "xenha.jmx.host";
  }

  /**
   * Loopback by its spelling (127.0.0.0/8, ::1, localhost) or, for another name, by what it resolves to; a name that
   * does not resolve is not loopback.
   */
  static boolean isLoopback(String host) {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (h.equals("localhost") || h.equals("::1") || h.startsWith("127.")) return true;
    try {
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (Exception e) {
      return false;
    }
  }

  private SecuritySettings.Where where(Section s, String key) {
    ConfigValue v = s.value(key);
    return new SecuritySettings.Where(problems.fileOf(v == null ? null : v.origin()),
        problems.lineOf(v == null ? null : v.origin()), s.keyPath(key));
  }

  /** A path; a relative one is taken from the directory of the file that sets it. */
  private Path path(Section s, String key, Path dflt, Path baseDir) {
    String v = s.string(key, null);
    if (v == null) return dflt;
    try {
      Path dir = problems.fileOf(s.value(key).origin()).toAbsolutePath().getParent();
      return (dir != null ? dir : baseDir).resolve(v).normalize();
    } catch (java.nio.file.InvalidPathException e) {
      s.error(key, "invalid path '" + v + "': " + e.getReason());
      return dflt;
    }
  }
}
