package io.xenha.cluster;

import io.xenha.hypervisor.Hypervisor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * A test node's power: while its stand-in process lives the hypervisor answers as usual; once the stand-in is
 * gone (fenced: powered off) nothing runs there any more, from that very instant. Without this the simulated
 * power-off (closing the hypervisor) would trail the fence confirmation by a few milliseconds.
 */
final class PowerSwitch implements Hypervisor {

  private final Hypervisor real;
  private final long standIn;
  private final java.util.function.BiFunction<String, String, Runnable> onMigrate;

  PowerSwitch(Hypervisor real, Process standIn) {
    this(real, standIn, (domain, target) -> () -> { });
  }

  /** onMigrate: told (domain, target URI) when a migration from here begins; the Runnable it returns, when it ends. */
  PowerSwitch(Hypervisor real, Process standIn, java.util.function.BiFunction<String, String, Runnable> onMigrate) {
    this.real = real;
    this.standIn = standIn.pid();
    this.onMigrate = onMigrate;
  }

  private boolean on() {
    return ProcessHandle.of(standIn).map(ProcessHandle::isAlive).orElse(false);
  }

  private <T> CompletionStage<T> off() {
    return CompletableFuture.failedFuture(new IllegalStateException("node is powered off"));
  }

  @Override
  public CompletionStage<Void> start(String name, String xml, Duration timeout) {
    return on() ? real.start(name, xml, timeout) : off();
  }

  @Override
  public CompletionStage<Void> stop(String name, Duration timeout) {
    return on() ? real.stop(name, timeout) : off();
  }

  @Override
  public CompletionStage<Void> migrate(String name, String targetUri, Duration timeout) {
    if (!on()) {
      return off();
    }
    Runnable ended = onMigrate.apply(name, targetUri);
    return real.migrate(name, targetUri, timeout).whenComplete((ok, err) -> ended.run());
  }

  @Override
  public CompletionStage<Void> destroy(String name, Duration timeout) {
    return on() ? real.destroy(name, timeout) : off();
  }

  @Override
  public CompletionStage<DomainState> state(String name, Duration timeout) {
    return on() ? real.state(name, timeout) : off();
  }

  @Override
  public CompletionStage<List<String>> activeDomains(Duration timeout) {
    return on() ? real.activeDomains(timeout) : CompletableFuture.completedFuture(List.of());
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
