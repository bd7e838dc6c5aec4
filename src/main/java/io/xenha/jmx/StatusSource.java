package io.xenha.jmx;

import io.xenha.status.ClusterStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The beans' one way to the running agent: bounds every call with a timeout and turns failures into plain
 * IllegalStateExceptions with a readable message (no cause: the client JVM may not have the cause's class).
 */
final class StatusSource implements AutoCloseable {

  // jconsole reads every attribute of a bean in one sweep: one status per sweep is enough
  private static final long CACHE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  private final ClusterConsole console;
  private final Duration timeout;
  private final ExecutorService executor =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "xenha-jmx-console");
            t.setDaemon(true);
            return t;
          });
  private ClusterStatus cached;
  private long cachedAt;

  StatusSource(ClusterConsole console, Duration timeout) {
    this.console = console;
    this.timeout = timeout;
  }

  String localNode() {
    return console.localNode();
  }

  synchronized ClusterStatus status() {
    long now = System.nanoTime();
    if (cached != null && now - cachedAt < CACHE_NANOS) return cached;
    ClusterStatus s = call("the cluster status", console::status);
    if (s == null) throw new IllegalStateException("cannot get the cluster status: the agent returned none");
    cached = s;
    cachedAt = now;
    return s;
  }

  List<String> localActiveDomains() {
    List<String> domains = call("the active domains of " + console.localNode(), console::localActiveDomains);
    return domains == null ? List.of() : List.copyOf(domains);
  }

  ClusterStatus.NodeStatus node(String name) {
    for (ClusterStatus.NodeStatus n : listOf(status().nodes())) {
      if (name.equals(n.name())) return n;
    }
    throw new IllegalStateException("node " + name + " is not in the cluster status");
  }

  ClusterStatus.ResourceStatus resource(String id) {
    for (ClusterStatus.ResourceStatus r : listOf(status().resources())) {
      if (id.equals(r.id())) return r;
    }
    throw new IllegalStateException("resource " + id + " is not in the cluster status");
  }

  private <T> T call(String what, Callable<T> task) {
    Future<T> f = executor.submit(task);
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new IllegalStateException("cannot get " + what + ": no answer within " + describe(timeout));
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot get " + what + ": " + reason(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("cannot get " + what + ": interrupted");
    }
  }

  static String describe(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  static String reason(Throwable t) {
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
  }

  static <T> List<T> listOf(List<T> l) {
    return l == null ? List.of() : l;
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
