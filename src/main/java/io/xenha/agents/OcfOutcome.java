package io.xenha.agents;

import java.time.Duration;

/**
 * The result of one OCF agent action: its meaning, the raw exit code (-1 when killed at the timeout), the action, a
 * one-line summary for the history (never containing a secret parameter value) and how long the agent ran.
 */
public record OcfOutcome(OcfResult result, int exitCode, String action, String summary, Duration took) {

  /** Exit 0: the action did what it was asked (for monitor: the resource runs). */
  public boolean ok() {
    return result == OcfResult.SUCCESS;
  }
}
