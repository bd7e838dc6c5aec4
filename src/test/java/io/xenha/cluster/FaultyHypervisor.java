package io.xenha.cluster;

import io.xenha.hypervisor.Hypervisor;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The real libvirt port with one fault libvirt's test driver cannot produce: stop and destroy of chosen domains
 * fail (a hung or refusing hypervisor), leaving their state unknown; migrations of chosen domains fail. Everything
 * else goes to libvirt.
 */
final class FaultyHypervisor implements Hypervisor {

  final Set<String> failingStops = ConcurrentHashMap.newKeySet();
  /** Domains whose migration away from here fails before anything moved. */
  final Set<String> failingMigrations = ConcurrentHashMap.newKeySet();
  private final Hypervisor real;

  Hypervisor real() {
    return real;
  }

  FaultyHypervisor(Hypervisor real) {
    this.real = real;
  }

  private <T> CompletionStage<T> refuse(String name) {
    return CompletableFuture.failedFuture(new IllegalStateException("injected fault: cannot stop " + name));
  }

  @Override
  public CompletionStage<Void> start(String name, String xml, Duration timeout) {
    return real.start(name, xml, timeout);
  }

  @Override
  public CompletionStage<Void> stop(String name, Duration timeout) {
    return failingStops.contains(name) ? refuse(name) : real.stop(name, timeout);
  }

  @Override
  public CompletionStage<Void> migrate(String name, String targetUri, Duration timeout) {
    return failingMigrations.contains(name)
        ? CompletableFuture.failedFuture(new IllegalStateException("injected fault: cannot migrate " + name))
        : real.migrate(name, targetUri, timeout);
  }

  @Override
  public CompletionStage<Void> destroy(String name, Duration timeout) {
    return failingStops.contains(name) ? refuse(name) : real.destroy(name, timeout);
  }

  @Override
  public CompletionStage<DomainState> state(String name, Duration timeout) {
    return real.state(name, timeout);
  }

  @Override
  public CompletionStage<List<String>> activeDomains(Duration timeout) {
    return real.activeDomains(timeout);
  }

  @Override
  public CompletionStage<Capacity> capacity(Duration timeout) {
    return real.capacity(timeout);
  }

  @Override
  public void subscribe(Consumer<DomainEvent> listener) {
    real.subscribe(listener);
  }

  @Override
  public String uri() {
    return real.uri();
  }

  @Override
  public void close() {
    real.close();
  }
}
