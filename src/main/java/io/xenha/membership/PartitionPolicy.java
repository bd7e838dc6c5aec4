package io.xenha.membership;

import java.time.Duration;

/**
 * What a partition may do, decided from its {@link Quorum} alone (Pacemaker's rules, corosync's votes): only a
 * partition with quorum fences, starts, moves or recovers anything; one without quorum does what
 * no-quorum-policy says with what runs on it and fences nobody. Pure: the Controller and every NodeAgent ask it.
 */
public final class PartitionPolicy {

  private PartitionPolicy() {}

  /** What the Controller does about a node its failure detector has lost (unreachable, not yet removed). */
  public enum OnLost {
    /** Quorate with fencing: the node is UNCLEAN and fenced at once; its resources start elsewhere once confirmed. */
    FENCE,
    /** Quorate without fencing: its resources start elsewhere once the self-fence deadline has passed. */
    AWAIT_SELF_FENCE,
    /** Not quorate: nothing is fenced or recovered; the partition with quorum (if any) decides. */
    HOLD
  }

  /** What an agent does with its own resources when its partition loses quorum (no-quorum-policy). */
  public enum OnQuorumLoss {
    /** stop: every resource here is stopped, nothing is started until quorum is back. */
    STOP_ALL,
    /** freeze: what runs keeps running, nothing is started. */
    FREEZE,
    /** ignore: carry on as if quorate. */
    CARRY_ON
  }

  /** Whether a partition may plan at all: start, move, recover and fence (no-quorum-policy=ignore: always). */
  public static boolean mayAct(Quorum quorum, String noQuorumPolicy) {
    return quorum.quorate() || "ignore".equals(noQuorumPolicy);
  }

  /** The decision about a lost node. */
  public static OnLost onLost(Quorum quorum, String noQuorumPolicy, boolean stonithEnabled) {
    if (!mayAct(quorum, noQuorumPolicy)) {
      return OnLost.HOLD;
    }
    return stonithEnabled ? OnLost.FENCE : OnLost.AWAIT_SELF_FENCE;
  }

  /**
   * Whether a node never seen since the cluster started may be fenced now (startup-fencing): only with fencing and
   * startup-fencing on, only by a partition that has held quorum for dc-deadtime. A slow node that joins before
   * then is not fenced; a partition that loses quorum while it waits fences nobody (its clock starts again).
   */
  public static boolean mayStartupFence(Quorum quorum, Duration quorateFor, Duration dcDeadtime, boolean stonithEnabled,
      boolean startupFencing) {
    return stonithEnabled && startupFencing && quorum.quorate() && quorateFor != null
        && quorateFor.compareTo(dcDeadtime) >= 0;
  }

  public static OnQuorumLoss onQuorumLoss(String noQuorumPolicy) {
    return switch (noQuorumPolicy) {
      case "freeze" -> OnQuorumLoss.FREEZE;
      case "ignore" -> OnQuorumLoss.CARRY_ON;
      default -> OnQuorumLoss.STOP_ALL;
    };
  }

  /** Whether an agent may start a resource here: never without quorum unless no-quorum-policy=ignore. */
  public static boolean mayStartHere(Quorum quorum, String noQuorumPolicy) {
    return mayAct(quorum, noQuorumPolicy);
  }
}
