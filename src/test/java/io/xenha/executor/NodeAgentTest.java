package io.xenha.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.xenha.config.ConfigLoader;
import io.xenha.config.LoadResult;
import io.xenha.config.Overrides;
import io.xenha.config.XenhaConfig;
import io.xenha.fencing.FenceResult;
import io.xenha.hypervisor.Hypervisor;
import io.xenha.hypervisor.Hypervisors;
import io.xenha.hypervisor.TestLibvirt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

/** The NodeAgent on libvirt's test driver: start/stop, probe and adoption, exhausted restarts, builtin:kill fencing. */
class NodeAgentTest {

  static ActorTestKit testKit;
  static final Executor BLOCKING = Executors.newFixedThreadPool(4);

  @TempDir Path dir;
  XenhaConfig config;
  Hypervisor hv;

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
    Files.writeString(dir.resolve("vm2.xml"), TestLibvirt.domainXml("vm2"));
    config = config("""
        fence { type = stonith, agent = "builtin:kill", params { process-match = sleep } }
        outer { type = stonith, agent = "builtin:libvirt", hosts = [b], params { uri = "test://%s/outer.xml" } }
        pool { type = ocf, agent = "heartbeat:Dummy", clone {} }
        """.formatted(dir));
    hv = Hypervisors.open(TestLibvirt.nodeUri(dir), BLOCKING);
  }

  /** Two nodes a and b, the domUs vm1 and vm2, and these resources besides. */
  XenhaConfig config(String moreResources) throws Exception {
    Path file = dir.resolve("x.conf");
    Files.writeString(file, """
        xenha {
          cluster-name = t
          nodes {
            a { address = "127.0.0.1:2551", jmx-port = 19101, state-dir = "%s/a" }
            b { address = "127.0.0.1:2552", jmx-port = 19102, state-dir = "%s/b" }
          }
          properties { migration-threshold = 3, failure-timeout = 10m }
          resource-defaults.ops.monitor { interval = 300ms, timeout = 2s }
          resources {
            vm1 { type = domain, domain-xml = "vm1.xml" }
            vm2 { type = domain, domain-xml = "vm2.xml" }
            %s
          }
        }
        """.formatted(dir, dir, moreResources));
    LoadResult r = ConfigLoader.load(file, Optional.empty());
    assertTrue(r.ok(), r.problems().toString());
    return r.config().get();
  }

  @AfterEach
  void tearDown() {
    hv.close();
  }

  ActorRef<NodeAgent.Command> agent(TestProbe<NodeReport> reports) {
    return testKit.spawn(NodeAgent.create(config, "a", "local", hv, BLOCKING, reports.getRef(),
        new NodeAgent.Settings(Duration.ofMillis(50), Duration.ofMillis(200)), Clock.systemUTC()));
  }

  List<String> active() throws Exception {
    return hv.activeDomains(Duration.ofSeconds(5)).toCompletableFuture().get();
  }

  @Test
  void startsAndStopsADomain() throws Exception {
    TestProbe<NodeReport> reports = testKit.createTestProbe();
    TestProbe<OpResult> ops = testKit.createTestProbe();
    ActorRef<NodeAgent.Command> agent = agent(reports);
    agent.tell(new NodeAgent.StartResource("vm1", ops.getRef()));
    OpResult started = ops.expectMessageClass(OpResult.class, Duration.ofSeconds(10));
    assertTrue(started.ok(), started.toString());
    assertEquals("started", started.report().resources().get("vm1").state());
    assertEquals(List.of("vm1"), active());
    agent.tell(new NodeAgent.StopResource("vm1", ops.getRef()));
    OpResult stopped = ops.expectMessageClass(OpResult.class, Duration.ofSeconds(10));
    assertTrue(stopped.ok(), stopped.toString());
    assertEquals("stopped", stopped.report().resources().get("vm1").state());
    assertEquals(List.of(), active());
  }

  @Test
  void probeReportsAndAdoptsWhatLibvirtRuns() throws Exception {
    hv.start("vm2", TestLibvirt.domainXml("vm2"), Duration.ofSeconds(5)).toCompletableFuture().get();
    TestProbe<NodeReport> reports = testKit.createTestProbe();
    ActorRef<NodeAgent.Command> agent = agent(reports);
    TestProbe<NodeReport> probe = testKit.createTestProbe();
    agent.tell(new NodeAgent.Probe(probe.getRef()));
    NodeReport r = probe.expectMessageClass(NodeReport.class, Duration.ofSeconds(10));
    assertEquals("started", r.resources().get("vm2").state());
    assertEquals("stopped", r.resources().get("vm1").state());
    // adopted once its actor has looked (history: probe, already running): monitored from now on, so destroying it
    // behind our back is recovered in place
    TestProbe<NodeAgent.HistoryReply> history = testKit.createTestProbe();
    history.awaitAssert(Duration.ofSeconds(10), () -> {
      agent.tell(new NodeAgent.History(history.getRef()));
      assertTrue(history.expectMessageClass(NodeAgent.HistoryReply.class).records().stream()
          .anyMatch(h -> h.resource().equals("vm2") && h.operation().equals("probe") && h.result().equals("ok")));
      return null;
    });
    hv.destroy("vm2", Duration.ofSeconds(5)).toCompletableFuture().get();
    probe.awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(List.of("vm2"), active());
      return null;
    });
  }

  @Test
  void exhaustedRestartsAreReportedFailedAndTheDomainIsDown() throws Exception {
    TestProbe<NodeReport> reports = testKit.createTestProbe();
    TestProbe<OpResult> ops = testKit.createTestProbe();
    ActorRef<NodeAgent.Command> agent = agent(reports);
    agent.tell(new NodeAgent.StartResource("vm1", ops.getRef()));
    assertTrue(ops.expectMessageClass(OpResult.class, Duration.ofSeconds(10)).ok());
    for (int i = 1; i <= 3; i++) {
      // wait for the domU to be up (recovered) before killing it again
      reports.awaitAssert(Duration.ofSeconds(10), () -> {
        assertEquals(List.of("vm1"), active());
        return null;
      });
      hv.destroy("vm1", Duration.ofSeconds(5)).toCompletableFuture().get();
      final int failures = i;
      NodeReport r = reports.fishForMessage(Duration.ofSeconds(10), m ->
          m.resources().get("vm1").failCount() >= failures
              ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
              : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore()).get(0);
      assertEquals(failures, r.resources().get("vm1").failCount());
    }
    NodeReport failed = reports.fishForMessage(Duration.ofSeconds(10), m ->
        m.resources().get("vm1").state().equals("failed")
            ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
            : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore()).get(0);
    assertEquals(3, failed.resources().get("vm1").failCount());
    assertFalse(failed.resources().get("vm1").possiblyActive());
    assertEquals(List.of(), active(), "a domU given up on is destroyed");
  }

  /**
   * #17: a group's migration-threshold binds its members here as it does in the scheduler (Pacemaker: a member
   * without its own value takes its group's). With the group's threshold of 1 the first failure is final: no restart
   * in place, whatever the cluster's default (3). The executor used to read only the member's own value.
   */
  @Test
  void aGroupsMigrationThresholdBindsItsMembersRestarts() throws Exception {
    config = config("g { type = group, members = [vm1, vm2], migration-threshold = 1 }");
    assertEquals(1, config.migrationThreshold(config.resources().get("vm1")));

    TestProbe<NodeReport> reports = testKit.createTestProbe();
    TestProbe<OpResult> ops = testKit.createTestProbe();
    ActorRef<NodeAgent.Command> agent = agent(reports);
    agent.tell(new NodeAgent.StartResource("vm1", ops.getRef()));
    assertTrue(ops.expectMessageClass(OpResult.class, Duration.ofSeconds(10)).ok());
    hv.destroy("vm1", Duration.ofSeconds(5)).toCompletableFuture().get();
    NodeReport failed = reports.fishForMessage(Duration.ofSeconds(10), m ->
        m.resources().get("vm1").state().equals("failed")
            ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
            : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore()).get(0);
    assertEquals(1, failed.resources().get("vm1").failCount());
    assertEquals(List.of(), active(), "not restarted in place");
  }

  @Test
  void fencesAnotherNodeByKillingItsProcess() throws Exception {
    Process standIn = new ProcessBuilder("sleep", "600").start();
    try {
      Files.createDirectories(dir.resolve("b"));
      Files.writeString(dir.resolve("b").resolve("xenha.pid"), standIn.pid() + "\n");
      ActorRef<NodeAgent.Command> agent = agent(testKit.createTestProbe());
      TestProbe<FenceResult> fence = testKit.createTestProbe();
      agent.tell(new NodeAgent.FenceNode("b", "fence", "reboot", fence.getRef()));
      FenceResult r = fence.expectMessageClass(FenceResult.class, Duration.ofSeconds(15));
      assertTrue(r.ok(), r.toString());
      assertFalse(standIn.isAlive(), "the target's process is dead");
      // already dead counts as success
      agent.tell(new NodeAgent.FenceNode("b", "fence", "reboot", fence.getRef()));
      assertTrue(fence.expectMessageClass(FenceResult.class, Duration.ofSeconds(15)).ok());
      // a node never fences itself
      agent.tell(new NodeAgent.FenceNode("a", "fence", "reboot", fence.getRef()));
      assertFalse(fence.expectMessageClass(FenceResult.class, Duration.ofSeconds(15)).ok());
    } finally {
      standIn.destroyForcibly();
    }
  }
  /**
   * Maintenance mode reaches an agent twice: from the Controller (ApplyOverrides) and as a change notification of its
   * Distributed Data replica, which may come late and carry an older set. The older set must not win: the agent
   * would manage its domUs again and a stop of the agent (the upgrade maintenance mode is for) would stop them.
   */
  @Test
  void anOlderSetOfOverridesArrivingLateDoesNotEndMaintenance() throws Exception {
    TestProbe<NodeReport> reports = testKit.createTestProbe();
    TestProbe<OpResult> ops = testKit.createTestProbe();
    ActorRef<NodeAgent.Command> agent = agent(reports);
    agent.tell(new NodeAgent.StartResource("vm1", ops.getRef()));
    assertTrue(ops.expectMessageClass(OpResult.class, Duration.ofSeconds(10)).ok());
    TestProbe<org.apache.pekko.Done> applied = testKit.createTestProbe();
    agent.tell(new NodeAgent.ApplyOverrides(Map.of(Overrides.MAINTENANCE_MODE, "true", Overrides.REVISION, "7"), applied.getRef()));
    applied.expectMessage(Duration.ofSeconds(10), org.apache.pekko.Done.getInstance());
    agent.tell(new NodeAgent.ApplyOverrides(Map.of(Overrides.REVISION, "6"), applied.getRef()));
    applied.expectMessage(Duration.ofSeconds(10), org.apache.pekko.Done.getInstance());
    // a probe adopts what runs unless it is in maintenance here
    TestProbe<NodeReport> probe = testKit.createTestProbe();
    agent.tell(new NodeAgent.Probe(probe.getRef()));
    probe.expectMessageClass(NodeReport.class, Duration.ofSeconds(10));
    TestProbe<org.apache.pekko.Done> done = testKit.createTestProbe();
    agent.tell(new NodeAgent.StopAll(done.getRef()));
    done.expectMessage(Duration.ofSeconds(10), org.apache.pekko.Done.getInstance());
    assertEquals(List.of("vm1"), active(), "in maintenance the agent's stop leaves the domU running");
  }

  @Test
  void aDeliberateStopOfManyDomainsIsNeverRecordedAsAFailure() throws Exception {
    // an agent's shutdown stops every domU at once; a child's end can overtake its last report, and was then
    // taken for supervision giving up ("restarts exhausted ... reporting it failed", a failed monitor journaled)
    int n = 300;
    StringBuilder resources = new StringBuilder();
    for (int i = 0; i < n; i++) {
      Files.writeString(dir.resolve("m" + i + ".xml"), TestLibvirt.domainXml("m" + i));
      resources.append("m").append(i).append(" { type = domain, domain-xml = \"m").append(i).append(".xml\" }\n");
    }
    Path file = dir.resolve("many.conf");
    Files.writeString(file, """
        xenha {
          cluster-name = t
          nodes {
            a { address = "127.0.0.1:2551", jmx-port = 19101, state-dir = "%s/a" }
            b { address = "127.0.0.1:2552", jmx-port = 19102, state-dir = "%s/b" }
          }
          resource-defaults.ops.monitor { interval = 10s, timeout = 5s }
          resources { %s }
        }
        """.formatted(dir, dir, resources));
    LoadResult r = ConfigLoader.load(file, Optional.empty());
    assertTrue(r.ok(), r.problems().toString());
    config = r.config().get();
    TestProbe<NodeReport> reports = testKit.createTestProbe();
    TestProbe<OpResult> ops = testKit.createTestProbe();
    ActorRef<NodeAgent.Command> agent = agent(reports);
    for (int i = 0; i < n; i++) {
      agent.tell(new NodeAgent.StartResource("m" + i, ops.getRef()));
    }
    for (int i = 0; i < n; i++) {
      OpResult started = ops.expectMessageClass(OpResult.class, Duration.ofSeconds(30));
      assertTrue(started.ok(), started.toString());
    }
    assertEquals(n, active().size());
    TestProbe<org.apache.pekko.Done> done = testKit.createTestProbe();
    agent.tell(new NodeAgent.StopAll(done.getRef()));
    // a busy agent: the children's reports queue behind this while their ends (system messages) do not
    ActorRef<NodeAgent.FenceHistoryReply> ignore = testKit.system().ignoreRef();
    java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread flood = new Thread(() -> {
      while (busy.get()) {
        for (int i = 0; i < 20_000; i++) {
          agent.tell(new NodeAgent.FenceHistory(ignore));
        }
        Thread.yield();
      }
    });
    flood.start();
    try {
      done.expectMessage(Duration.ofSeconds(60), org.apache.pekko.Done.getInstance());
    } finally {
      busy.set(false);
      flood.join();
    }
    assertEquals(List.of(), active());
    TestProbe<NodeAgent.HistoryReply> history = testKit.createTestProbe();
    agent.tell(new NodeAgent.History(history.getRef()));
    List<io.xenha.status.HistoryRecord> failed = history.expectMessageClass(NodeAgent.HistoryReply.class,
        Duration.ofSeconds(10)).records().stream().filter(h -> !"ok".equals(h.result())).toList();
    assertEquals(List.of(), failed, "a deliberate stop is not a failure");
    TestProbe<NodeReport> probe = testKit.createTestProbe();
    agent.tell(new NodeAgent.Probe(probe.getRef()));
    NodeReport after = probe.expectMessageClass(NodeReport.class, Duration.ofSeconds(10));
    for (int i = 0; i < n; i++) {
      assertEquals("stopped", after.resources().get("m" + i).state(), "m" + i);
    }
  }

  @Test
  void stopAllStopsEveryDomainAndRefusesNewStarts() throws Exception {
    TestProbe<NodeReport> reports = testKit.createTestProbe();
    TestProbe<OpResult> ops = testKit.createTestProbe();
    ActorRef<NodeAgent.Command> agent = agent(reports);
    agent.tell(new NodeAgent.StartResource("vm1", ops.getRef()));
    assertTrue(ops.expectMessageClass(OpResult.class, Duration.ofSeconds(10)).ok());
    agent.tell(new NodeAgent.StartResource("vm2", ops.getRef()));
    assertTrue(ops.expectMessageClass(OpResult.class, Duration.ofSeconds(10)).ok());
    assertEquals(2, active().size());
    TestProbe<org.apache.pekko.Done> done = testKit.createTestProbe();
    agent.tell(new NodeAgent.StopAll(done.getRef()));
    done.expectMessage(Duration.ofSeconds(10), org.apache.pekko.Done.getInstance());
    assertEquals(List.of(), active());
    agent.tell(new NodeAgent.StartResource("vm1", ops.getRef()));
    OpResult refused = ops.expectMessageClass(OpResult.class, Duration.ofSeconds(10));
    assertFalse(refused.ok());
    assertTrue(refused.report().shuttingDown());
    assertEquals(List.of(), active());
  }
  @Test
  void aFenceDeviceIsStartedOnlyWhenItsMonitorAnswersAndThenFencesThroughItsActor() throws Exception {
    TestProbe<NodeReport> reports = testKit.createTestProbe();
    TestProbe<OpResult> ops = testKit.createTestProbe();
    ActorRef<NodeAgent.Command> agent = agent(reports);
    // the outer libvirt host does not exist yet: the device's monitor fails, its start is refused
    agent.tell(new NodeAgent.StartResource("outer", ops.getRef()));
    OpResult refused = ops.expectMessageClass(OpResult.class, Duration.ofSeconds(10));
    assertFalse(refused.ok(), refused.toString());
    reports.fishForMessage(Duration.ofSeconds(10), m -> m.resources().get("outer").state().equals("failed")
        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore());

    // the outer host: node b is a running VM there (libvirt's test driver defines it from the host file)
    Files.writeString(dir.resolve("outer.xml"), "<node><cpu><nodes>1</nodes><sockets>1</sockets><cores>2</cores>"
        + "<threads>1</threads><active>2</active><mhz>2000</mhz><model>x86_64</model></cpu><memory>4194304</memory>"
        + "<domain type='test'><name>b</name><memory>131072</memory><os><type>hvm</type></os></domain></node>");
    agent.tell(new NodeAgent.StartResource("outer", ops.getRef()));
    OpResult started = ops.expectMessageClass(OpResult.class, Duration.ofSeconds(10));
    assertTrue(started.ok(), started.toString());
    assertEquals("started", started.report().resources().get("outer").state());
    TestProbe<FenceResult> fence = testKit.createTestProbe();
    agent.tell(new NodeAgent.FenceNode("b", "outer", "off", fence.getRef()));
    FenceResult r = fence.expectMessageClass(FenceResult.class, Duration.ofSeconds(15));
    assertTrue(r.ok(), r.toString());
    assertTrue(r.reason().contains("destroyed b"), r.reason());
    assertEquals("outer", r.device());
  }
  /**
   * Two fences in flight at once through devices hosted here each answer their own requester with their own result.
   * Found by the fault-injection lab (two nodes lost at once): the answers went through one message adapter, so the
   * slower fence's result answered the faster one's request (which had its answer already; the slower request got
   * none), and a result for one node could stand for the fence of another.
   */
  @Test
  void twoFencesInFlightAtOnceAnswerEachItsOwnRequester() throws Exception {
    String agentScript = """
        #!/bin/sh
        action=$(sed -n 's/^action=//p')
        case "$action" in
          off|reboot) sleep %s; echo "done after %s s" ;;
        esac
        exit 0
        """;
    Path slow = dir.resolve("fence_slow");
    Path fast = dir.resolve("fence_fast");
    Files.writeString(slow, agentScript.formatted("2", "2"));
    Files.writeString(fast, agentScript.formatted("0", "0"));
    slow.toFile().setExecutable(true);
    fast.toFile().setExecutable(true);
    config = config("slow { type = stonith, agent = \"" + slow + "\" }\n"
        + "fast { type = stonith, agent = \"" + fast + "\" }");
    TestProbe<NodeReport> reports = testKit.createTestProbe();
    TestProbe<OpResult> ops = testKit.createTestProbe();
    ActorRef<NodeAgent.Command> agent = agent(reports);
    for (String device : List.of("slow", "fast")) {
      agent.tell(new NodeAgent.StartResource(device, ops.getRef()));
      OpResult started = ops.expectMessageClass(OpResult.class, Duration.ofSeconds(15));
      assertTrue(started.ok(), started.toString());
    }
    TestProbe<FenceResult> bySlow = testKit.createTestProbe();
    TestProbe<FenceResult> byFast = testKit.createTestProbe();
    agent.tell(new NodeAgent.FenceNode("b", "slow", "off", bySlow.getRef()));
    agent.tell(new NodeAgent.FenceNode("b", "fast", "off", byFast.getRef()));
    FenceResult fastResult = byFast.expectMessageClass(FenceResult.class, Duration.ofSeconds(15));
    assertEquals("fast", fastResult.device(), fastResult.toString());
    FenceResult slowResult = bySlow.expectMessageClass(FenceResult.class, Duration.ofSeconds(15));
    assertEquals("slow", slowResult.device(), slowResult.toString());
    assertTrue(slowResult.ok() && fastResult.ok(), slowResult + " / " + fastResult);
    byFast.expectNoMessage(Duration.ofMillis(300));
  }

  @Test
  void stopAllStopsTheDomainsBeforeTheClonesTheyNeed() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.isExecutable(Path.of("/usr/lib/ocf/resource.d/heartbeat/Dummy")), "resource-agents is not installed");
    TestProbe<NodeReport> reports = testKit.createTestProbe();
    TestProbe<OpResult> ops = testKit.createTestProbe();
    // whether the storage clone was up when libvirt finished stopping vm1 (read then, not when its event arrives,
    // which may be later)
    java.util.List<Boolean> poolUpWhenVmStopped = new java.util.concurrent.CopyOnWriteArrayList<>();
    Path[] state = new Path[1];
    Hypervisor watched = new io.xenha.hypervisor.ForwardingHypervisor(hv) {
      private java.util.concurrent.CompletionStage<Void> recorded(String name, java.util.concurrent.CompletionStage<Void> op) {
        return name.equals("vm1") && state[0] != null
            ? op.whenComplete((ok, err) -> poolUpWhenVmStopped.add(Files.exists(state[0]))) : op;
      }

      @Override
      public java.util.concurrent.CompletionStage<Void> stop(String name, Duration timeout) {
        return recorded(name, super.stop(name, timeout));
      }

      @Override
      public java.util.concurrent.CompletionStage<Void> destroy(String name, Duration timeout) {
        return recorded(name, super.destroy(name, timeout));
      }
    };
    ActorRef<NodeAgent.Command> agent = testKit.spawn(NodeAgent.create(config, "a", "local", watched, BLOCKING,
        reports.getRef(), new NodeAgent.Settings(Duration.ofMillis(50), Duration.ofMillis(200)), Clock.systemUTC()));
    agent.tell(new NodeAgent.StartResource("pool:0", ops.getRef()));
    OpResult pool = ops.expectMessageClass(OpResult.class, Duration.ofSeconds(20));
    assertTrue(pool.ok(), pool.toString());
    try (java.util.stream.Stream<Path> files = Files.walk(dir.resolve("a"))) {
      state[0] = files.filter(p -> p.getFileName().toString().contains("pool") && p.getFileName().toString().endsWith(".state"))
          .findFirst().orElseThrow();
    }
    agent.tell(new NodeAgent.StartResource("vm1", ops.getRef()));
    assertTrue(ops.expectMessageClass(OpResult.class, Duration.ofSeconds(10)).ok());
    TestProbe<org.apache.pekko.Done> done = testKit.createTestProbe();
    agent.tell(new NodeAgent.StopAll(done.getRef()));
    done.expectMessage(Duration.ofSeconds(20), org.apache.pekko.Done.getInstance());
    assertFalse(poolUpWhenVmStopped.isEmpty(), "vm1 was stopped");
    assertTrue(poolUpWhenVmStopped.stream().allMatch(up -> up), "vm1 stopped while its storage was still up");
    assertFalse(Files.exists(state[0]), "then the storage clone was stopped too");
  }
}
