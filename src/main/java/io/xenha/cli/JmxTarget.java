package io.xenha.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.xenha.jmx.JmxClient;
import io.xenha.jmx.JmxClient.HostPort;
import io.xenha.security.CliCredentials;
import io.xenha.security.Security;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The `--jmx` / `--config` options of every command that talks to a running cluster, and which agent they name. */
public final class JmxTarget {

  static final Path DEFAULT_CONFIG = Path.of("/etc/xenha/xenha.conf");
  static final HostPort DEFAULT_JMX = new HostPort("127.0.0.1", 9010);
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  @Option(names = "--jmx", paramLabel = "HOST:PORT", description = "Agent to ask (default: the config's xenha.jmx, else 127.0.0.1:9010).")
  String jmx;

  @Option(names = "--config", paramLabel = "FILE", description = "Configuration to take the JMX address from (default /etc/xenha/xenha.conf if present).")
  Path config;

  @Option(names = "--credentials", paramLabel = "FILE", description = "User and password for the agent's JMX"
      + " (default: $XENHA_CREDENTIALS, else the demo's for the user who started it, else /etc/xenha/cli.credentials).")
  Path credentials;

  /**
   * Logs in to the agent at AT with the credentials found as {@link CliCredentials#resolve} says. No credentials,
   * or credentials the agent refuses: {@link JmxClient.Denied} with a message saying what is missing.
   */
  public JmxClient connect(HostPort at) throws IOException {
    CliCredentials c;
    try {
      c = CliCredentials.resolve(credentials, System.getenv(CliCredentials.ENV), at.host(), at.port());
    } catch (CliCredentials.Missing e) {
      throw new JmxClient.Denied(e.getMessage());
    }
    try {
      return Security.connect(at.host(), at.port(), CONNECT_TIMEOUT, c);
    } catch (JmxClient.Denied e) {
      throw new JmxClient.Denied(e.getMessage() + " (credentials from " + c.source() + ")");
    }
  }

  /**
   * --jmx, else the configuration's, else 127.0.0.1:9010. Throws IllegalArgumentException (or Typesafe Config's
   * ConfigException) for a bad address or an unreadable configuration.
   */
  public HostPort resolve() {
    if (jmx != null) return HostPort.parse(jmx);
    Path file = config;
    if (file == null && Files.isReadable(DEFAULT_CONFIG)) file = DEFAULT_CONFIG;
    if (file == null) return DEFAULT_JMX;
    if (!Files.isReadable(file)) throw new IllegalArgumentException("cannot read configuration " + file);
    return fromConfig(file);
  }

  /** Only the few keys needed here: the full configuration is the agent's business. */
  static HostPort fromConfig(Path file) {
    Config c =
        ConfigFactory.parseFile(file.toFile()).withFallback(ConfigFactory.defaultReference()).resolve();
    String host = c.hasPath("xenha.jmx.host") ? c.getString("xenha.jmx.host") : DEFAULT_JMX.host();
    int port = c.hasPath("xenha.jmx.port") ? c.getInt("xenha.jmx.port") : DEFAULT_JMX.port();
    // a node's own jmx-port (as in the demo) wins when the configuration names the local node
    if (c.hasPath("xenha.node-name")) {
      String node = "xenha.nodes.\"" + c.getString("xenha.node-name") + "\"";
      if (c.hasPath(node + ".jmx-host")) host = c.getString(node + ".jmx-host");
      if (c.hasPath(node + ".jmx-port")) port = c.getInt(node + ".jmx-port");
    }
    return new HostPort(host, port);
  }
}
