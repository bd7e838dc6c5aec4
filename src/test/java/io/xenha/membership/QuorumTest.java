package io.xenha.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Votes come from the configuration, never from the current membership; what a partition may do follows. */
class QuorumTest {

  static Quorum.Votes votes(int... perNode) {
    Map<String, Integer> v = new LinkedHashMap<>();
    for (int i = 0; i < perNode.length; i++) {
      v.put("node" + (i + 1), perNode[i]);
    }
    return new Quorum.Votes(v, false);
  }

  @Test
  void aMajorityOfTheConfiguredVotesHasQuorum() {
    Quorum.Votes three = votes(1, 1, 1);
    assertTrue(three.quorum(Set.of("node1", "node2")).quorate());
    assertEquals("partition with quorum (2 of 3 votes)", three.quorum(Set.of("node1", "node2")).partition());
    Quorum alone = three.quorum(Set.of("node1"));
    assertFalse(alone.quorate(), "one of three configured nodes, whatever the membership says");
    assertEquals("partition WITHOUT quorum (1 of 3 votes)", alone.partition());
    assertEquals(2, alone.needed());
  }

  @Test
  void anEvenSplitHasNoQuorumOnEitherSide() {
    Quorum.Votes four = votes(1, 1, 1, 1);
    assertFalse(four.quorum(Set.of("node1", "node2")).quorate());
    assertFalse(four.quorum(Set.of("node3", "node4")).quorate());
    assertTrue(four.quorum(Set.of("node1", "node2", "node3")).quorate());
  }

  @Test
  void nodesThatAreNotConfiguredCountNothing() {
    Quorum q = votes(1, 1, 1).quorum(Set.of("node1", "node4", "impostor"));
    assertEquals(1, q.present());
    assertEquals(Set.of("node1"), q.presentNodes());
    assertFalse(q.quorate());
  }

  @Test
  void perNodeVotesAreWeighed() {
    Quorum.Votes weighted = votes(3, 1, 1, 1, 1); // 7 votes, 4 needed
    assertTrue(weighted.quorum(Set.of("node1", "node2")).quorate(), "3 + 1 of 7");
    assertFalse(weighted.quorum(Set.of("node3", "node4", "node5")).quorate(), "3 of 7");
    assertEquals("4 of 7 votes", weighted.quorum(Set.of("node1", "node2")).describe());
    assertFalse(votes(0, 0).quorum(Set.of("node1", "node2")).quorate(), "no votes at all: never quorate");
  }

  @Test
  void twoNodeModeNeedsOneOfTwo() {
    Quorum.Votes two = new Quorum.Votes(Map.of("a", 1, "b", 1), true);
    assertTrue(two.quorum(Set.of("a")).quorate());
    assertFalse(two.quorum(Set.of()).quorate());
    assertFalse(votes(1, 1).quorum(Set.of("node1")).quorate(), "two nodes without two-node mode: 1 of 2 is no majority");
  }

  @Test
  void votesTravelThroughThePekkoConfiguration() {
    Quorum.Votes v = new Quorum.Votes(new LinkedHashMap<>(Map.of("n-1", 2)), Map.of("n-1", "10.0.0.1:2551"), false);
    Quorum.Votes back = Quorum.Votes.fromPekko(v.toPekko());
    assertEquals(v, back);
    assertTrue(back.at("n-1", "10.0.0.1:2551"));
    assertFalse(back.at("n-1", "10.0.0.1:2552"), "the configured node at another port is not that node");
    assertFalse(back.at("n-2", "10.0.0.1:2551"));
  }

  @Test
  void onlyAPartitionWithQuorumFencesOrStarts() {
    Quorum.Votes three = votes(1, 1, 1);
    Quorum majority = three.quorum(Set.of("node1", "node2"));
    Quorum minority = three.quorum(Set.of("node3"));
    assertEquals(PartitionPolicy.OnLost.FENCE, PartitionPolicy.onLost(majority, "stop", true));
    assertEquals(PartitionPolicy.OnLost.AWAIT_SELF_FENCE, PartitionPolicy.onLost(majority, "stop", false));
    for (String policy : List.of("stop", "freeze")) {
      assertEquals(PartitionPolicy.OnLost.HOLD, PartitionPolicy.onLost(minority, policy, true));
      assertFalse(PartitionPolicy.mayAct(minority, policy));
      assertFalse(PartitionPolicy.mayStartHere(minority, policy));
    }
    assertTrue(PartitionPolicy.mayAct(majority, "stop"));
    assertTrue(PartitionPolicy.mayAct(minority, "ignore"), "no-quorum-policy=ignore carries on, as in Pacemaker");
    assertEquals(PartitionPolicy.OnQuorumLoss.STOP_ALL, PartitionPolicy.onQuorumLoss("stop"));
    assertEquals(PartitionPolicy.OnQuorumLoss.FREEZE, PartitionPolicy.onQuorumLoss("freeze"));
    assertEquals(PartitionPolicy.OnQuorumLoss.CARRY_ON, PartitionPolicy.onQuorumLoss("ignore"));
  }

  @Test
  void startupFencingOnlyWithQuorumHeldForDcDeadtime() {
    Quorum.Votes three = votes(1, 1, 1);
    Quorum majority = three.quorum(Set.of("node1", "node2"));
    Duration dc = Duration.ofSeconds(60);
    assertFalse(PartitionPolicy.mayStartupFence(majority, Duration.ofSeconds(59), dc, true, true),
        "a node that joins within dc-deadtime of quorum is never fenced");
    assertTrue(PartitionPolicy.mayStartupFence(majority, Duration.ofSeconds(60), dc, true, true));
    assertFalse(PartitionPolicy.mayStartupFence(three.quorum(Set.of("node1")), Duration.ofMinutes(10), dc, true, true),
        "a partition without quorum fences nobody, however long it waited");
    assertFalse(PartitionPolicy.mayStartupFence(majority, null, dc, true, true));
    assertFalse(PartitionPolicy.mayStartupFence(majority, Duration.ofMinutes(10), dc, false, true), "stonith disabled");
    assertFalse(PartitionPolicy.mayStartupFence(majority, Duration.ofMinutes(10), dc, true, false), "startup-fencing off");
  }
}
