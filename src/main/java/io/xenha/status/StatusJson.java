package io.xenha.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.List;

/** Reads and writes {@link ClusterStatus} as the JSON of contract.md (`xenha status --json`). */
public final class StatusJson {

  // Records serialize in component order, so `schema` comes first without annotations.
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          // newer agents may add fields (schema rule: add, never rename): older readers skip them
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private StatusJson() {}

  /** Pretty JSON, `schema` first. */
  public static String toJson(ClusterStatus status) {
    try {
      return MAPPER.writeValueAsString(status);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the cluster status as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** Parses what {@link #toJson} wrote; throws IllegalArgumentException on bad input or an unknown schema. */
  public static ClusterStatus fromJson(String json) {
    ClusterStatus status;
    try {
      status = MAPPER.readValue(json, ClusterStatus.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a xenha status document: " + e.getOriginalMessage(), e);
    }
    if (status == null) throw new IllegalArgumentException("not a xenha status document: empty");
    if (status.schema() != ClusterStatus.SCHEMA) {
      throw new IllegalArgumentException(
          "status schema " + status.schema() + " is not supported (this xenha reads schema " + ClusterStatus.SCHEMA + ")");
    }
    return status;
  }

  /** Fencing records as a JSON array (`xenha history --json`, the Cluster bean's fencingHistory). */
  public static String fencingToJson(List<ClusterStatus.FencingRecord> records) {
    try {
      return MAPPER.writeValueAsString(records == null ? List.of() : records);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the fencing history as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** Parses what {@link #fencingToJson} wrote; throws IllegalArgumentException on bad input. */
  public static List<ClusterStatus.FencingRecord> fencingFromJson(String json) {
    try {
      List<ClusterStatus.FencingRecord> records =
          MAPPER.readValue(
              json,
              MAPPER.getTypeFactory().constructCollectionType(List.class, ClusterStatus.FencingRecord.class));
      return records == null ? List.of() : records;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a fencing history: " + e.getOriginalMessage(), e);
    }
  }

  /** The history as JSON: {"records": [...newest first], "missing": ["node: why", ...]} (`xenha history --json`). */
  public static String historyToJson(History history) {
    try {
      return MAPPER.writeValueAsString(history);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the history as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** Parses what {@link #historyToJson} wrote; throws IllegalArgumentException on bad input. */
  public static History historyFromJson(String json) {
    try {
      History h = MAPPER.readValue(json, History.class);
      if (h == null) throw new IllegalArgumentException("not a xenha history: empty");
      return new History(h.records() == null ? List.of() : h.records(), h.missing() == null ? List.of() : h.missing());
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a xenha history: " + e.getOriginalMessage(), e);
    }
  }
}
