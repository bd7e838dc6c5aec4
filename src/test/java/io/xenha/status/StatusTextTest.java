package io.xenha.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatusTextTest {

  @Test
  void rendersEverySectionLikeCrmMon() {
    String expected =
        """
        Cluster Summary:
          * Cluster name: hasi
          * Current DC: node1 - partition with quorum
          * 6 nodes configured
          * 11 resource instances configured

        Node List:
          * Node node3: standby
          * Node node4: maintenance
          * Online: [ node1 node2 ]
          * OFFLINE: [ node5 ]
          * UNCLEAN: [ node6 ]

        Full List of Resources:
          * web1\t(domain):\t Started node2
          * web2\t(domain):\t Stopped
          * web3\t(domain):\t FAILED node1
          * web4\t(domain):\t Blocked
          * db\t(domain):\t Started node1 (unmanaged)
          * mail\t(domain):\t Migrating node2
          * Clone Set: pingd (builtin):
            * Started: [ node1 node2 ]
            * Stopped: [ node3 ]
            * pingd\t(builtin):\t FAILED node4
          * ilo-node2\t(stonith):\t Started node1

        Node Attributes:
          * Node: node1:
            * pingd: 100
          * Node: node2:
            * pingd: 0

        Migration Summary:
          * Node: node1:
            * web3: fail-count=3

        Failed Resource Actions:
          * web3 on node1: fail-count=3, last operation 'monitor: not running'

        Fencing History:
          * reboot of node6 FAILED: device=ilo-node6, executor=node1, last-failed='2026-11-22T09:59:00Z'
          * reboot of node5 successful: device=ilo-node5, executor=node1, completed='2026-11-22T10:00:00Z'

        Warnings:
          * stonith-enabled is false: data may be damaged
        """;
    assertEquals(expected, StatusText.render(StatusSamples.busy()));
  }

  @Test
  void aStalledFenceIsShoutedRightUnderTheSummary() {
    ClusterStatus busy = StatusSamples.busy();
    String stalled = "FENCING OF node6 FAILED (ilo-node6: timed out): its resources stay down until a fence succeeds";
    ClusterStatus s =
        new ClusterStatus(
            busy.schema(), busy.cluster(), busy.controller(), busy.quorum(), busy.nodes(), busy.resources(),
            busy.fencing(), List.of("stonith-enabled is false: data may be damaged", stalled));
    String text = StatusText.render(s);
    String top =
        """
        Cluster Summary:
          * Cluster name: hasi
          * Current DC: node1 - partition with quorum
          * 6 nodes configured
          * 11 resource instances configured

        !!! FENCING FAILED: node6 (see Warnings); resources of the lost node stay down until a fence succeeds

        Node List:
        """;
    assertTrue(text.startsWith(top), text);
    assertTrue(text.endsWith("Warnings:\n  * stonith-enabled is false: data may be damaged\n  * " + stalled + "\n"), text);
    assertEquals(List.of(stalled), StatusText.fencingFailures(s));

    ClusterStatus two =
        new ClusterStatus(
            1, "c", "node1", true, null, null, null,
            List.of("FENCING OF node2 FAILED (x): y", "FENCING OF node3 FAILED (x): y"));
    assertTrue(
        StatusText.render(two)
            .contains(
                "\n!!! FENCING FAILED: node2, node3 (see Warnings); resources of the lost nodes stay down until a fence"
                    + " succeeds\n"),
        StatusText.render(two));
    assertFalse(StatusText.render(StatusSamples.busy()).contains("!!!"));
  }

  @Test
  void fencingLines() {
    assertEquals(
        "off of node2 FAILED: device=ipmi-node2, executor=node1, last-failed='t'",
        StatusText.fencingLine(new ClusterStatus.FencingRecord("node2", "ipmi-node2", "node1", "off", "failed", "t")));
    assertEquals(
        "reboot of node2 successful: device=-, executor=-, completed='-'",
        StatusText.fencingLine(new ClusterStatus.FencingRecord("node2", null, null, "reboot", "success", null)));
  }

  @Test
  void quietClusterHasNoOptionalSections() {
    String expected =
        """
        Cluster Summary:
          * Cluster name: demo
          * Current DC: node1 - partition with quorum
          * 2 nodes configured
          * 1 resource instances configured

        Node List:
          * Online: [ node1 node2 ]

        Full List of Resources:
          * web1\t(domain):\t Started node2

        Migration Summary:
          * Node: node2:
            * web1: fail-count=1

        Failed Resource Actions:
          * web1 on node2: fail-count=1, failed operation 'monitor: domain web1 is SHUTOFF'
        """;
    assertEquals(expected, StatusText.render(StatusSamples.small()));
  }

  @Test
  void noControllerNoQuorumNoResources() {
    ClusterStatus s = new ClusterStatus(ClusterStatus.SCHEMA, "c", null, false, null, null, null, List.of());
    String expected =
        """
        Cluster Summary:
          * Cluster name: c
          * Current DC: NONE - partition WITHOUT quorum
          * 0 nodes configured
          * 0 resource instances configured

        Node List:

        Full List of Resources:
          * No resources
        """;
    assertEquals(expected, StatusText.render(s));
  }
}
