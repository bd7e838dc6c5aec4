package io.xenha.fencing;

import io.xenha.CborSerializable;

/**
 * One fencing attempt's outcome. {@code at} is an ISO-8601 instant. {@code superseded}: not carried out because the
 * incarnation it was meant for is gone and the node runs a new one (a restarted agent is never killed by a fence
 * decided against the lost one); not a success, and not a device failure either.
 */
public record FenceResult(String target, String device, String executor, String action, boolean ok, String reason,
    String at, boolean superseded) implements CborSerializable {

  public FenceResult(String target, String device, String executor, String action, boolean ok, String reason, String at) {
    this(target, device, executor, action, ok, reason, at, false);
  }

  /** How status and history name the outcome: success, failed or superseded. */
  public String result() {
    return ok ? "success" : superseded ? "superseded" : "failed";
  }
}
