package io.xenha.agents;

/** Pacemaker's meaning of OCF exit codes. */
public enum OcfResult {
  SUCCESS(0),
  ERR_GENERIC(1),
  ERR_ARGS(2),
  ERR_UNIMPLEMENTED(3),
  ERR_PERM(4),
  ERR_INSTALLED(5),
  ERR_CONFIGURED(6),
  NOT_RUNNING(7),
  RUNNING_PROMOTED(8),
  FAILED_PROMOTED(9),
  /** The agent did not finish within its timeout and was killed (no exit code of its own). */
  TIMED_OUT(-1),
  /** An exit code OCF does not define (42, or 128+n when a signal killed the agent): a soft error, like 1. */
  UNKNOWN(-2);

  private final int code;

  OcfResult(int code) {
    this.code = code;
  }

  /** The OCF exit code; -1 for TIMED_OUT and -2 for UNKNOWN, which stand for no defined code. */
  public int code() {
    return code;
  }

  /** The result an agent's exit code means; never TIMED_OUT (only the runner knows that). */
  public static OcfResult of(int exit) {
    return exit >= 0 && exit <= 9 ? values()[exit] : UNKNOWN;
  }

  /**
   * 2 (bad arguments), 5 (not installed), 6 (not configured): retrying on this node cannot help, so the resource is
   * banned from the node at once instead of being restarted in place (Pacemaker: a "hard" / fatal error).
   */
  public boolean hard() {
    return this == ERR_ARGS || this == ERR_INSTALLED || this == ERR_CONFIGURED;
  }
}
