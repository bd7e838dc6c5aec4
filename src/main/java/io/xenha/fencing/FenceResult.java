package io.xenha.fencing;

import io.xenha.CborSerializable;

/** One fencing attempt's outcome. {@code at} is an ISO-8601 instant. */
public record FenceResult(String target, String device, String executor, String action, boolean ok, String reason, String at)
    implements CborSerializable {}
