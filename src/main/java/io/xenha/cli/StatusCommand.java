package io.xenha.cli;

import com.typesafe.config.ConfigException;
import io.xenha.jmx.JmxClient;
import io.xenha.jmx.JmxClient.HostPort;
import io.xenha.status.ClusterStatus;
import io.xenha.status.StatusJson;
import io.xenha.status.StatusText;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `xenha status`: the cluster status from any agent over JMX, like crm_mon. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Show the cluster status (like crm_mon), read over JMX from any node.")
public final class StatusCommand implements Callable<Integer> {

  private static final Duration CONNECT_TIMEOUT = JmxTarget.CONNECT_TIMEOUT;
  private static final long WATCH_MILLIS = 2000;

  @Option(names = "--json", description = "Print the status as JSON (contract.md, schema 1).")
  boolean json;

  @Option(names = "--watch", description = "Reprint every 2 s until interrupted.")
  boolean watch;

  @Mixin JmxTarget jmxTarget = new JmxTarget();

  PrintStream out = System.out;
  PrintStream err = System.err;

  @Override
  public Integer call() {
    HostPort target;
    try {
      target = jmxTarget.resolve();
    } catch (IllegalArgumentException | ConfigException e) {
      err.println("xenha status: " + e.getMessage());
      return 2;
    }
    return watch ? watch(target) : once(target);
  }

  private int once(HostPort target) {
    try (JmxClient client = jmxTarget.connect(target)) {
      out.print(render(client.status()));
      out.flush();
      return 0;
    } catch (JmxClient.Denied e) {
      err.println("xenha status: refused: " + e.getMessage());
      return 1;
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
          if (client == null) client = jmxTarget.connect(target);
          String text = render(client.status());
          out.print("\033[H\033[2J");
          out.print(text);
          out.flush();
        } catch (JmxClient.Denied e) {
          err.println("xenha status: refused: " + e.getMessage());
          return 1;
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
}
