package io.xenha.scheduler;

/** What the scheduler knows of a node. UNCLEAN: left the cluster uncleanly and not fenced yet. */
public enum NodeState {
  ONLINE, STANDBY, OFFLINE, UNCLEAN;

  public String wire() {
    return name().toLowerCase();
  }
}
