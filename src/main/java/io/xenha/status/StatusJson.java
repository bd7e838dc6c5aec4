package io.xenha.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

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
}
