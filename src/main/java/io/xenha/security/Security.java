package io.xenha.security;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.xenha.config.Problem;
import io.xenha.config.SecuritySettings;
import io.xenha.config.XenhaConfig;
import io.xenha.jmx.JmxClient;
import io.xenha.jmx.JmxServer;
import java.io.IOException;
import java.io.PrintStream;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import java.util.stream.Stream;
import javax.net.ssl.TrustManager;

/**
 * Where the security settings meet the rest of xenha: the Pekko settings of a node's cluster transport, the checks
 * `xenha agent` makes before it starts, the JMX port's access rules, and the CLI's login.
 */
public final class Security {

  /** What `xenha status` shows while the cluster links are plain TCP. */
  public static final String INSECURE_WARNING =
      "INSECURE: cluster links are neither encrypted nor authenticated (xenha.security.insecure = true)";

  private Security() {}

  /**
   * The Pekko settings of NODE's transport: Artery over mutual TLS with {@link ClusterTlsProvider} (or plain TCP with
   * insecure = true), and Pekko's own cluster MBean off (JMX serves xenha's beans only).
   */
  public static Config pekkoConfig(XenhaConfig config, String node) {
    SecuritySettings s = config.security();
    Config c = ConfigFactory.empty().withValue("pekko.cluster.jmx.enabled", ConfigValueFactory.fromAnyRef(false));
    if (s.insecure()) {
      return c.withValue("pekko.remote.artery.transport", ConfigValueFactory.fromAnyRef("tcp"));
    }
    List<Map<String, Object>> peers = new ArrayList<>();
    config.nodes().values().forEach(n -> peers.add(Map.of("name", n.name(), "host", n.host(), "port", n.port())));
    String p = ClusterTlsProvider.CONFIG_PATH;
    return c.withValue("pekko.remote.artery.transport", ConfigValueFactory.fromAnyRef("tls-tcp"))
        .withValue("pekko.remote.artery.ssl.ssl-engine-provider", ConfigValueFactory.fromAnyRef(ClusterTlsProvider.class.getName()))
        .withValue(p + ".node", ConfigValueFactory.fromAnyRef(node))
        .withValue(p + ".tls-dir", ConfigValueFactory.fromAnyRef(s.tlsDir().toString()))
        .withValue(p + ".reload-interval", ConfigValueFactory.fromAnyRef(s.reloadInterval().toMillis() + "ms"))
        .withValue(p + ".peers", ConfigValueFactory.fromIterable(peers))
        // merged with what else Pekko loads: a member the handshake let in that is not a configured node is downed
        .withValue("pekko.extensions", ConfigValueFactory.fromIterable(
            java.util.stream.Stream.concat(Stream.of(MembershipGuard.Id.class.getName()),
                ConfigFactory.load().getStringList("pekko.extensions").stream()).distinct().toList()));
  }

  /**
   * `xenha agent`'s check of NODE's key files and credentials before it starts: every problem printed to ERR as
   * FILE:LINE: key: message; false when there is an error (the agent then exits with 2).
   */
  public static boolean checkKeys(XenhaConfig config, String node, PrintStream err) {
    List<Problem> problems = KeyFiles.check(config, node);
    problems.stream().filter(pr -> !pr.warning()).forEach(pr -> err.println(pr.format()));
    problems.stream().filter(Problem::warning).forEach(pr -> err.println(pr.format()));
    if (problems.stream().anyMatch(pr -> !pr.warning())) {
      err.println("xenha agent: the key files or credentials of " + node + " have errors, not starting");
      return false;
    }
    return true;
  }

  /** The access rules of NODE's JMX port: login from the credentials file, roles, TLS when configured. */
  public static JmxServer.Access jmxAccess(XenhaConfig config, String node) throws IOException {
    SecuritySettings s = config.security();
    XenhaConfig.NodeSpec self = config.node(node);
    NodeTls tls = null;
    if (s.jmxTls()) {
      List<NodeTls.Peer> peers = new ArrayList<>();
      config.nodes().values().forEach(n -> peers.add(new NodeTls.Peer(n.name(), n.host(), n.port())));
      tls = new NodeTls(s.tlsDir(), node, peers, s.reloadInterval());
    }
    String advertised = isWildcard(self.jmxHost()) ? self.host() : null;
    NodeTls t = tls;
    return new JmxServer.Access(new JmxLogin(s.credentials(), s.reloadInterval()), JmxRoles.forwarder(),
        t == null ? null : t::context, s.jmxPlatformBeans(), advertised,
        s.insecure() ? List.of(INSECURE_WARNING) : List.of());
  }

  /** The access rules of a JMX port with users from CREDENTIALS and no TLS (tests, the demo). */
  public static JmxServer.Access jmxAccess(java.nio.file.Path credentials) {
    return new JmxServer.Access(new JmxLogin(credentials, Duration.ofSeconds(1)), JmxRoles.forwarder(), null, false,
        null, List.of());
  }

  private static boolean isWildcard(String host) {
    return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
  }

  /** The CLI's connection: logs in with CREDENTIALS, over TLS trusting their CA when they name one. */
  public static JmxClient connect(String host, int port, Duration timeout, CliCredentials credentials)
      throws IOException {
    SSLContext tls = null;
    if (credentials.ca() != null) {
      try {
        tls = SSLContext.getInstance(NodeTls.PROTOCOL);
        tls.init(null, new TrustManager[] {NodeTls.trusting(credentials.ca())}, null);
      } catch (GeneralSecurityException e) {
        throw new IOException("cannot use TLS: " + e.getMessage());
      }
    }
    return JmxClient.connect(host, port, timeout, credentials.jmx(), tls);
  }
}
