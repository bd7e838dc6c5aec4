package io.xenha.cluster;

import io.xenha.hypervisor.ForwardingHypervisor;
import io.xenha.hypervisor.Hypervisor;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The real libvirt port with one fault libvirt's test driver cannot produce: stop and destroy of chosen domains
 * fail (a hung or refusing hypervisor), leaving their state unknown; migrations of chosen domains fail. Everything
 * else goes to libvirt.
 */
final class FaultyHypervisor extends ForwardingHypervisor {

  final Set<String> failingStops = ConcurrentHashMap.newKeySet();
  /** Domains whose migration away from here fails before anything moved. */
  final Set<String> failingMigrations = ConcurrentHashMap.newKeySet();

  Hypervisor real() {
    return delegate;
  }

  FaultyHypervisor(Hypervisor real) {
    super(real);
  }

  private <T> CompletionStage<T> refuse(String name) {
    return CompletableFuture.failedFuture(new IllegalStateException("injected fault: cannot stop " + name));
  }

  @Override
  public CompletionStage<Void> stop(String name, Duration timeout) {
    return failingStops.contains(name) ? refuse(name) : delegate.stop(name, timeout);
  }

  @Override
  public CompletionStage<Void> migrate(String name, String targetUri, Duration timeout) {
    return failingMigrations.contains(name)
        ? CompletableFuture.failedFuture(new IllegalStateException("injected fault: cannot migrate " + name))
        : delegate.migrate(name, targetUri, timeout);
  }

  @Override
  public CompletionStage<Void> destroy(String name, Duration timeout) {
    return failingStops.contains(name) ? refuse(name) : delegate.destroy(name, timeout);
  }
}
