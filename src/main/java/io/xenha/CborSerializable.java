package io.xenha;

/** Marker for every message that crosses the cluster: bound to Jackson CBOR in reference.conf. */
public interface CborSerializable {}
