package io.xenha.scheduler;

import java.time.Duration;
import java.util.Set;

/**
 * One step of a transition. {@code after} holds the ids of the actions that must have succeeded first.
 * FENCE has no resource; STOP and START name a resource ("ID:N" for an instance of clone ID) and the node they act on.
 * delay: how long the runner waits before sending it once it may run (a START's start-delay, the seed's "hypervisor
 * friendly" staggering of domU boots); zero otherwise.
 */
public record Action(int id, Kind kind, String resource, String node, String reason, Set<Integer> after,
    Duration delay) {
  public enum Kind { FENCE, STOP, START }

  public Action {
    if (delay == null) delay = Duration.ZERO;
  }

  /** An action sent as soon as it may run. */
  public Action(int id, Kind kind, String resource, String node, String reason, Set<Integer> after) {
    this(id, kind, resource, node, reason, after, Duration.ZERO);
  }
}
