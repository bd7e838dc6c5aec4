package io.xenha.jmx;

import io.xenha.status.ClusterStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
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
  private final Duration fenceTimeout;
  private final ExecutorService executor =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "xenha-jmx-console");
            t.setDaemon(true);
            return t;
          });
  private ClusterStatus cached;
  /** Told every fresh status (the JMX server keeps one Resource bean per resource, also after a reload). */
  volatile java.util.function.Consumer<ClusterStatus> onStatus = s -> { };
  private long cachedAt;

  StatusSource(ClusterConsole console, Duration timeout, Duration fenceTimeout) {
    this.console = console;
    this.timeout = timeout;
    this.fenceTimeout = fenceTimeout;
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
    onStatus.accept(s);
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

  /**
   * Manual fencing, never cached: asks the console and waits up to the fence timeout. Refusals and failures come
   * back as the console's own message (IllegalArgumentException for an unknown node, else IllegalStateException).
   */
  ClusterStatus.FencingRecord fence(String node) {
    if (node == null || node.isBlank()) throw new IllegalArgumentException("which node? fence needs a node name");
    Future<ClusterStatus.FencingRecord> f = executor.submit(() -> console.fence(node));
    ClusterStatus.FencingRecord record;
    try {
      record = f.get(fenceTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      // the Controller goes on with the fence: only this caller stops waiting
      f.cancel(true);
      throw new IllegalStateException(io.xenha.controller.Admin.Reply.UNKNOWN
          + "fencing " + node + ": no answer within " + describe(fenceTimeout) + "; see `xenha history --node " + node
              + "` for the outcome");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      // only plain JDK exceptions cross JMX: the client JVM may not have the console's exception classes
      if (cause instanceof IllegalArgumentException) throw new IllegalArgumentException(reason(cause));
      throw new IllegalStateException(reason(cause));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("fencing " + node + ": interrupted");
    }
    if (record == null) throw new IllegalStateException("fencing " + node + ": the agent reported no outcome");
    if (!"success".equals(record.result())) {
      throw new IllegalStateException(
          "fencing " + node + " failed: " + record.action() + " with " + record.device() + " from " + record.executor()
              + " at " + record.at());
    }
    synchronized (this) {
      cached = null; // the node's state and the fencing history just changed
    }
    return record;
  }

  /**
   * An admin command through the Controller: returns what was done; a refusal is an IllegalStateException with
   * the Controller's reason (IllegalArgumentException for bad input, before anything is asked).
   */
  String admin(String op, String target, String node, String lifetime) {
    return admin(op, target, node, lifetime, false);
  }

  /** dryRun: the Controller answers what the command would make the cluster do, and changes nothing. */
  String admin(String op, String target, String node, String lifetime, boolean dryRun) {
    if (op == null || !io.xenha.controller.Admin.OPERATIONS.contains(op)) {
      throw new IllegalArgumentException("unknown operation '" + op + "' (known: "
          + String.join(", ", io.xenha.controller.Admin.OPERATIONS) + ")");
    }
    if (!op.startsWith("maintenance-") && (target == null || target.isBlank())) {
      throw new IllegalArgumentException(op + " needs " + (op.startsWith("node-") ? "a node name" : "a resource id"));
    }
    io.xenha.controller.Admin.Request request = new io.xenha.controller.Admin.Request(op, blankToNull(target),
        blankToNull(node), io.xenha.controller.Admin.parseLifetime(lifetime), dryRun);
    // the Controller answers once a majority and the agents have the change: allow for both
    Future<io.xenha.controller.Admin.Reply> f = executor.submit(() -> console.admin(request));
    io.xenha.controller.Admin.Reply reply;
    try {
      reply = f.get(timeout.toMillis() * 2 + 5000, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw unknown(op + (target == null ? "" : " " + target));
    } catch (ExecutionException e) {
      if (timedOut(e.getCause())) throw unknown(op + (target == null ? "" : " " + target));
      throw new IllegalStateException(op + " " + target + ": " + reason(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(op + " " + target + ": interrupted");
    }
    synchronized (this) {
      cached = null; // what the status shows just changed
    }
    if (!reply.ok()) throw new IllegalStateException(reply.message());
    return reply.message();
  }

  /** xenha reload through the Controller: what changed; a refusal is an IllegalStateException saying why. */
  String reload() {
    Future<io.xenha.controller.Admin.Reply> f = executor.submit(console::reload);
    io.xenha.controller.Admin.Reply reply;
    try {
      reply = f.get(timeout.toMillis() * 5 + 10_000, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw unknown("reload");
    } catch (ExecutionException e) {
      if (timedOut(e.getCause())) throw unknown("reload");
      throw new IllegalStateException("reload: " + reason(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("reload: interrupted");
    }
    synchronized (this) {
      cached = null;
    }
    if (!reply.ok()) throw new IllegalStateException(reply.message());
    return reply.message();
  }

  String export() {
    String text = call("the configuration and runtime overrides", console::export);
    if (text == null) throw new IllegalStateException("the agent returned no configuration");
    return text;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  /** Fencing history, newest first, straight from the console; every node's when {@code node} is null or empty. */
  List<ClusterStatus.FencingRecord> fencingHistory(String node) {
    String which = node == null || node.isBlank() ? null : node;
    List<ClusterStatus.FencingRecord> records =
        call(which == null ? "the fencing history" : "the fencing history of " + which,
            () -> console.fencingHistory(which));
    return newestFirst(records);
  }

  /** Operation and fencing history, newest first (blank filters mean all). */
  io.xenha.status.History history(String resource, String node) {
    String r = resource == null || resource.isBlank() ? null : resource;
    String n = node == null || node.isBlank() ? null : node;
    io.xenha.status.History h = call("the history", () -> console.history(r, n));
    if (h == null) return new io.xenha.status.History(List.of(), List.of());
    return new io.xenha.status.History(io.xenha.status.HistoryRecord.newestFirst(listOf(h.records())), listOf(h.missing()));
  }

  /** Sorted by time, newest first; records without a readable time keep their order, after the others. */
  static List<ClusterStatus.FencingRecord> newestFirst(List<ClusterStatus.FencingRecord> records) {
    List<ClusterStatus.FencingRecord> sorted = new ArrayList<>(listOf(records));
    sorted.removeIf(r -> r == null);
    sorted.sort(Comparator.comparing((ClusterStatus.FencingRecord r) -> instant(r.at()), Comparator.reverseOrder()));
    return sorted;
  }

  private static Instant instant(String at) {
    try {
      return at == null ? Instant.MIN : Instant.parse(at);
    } catch (DateTimeParseException e) {
      return Instant.MIN;
    }
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

  /**
   * The Controller did not answer: it may have failed over mid-way (the new one may or may not carry the command
   * out), so the outcome is unknown, never "refused".
   */
  private static IllegalStateException unknown(String what) {
    return new IllegalStateException(io.xenha.controller.Admin.Reply.UNKNOWN + what
        + ": no answer from the Controller (it may have failed over mid-way), so the outcome is unknown; check `xenha status`");
  }

  /** Whether the failure is a timeout (Pekko's AskTimeoutException is one), however wrapped. */
  static boolean timedOut(Throwable t) {
    return io.xenha.Causes.has(t, TimeoutException.class);
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
