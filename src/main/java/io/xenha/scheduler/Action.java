package io.xenha.scheduler;

import java.time.Duration;
import java.util.Set;

/**
 * One step of a transition. {@code after} holds the ids of the actions that must have succeeded first.
 * FENCE has no resource; STOP and START name a resource ("ID:N" for an instance of clone ID) and the node they act on.
 * MIGRATE live-migrates a domU from node (the source) to target (Pacemaker's migrate_to): the source forgets it
 * without a stop, and the START on the target that follows adopts it running. target is null for every other kind.
 * delay: how long the runner waits before sending it once it may run (a START's start-delay, the seed's "hypervisor
 * friendly" staggering of domU boots); zero otherwise.
 */
public record Action(int id, Kind kind, String resource, String node, String reason, Set<Integer> after,
    Duration delay, String target) {
  public enum Kind { FENCE, STOP, START, MIGRATE }

  public Action {
    if (delay == null) delay = Duration.ZERO;
  }

  /** Any action but a MIGRATE. */
  public Action(int id, Kind kind, String resource, String node, String reason, Set<Integer> after, Duration delay) {
    this(id, kind, resource, node, reason, after, delay, null);
  }

  /** Whether the resource is gone from node once this action is done: a stop, or a migration away. */
  public boolean leavesNode() {
    return kind == Kind.STOP || kind == Kind.MIGRATE;
  }

  /** An action sent as soon as it may run. */
  public Action(int id, Kind kind, String resource, String node, String reason, Set<Integer> after) {
    this(id, kind, resource, node, reason, after, Duration.ZERO, null);
  }
}
