package io.xenha.jmx;

import io.xenha.status.ClusterStatus;
import java.util.List;

/**
 * What the JMX beans of one agent can ask of the running cluster. Implementations ask actors with a timeout
 * and may block the calling (JMX) thread; they never run on an actor thread.
 */
public interface ClusterConsole {

  /** The status of the whole cluster, as the Controller knows it. */
  ClusterStatus status() throws Exception;

  /** Domain names libvirt reports active on this agent's own hypervisor (the local truth, not the Controller's view). */
  List<String> localActiveDomains() throws Exception;

  /** This agent's node name. */
  String localNode();
}
