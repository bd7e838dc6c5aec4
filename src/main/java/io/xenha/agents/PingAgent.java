package io.xenha.agents;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The built-in ping agent (Heartbeat's pingd): pings every host of its host-list and scores the node
 * {@code multiplier x reachable hosts}; the score becomes a node attribute that location rules test
 * ({@code -INFINITY: not_defined pingd or pingd lte 0}).
 */
public final class PingAgent {

  /** How a host is pinged; the system's ping by default. */
  public interface Pinger {
    boolean reachable(String host, Duration timeout) throws Exception;
  }

  /** One ICMP echo with the system's ping (iputils), as pingd and ocf:pacemaker:ping do. */
  public static final Pinger SYSTEM = (host, timeout) -> {
    long secs = Math.max(1, timeout.toSeconds());
    Process p = new ProcessBuilder("ping", "-n", "-q", "-c", "1", "-W", Long.toString(secs), host)
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(secs + 2, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return false;
    }
    return p.exitValue() == 0;
  };

  private PingAgent() {}

  /** Blocking: the score of this node now. */
  public static int score(List<String> hosts, int multiplier, Pinger pinger, Duration timeout) {
    int reachable = 0;
    for (String host : hosts) {
      try {
        if (pinger.reachable(host, timeout)) {
          reachable++;
        }
      } catch (Exception e) {
        // an error counts as unreachable: that is what the operator needs to know
      }
    }
    return reachable * multiplier;
  }
}
