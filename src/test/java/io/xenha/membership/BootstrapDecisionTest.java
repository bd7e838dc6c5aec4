package io.xenha.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A starting agent joins a running cluster, forms one only with a quorum that agrees, and otherwise waits. */
class BootstrapDecisionTest {

  static final Quorum.Votes THREE = QuorumTest.votes(1, 1, 1);
  static final BootstrapDecision.PeerView SEEKING_1 = seeking("node1");

  static BootstrapDecision.PeerView seeking(String choice) {
    return new BootstrapDecision.PeerView(false, List.of(), choice);
  }

  static BootstrapDecision.PeerView member(String... addresses) {
    return new BootstrapDecision.PeerView(true, List.of(addresses), null);
  }

  @Test
  void aNodeAloneNeverFormsAClusterOfOne() {
    for (String self : List.of("node1", "node2", "node3")) {
      BootstrapDecision d = BootstrapDecision.decide(self, THREE, Map.of());
      BootstrapDecision.Wait w = assertInstanceOf(BootstrapDecision.Wait.class, d, self);
      assertEquals("waiting for quorum: sees [" + self + "] (1 of 3 votes, 2 needed to form a cluster)", w.why());
    }
  }

  @Test
  void theFirstListedRestartingJoinsTheRunningClusterOfTheOthers() {
    BootstrapDecision d = BootstrapDecision.decide("node1", THREE, Map.of(
        "node2", member("pekko://c@h2:2551", "pekko://c@h3:2551"),
        "node3", member("pekko://c@h3:2551", "pekko://c@h2:2551")));
    assertEquals(new BootstrapDecision.Join(List.of("pekko://c@h2:2551", "pekko://c@h3:2551")), d);
  }

  @Test
  void aRunningClusterWinsOverFormingANewOne() {
    // node3 sees node1 seeking and node2 in a cluster: it joins node2's even though node1 + node3 are a quorum
    BootstrapDecision d = BootstrapDecision.decide("node3", THREE, Map.of("node1", SEEKING_1, "node2", member("pekko://c@h2:2551")));
    assertInstanceOf(BootstrapDecision.Join.class, d);
  }

  /**
   * Replays the lab's two clusters (5 nodes, load average 24): node2 had heard of node1's running cluster and was
   * joining it; node1's answer was late, and node3..node5, which had not heard of node1's cluster yet, named node2.
   * node2 formed a second cluster. It must go on joining the cluster it heard of.
   */
  @Test
  void aNodeJoiningARunningClusterDoesNotFormAnotherWhenItsMembersAnswerLate() {
    Quorum.Votes five = QuorumTest.votes(1, 1, 1, 1, 1);
    Map<String, BootstrapDecision.PeerView> answers = Map.of(
        "node3", seeking("node2"), "node4", seeking("node2"), "node5", seeking("node2"));
    assertInstanceOf(BootstrapDecision.Form.class, BootstrapDecision.decide("node2", five, answers, null, List.of()),
        "with no cluster heard of, the quorum that names node2 lets it form");
    assertEquals(new BootstrapDecision.Join(List.of("pekko://c@h1:2551")),
        BootstrapDecision.decide("node2", five, answers, null, List.of("pekko://c@h1:2551")));
  }

  @Test
  void theFirstOfAQuorumFormsOnceTheOthersNameIt() {
    Map<String, BootstrapDecision.PeerView> answers = new HashMap<>();
    answers.put("node2", seeking("node2")); // node2 has not heard of node1 yet
    assertEquals(new BootstrapDecision.Wait("waiting for node2 to agree that node1 forms the cluster (2 of 3 votes seen)"),
        BootstrapDecision.decide("node1", THREE, answers));
    answers.put("node2", SEEKING_1);
    BootstrapDecision.Form f = assertInstanceOf(BootstrapDecision.Form.class, BootstrapDecision.decide("node1", THREE, answers));
    assertEquals(Set.of("node1", "node2"), f.with());
    assertEquals("2 of 3 votes", f.quorum().describe());
  }

