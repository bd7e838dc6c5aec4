package io.xenha.status;

/**
 * One line of `xenha history`: an operation a node ran on a resource (kind "operation": start, stop, monitor,
 * probe) or a fencing attempt it executed (kind "fencing": node is the executor, resource the device, operation
 * the fence action, target the fenced node; null for operations). at: ISO-8601; result: "ok" or "failed".
 */
public record HistoryRecord(
    String at, String kind, String node, String resource, String operation, String target, String result,
    String reason) implements io.xenha.CborSerializable {

  public static final String OPERATION = "operation";
  public static final String FENCING = "fencing";

  /** Part of the history of {@code resource} and/or {@code node} (null: any); a fence counts for its target too. */
  public boolean concerns(String resource, String node) {
    boolean r = resource == null || resource.equals(this.resource);
    boolean n = node == null || node.equals(this.node) || node.equals(this.target);
    return r && n;
  }

  /** Sorted by time, newest first; records without a readable time last. */
  public static java.util.List<HistoryRecord> newestFirst(java.util.List<HistoryRecord> records) {
    java.util.List<HistoryRecord> sorted = new java.util.ArrayList<>(records);
    sorted.sort(java.util.Comparator.comparing(HistoryRecord::time, java.util.Comparator.reverseOrder()));
    return java.util.List.copyOf(sorted);
  }

  private java.time.Instant time() {
    try {
      return at == null ? java.time.Instant.MIN : java.time.Instant.parse(at);
    } catch (java.time.format.DateTimeParseException e) {
      return java.time.Instant.MIN;
    }
  }
}
