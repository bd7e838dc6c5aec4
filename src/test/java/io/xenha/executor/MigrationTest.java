package io.xenha.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.xenha.config.ConfigLoader;
import io.xenha.config.LoadResult;
import io.xenha.config.XenhaConfig;
import io.xenha.hypervisor.ForwardingHypervisor;
import io.xenha.hypervisor.Hypervisor;
import io.xenha.hypervisor.Hypervisors;
import io.xenha.hypervisor.TestLibvirt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live migration between two NodeAgents on libvirt's test driver (emulated: see LibvirtHypervisor.migrate): the
 * source forgets the domU without a stop, the target adopts it running; a failed migration is a failure on the
 * source, and each side reports what libvirt says there.
 */
class MigrationTest {

  static ActorTestKit testKit;
  static final Executor BLOCKING = Executors.newFixedThreadPool(4);
  static final Duration T = Duration.ofSeconds(10);

  @TempDir Path dir;
  XenhaConfig config;
  Hypervisor hvA;
  Hypervisor hvB;
  final List<Hypervisor.DomainEvent> eventsB = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startKit() {
    testKit = ActorTestKit.create(ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
  }

  @AfterAll
  static void stopKit() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() throws Exception {
    Files.writeString(dir.resolve("vm1.xml"), TestLibvirt.domainXml("vm1"));
    String uriA = TestLibvirt.nodeUri(Files.createDirectories(dir.resolve("a")));
    String uriB = TestLibvirt.nodeUri(Files.createDirectories(dir.resolve("b")));
    Path file = dir.resolve("x.conf");
    Files.writeString(file, """
        xenha {
          cluster-name = t
          nodes {
            a { address = "127.0.0.1:2551", hypervisor = "%s", jmx-port = 19111, state-dir = "%s/a" }
            b { address = "127.0.0.1:2552", hypervisor = "%s", jmx-port = 19112, state-dir = "%s/b" }
            c { address = "127.0.0.1:2553", hypervisor = "test:///nowhere/node.xml", jmx-port = 19113, state-dir = "%s/c" }
          }
          properties { migration-threshold = 3, failure-timeout = 10m }
          resource-defaults.ops.monitor { interval = 300ms, timeout = 2s }
          resources {
            vm1 { type = domain, domain-xml = "vm1.xml", allow-migrate = true, ops.migrate.timeout = 5s }
          }
        }
        """.formatted(uriA, dir, uriB, dir, dir));
    LoadResult r = ConfigLoader.load(file, Optional.empty());
    assertTrue(r.ok(), r.problems().toString());
    config = r.config().get();
    hvA = Hypervisors.open(uriA, BLOCKING);
    hvB = Hypervisors.open(uriB, BLOCKING);
    hvB.subscribe(eventsB::add);
  }

  @AfterEach
  void tearDown() {
    hvA.close();
    hvB.close();
  }

  ActorRef<NodeAgent.Command> agent(String node, Hypervisor hv, TestProbe<NodeReport> reports) {
    return testKit.spawn(NodeAgent.create(config, node, "local-" + node, hv, BLOCKING, reports.getRef(),
        new NodeAgent.Settings(Duration.ofMillis(50), Duration.ofMillis(200)), Clock.systemUTC()));
  }

  static List<String> active(Hypervisor hv) throws Exception {
    return hv.activeDomains(Duration.ofSeconds(5)).toCompletableFuture().get();
  }

  OpResult startOnA(ActorRef<NodeAgent.Command> a) {
    TestProbe<OpResult> ops = testKit.createTestProbe();
    a.tell(new NodeAgent.StartResource("vm1", ops.getRef()));
    OpResult started = ops.expectMessageClass(OpResult.class, T);
    assertTrue(started.ok(), started.toString());
    return started;
  }

  @Test
  void anAgentOnTheTestDriverDefinesAndStartsTheDomainAPeerMigratesToIt() throws Exception {
    ActorRef<NodeAgent.Command> b = agent("b", hvB, testKit.createTestProbe());
    TestProbe<OpResult> ops = testKit.createTestProbe();
    b.tell(new NodeAgent.AcceptMigration("vm1", TestLibvirt.domainXml("vm1"), ops.getRef()));
    OpResult accepted = ops.expectMessageClass(OpResult.class, T);
    assertTrue(accepted.ok(), accepted.toString());
    assertEquals(List.of("vm1"), active(hvB));
  }

  @Test
  void anAgentOnAnyOtherHypervisorNeverDefinesADomainOnAPeersWord() throws Exception {
    // not libvirt's test driver as far as the agent can tell (a real hypervisor migrates by itself)
    ActorRef<NodeAgent.Command> b = agent("b", new ForwardingHypervisor(hvB), testKit.createTestProbe());
    TestProbe<OpResult> ops = testKit.createTestProbe();
    b.tell(new NodeAgent.AcceptMigration("vm1", TestLibvirt.domainXml("vm1"), ops.getRef()));
    OpResult refused = ops.expectMessageClass(OpResult.class, T);
    assertFalse(refused.ok(), refused.toString());
    assertEquals(List.of(), active(hvB));
  }

  @Test
  void theSourceForgetsTheDomainWithoutAStopAndTheTargetAdoptsItRunning() throws Exception {
    TestProbe<NodeReport> reportsA = testKit.createTestProbe();
    TestProbe<NodeReport> reportsB = testKit.createTestProbe();
    ActorRef<NodeAgent.Command> a = agent("a", hvA, reportsA);
    ActorRef<NodeAgent.Command> b = agent("b", hvB, reportsB);
    startOnA(a);

    TestProbe<OpResult> ops = testKit.createTestProbe();
    b.tell(new NodeAgent.IncomingMigration("vm1"));
    a.tell(new NodeAgent.MigrateResource("vm1", "b", null, ops.getRef()));
    // while it runs the source reports it migrating (status: "migrating")
    reportsA.fishForMessage(T, rep -> "migrating".equals(rep.resources().get("vm1").state())
        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore());
    OpResult migrated = ops.expectMessageClass(OpResult.class, T);
    assertTrue(migrated.ok(), migrated.toString());
    assertEquals("migrate_to", migrated.operation());
    assertEquals("stopped", migrated.report().resources().get("vm1").state());
    assertEquals(0, migrated.report().resources().get("vm1").failCount());
    assertEquals(List.of(), active(hvA));
    assertEquals(List.of("vm1"), active(hvB));

    // the target's start adopts it: no second start, never stopped there
    b.tell(new NodeAgent.StartResource("vm1", ops.getRef()));
    OpResult adopted = ops.expectMessageClass(OpResult.class, T);
    assertTrue(adopted.ok(), adopted.toString());
    assertEquals("started", adopted.report().resources().get("vm1").state());
    assertEquals(1, eventsB.stream().filter(e -> e.type().equals("STARTED")).count(), eventsB.toString());
    assertTrue(eventsB.stream().noneMatch(e -> e.type().equals("STOPPED")), eventsB.toString());
    // and monitored there: destroyed behind its back, it is recovered in place on b
    hvB.destroy("vm1", Duration.ofSeconds(5)).toCompletableFuture().get();
    ops.awaitAssert(T, () -> {
      assertEquals(2, eventsB.stream().filter(e -> e.type().equals("STARTED")).count(), eventsB.toString());
      assertEquals(List.of("vm1"), active(hvB));
      return null;
    });
    assertEquals(List.of(), active(hvA));
  }

  @Test
  void aFailedMigrationIsAFailureOnTheSourceWhereTheDomainStaysMonitored() throws Exception {
    TestProbe<NodeReport> reportsA = testKit.createTestProbe();
    ActorRef<NodeAgent.Command> a = agent("a", hvA, reportsA);
    startOnA(a);
    TestProbe<OpResult> ops = testKit.createTestProbe();
    // c's hypervisor does not exist: the migration fails before anything moved
    a.tell(new NodeAgent.MigrateResource("vm1", "c", null, ops.getRef()));
    OpResult failed = ops.expectMessageClass(OpResult.class, T);
    assertFalse(failed.ok(), failed.toString());
    NodeReport.LocalResource vm1 = failed.report().resources().get("vm1");
    assertEquals("started", vm1.state());
    assertEquals(1, vm1.failCount());
    assertTrue(vm1.lastFailure() > 0, vm1.toString());
    assertEquals(List.of("vm1"), active(hvA));
    // still monitored: lost, it is recovered in place
    hvA.destroy("vm1", Duration.ofSeconds(5)).toCompletableFuture().get();
    ops.awaitAssert(T, () -> {
      assertEquals(List.of("vm1"), active(hvA));
      return null;
    });
  }

  @Test
  void aMigrationThatFailsAfterTheDomainMovedIsReportedWhereItRuns() throws Exception {
    // the hypervisor moves the domain but reports an error (e.g. the confirmation step timed out)
    Hypervisor lying = new ForwardingHypervisor(hvA) {
      @Override
      public CompletionStage<Void> migrate(String name, String targetUri, Duration timeout) {
        return hvA.migrate(name, targetUri, timeout)
            .thenCompose(v -> CompletableFuture.failedFuture(new IllegalStateException("confirmation lost")));
      }
    };
    TestProbe<NodeReport> reportsA = testKit.createTestProbe();
    TestProbe<NodeReport> reportsB = testKit.createTestProbe();
    ActorRef<NodeAgent.Command> a = agent("a", lying, reportsA);
    ActorRef<NodeAgent.Command> b = agent("b", hvB, reportsB);
    startOnA(a);
    TestProbe<OpResult> ops = testKit.createTestProbe();
    a.tell(new NodeAgent.MigrateResource("vm1", "b", null, ops.getRef()));
    OpResult failed = ops.expectMessageClass(OpResult.class, T);
    assertFalse(failed.ok(), failed.toString());
    // the source says truthfully that it no longer runs there, and counts the failure
    assertEquals("stopped", failed.report().resources().get("vm1").state());
    assertEquals(1, failed.report().resources().get("vm1").failCount());
    // the target's probe (the Controller probes both after a failed migration) finds and adopts it
    TestProbe<NodeReport> probe = testKit.createTestProbe();
    b.tell(new NodeAgent.Probe(probe.getRef()));
    assertEquals("started", probe.expectMessageClass(NodeReport.class, T).resources().get("vm1").state());
    assertEquals(List.of("vm1"), active(hvB));
    assertEquals(List.of(), active(hvA));
  }

  @Test
  void theDomainActorMigratesAndStopsWithoutStoppingTheDomain() throws Exception {
    TestProbe<DomainActor.Report> reports = testKit.createTestProbe();
    ActorRef<DomainActor.Command> actor = testKit.spawn(DomainActor.create(config.resources().get("vm1"), hvA, reports.getRef()));
    assertEquals(new DomainActor.Started("vm1", false), reports.expectMessageClass(DomainActor.Started.class, T));
    actor.tell(new DomainActor.Migrate(hvB.uri(), reports.getRef()));
    assertEquals(new DomainActor.Migrated("vm1"), reports.expectMessageClass(DomainActor.Migrated.class, T));
    reports.expectTerminated(actor, T);
    assertEquals(List.of("vm1"), active(hvB));
    assertEquals(List.of(), active(hvA));
  }

  @Test
  void theDomainActorKeepsMonitoringAfterAFailedMigration() throws Exception {
    TestProbe<DomainActor.Report> reports = testKit.createTestProbe();
    ActorRef<DomainActor.Command> actor = testKit.spawn(DomainActor.create(config.resources().get("vm1"), hvA, reports.getRef()));
    reports.expectMessageClass(DomainActor.Started.class, T);
    actor.tell(new DomainActor.Migrate("test:///nowhere/node.xml", reports.getRef()));
    DomainActor.MigrateFailed failed = reports.expectMessageClass(DomainActor.MigrateFailed.class, T);
    assertTrue(failed.stillHere(), failed.toString());
    // monitoring again: the domain lost is reported
    hvA.destroy("vm1", Duration.ofSeconds(5)).toCompletableFuture().get();
    reports.expectMessageClass(DomainActor.MonitorFailed.class, T);
  }

  @Test
  void aDomainMigratedAwayBehindXenhasBackIsNotStartedHereAgain() throws Exception {
    TestProbe<DomainActor.Report> reports = testKit.createTestProbe();
    ActorRef<DomainActor.Command> actor = testKit.spawn(DomainActor.create(config.resources().get("vm1"), hvA, reports.getRef()));
    reports.expectMessageClass(DomainActor.Started.class, T);
    // what libvirt says on the source when `virsh migrate` moved it: restarting it here would run it twice, so
    // the actor stops without failing (no recovery in place) and without touching the domain
    actor.tell(new DomainActor.LifecycleEvent(new Hypervisor.DomainEvent("vm1", "STOPPED", "MIGRATED")));
    assertEquals(new DomainActor.Migrated("vm1"), reports.expectMessageClass(DomainActor.Migrated.class, T));
    reports.expectTerminated(actor, T);
    reports.expectNoMessage(Duration.ofMillis(500));
  }
}
