package io.xenha.hypervisor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.Error;
import org.libvirt.LibvirtException;
import org.libvirt.NodeInfo;
import org.libvirt.event.DomainEventDetail;
import org.libvirt.event.LifecycleListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Hypervisor port over libvirt-java: one connection per instance, every call on the given blocking executor. */
public final class LibvirtHypervisor implements Hypervisor {

  private static final Logger log = LoggerFactory.getLogger(LibvirtHypervisor.class);

  /** How often a stopping domain is checked. */
  private static final long POLL_MILLIS = 150;

  /** The part of a stop timeout kept for the destroy that follows a shutdown the guest ignored. */
  private static final Duration MAX_DESTROY_GRACE = Duration.ofSeconds(1);

  /** Xen's control domain is listed as active but is never a managed domU. */
  private static final String XEN_DOM0 = "Domain-0";

  /** virDomainMigrateFlags (libvirt-java keeps its constants package-private). */
  private static final long VIR_MIGRATE_LIVE = 1;
  private static final long VIR_MIGRATE_PERSIST_DEST = 8;

  /** The test-driver hypervisors of this process by URI: the targets of emulated migrations. */
  private static final Map<String, LibvirtHypervisor> TEST_DRIVERS = new ConcurrentHashMap<>();

  /**
   * The receiving end of an emulated test-driver migration whose target hypervisor lives in another process (the
   * demo runs one agent process per node): defines and starts the domain there from its XML.
   */
  @FunctionalInterface
  public interface TestMigrationPeer {
    CompletionStage<Void> receive(String name, String xml, Duration timeout);
  }

  /** Test-driver URIs served by another process, by URI: how emulated migrations reach them. */
  private static final Map<String, TestMigrationPeer> TEST_PEERS = new ConcurrentHashMap<>();

  /**
   * Where emulated migrations to the test driver at {@code targetUri} go when no test hypervisor of this process
   * serves it (a NodeAgent names its peer agent). Never used for a real hypervisor, which migrates by itself.
   */
  public static void testMigrationPeer(String targetUri, TestMigrationPeer peer) {
    TEST_PEERS.put(targetUri, peer);
  }

  /** True when this is libvirt's test driver and no test hypervisor of this process serves {@code targetUri}. */
  public boolean needsTestMigrationPeer(String targetUri) {
    return isTestDriver() && !TEST_DRIVERS.containsKey(targetUri);
  }

  private final String uri;
  private final Executor executor;
  private final List<Consumer<DomainEvent>> listeners = new CopyOnWriteArrayList<>();
  private final LifecycleListener lifecycle = this::onLifecycle;

  /** Calls hold the read lock, close() the write lock: closing a connection under a running call could crash the JVM. */
  private final ReadWriteLock inUse = new ReentrantReadWriteLock();

  private final Object connectLock = new Object();
  private Connect connect; // guarded by connectLock
  private volatile boolean closed;

  public LibvirtHypervisor(String uri, Executor executor) {
    this.uri = Objects.requireNonNull(uri, "uri");
    this.executor = Objects.requireNonNull(executor, "executor");
    if (isTestDriver()) {
      TEST_DRIVERS.put(uri, this);
    }
  }

  /** libvirt's test driver (test:///..., or served by a libvirtd: test+unix://...), whose migrations xenha emulates. */
  public boolean isTestDriver() {
    return uri.startsWith("test:") || uri.startsWith("test+");
  }

  @Override
  public String uri() {
    return uri;
  }

  /** Opens the connection now (it is otherwise opened by the first call); fails when libvirt cannot be reached. */
  public CompletionStage<Void> connect(Duration timeout) {
    return call("connect", null, timeout, c -> null);
  }

  @Override
  public CompletionStage<Void> start(String name, String xml, Duration timeout) {
    return call("start", name, timeout, c -> {
      Domain d = lookup(c, name);
      if (d == null) {
        d = c.domainDefineXML(xml);
        String defined = d.getName();
        if (!name.equals(defined)) {
          d.free();
          throw new IllegalArgumentException("domain XML for '" + name + "' defines a domain named '" + defined + "'");
        }
      }
      try {
        if (!isActive(d)) {
          d.create();
        }
      } finally {
        d.free();
      }
      return null;
    });
  }

