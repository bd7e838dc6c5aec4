package io.xenha.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.xenha.controller.Controller;
import io.xenha.executor.NodeAgent;
import io.xenha.executor.NodeJournal;
import io.xenha.executor.NodeReport;
import io.xenha.executor.OpResult;
import io.xenha.fencing.FenceResult;
import io.xenha.status.ClusterStatus;
import io.xenha.status.History;
import io.xenha.status.HistoryRecord;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every message that crosses the cluster survives a round trip through the configured (Jackson CBOR) serializer. */
class MessageSerializationTest {

  static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("ser", ConfigFactory.parseString(
        "pekko.actor.provider = cluster\npekko.remote.artery.canonical.port = 0\npekko.remote.artery.canonical.hostname = 127.0.0.1")
        .withFallback(ConfigFactory.load()));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static Stream<Object> messages() {
    TestProbe<NodeAgent.Command> agent = testKit.createTestProbe();
    TestProbe<NodeReport> reports = testKit.createTestProbe();
    TestProbe<OpResult> ops = testKit.createTestProbe();
    TestProbe<FenceResult> fences = testKit.createTestProbe();
    TestProbe<ClusterStatus> statuses = testKit.createTestProbe();
    NodeReport report = new NodeReport("n1", "pekko://x@127.0.0.1:2551", agent.getRef(), 17L, 4L, false,
        Map.of("vm1", new NodeReport.LocalResource("started", 1, "start"), "vm2", new NodeReport.LocalResource("stopped", 0, null)),
        Map.of("n2", "member", "n3", "left"), Map.of("pingd", "100"));
    ClusterStatus status = new ClusterStatus(1, "demo", "n1", true,
        List.of(new ClusterStatus.NodeStatus("n1", "online", Map.of("pingd", 100), Map.of("memory", 1024L))),
        List.of(new ClusterStatus.ResourceStatus("vm1", "domain", "started", "n1", true, Map.of("n1", 0), null, null, "start")),
        List.of(new ClusterStatus.FencingRecord("n2", "fence", "n1", "reboot", "success", "2026-11-22T10:00:00Z")),
        List.of("a warning"));
    java.time.Instant at = java.time.Instant.parse("2026-11-22T10:00:00.123Z");
    NodeJournal.OperationRecorded op = new NodeJournal.OperationRecorded("vm1", "monitor", false, "domain crashed", at);
    HistoryRecord history = new HistoryRecord(at.toString(), HistoryRecord.OPERATION, "n1", "vm1", "monitor", null, "failed", "x");
    return Stream.of(
        new NodeAgent.Probe(reports.getRef()),
        new NodeAgent.StartResource("vm1", ops.getRef()),
        new NodeAgent.StopResource("vm1", ops.getRef()),
        new NodeAgent.FenceNode("n2", "fence", "reboot", fences.getRef()),
        new NodeAgent.StopAll(testKit.<org.apache.pekko.Done>createTestProbe().getRef()),
        new NodeAgent.MigrateResource("vm1", "n2", null, ops.getRef()),
        new NodeAgent.IncomingMigration("vm1"),
        new NodeAgent.AcceptMigration("vm1", "<domain type='test'><name>vm1</name></domain>", ops.getRef()),
        report,
        new NodeReport("n1", "pekko://x@127.0.0.1:2551", agent.getRef(), 17L, 5L, false,
            Map.of("vm1", new NodeReport.LocalResource("migrating", 1, "migrate_to", 1_795_000_000L)),
            Map.of(), Map.of(), Map.of("memory", 8192L, "vcpus", 4L), "0a1b2c"),
        new NodeAgent.ClearFailures("vm1"),
        new NodeAgent.ApplyOverrides(Map.of("node-standby/n2", "on"), testKit.<org.apache.pekko.Done>createTestProbe().getRef()),
        new Controller.AdminCommand(new io.xenha.controller.Admin.Request("resource-migrate", "vm1", "n2",
            java.time.Duration.ofMinutes(10)), testKit.<io.xenha.controller.Admin.Reply>createTestProbe().getRef()),
        new io.xenha.controller.Admin.Reply(false, "unknown node 'n9'"),
        new Controller.GetOverrides(testKit.<Controller.OverridesReply>createTestProbe().getRef()),
        new Controller.OverridesReply(Map.of("maintenance-mode", "true"), true),
        new OpResult("n1", "vm1", "start", true, "started", report),
        new FenceResult("n2", "fence", "n1", "reboot", false, "timed out", "2026-11-22T10:00:00Z"),
        new Controller.NodeReported(report),
        new Controller.GetStatus(statuses.getRef()),
        new Controller.Stop(),
        status,
        // the journal's events and snapshot state (Pekko Persistence stores them with the same serializer)
        new NodeAgent.History(testKit.<NodeAgent.HistoryReply>createTestProbe().getRef()),
        new NodeAgent.HistoryReply("n1", List.of(history)),
        new Controller.GetHistory("vm1", null, testKit.<History>createTestProbe().getRef()),
        new History(List.of(history), List.of("n2: no agent running")),
        op,
        new NodeJournal.FailCountChanged("vm1", List.of(at, at.plusSeconds(5)), true),
        new NodeJournal.FenceRecorded(new FenceResult("n2", "fence", "n1", "reboot", true, "ok", "2026-11-22T10:00:00Z")),
        new NodeJournal.State(Map.of("vm1", new NodeJournal.FailCount(List.of(at), false)), List.of(op),
            List.of(new FenceResult("n2", "fence", "n1", "reboot", true, "ok", "2026-11-22T10:00:00Z"))));
  }

  @ParameterizedTest
  @MethodSource("messages")
  void roundTrip(Object message) throws Exception {
    Serialization serialization = SerializationExtension.get(testKit.system());
    Serializer serializer = serialization.findSerializerFor(message);
    assertEquals("org.apache.pekko.serialization.jackson.JacksonCborSerializer", serializer.getClass().getName(),
        message.getClass() + " must use Jackson CBOR, never Java serialization");
    byte[] bytes = serialization.serialize(message).get();
    String manifest = Serializers.manifestFor(serializer, message);
    Object back = serialization.deserialize(bytes, serializer.identifier(), manifest).get();
    assertEquals(message, back);
  }
}
