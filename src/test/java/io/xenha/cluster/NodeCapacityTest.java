package io.xenha.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xenha.status.ClusterStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node capacity from libvirt's node info: the test driver's host XML gives each node 8 GiB (8192 MiB) and 4 cpus,
 * no node configures utilization, and under placement-strategy = utilization four domUs of 6G fit three nodes once
 * each; the fourth is not started.
 */
@Tag("slow")
class NodeCapacityTest {

  static final List<String> BIG = List.of("big1", "big2", "big3", "big4");

  @Test
  void capacityComesFromLibvirtAndPlacementKeepsToIt(@TempDir Path dir) throws Exception {
    StringBuilder extra = new StringBuilder("properties.placement-strategy = utilization\nresources {\n");
    for (String d : BIG) {
      Files.writeString(dir.resolve(d + ".xml"), "<domain type='test'><name>" + d + "</name><memory unit='MiB'>128</memory>"
          + "<vcpu>1</vcpu><os><type>hvm</type></os></domain>");
      extra.append("  ").append(d).append(" { type = domain, domain-xml = \"").append(dir.resolve(d + ".xml"))
          .append("\", utilization { memory = 6G, vcpus = 1 } }\n");
    }
    extra.append("}\n");
    try (InJvmCluster c = new InJvmCluster(dir, 3, List.of(), "", extra.toString(), "", n -> hv -> hv)) {
      ClusterStatus s = FencingTest.awaitStatus(c, "n1", st -> st.nodes().stream().allMatch(n -> n.utilization() != null),
          Duration.ofSeconds(60), "every node's capacity");
      for (ClusterStatus.NodeStatus n : s.nodes()) {
        assertEquals(Map.of("memory", 8192L, "vcpus", 4L), n.utilization(), "capacity of " + n.name());
      }
      assertEquals(Map.of("memory", 8192L, "vcpus", 4L), c.nodes.get("n2").console().status().nodes().get(1).utilization());

      // three of them run, one per node (6G + 6G > 8192 MiB); the fourth has nowhere to go
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      Map<String, List<String>> where;
      while (true) {
        where = c.activeDomains();
        if (where.size() == 3) {
          break;
        }
        assertTrue(System.nanoTime() < deadline, "three domUs running: " + where + "\n" + ClusterFailoverTest.safeStatus(c));
        Thread.sleep(100);
      }
      long watch = System.nanoTime() + Duration.ofSeconds(4).toNanos();
      while (System.nanoTime() < watch) {
        where = c.activeDomains();
        assertEquals(3, where.size(), "only three fit: " + where);
        TreeSet<String> nodes = new TreeSet<>();
        where.values().forEach(nodes::addAll);
        assertEquals(new TreeSet<>(List.of("n1", "n2", "n3")), nodes, "one per node: " + where);
        Thread.sleep(200);
      }
      ClusterStatus last = c.status("n1");
      assertEquals(1, last.resources().stream().filter(r -> BIG.contains(r.id()) && r.state().equals("stopped")).count(),
          ClusterFailoverTest.safeStatus(c));
      assertTrue(c.violations.isEmpty(), "double-active: " + c.violations);
    }
  }
}
