package io.xenha.status;

import java.util.List;

/**
 * `xenha history`: operation and fencing records merged from the journals of every node, newest first; missing
 * names each node whose history could not be read ("host2: no agent running, ...").
 */
public record History(List<HistoryRecord> records, List<String> missing) implements io.xenha.CborSerializable {}
