package io.xenha.jmx;

import java.util.List;

/** The node of the agent that serves this bean: adds what only the local hypervisor knows. */
public interface LocalNodeMXBean extends NodeMXBean {

  /** Domains libvirt reports active here: the local truth, not the Controller's view. */
  List<String> getActiveDomains();
}