  @Override
  public CompletionStage<Void> stop(String name, Duration timeout) {
    Duration grace = timeout.dividedBy(4).compareTo(MAX_DESTROY_GRACE) < 0 ? timeout.dividedBy(4) : MAX_DESTROY_GRACE;
    long destroyAt = System.nanoTime() + timeout.minus(grace).toNanos();
    CompletableFuture<Void> result = withTimeout("stop", name, timeout);
    submit(executor, result, "stop", name, c -> {
      Domain d = lookup(c, name);
      if (d == null) {
        result.complete(null);
        return;
      }
      boolean destroyNow = false;
      try {
        if (!isActive(d)) {
          result.complete(null);
          return;
        }
        try {
          d.shutdown();
        } catch (LibvirtException e) {
          // e.g. a paused guest or one without ACPI: the stop must still happen
          log.info("graceful shutdown of {} on {} refused ({}); destroying it", name, uri, message(e));
          destroyNow = true;
        }
      } finally {
        d.free();
      }
      checkStopped(c, name, destroyNow ? System.nanoTime() : destroyAt, false, result);
    });
    return result;
  }

  /** One check of a stopping domain: done, destroy it (deadline passed), or look again later. */
  private void checkStopped(Connect c, String name, long destroyAt, boolean destroyed, CompletableFuture<Void> result)
      throws LibvirtException {
    Domain d = lookup(c, name);
    if (d == null) {
      result.complete(null);
      return;
    }
    boolean nowDestroyed = destroyed;
    try {
      if (!isActive(d)) {
        result.complete(null);
        return;
      }
      if (!destroyed && System.nanoTime() - destroyAt >= 0) {
        log.warn("{} on {} still active after its graceful shutdown time; destroying it", name, uri);
        d.destroy();
        nowDestroyed = true;
        if (!isActive(d)) {
          result.complete(null);
          return;
        }
      }
    } finally {
      d.free();
    }
    boolean again = nowDestroyed;
    Executor later = CompletableFuture.delayedExecutor(POLL_MILLIS, TimeUnit.MILLISECONDS, executor);
    submit(later, result, "stop", name, conn -> checkStopped(conn, name, destroyAt, again, result));
  }

  /**
   * virDomainMigrate with VIR_MIGRATE_LIVE | VIR_MIGRATE_PERSIST_DEST over a connection to targetUri. libvirt's test
   * driver has no migration ("this function is not supported by the connection driver: virDomainMigrate"), so
   * between test hypervisors it is emulated: define and start on the target with this domain's XML (in this process,
   * or through the target's agent, see {@link #testMigrationPeer}), then destroy here. Both run for a moment, as with
   * a real live migration's switch-over.
   */
  @Override
  public CompletionStage<Void> migrate(String name, String targetUri, Duration timeout) {
    if (isTestDriver()) {
      return emulateMigration(name, targetUri, timeout);
    }
    CompletableFuture<Void> result = call("migrate", name, timeout, c -> {
      Domain d = lookup(c, name);
      if (d == null || !isActive(d)) {
        if (d != null) {
          d.free();
        }
        throw new IllegalStateException("domain '" + name + "' is not running on " + uri);
      }
      try {
        Connect target = new Connect(targetUri);
        try {
          Domain moved = d.migrate(target, VIR_MIGRATE_LIVE | VIR_MIGRATE_PERSIST_DEST, null, null, 0);
          if (moved != null) {
            moved.free();
          }
        } finally {
          target.close();
        }
      } finally {
        d.free();
      }
      return null;
    });
    // A migration that timed out still runs inside libvirt and could finish after the caller gave it up (and went
    // on monitoring the domU here): cancel it, so that the domU stays where the caller believes it is.
    result.whenComplete((ok, err) -> {
      if (err instanceof TimeoutException) {
        abortJob(name);
      }
    });
    return result;
  }

  private void abortJob(String name) {
    CompletableFuture<Void> aborted = new CompletableFuture<>();
    submit(executor, aborted, "abort migration", name, c -> {
      Domain d = lookup(c, name);
      if (d != null) {
        try {
          d.abortJob();
        } finally {
          d.free();
        }
      }
      aborted.complete(null);
    });
    aborted.whenComplete((ok, err) -> {
      if (err != null) {
        log.warn("cannot abort the timed-out migration of {} on {}: {}", name, uri, err.getMessage());
      }
    });
  }

