package io.xenha.jmx;

import java.util.Map;

/** One dom0 of the cluster: `io.xenha:type=Node,name=NODE`. */
public interface NodeMXBean {

  String getName();

  /** online, standby, maintenance, offline or unclean. */
  String getState();

  /** Node attributes (pingd, ...), values as text. */
  Map<String, String> getAttributes();

  /** Capacity offered to the placement strategy (memory, vcpus, ...). */
  Map<String, Long> getUtilization();

  /** The newest fencing attempt against this node as one line (as in the status text), or empty when none. */
  String getLastFencing();

  /** Fences this node now: the same as the Cluster bean's fence(NODE). */
  String fence();

  /** Puts this node in standby: its resources move away (`xenha node standby`). */
  String standby();

  /** Takes this node out of standby (`xenha node online`). */
  String online();

  /** Puts this node in maintenance: xenha leaves its domUs alone (`xenha node maintenance`). */
  String maintenance();

  /** Takes this node out of maintenance (`xenha node ready`). */
  String ready();
}
