package io.xenha.config;

import java.time.Duration;
import java.util.Map;

/**
 * The allowed range of every duration and the longest id, in one table (docs/configuration.md, "Limits").
 * Values outside are typos (a missing unit, `1ms` meant as `1m`, `9999999999d`) that would otherwise
 * pass and surprise at run time: a monitor forking an agent every millisecond, a stop that never times out.
 */
final class Limits {
  private Limits() {}

  /** Longest resource id: ids name actors, JMX beans and journal entries, and show in every status line. */
  static final int MAX_RESOURCE_ID = 128;
  /** Longest node name: a host name (Linux HOST_NAME_MAX); it is part of the node's journal id. */
  static final int MAX_NODE_NAME = 64;
  /** Longest cluster name: the name of the Pekko actor system, part of every cluster address. */
  static final int MAX_CLUSTER_NAME = 64;

  /**
   * The range of one duration key: {@code min} to {@code max}; 0 (where the key allows it, meaning "off" or "none")
   * besides. {@code why} (may be null) says where a lower bound comes from.
   */
  record Range(Duration min, Duration max, String why) {

    boolean contains(Duration d) {
      return d.compareTo(min) >= 0 && d.compareTo(max) <= 0;
    }

    /** "between 1s and 1d", or with {@code zero} "0 or between 100ms and 1d". */
    String describe(boolean zero) {
      return (zero ? "0 or between " : "between ") + human(min) + " and " + human(max)
          + (why == null ? "" : " (" + why + ")");
    }
  }

  /** As written in the file, with days: 100ms, 1s, 1h, 1d, 365d. */
  static String human(Duration d) {
    long ms = d.toMillis();
    if (ms != 0 && ms % 86_400_000 == 0) return ms / 86_400_000 + "d";
    return ModelBuilder.human(d);
  }

  private static final Duration MS = Duration.ofMillis(1);
  private static final Duration S = Duration.ofSeconds(1);
  private static final Duration MIN = Duration.ofMinutes(1);
  private static final Duration H = Duration.ofHours(1);
  private static final Duration D = Duration.ofDays(1);

  /** Any duration not named below: anything from 1ms to a year. */
  static final Range DEFAULT = new Range(MS, Duration.ofDays(365), null);

  private static final Range MONITOR_INTERVAL = new Range(Duration.ofMillis(100), D, null);
  /** Operation timeouts go up to a day: a stop of a large domU with a slow shutdown, a long live migration. */
  private static final Range OP_TIMEOUT = new Range(S, D, null);
  private static final Range FENCE_TIMEOUT = new Range(S, H, null);
  private static final Range START_DELAY = new Range(S, H, null);
  private static final Range FAILURE_TIMEOUT = new Range(S, Duration.ofDays(365), null);
  private static final Range DAMPEN = new Range(S, H, null);

  /** Cluster-wide keys by their full path: fencing and membership act within an hour or less. */
  private static final Map<String, Range> BY_KEY = Map.ofEntries(
      Map.entry("xenha.properties.dc-deadtime", new Range(S, H, null)),
      Map.entry("xenha.properties.stonith-timeout", new Range(S, H, null)),
      Map.entry("xenha.properties.priority-fencing-delay", new Range(S, H, null)),
      Map.entry("xenha.properties.fence-retry-max-backoff", new Range(S, H, "the backoff starts at 1s")),
      Map.entry("xenha.properties.failure-timeout", FAILURE_TIMEOUT),
      // it must outlast the longest stop timeout of a domain, which may be a day
      Map.entry("xenha.properties.self-fence-deadline", new Range(S, Duration.ofDays(2), null)),
      Map.entry("xenha.cluster.heartbeat-interval", new Range(Duration.ofMillis(100), MIN, null)),
      Map.entry("xenha.cluster.acceptable-heartbeat-pause", new Range(Duration.ofMillis(100), Duration.ofMinutes(10), null)),
      Map.entry("xenha.cluster.stable-after", new Range(S, H, null)),
      Map.entry("xenha.cluster.ask-timeout", new Range(S, Duration.ofMinutes(10), null)),
      Map.entry("xenha.persistence.recovery-timeout", new Range(S, H, null)));

  /**
   * The range of the duration at {@code keyPath} (e.g. xenha.resources.web.ops.start.timeout): cluster-wide keys by
   * their path, keys of resources and resource-defaults by their last segments, anything else {@link #DEFAULT}.
   */
  static Range duration(String keyPath) {
    Range r = BY_KEY.get(keyPath);
    if (r != null) return r;
    // string tests, no regex: verify looks up several durations for each of thousands of resources
    if (keyPath.endsWith(".ops.monitor.interval")) return MONITOR_INTERVAL;
    if (keyPath.endsWith(".ops.fence.timeout")) return FENCE_TIMEOUT;
    if (keyPath.endsWith(".timeout")) {
      int op = keyPath.lastIndexOf('.', keyPath.length() - ".timeout".length() - 1);
      if (op >= 4 && keyPath.startsWith(".ops", op - 4)) return OP_TIMEOUT;
    }
    if (keyPath.endsWith(".start-delay")) return START_DELAY;
    if (keyPath.endsWith(".failure-timeout")) return FAILURE_TIMEOUT;
    if (keyPath.endsWith(".params.dampen")) return DAMPEN;
    return DEFAULT;
  }

  /** Null when {@code name} is short enough, else "resource id is 5000 characters long (allowed: 1 to 128)". */
  static String tooLong(String what, String name, int max) {
    if (name.length() <= max) return null;
    return what + " is " + name.length() + " characters long (allowed: 1 to " + max + ")";
  }
}
