package io.xenha.fencing;

import java.time.Duration;

/**
 * One kind of fence device (an agent from fence-agents, or a built-in): powers a target node off, on, or
 * reboots it, and reports whether the device itself works (monitor). Calls block: the caller runs them on the
 * blocking dispatcher. Outcomes never carry secrets.
 */
public interface FenceAgent {

  /** The result of one action. For off and reboot, a target that is already off counts as success. */
  record Outcome(boolean ok, String summary) {}

  /** action: reboot, off, on, status (ok = the target is on), monitor (ok = the device answers). */
  Outcome execute(String action, String target, Duration timeout) throws Exception;
}
