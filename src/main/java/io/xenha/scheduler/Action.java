package io.xenha.scheduler;

import java.util.Set;

/**
 * One step of a transition. {@code after} holds the ids of the actions that must have succeeded first.
 * FENCE has no resource; STOP and START name a resource ("ID:N" for an instance of clone ID) and the node they act on.
 */
public record Action(int id, Kind kind, String resource, String node, String reason, Set<Integer> after) {
  public enum Kind { FENCE, STOP, START }
}
