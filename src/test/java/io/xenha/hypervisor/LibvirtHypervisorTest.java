package io.xenha.hypervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xenha.hypervisor.Hypervisor.Capacity;
import io.xenha.hypervisor.Hypervisor.DomainEvent;
import io.xenha.hypervisor.Hypervisor.DomainState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibvirtHypervisorTest {

  private static final Duration T = Duration.ofSeconds(5);

  @TempDir Path dir;
  private ExecutorService blocking;
  private LibvirtHypervisor hv;
  private final BlockingQueue<DomainEvent> events = new LinkedBlockingQueue<>();

  @BeforeEach
  void open() {
    blocking = Executors.newFixedThreadPool(4);
    hv = new LibvirtHypervisor(TestLibvirt.nodeUri(dir), blocking);
    hv.subscribe(events::add);
  }

  @AfterEach
  void close() {
    hv.close();
    blocking.shutdownNow();
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Throwable failure(CompletionStage<?> stage) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(stage));
    return e.getCause();
  }

  /** Takes events until one of domain/type arrives; returns all taken, that one last. */
  private List<DomainEvent> eventsUntil(String domain, String type) throws InterruptedException {
    List<DomainEvent> taken = new ArrayList<>();
    while (true) {
      DomainEvent e = events.poll(5, TimeUnit.SECONDS);
      if (e == null) {
        throw new AssertionError("no " + type + " event for " + domain + "; got " + taken);
      }
      taken.add(e);
      if (e.domain().equals(domain) && e.type().equals(type)) {
        return taken;
      }
    }
  }

  @Test
  void startDefinesAndCreates() throws Exception {
    assertEquals(DomainState.UNDEFINED, await(hv.state("vm1", T)));
    await(hv.start("vm1", TestLibvirt.domainXml("vm1"), T));
    assertEquals(DomainState.RUNNING, await(hv.state("vm1", T)));
    assertEquals(List.of("vm1"), await(hv.activeDomains(T)));
  }

  @Test
  void startIsIdempotent() throws Exception {
    await(hv.start("vm1", TestLibvirt.domainXml("vm1"), T));
    await(hv.start("vm1", TestLibvirt.domainXml("vm1"), T));
    // events arrive in order: once the marker's STARTED is seen, a second vm1 STARTED would have been too
    await(hv.start("marker", TestLibvirt.domainXml("marker"), T));
    long vm1Starts = eventsUntil("marker", "STARTED").stream()
        .filter(e -> e.domain().equals("vm1") && e.type().equals("STARTED"))
        .count();
    assertEquals(1, vm1Starts);
    assertEquals(DomainState.RUNNING, await(hv.state("vm1", T)));
  }

  @Test
  void startsAnInactiveDefinedDomainAgain() throws Exception {
    await(hv.start("vm1", TestLibvirt.domainXml("vm1"), T));
    await(hv.destroy("vm1", T));
    assertEquals(DomainState.SHUTOFF, await(hv.state("vm1", T)));
    await(hv.start("vm1", TestLibvirt.domainXml("vm1"), T));
    assertEquals(DomainState.RUNNING, await(hv.state("vm1", T)));
  }

  @Test
  void stopShutsDownGracefully() throws Exception {
    await(hv.start("vm1", TestLibvirt.domainXml("vm1"), T));
    await(hv.stop("vm1", T));
    assertEquals(DomainState.SHUTOFF, await(hv.state("vm1", T)));
    DomainEvent stopped = last(eventsUntil("vm1", "STOPPED"));
    assertEquals("SHUTDOWN", stopped.detail());
    assertEquals(List.of(), await(hv.activeDomains(T)));
  }

  @Test
  void destroyStopsHard() throws Exception {
    await(hv.start("vm1", TestLibvirt.domainXml("vm1"), T));
    await(hv.destroy("vm1", T));
    assertEquals(DomainState.SHUTOFF, await(hv.state("vm1", T)));
    assertEquals("DESTROYED", last(eventsUntil("vm1", "STOPPED")).detail());
    await(hv.destroy("vm1", T)); // inactive: nothing to do
  }

  @Test
  void unknownDomainIsUndefinedAndAlreadyStopped() throws Exception {
    assertEquals(DomainState.UNDEFINED, await(hv.state("nope", T)));
    await(hv.stop("nope", T));
    await(hv.destroy("nope", T));
  }

  @Test
  void eventsAreDelivered() throws Exception {
    await(hv.start("vm1", TestLibvirt.domainXml("vm1"), T));
    List<DomainEvent> seen = eventsUntil("vm1", "STARTED");
    assertTrue(seen.stream().anyMatch(e -> e.domain().equals("vm1") && e.type().equals("DEFINED")), seen::toString);
    assertEquals("BOOTED", last(seen).detail());
  }

  @Test
  void capacityFromNodeInfo() throws Exception {
    assertEquals(new Capacity(8192, 4), await(hv.capacity(T)));
  }

  @Test
  void brokenXmlFailsWithTheDomainNameAndLibvirtsMessage() {
    Throwable e = failure(hv.start("vm1", "<domain type='test'><name>vm1</name>", T));
    assertInstanceOf(HypervisorException.class, e);
    assertTrue(e.getMessage().contains("'vm1'") && e.getMessage().contains(hv.uri()), e.getMessage());
  }

  @Test
  void xmlForAnotherNameIsRefused() {
    Throwable e = failure(hv.start("vm1", TestLibvirt.domainXml("vm2"), T));
    assertTrue(e.getMessage().contains("vm2"), e.getMessage());
  }

  @Test
  void slowCallTimesOut() throws Exception {
    ScheduledExecutorService delayer = Executors.newSingleThreadScheduledExecutor();
    try (LibvirtHypervisor slow = new LibvirtHypervisor(hv.uri(), r -> delayer.schedule(r, 2, TimeUnit.SECONDS))) {
      long t0 = System.nanoTime();
      Throwable e = failure(slow.state("vm1", Duration.ofMillis(200)));
      assertInstanceOf(TimeoutException.class, e);
      assertTrue(e.getMessage().contains("vm1"), e.getMessage());
      assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2), "timed out late");
    } finally {
      delayer.shutdownNow();
    }
  }

  @Test
  void factoryOpensALibvirtHypervisor() throws Exception {
    try (Hypervisor other = Hypervisors.open(hv.uri(), blocking)) {
      await(hv.start("vm1", TestLibvirt.domainXml("vm1"), T));
      // a second connection to a test:/// file is a second, independent dom0
      assertEquals(DomainState.UNDEFINED, await(other.state("vm1", T)));
    }
  }

  @Test
  void closedHypervisorFailsCalls() {
    hv.close();
    assertInstanceOf(IllegalStateException.class, failure(hv.state("vm1", T)));
  }

  @Test
  void unreachableUriFailsDescriptively() {
    try (LibvirtHypervisor bad = new LibvirtHypervisor("test:///nonexistent/node.xml", blocking)) {
      Throwable e = failure(bad.connect(T));
      assertInstanceOf(HypervisorException.class, e);
      assertTrue(e.getMessage().contains("test:///nonexistent/node.xml"), e.getMessage());
    }
  }

  private static DomainEvent last(List<DomainEvent> events) {
    return events.get(events.size() - 1);
  }

  @Test
  void libvirtsTestDriverCannotMigrate(@TempDir Path other) throws Exception {
    // why LibvirtHypervisor emulates migration on test:///: the driver itself refuses virDomainMigrate
    await(hv.start("vm1", TestLibvirt.domainXml("vm1"), T));
    org.libvirt.Connect source = new org.libvirt.Connect(hv.uri());
    org.libvirt.Connect target = new org.libvirt.Connect(TestLibvirt.nodeUri(other));
    try {
      org.libvirt.Domain d = source.domainCreateXML(TestLibvirt.domainXml("vm2"), 0);
      org.libvirt.LibvirtException e = assertThrows(org.libvirt.LibvirtException.class,
          () -> d.migrate(target, 1, null, null, 0));
      assertEquals(org.libvirt.Error.ErrorNumber.VIR_ERR_NO_SUPPORT, e.getError().getCode(), e.getMessage());
      d.free();
    } finally {
      target.close();
      source.close();
    }
  }

  @Test
  void migrationBetweenTestHypervisorsIsEmulatedDefineStartThenDestroy(@TempDir Path other) throws Exception {
    LibvirtHypervisor target = new LibvirtHypervisor(TestLibvirt.nodeUri(other), blocking);
    BlockingQueue<DomainEvent> targetEvents = new LinkedBlockingQueue<>();
    target.subscribe(targetEvents::add);
    try {
      await(hv.start("vm1", TestLibvirt.domainXml("vm1"), T));
      eventsUntil("vm1", "STARTED");
      await(hv.migrate("vm1", target.uri(), T));
      assertEquals(List.of("vm1"), await(target.activeDomains(T)));
      assertEquals(List.of(), await(hv.activeDomains(T)));
      // started on the target before it was destroyed here (a live migration's switch-over)
      DomainEvent arrived;
      do {
        arrived = targetEvents.poll(5, TimeUnit.SECONDS); // DEFINED first: the target did not know the domain
      } while (arrived != null && !arrived.type().equals("STARTED"));
      assertEquals("vm1", arrived == null ? null : arrived.domain());
      assertTrue(eventsUntil("vm1", "STOPPED").stream().noneMatch(e -> e.type().equals("STARTED")));

      // not running here: nothing to migrate
      assertTrue(failure(hv.migrate("vm1", target.uri(), T)).getMessage().contains("not running"));
      // no test hypervisor for that URI in this process
      assertTrue(failure(target.migrate("vm1", "test:///nowhere.xml", T)).getMessage().contains("cannot migrate"));
    } finally {
      target.close();
    }
  }

  @Test
  void migrationUriNamesTheTargetHost() {
    assertEquals("xen+ssh://10.0.0.2/system", Hypervisors.migrationUri("xen:///system", "10.0.0.2"));
    assertEquals("qemu+ssh://host2/system", Hypervisors.migrationUri("qemu:///system", "host2"));
    assertEquals("qemu+tls://host2/system", Hypervisors.migrationUri("qemu+tls://host2/system", "10.0.0.2"));
    assertEquals("test:///tmp/n2/host.xml", Hypervisors.migrationUri("test:///tmp/n2/host.xml", "127.0.0.1"));
  }
}
