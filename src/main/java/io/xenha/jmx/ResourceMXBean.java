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

  /** target-role Started (`xenha resource start`). */
  String start();

  /** target-role Stopped (`xenha resource stop`). */
  String stop();

  /** Stops it and starts it again (`xenha resource restart`). */
  String restart();

  /** Moves it to NODE, or bans it from where it runs when NODE is empty (`xenha resource migrate`). */
  String migrate(String node);

  /** Clears its migrate constraints (`xenha resource unmigrate`). */
  String unmigrate();

  /** Clears its fail counts on every node (`xenha resource cleanup`). */
  String cleanup();

  String manage();

  String unmanage();
}
