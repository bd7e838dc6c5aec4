package io.xenha.executor;

import io.xenha.CborSerializable;

/** The outcome of a start or stop on one node, with the node's report taken right after it. */
public record OpResult(String node, String resourceId, String operation, boolean ok, String reason, NodeReport report)
    implements CborSerializable {}
