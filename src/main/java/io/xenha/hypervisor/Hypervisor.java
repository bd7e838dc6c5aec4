package io.xenha.hypervisor;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The port to one dom0's hypervisor. Every call runs on the blocking executor given to the implementation and
 * completes exceptionally (TimeoutException) when it takes longer than its timeout.
 */
public interface Hypervisor extends AutoCloseable {

  /** Domain states as xenha sees them. */
  enum DomainState { RUNNING, PAUSED, SHUTOFF, CRASHED, UNDEFINED, OTHER }

  /** A libvirt lifecycle event: type is libvirt's event type name (STARTED, STOPPED, CRASHED, ...). */
  record DomainEvent(String domain, String type, String detail) {}

  /** Node capacity as the hypervisor reports it. */
  record Capacity(long memoryMiB, int cpus) {}

  /** Defines the domain from its XML when libvirt does not know it yet, then starts it. */
  CompletionStage<Void> start(String name, String xml, Duration timeout);

  /** Graceful shutdown; when the domain is still active after {@code timeout}, destroys it. */
  CompletionStage<Void> stop(String name, Duration timeout);

  /**
   * Live-migrates the running domain to the hypervisor at {@code targetUri} (a URI this dom0 can reach, see
   * {@link Hypervisors#migrationUri}); completes once it runs there and no longer here. On failure the domain may
   * run here, there, or on both: the caller must ask each side.
   */
  CompletionStage<Void> migrate(String name, String targetUri, Duration timeout);

  /** Hard stop (virDomainDestroy); succeeds when the domain is not active. */
  CompletionStage<Void> destroy(String name, Duration timeout);

  CompletionStage<DomainState> state(String name, Duration timeout);

  /** Names of the active (running or paused) domains. */
  CompletionStage<List<String>> activeDomains(Duration timeout);

  CompletionStage<Capacity> capacity(Duration timeout);

  /** Registers a listener for lifecycle events; it is called on libvirt's event thread and must not block. */
  void subscribe(Consumer<DomainEvent> listener);

  String uri();

  @Override
  void close();
}
