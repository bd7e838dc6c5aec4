package io.xenha.jmx;

import java.util.List;
import java.util.Map;

/** One resource of the cluster: `io.xenha:type=Resource,name=ID`. */
public interface ResourceMXBean {

  String getId();

  /** domain, stonith, builtin, ocf, ... */
  String getType();

  /** started, stopped, starting, stopping, migrating, failed, blocked or unmanaged. */
  String getState();

  /** Where it runs, or null (stopped, or a clone). */
  String getNode();

  /** Every node it runs on: one for a primitive, one per active instance for a clone. */
  List<String> getNodes();

  /** Fail count per node. */
  Map<String, Integer> getFailCounts();

  String getLastOperation();

  boolean isManaged();
}
