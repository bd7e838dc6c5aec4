package io.xenha.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusJsonTest {

  @Test
  void roundTrip() {
    ClusterStatus s = StatusSamples.busy();
    assertEquals(s, StatusJson.fromJson(StatusJson.toJson(s)));
    assertEquals(StatusSamples.small(), StatusJson.fromJson(StatusJson.toJson(StatusSamples.small())));
  }

  @Test
  void schemaFirstCloneNamedAsContractAndNullsLeftOut() {
    String json = StatusJson.toJson(StatusSamples.busy());
    assertTrue(json.startsWith("{\n  \"schema\" : 1,\n  \"cluster\" : \"hasi\""), json);
    assertTrue(json.contains("\"clone\" : true"), json);
    assertFalse(json.contains("isClone"), json);
    assertFalse(json.contains("null"), json);
  }

  @Test
  void readsTheContractExample() {
    String json =
        """
        {
          "schema": 1,
          "cluster": "hasi",
          "controller": "host1",
          "quorum": true,
          "nodes": [
            { "name": "host1", "state": "online", "attributes": { "pingd": 100 },
              "utilization": { "memory": 16384, "vcpus": 8 } }
          ],
          "resources": [
            { "id": "nfs", "type": "domain", "state": "started", "node": "host1",
              "managed": true, "failCounts": { "host1": 0 } },
            { "id": "pingd", "type": "builtin", "clone": true,
              "instances": [ { "node": "host1", "state": "started" }, { "node": "host2", "state": "started" } ] }
          ],
          "fencing": [
            { "target": "host2", "device": "ilo-host2", "executor": "host1", "action": "reboot",
              "result": "success", "at": "2026-11-22T10:00:00Z" }
          ],
          "someFieldOfALaterVersion": 42
        }
        """;
    ClusterStatus s = StatusJson.fromJson(json);
    assertEquals("host1", s.controller());
    assertEquals(100, s.nodes().get(0).attributes().get("pingd"));
    assertEquals(Map.of("memory", 16384L, "vcpus", 8L), s.nodes().get(0).utilization());
    assertEquals(Boolean.TRUE, s.resources().get(1).isClone());
    assertEquals(2, s.resources().get(1).instances().size());
    assertEquals(Map.of("host1", 0), s.resources().get(0).failCounts());
    assertEquals("ilo-host2", s.fencing().get(0).device());
    assertEquals(List.of(), s.warnings() == null ? List.of() : s.warnings());
  }

  @Test
  void refusesOtherSchemasAndGarbage() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> StatusJson.fromJson("{\"schema\": 2, \"cluster\": \"x\"}"));
    assertTrue(e.getMessage().contains("schema 2"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> StatusJson.fromJson("not json"));
  }

  @Test
  void fencingHistoryArray() {
    List<ClusterStatus.FencingRecord> records = StatusSamples.busy().fencing();
    String json = StatusJson.fencingToJson(records);
    assertTrue(json.startsWith("[ {\n  \"target\" : \"node6\""), json);
    assertEquals(records, StatusJson.fencingFromJson(json));
    assertEquals("[ ]", StatusJson.fencingToJson(List.of()));
    // fields without a value are left out, as in the status
    String partial = StatusJson.fencingToJson(List.of(new ClusterStatus.FencingRecord("n", null, null, "off", "failed", null)));
    assertFalse(partial.contains("null"), partial);
    assertThrows(IllegalArgumentException.class, () -> StatusJson.fencingFromJson("{}"));
  }
}
