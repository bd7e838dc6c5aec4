package io.xenha.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.xenha.jmx.JmxClient;
import io.xenha.jmx.JmxClient.HostPort;
import io.xenha.status.ClusterStatus;
import io.xenha.status.StatusJson;
import io.xenha.status.StatusText;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `xenha status`: the cluster status from any agent over JMX, like crm_mon. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Show the cluster status (like crm_mon), read over JMX from any node.")
public final class StatusCommand implements Callable<Integer> {

  static final Path DEFAULT_CONFIG = Path.of("/etc/xenha/xenha.conf");
  static final HostPort DEFAULT_JMX = new HostPort("127.0.0.1", 9010);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final long WATCH_MILLIS = 2000;

  @Option(names = "--json", description = "Print the status as JSON (contract.md, schema 1).")
  boolean json;

  @Option(names = "--watch", description = "Reprint every 2 s until interrupted.")
  boolean watch;

  @Option(names = "--jmx", paramLabel = "HOST:PORT", description = "Agent to ask (default: the config's xenha.jmx, else 127.0.0.1:9010).")
  String jmx;

  @Option(names = "--config", paramLabel = "FILE", description = "Configuration to take the JMX address from (default /etc/xenha/xenha.conf if present).")
  Path config;

  PrintStream out = System.out;
  PrintStream err = System.err;

  @Override
  public Integer call() {
    HostPort target;
    try {
      target = target();
    } catch (IllegalArgumentException | ConfigException e) {
      err.println("xenha status: " + e.getMessage());
      return 2;
    }
    return watch ? watch(target) : once(target);
  }

  private int once(HostPort target) {
    try (JmxClient client = JmxClient.connect(target.host(), target.port(), CONNECT_TIMEOUT)) {
      out.print(render(client.status()));
      out.flush();
      return 0;
    } catch (IOException e) {
      err.println("cannot reach xenha at " + target + ": " + e.getMessage());
      return 1;
    }
  }

  // Like crm_mon: keeps going while the asked node is down, so one can watch a failover from the start.
  private int watch(HostPort target) {
    JmxClient client = null;
    boolean first = true;
    try {
      while (!Thread.currentThread().isInterrupted()) {
        try {
          if (client == null) client = JmxClient.connect(target.host(), target.port(), CONNECT_TIMEOUT);
          String text = render(client.status());
          out.print("\033[H\033[2J");
          out.print(text);
          out.flush();
        } catch (IOException e) {
          err.println("cannot reach xenha at " + target + ": " + e.getMessage());
          if (first) return 1;
          if (client != null) client.close();
          client = null;
        }
        first = false;
        Thread.sleep(WATCH_MILLIS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (client != null) client.close();
    }
    return 0;
  }

  private String render(ClusterStatus status) {
    return json ? StatusJson.toJson(status) + "\n" : StatusText.render(status);
  }

  /** --jmx, else the configuration's, else 127.0.0.1:9010. */
  HostPort target() {
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
