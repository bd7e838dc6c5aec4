package io.xenha.jmx;

import io.xenha.status.ClusterStatus;
import java.time.Duration;
import java.util.List;

/** A console whose answers the test sets. */
final class FakeConsole implements ClusterConsole {

  volatile ClusterStatus status;
  volatile List<String> domains = List.of();
  volatile Exception failure;
  volatile Duration delay = Duration.ZERO;
  private final String localNode;

  FakeConsole(String localNode, ClusterStatus status) {
    this.localNode = localNode;
    this.status = status;
  }

  @Override
  public ClusterStatus status() throws Exception {
    pause();
    if (failure != null) throw failure;
    return status;
  }

  @Override
  public List<String> localActiveDomains() throws Exception {
    pause();
    if (failure != null) throw failure;
    return domains;
  }

  @Override
  public String localNode() {
    return localNode;
  }

  private void pause() throws InterruptedException {
    if (!delay.isZero()) Thread.sleep(delay.toMillis());
  }
}
