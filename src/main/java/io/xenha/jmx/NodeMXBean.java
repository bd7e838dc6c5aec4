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
}