  private CompletionStage<Void> emulateMigration(String name, String targetUri, Duration timeout) {
    LibvirtHypervisor local = TEST_DRIVERS.get(targetUri);
    TestMigrationPeer target = local != null ? local::start : TEST_PEERS.get(targetUri);
    if (target == null || local == this) {
      return CompletableFuture.failedFuture(new IllegalStateException("libvirt's test driver cannot migrate, and no test "
          + "hypervisor for " + targetUri + " runs in this process or answers for it to emulate it with"));
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    CompletionStage<String> xml = call("migrate (emulated): read XML", name, timeout, c -> {
      Domain d = lookup(c, name);
      if (d == null) {
        throw new IllegalStateException("domain '" + name + "' is not defined on " + uri);
      }
      try {
        if (!isActive(d)) {
          throw new IllegalStateException("domain '" + name + "' is not running on " + uri);
        }
        return d.getXMLDesc(0);
      } finally {
        d.free();
      }
    });
    return xml
        .thenCompose(x -> target.receive(name, x, remaining(deadline)))
        .thenCompose(started -> destroy(name, remaining(deadline)));
  }

  /** What is left of a deadline, at least a millisecond (a zero timeout would fail at once, never run). */
  private static Duration remaining(long deadlineNanos) {
    return Duration.ofNanos(Math.max(1_000_000, deadlineNanos - System.nanoTime()));
  }

  @Override
  public CompletionStage<Void> destroy(String name, Duration timeout) {
    return call("destroy", name, timeout, c -> {
      Domain d = lookup(c, name);
      if (d != null) {
        try {
          if (isActive(d)) {
            d.destroy();
          }
        } finally {
          d.free();
        }
      }
      return null;
    });
  }

  @Override
  public CompletionStage<DomainState> state(String name, Duration timeout) {
    return call("state", name, timeout, c -> {
      Domain d = lookup(c, name);
      if (d == null) {
        return DomainState.UNDEFINED;
      }
      try {
        return map(d.getInfo().state);
      } finally {
        d.free();
      }
    });
  }

  static DomainState map(DomainInfo.DomainState state) {
    if (state == null) {
      return DomainState.OTHER; // a state newer than libvirt-java's enum (pmsuspended)
    }
    return switch (state) {
      case VIR_DOMAIN_RUNNING, VIR_DOMAIN_BLOCKED -> DomainState.RUNNING;
      case VIR_DOMAIN_PAUSED -> DomainState.PAUSED;
      case VIR_DOMAIN_SHUTDOWN, VIR_DOMAIN_SHUTOFF -> DomainState.SHUTOFF;
      case VIR_DOMAIN_CRASHED -> DomainState.CRASHED;
      default -> DomainState.OTHER;
    };
  }

  @Override
  public CompletionStage<List<String>> activeDomains(Duration timeout) {
    return call("list", null, timeout, c -> {
      List<String> names = new ArrayList<>();
      for (int id : c.listDomains()) {
        Domain d;
        try {
          d = c.domainLookupByID(id);
        } catch (LibvirtException e) {
          if (isNoDomain(e)) {
            continue; // stopped between the listing and the lookup
          }
          throw e;
        }
        try {
          String name = d.getName();
          if (!XEN_DOM0.equals(name)) {
            names.add(name);
          }
        } finally {
          d.free();
        }
      }
      return List.copyOf(names);
    });
  }

  @Override
  public CompletionStage<Capacity> capacity(Duration timeout) {
    return call("node info", null, timeout, c -> {
      NodeInfo info = c.nodeInfo();
      return new Capacity(info.memory / 1024, info.cpus);
    });
  }

  @Override
  public void subscribe(Consumer<DomainEvent> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Removes the listeners and closes the connection (for test:/// that discards the simulated hypervisor). */
  @Override
  public void close() {
    closed = true;
    TEST_DRIVERS.remove(uri, this);
    listeners.clear();
    boolean locked;
    try {
      locked = inUse.writeLock().tryLock(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      locked = false;
    }
    if (!locked) {
      // a call hangs inside libvirt: leaking the connection is better than freeing it under that call
      log.warn("libvirt connection to {} still in use; not closing it", uri);
      return;
    }
    try {
      synchronized (connectLock) {
        if (connect != null) {
          try {
            connect.removeLifecycleListener(lifecycle);
          } catch (LibvirtException e) {
            log.debug("removing the lifecycle listener of {}: {}", uri, message(e));
          }
          try {
            connect.close();
          } catch (LibvirtException e) {
            log.warn("closing the libvirt connection to {}: {}", uri, message(e));
          }
          connect = null;
        }
      }
    } finally {
      inUse.writeLock().unlock();
    }
  }

  private int onLifecycle(Domain domain, org.libvirt.event.DomainEvent event) {
    try {
      String name;
      try {
        name = domain.getName();
      } finally {
        domain.free(); // libvirt-java took a reference for this callback
      }
      if (closed) {
        return 0;
      }
      DomainEvent e = new DomainEvent(name, event.getType().name(), detail(event));
      for (Consumer<DomainEvent> l : listeners) {
        try {
          l.accept(e);
        } catch (RuntimeException ex) {
          log.warn("lifecycle listener failed on {}", e, ex);
        }
      }
    } catch (LibvirtException | RuntimeException e) {
      log.warn("cannot handle a lifecycle event from {}: {}", uri, e.getMessage());
    }
    return 0;
  }

  private static String detail(org.libvirt.event.DomainEvent event) {
    try {
      DomainEventDetail d = event.getDetail();
      return d instanceof Enum<?> en ? en.name() : String.valueOf(d);
    } catch (RuntimeException e) {
      return "UNKNOWN"; // a detail code newer than libvirt-java
    }
  }

  @FunctionalInterface
  private interface LibvirtCall<T> {
    T apply(Connect c) throws LibvirtException;
  }

  @FunctionalInterface
  private interface LibvirtTask {
    void run(Connect c) throws LibvirtException;
  }

  private <T> CompletableFuture<T> call(String op, String domain, Duration timeout, LibvirtCall<T> call) {
    CompletableFuture<T> result = withTimeout(op, domain, timeout);
    submit(executor, result, op, domain, c -> result.complete(call.apply(c)));
    return result;
  }

  private <T> CompletableFuture<T> withTimeout(String op, String domain, Duration timeout) {
    CompletableFuture<T> result = new CompletableFuture<>();
    TimeoutException e = new TimeoutException(
        "libvirt " + op + on(domain) + " on " + uri + " timed out after " + timeout.toMillis() + " ms");
    CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS, Runnable::run)
        .execute(() -> result.completeExceptionally(e));
    return result;
  }

  /** Runs task on exec unless result is already complete (timed out), failing result with a descriptive error. */
  private void submit(Executor exec, CompletableFuture<?> result, String op, String domain, LibvirtTask task) {
    try {
      exec.execute(() -> {
        if (result.isDone()) {
          return; // the caller gave up: acting now (a late start, say) would surprise it
        }
        inUse.readLock().lock();
        try {
          if (closed) {
            throw new IllegalStateException("hypervisor " + uri + " is closed");
          }
          task.run(connection());
        } catch (LibvirtException e) {
          result.completeExceptionally(
              new HypervisorException("libvirt " + op + on(domain) + " on " + uri + " failed: " + message(e), e));
        } catch (RuntimeException e) {
          result.completeExceptionally(e);
        } finally {
          inUse.readLock().unlock();
        }
      });
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(e);
    }
  }

  /** The open connection; (re)opened when there is none or libvirt reports it dead (libvirtd restarted). */
  private Connect connection() throws LibvirtException {
    synchronized (connectLock) {
      if (connect != null && !alive(connect)) {
        log.warn("libvirt connection to {} is dead; reconnecting", uri);
        try {
          connect.close();
        } catch (LibvirtException e) {
          log.debug("closing dead connection to {}: {}", uri, message(e));
        }
        connect = null;
      }
      if (connect == null) {
        LibvirtEventLoop.ensureStarted();
        Connect c = new Connect(uri);
        try {
          c.addLifecycleListener(lifecycle);
        } catch (LibvirtException e) {
          c.close();
          throw e;
        }
        connect = c;
      }
      return connect;
    }
  }

  private static boolean alive(Connect c) {
    try {
      return c.isAlive();
    } catch (LibvirtException e) {
      return false;
    }
  }

  private static Domain lookup(Connect c, String name) throws LibvirtException {
    try {
      return c.domainLookupByName(name);
    } catch (LibvirtException e) {
      if (isNoDomain(e)) {
        return null;
      }
      throw e;
    }
  }

  private static boolean isActive(Domain d) throws LibvirtException {
    return d.isActive() == 1;
  }

  private static boolean isNoDomain(LibvirtException e) {
    return e.getError() != null && e.getError().getCode() == Error.ErrorNumber.VIR_ERR_NO_DOMAIN;
  }

  private static String message(LibvirtException e) {
    return e.getError() != null && e.getError().getMessage() != null ? e.getError().getMessage() : e.getMessage();
  }

  private static String on(String domain) {
    return domain == null ? "" : " of domain '" + domain + "'";
  }
}