  @Test
  void theOthersWaitForTheFirstToForm() {
    BootstrapDecision d = BootstrapDecision.decide("node3", THREE, Map.of("node2", SEEKING_1));
    assertEquals(new BootstrapDecision.Wait("waiting for node2 to form the cluster (it comes first in the configuration)"), d);
    // node1 is down: node2 is the first of the seekers and forms with node3
    assertInstanceOf(BootstrapDecision.Form.class, BootstrapDecision.decide("node2", THREE, Map.of("node3", seeking("node2"))));
  }

  @Test
  void inEveryOrderOfArrivalExactlyOneNodeForms() {
    // every subset of answers node1..3 could have: only the first seeker forms, and only with a quorum naming it
    List<String> nodes = List.of("node1", "node2", "node3");
    for (int mask = 0; mask < 8; mask++) {
      Set<String> up = new java.util.TreeSet<>();
      for (int i = 0; i < 3; i++) {
        if ((mask & (1 << i)) != 0) up.add(nodes.get(i));
      }
      int forming = 0;
      for (String self : up) {
        Map<String, BootstrapDecision.PeerView> answers = new LinkedHashMap<>();
        String first = BootstrapDecision.choice(THREE, up);
        for (String peer : up) {
          if (!peer.equals(self)) answers.put(peer, seeking(first));
        }
        if (BootstrapDecision.decide(self, THREE, answers) instanceof BootstrapDecision.Form) forming++;
      }
      assertEquals(up.size() >= 2 ? 1 : 0, forming, "nodes up: " + up);
    }
  }

  /**
   * Seen in QuorumIT under load: node2 formed with node3's word while node1 (listed first, its JVM slower) was not up;
   * node3 then named node1, which formed too: two clusters. A vote now sticks to the node it was given to while that
   * node means to form, and follows it when it defers.
   */
  @Test
  void aVoteSticksToTheNodeItWasGivenToAndFollowsItWhenItDefers() {
    Map<String, BootstrapDecision.PeerView> seen = Map.of("node1", SEEKING_1, "node2", seeking("node2"));
    // node3 named node2 before node1 came up: node2 still means to form, so node3 still names node2
    assertEquals("node2", BootstrapDecision.choice("node3", THREE, seen, "node2"));
    assertEquals(new BootstrapDecision.Wait("waiting for node2 to form the cluster (it comes first in the configuration)"),
        BootstrapDecision.decide("node3", THREE, seen, "node2"));
    // node1 therefore cannot form with node3's word
    BootstrapDecision first = BootstrapDecision.decide("node1", THREE,
        Map.of("node2", seeking("node2"), "node3", seeking("node2")));
    assertInstanceOf(BootstrapDecision.Wait.class, first);
    // node2 hears of node1 and defers to it: node3 follows, node1 forms with both
    assertEquals("node1", BootstrapDecision.choice("node3", THREE, Map.of("node1", SEEKING_1, "node2", SEEKING_1), "node2"));
    assertInstanceOf(BootstrapDecision.Form.class, BootstrapDecision.decide("node1", THREE,
        Map.of("node2", SEEKING_1, "node3", SEEKING_1)));
    // node2 formed first: it answers as a member, and everybody joins it
    assertInstanceOf(BootstrapDecision.Join.class, BootstrapDecision.decide("node1", THREE,
        Map.of("node2", member("pekko://c@h2:2551"), "node3", seeking("node2"))));
    // the node named last is gone: the vote goes to the first node looking for a cluster again
    assertEquals("node1", BootstrapDecision.choice("node3", THREE, Map.of("node1", SEEKING_1), "node2"));
  }

  @Test
  void twoNodeModeWaitsForBothNodesOnce() {
    Map<String, Integer> ab = new LinkedHashMap<>();
    ab.put("a", 1);
    ab.put("b", 1);
    Quorum.Votes two = new Quorum.Votes(ab, true);
    BootstrapDecision.Wait w = assertInstanceOf(BootstrapDecision.Wait.class, BootstrapDecision.decide("a", two, Map.of()));
    assertTrue(w.why().contains("both nodes (two-node mode, wait_for_all)"), w.why());
    assertInstanceOf(BootstrapDecision.Form.class, BootstrapDecision.decide("a", two, Map.of("b", seeking("a"))));
    // the other node survived and runs the cluster: join it, alone
    assertInstanceOf(BootstrapDecision.Join.class, BootstrapDecision.decide("a", two, Map.of("b", member("pekko://c@b:2551"))));
  }
}
