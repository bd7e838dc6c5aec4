package io.xenha.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.xenha.config.XenhaConfig.Ops;
import io.xenha.config.XenhaConfig.ResourceSpec;
import io.xenha.executor.DomainActor.Command;
import io.xenha.executor.DomainActor.LifecycleEvent;
import io.xenha.executor.DomainActor.MonitorFailed;
import io.xenha.executor.DomainActor.Report;
import io.xenha.executor.DomainActor.StartFailed;
import io.xenha.executor.DomainActor.Started;
import io.xenha.executor.DomainActor.Stop;
import io.xenha.executor.DomainActor.Stopped;
import io.xenha.hypervisor.ForwardingHypervisor;
import io.xenha.hypervisor.Hypervisor;
import io.xenha.hypervisor.Hypervisor.DomainEvent;
import io.xenha.hypervisor.Hypervisor.DomainState;
import io.xenha.hypervisor.LibvirtHypervisor;
import io.xenha.hypervisor.TestLibvirt;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DomainActorTest {

  // a local provider: these tests need no cluster (and must not bind ports other builds use)
  private static final ActorTestKit testKit =
      ActorTestKit.create(ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));

  private static final Duration T = Duration.ofSeconds(5);
  private static final Duration MIN_BACKOFF = Duration.ofMillis(100);
  private static final Duration MAX_BACKOFF = Duration.ofMillis(500);

  @TempDir Path dir;
  private LibvirtHypervisor hv;
  private final BlockingQueue<DomainEvent> events = new LinkedBlockingQueue<>();
  /** Plays the NodeAgent's part: forwards vm1's lifecycle events to the actor under test. */
  private final AtomicReference<ActorRef<Command>> forwardTo = new AtomicReference<>();
  private final List<ActorRef<Command>> spawned = new ArrayList<>();

  @BeforeEach
  void open() {
    Executor blocking = testKit.system().dispatchers().lookup(DispatcherSelector.fromConfig("xenha.blocking-dispatcher"));
    hv = new LibvirtHypervisor(TestLibvirt.nodeUri(dir), blocking);
    hv.subscribe(events::add);
    hv.subscribe(e -> {
      ActorRef<Command> ref = forwardTo.get();
      if (ref != null && e.domain().equals("vm1")) {
        ref.tell(new LifecycleEvent(e));
      }
    });
  }

  @AfterEach
  void close() {
    // actors of one test must not go on monitoring (and failing) against a closed hypervisor
    spawned.forEach(ref -> {
      try {
        testKit.stop(ref, T);
      } catch (AssertionError alreadyGone) {
        // stopped by the test itself
      }
    });
    hv.close();
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static ResourceSpec spec(String xml, Duration monitorInterval) {
    Ops ops = new Ops(T, T, monitorInterval, Duration.ofSeconds(2), T, null);
    return new ResourceSpec("res-vm1", "domain", null, xml, "vm1", false, null, null, Duration.ZERO, 0, "started", ops,
        null, List.of(), Map.of(), Map.of());
  }

  private static ResourceSpec spec(Duration monitorInterval) {
    return spec(TestLibvirt.domainXml("vm1"), monitorInterval);
  }

  private ActorRef<Command> spawnSupervised(ResourceSpec spec, Hypervisor h, TestProbe<Report> reports, int threshold) {
    Behavior<Command> b = DomainActor.supervised(spec, h, reports.getRef(), threshold, Duration.ZERO, MIN_BACKOFF,
        MAX_BACKOFF);
    ActorRef<Command> ref = spawn(b);
    forwardTo.set(ref);
    return ref;
  }

  private ActorRef<Command> spawn(Behavior<Command> behavior) {
    ActorRef<Command> ref = testKit.spawn(behavior);
    spawned.add(ref);
    return ref;
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private void awaitEvent(String domain, String type, List<DomainEvent> taken) throws InterruptedException {
    while (true) {
      DomainEvent e = events.poll(5, TimeUnit.SECONDS);
      if (e == null) {
        throw new AssertionError("no " + type + " event for " + domain + "; got " + taken);
      }
      taken.add(e);
      if (e.domain().equals(domain) && e.type().equals(type)) {
        return;
      }
    }
  }

  /**
   * Sent to adopt a domain seen running (a probe, a start event that may be stale: libvirt delivers events late),
   * the actor never starts it: once seen stopped it reports Gone and ends (a stale event once started a domU on the
   * node it had just migrated away from, while it ran on the target).
   */
  @Test
  void anAdoptionOfADomainThatIsNotRunningStartsNothing() throws Exception {
    TestProbe<Report> reports = testKit.createTestProbe();
    ActorRef<Command> ref = spawn(DomainActor.supervised(spec(Duration.ofMillis(200)), hv, reports.getRef(), 3,
        Duration.ZERO, MIN_BACKOFF, MAX_BACKOFF, true));
    DomainActor.Gone gone = reports.expectMessageClass(DomainActor.Gone.class, T);
    assertEquals("res-vm1", gone.resourceId());
    reports.expectTerminated(ref, T);
    assertEquals(List.of(), await(hv.activeDomains(T)));
  }

  /** Adopted, it is recovered in place like any other: only the first look is adopt-only. */
  @Test
  void anAdoptedDomainThatIsLostIsRecoveredInPlace() throws Exception {
    await(hv.start("vm1", TestLibvirt.domainXml("vm1"), T));
    TestProbe<Report> reports = testKit.createTestProbe();
    ActorRef<Command> ref = spawn(DomainActor.supervised(spec(Duration.ofMillis(200)), hv, reports.getRef(), 3,
        Duration.ZERO, MIN_BACKOFF, MAX_BACKOFF, true));
    forwardTo.set(ref);
    assertTrue(reports.expectMessageClass(Started.class, T).adopted());
    await(hv.destroy("vm1", T));
    reports.expectMessageClass(DomainActor.MonitorFailed.class, T);
    assertFalse(reports.expectMessageClass(Started.class, T).adopted(), "started again, in place");
    assertEquals(List.of("vm1"), await(hv.activeDomains(T)));
  }

  @Test
  void startsTheDomain() throws Exception {
    TestProbe<Report> reports = testKit.createTestProbe();
    spawn(DomainActor.create(spec(Duration.ofMillis(200)), hv, reports.getRef()));
    assertEquals(new Started("res-vm1", false), reports.expectMessageClass(Started.class, T));
    assertEquals(DomainState.RUNNING, await(hv.state("vm1", T)));
  }

  @Test
  void adoptsARunningDomainWithoutStartingItAgain() throws Exception {
    await(hv.start("vm1", TestLibvirt.domainXml("vm1"), T));
    awaitEvent("vm1", "STARTED", new ArrayList<>());

    TestProbe<Report> reports = testKit.createTestProbe();
    spawn(DomainActor.create(spec(Duration.ofMillis(200)), hv, reports.getRef()));
    assertEquals(new Started("res-vm1", true), reports.expectMessageClass(Started.class, T));

    // events come in order: had vm1 been started again, its STARTED would precede the marker's
    await(hv.start("marker", TestLibvirt.domainXml("marker"), T));
    List<DomainEvent> taken = new ArrayList<>();
    awaitEvent("marker", "STARTED", taken);
    assertFalse(taken.stream().anyMatch(e -> e.domain().equals("vm1")), taken::toString);
    reports.expectNoMessage(Duration.ofMillis(500)); // and the monitor is content
  }

  @Test
  void stopShutsTheDomainOffAndEndsTheActor() throws Exception {
    TestProbe<Report> reports = testKit.createTestProbe();
    TestProbe<Report> requester = testKit.createTestProbe();
    ActorRef<Command> ref = spawnSupervised(spec(Duration.ofMillis(200)), hv, reports, 3);
    reports.expectMessageClass(Started.class, T);

    ref.tell(new Stop(requester.getRef()));
    assertEquals(new Stopped("res-vm1"), requester.expectMessageClass(Stopped.class, T));
    assertEquals(new Stopped("res-vm1"), reports.expectMessageClass(Stopped.class, T));
    requester.expectTerminated(ref, T);
    assertEquals(DomainState.SHUTOFF, await(hv.state("vm1", T)));
  }

  @Test
  void stopDuringTheStartWaitsForIt() throws Exception {
    Hypervisor slowStart = new ForwardingHypervisor(hv) {
      @Override
      public CompletionStage<Void> start(String name, String xml, Duration timeout) {
        Executor later = CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS);
        return CompletableFuture.runAsync(() -> {}, later).thenCompose(x -> hv.start(name, xml, timeout));
      }
    };
    TestProbe<Report> reports = testKit.createTestProbe();
    ActorRef<Command> ref = spawnSupervised(spec(Duration.ofMillis(200)), slowStart, reports, 3);
    ref.tell(new Stop(reports.getRef()));
    reports.expectMessageClass(Started.class, T);
    reports.expectMessageClass(Stopped.class, T);
    reports.expectTerminated(ref, T);
    reports.expectNoMessage(Duration.ofMillis(200)); // one report for the same requester, not two
    assertEquals(DomainState.SHUTOFF, await(hv.state("vm1", T)));
  }

  @Test
  void destroyBehindItsBackIsNoticedByTheEventAndRecoveredInPlace() throws Exception {
    TestProbe<Report> reports = testKit.createTestProbe();
    // the periodic monitor is too slow to matter here: only the event can be this quick
    spawnSupervised(spec(Duration.ofSeconds(30)), hv, reports, 3);
    reports.expectMessageClass(Started.class, T);

    await(hv.destroy("vm1", T));
    MonitorFailed failed = reports.expectMessageClass(MonitorFailed.class, Duration.ofSeconds(1));
    assertTrue(failed.reason().contains("STOPPED"), failed.reason());
    assertEquals(new Started("res-vm1", false), reports.expectMessageClass(Started.class, T));
    assertEquals(DomainState.RUNNING, await(hv.state("vm1", T)));
  }

  @Test
  void periodicMonitorNoticesALossWhenEventsAreMissed() throws Exception {
    TestProbe<Report> reports = testKit.createTestProbe();
    Hypervisor deaf = new ForwardingHypervisor(hv) {
      @Override
      public void subscribe(Consumer<DomainEvent> listener) {
        // drops events
      }
    };
    Behavior<Command> b = DomainActor.supervised(spec(Duration.ofMillis(200)), deaf, reports.getRef(), 3,
        Duration.ZERO, MIN_BACKOFF, MAX_BACKOFF);
    spawn(b); // not registered with forwardTo: no events reach it
    reports.expectMessageClass(Started.class, T);

    await(hv.destroy("vm1", T));
    MonitorFailed failed = reports.expectMessageClass(MonitorFailed.class, Duration.ofSeconds(1));
    assertTrue(failed.reason().contains("SHUTOFF"), failed.reason());
    reports.expectMessageClass(Started.class, T);
    assertEquals(DomainState.RUNNING, await(hv.state("vm1", T)));
  }

  @Test
  void migrationThresholdEndsTheActorAfterThatManyFailures() throws Exception {
    TestProbe<Report> reports = testKit.createTestProbe();
    ActorRef<Command> ref = spawnSupervised(spec(Duration.ofMillis(200)), hv, reports, 3);
    for (int failure = 1; failure <= 3; failure++) {
      reports.expectMessageClass(Started.class, T);
      await(hv.destroy("vm1", T));
      reports.expectMessageClass(MonitorFailed.class, T);
    }
    reports.expectTerminated(ref, T);
    reports.expectNoMessage(Duration.ofMillis(500));
    assertEquals(DomainState.SHUTOFF, await(hv.state("vm1", T)));
  }

  @Test
  void brokenXmlIsAStartFailureWithoutRestart() throws Exception {
    TestProbe<Report> reports = testKit.createTestProbe();
    ResourceSpec broken = spec("<domain type='test'><name>vm1</name>", Duration.ofMillis(200));
    ActorRef<Command> ref = spawnSupervised(broken, hv, reports, 3);
    StartFailed failed = reports.expectMessageClass(StartFailed.class, T);
    assertTrue(failed.reason().contains("vm1"), failed.reason());
    reports.expectTerminated(ref, T);
    reports.expectNoMessage(Duration.ofMillis(300));
    assertEquals(DomainState.UNDEFINED, await(hv.state("vm1", T)));
  }

  @Test
  void failingStartIsAStartFailureWithoutRestart() {
    Hypervisor failing = new ForwardingHypervisor(hv) {
      @Override
      public CompletionStage<Void> start(String name, String xml, Duration timeout) {
        return CompletableFuture.failedFuture(new IllegalStateException("no memory for " + name));
      }
    };
    TestProbe<Report> reports = testKit.createTestProbe();
    ActorRef<Command> ref = spawnSupervised(spec(Duration.ofMillis(200)), failing, reports, 3);
    assertEquals(new StartFailed("res-vm1", "no memory for vm1"), reports.expectMessageClass(StartFailed.class, T));
    reports.expectTerminated(ref, T);
    reports.expectNoMessage(Duration.ofMillis(300));
  }

  @Test
  void crashedDomainIsDestroyedThenStarted() throws Exception {
    Hypervisor crashedFirst = new ForwardingHypervisor(hv) {
      private boolean reported;

      @Override
      public synchronized CompletionStage<DomainState> state(String name, Duration timeout) {
        if (!reported) {
          reported = true;
          return CompletableFuture.completedFuture(DomainState.CRASHED);
        }
        return hv.state(name, timeout);
      }
    };
    await(hv.start("vm1", TestLibvirt.domainXml("vm1"), T));
    awaitEvent("vm1", "STARTED", new ArrayList<>());
    TestProbe<Report> reports = testKit.createTestProbe();
    spawn(DomainActor.create(spec(Duration.ofMillis(200)), crashedFirst, reports.getRef()));
    assertEquals(new Started("res-vm1", false), reports.expectMessageClass(Started.class, T));
    List<DomainEvent> taken = new ArrayList<>();
    awaitEvent("vm1", "STARTED", taken);
    assertTrue(taken.stream().anyMatch(e -> e.type().equals("STOPPED") && e.detail().equals("DESTROYED")),
        taken::toString);
  }
}
