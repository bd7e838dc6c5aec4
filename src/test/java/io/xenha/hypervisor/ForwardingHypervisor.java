package io.xenha.hypervisor;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/** Forwards everything to another Hypervisor; a test overrides what it breaks or observes. */
public class ForwardingHypervisor implements Hypervisor {

  protected final Hypervisor delegate;

  public ForwardingHypervisor(Hypervisor delegate) {
    this.delegate = delegate;
  }

  @Override
  public CompletionStage<Void> start(String name, String xml, Duration timeout) {
    return delegate.start(name, xml, timeout);
  }

  @Override
  public CompletionStage<Void> stop(String name, Duration timeout) {
    return delegate.stop(name, timeout);
  }

  @Override
  public CompletionStage<Void> migrate(String name, String targetUri, Duration timeout) {
    return delegate.migrate(name, targetUri, timeout);
  }

  @Override
  public CompletionStage<Void> destroy(String name, Duration timeout) {
    return delegate.destroy(name, timeout);
  }

  @Override
  public CompletionStage<DomainState> state(String name, Duration timeout) {
    return delegate.state(name, timeout);
  }

  @Override
  public CompletionStage<List<String>> activeDomains(Duration timeout) {
    return delegate.activeDomains(timeout);
  }

  @Override
  public CompletionStage<Capacity> capacity(Duration timeout) {
    return delegate.capacity(timeout);
  }

  @Override
  public void subscribe(Consumer<DomainEvent> listener) {
    delegate.subscribe(listener);
  }

  @Override
  public String uri() {
    return delegate.uri();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
