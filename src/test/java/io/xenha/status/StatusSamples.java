package io.xenha.status;

import io.xenha.status.ClusterStatus.FencingRecord;
import io.xenha.status.ClusterStatus.Instance;
import io.xenha.status.ClusterStatus.NodeStatus;
import io.xenha.status.ClusterStatus.ResourceStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Status documents shared by the status and JMX tests. */
public final class StatusSamples {

  private StatusSamples() {}

  /** A busy cluster: every node state, every resource state, a clone, fail counts, fencing and a warning. */
  public static ClusterStatus busy() {
    Map<String, Object> attrs1 = new LinkedHashMap<>();
    attrs1.put("pingd", 100);
    Map<String, Long> util = new LinkedHashMap<>();
    util.put("memory", 16384L);
    util.put("vcpus", 8L);
    Map<String, Integer> web3Fails = new LinkedHashMap<>();
    web3Fails.put("node1", 3);
    web3Fails.put("node2", 0);
    return new ClusterStatus(
        ClusterStatus.SCHEMA,
        "hasi",
        "node1",
        true,
        List.of(
            new NodeStatus("node1", "online", attrs1, util),
            new NodeStatus("node2", "online", Map.of("pingd", 0), null),
            new NodeStatus("node3", "standby", null, null),
            new NodeStatus("node4", "maintenance", null, null),
            new NodeStatus("node5", "offline", null, null),
            new NodeStatus("node6", "unclean", null, null)),
        List.of(
            new ResourceStatus("web1", "domain", "started", "node2", true, Map.of("node2", 0), null, null, "start ok"),
            new ResourceStatus("web2", "domain", "stopped", null, true, null, null, null, null),
            new ResourceStatus("web3", "domain", "failed", "node1", true, web3Fails, null, null, "monitor: not running"),
            new ResourceStatus("web4", "domain", "blocked", null, true, null, null, null, null),
            new ResourceStatus("db", "domain", "started", "node1", false, null, null, null, null),
            new ResourceStatus("mail", "domain", "migrating", "node2", true, null, null, null, null),
            new ResourceStatus(
                "pingd",
                "builtin",
                null,
                null,
                null,
                null,
                true,
                List.of(
                    new Instance("node1", "started"),
                    new Instance("node2", "started"),
                    new Instance("node3", "stopped"),
                    new Instance("node4", "failed")),
                null),
            new ResourceStatus("ilo-node2", "stonith", "started", "node1", true, null, null, null, null)),
        List.of(
            new FencingRecord("node6", "ilo-node6", "node1", "reboot", "failed", "2026-11-22T09:59:00Z"),
            new FencingRecord("node5", "ilo-node5", "node1", "reboot", "success", "2026-11-22T10:00:00Z")),
        List.of("stonith-enabled is false: data may be damaged"));
  }

  /** Two healthy nodes, one domain. */
  public static ClusterStatus small() {
    return new ClusterStatus(
        ClusterStatus.SCHEMA,
        "demo",
        "node1",
        true,
        List.of(
            new NodeStatus("node1", "online", Map.of(), Map.of("memory", 8192L)),
            new NodeStatus("node2", "online", Map.of(), Map.of("memory", 8192L))),
        List.of(new ResourceStatus("web1", "domain", "started", "node2", true, Map.of("node2", 1), null, null, "start",
            Map.of("node2", "monitor: domain web1 is SHUTOFF"))),
        List.of(),
        List.of());
  }
}
