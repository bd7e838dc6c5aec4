package io.xenha.jmx;

import io.xenha.status.ClusterStatus;
import io.xenha.status.StatusJson;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.management.AttributeNotFoundException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.ReflectionException;
import javax.management.RuntimeMBeanException;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import javax.net.ssl.SSLContext;
import javax.rmi.ssl.SslRMIClientSocketFactory;

/** Reads a running agent's beans over JMX: what `xenha status`, the demo and the tests use. */
public final class JmxClient implements AutoCloseable {

  private final MBeanServerConnection connection;
  private final JMXConnector connector;
  private final String address;

  private JmxClient(MBeanServerConnection connection, JMXConnector connector, String address) {
    this.connection = connection;
    this.connector = connector;
    this.address = address;
  }

  /** Connects without credentials: every agent refuses that ({@link Denied}); for tests of exactly that. */
  public static JmxClient connect(String host, int port, Duration timeout) throws IOException {
    return connect(host, port, timeout, null, null);
  }

  /**
   * Connects to the agent at HOST:PORT as USER with PASSWORD ({@code credentials}: user, password); over TLS when
   * {@code tls} is given (it must trust the cluster CA). An IOException's message is the short reason (e.g.
   * "Connection refused"); {@link Denied} when the agent refused the credentials.
   */
  public static JmxClient connect(String host, int port, Duration timeout, String[] credentials, SSLContext tls)
      throws IOException {
    String hp = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://" + hp + "/jmxrmi");
    Map<String, Object> env = new HashMap<>();
    if (credentials != null) env.put(JMXConnector.CREDENTIALS, credentials);
    if (tls != null) {
      // the connector's stubs make their sockets with the default factory: it must trust the cluster CA
      SSLContext.setDefault(tls);
      env.put("com.sun.jndi.rmi.factory.socket", new SslRMIClientSocketFactory());
    }
    // JMXConnectorFactory has no timeout of its own: a host that drops packets would hang the caller
    ExecutorService executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "xenha-jmx-connect");
              t.setDaemon(true);
              return t;
            });
    Future<JMXConnector> f = executor.submit(() -> JMXConnectorFactory.connect(url, env));
    try {
      JMXConnector c = f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return new JmxClient(c.getMBeanServerConnection(), c, host + ":" + port);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new IOException("no answer within " + StatusSource.describe(timeout));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof SecurityException denied) throw new Denied(denied.getMessage());
      throw new IOException(io.xenha.Causes.rootReason(e.getCause()), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    } finally {
      executor.shutdownNow();
    }
  }

  /** Reads beans from a connection at hand, e.g. a {@link JmxServer#server()} in private mode. */
  public static JmxClient of(MBeanServerConnection connection) {
    return new JmxClient(connection, null, "local");
  }

  /** The raw connection, e.g. for {@code JMX.newMXBeanProxy}. */
  public MBeanServerConnection connection() {
    return connection;
  }

  /** HOST:PORT, or "local". */
  public String address() {
    return address;
  }

  /** The cluster status, from the Cluster bean's StatusJson. */
  public ClusterStatus status() throws IOException {
    String json = (String) attribute(JmxNames.CLUSTER, "StatusJson");
    try {
      return StatusJson.fromJson(json);
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** What libvirt runs on NODE, asked of that node's own agent (only the local node's bean has this). */
  public List<String> activeDomains(String node) throws IOException {
    Object value = attribute(JmxNames.node(node), "ActiveDomains");
    if (value instanceof String[] a) return List.of(a);
    throw new IOException("ActiveDomains of " + node + " is not a list of names: " + value);
  }

  /** Any attribute; server-side failures come back as an IOException carrying the bean's message. */
  public Object attribute(ObjectName name, String attribute) throws IOException {
    try {
      return connection.getAttribute(name, attribute);
    } catch (InstanceNotFoundException e) {
      throw new IOException("no bean " + name + " at " + address + " (is it a xenha agent of this cluster?)");
    } catch (AttributeNotFoundException e) {
      throw new IOException("bean " + name + " at " + address + " has no attribute " + attribute);
    } catch (SecurityException e) {
      throw new Denied(e.getMessage());
    } catch (RuntimeMBeanException e) {
      throw new IOException(io.xenha.Causes.rootReason(e.getTargetException()));
    } catch (MBeanException e) {
      throw new IOException(io.xenha.Causes.rootReason(e.getTargetException()));
    } catch (JMException e) {
      throw new IOException(io.xenha.Causes.rootReason(e));
    }
  }

  /** Fences NODE through the Cluster bean and returns its one-line answer; {@link Refused} says why not. */
  public String fence(String node) throws IOException {
    return (String) invoke(JmxNames.CLUSTER, "fence", new Object[] {node}, new String[] {String.class.getName()});
  }

  /** `xenha reload`: what changed; {@link Refused} says why nothing did. */
  public String reload() throws IOException {
    return (String) invoke(JmxNames.CLUSTER, "reload", new Object[0], new String[0]);
  }

  /** `xenha export`: the agent's configuration file plus the runtime overrides. */
  public String exportConfig() throws IOException {
    return (String) invoke(JmxNames.CLUSTER, "exportConfig", new Object[0], new String[0]);
  }

  /** An admin command through the Cluster bean; returns what was done, {@link Refused} says why not. */
  public String admin(String op, String target, String node, String lifetime) throws IOException {
    String str = String.class.getName();
    return (String) invoke(JmxNames.CLUSTER, "admin", new Object[] {op, target, node, lifetime}, new String[] {str, str, str, str});
  }

  /** What an admin command would do (nothing changes); {@link Refused} says why it would be refused. */
  public String simulateAdmin(String op, String target, String node, String lifetime) throws IOException {
    String str = String.class.getName();
    return (String) invoke(JmxNames.CLUSTER, "simulateAdmin", new Object[] {op, target, node, lifetime},
        new String[] {str, str, str, str});
  }

  /** The fencing history, newest first; every node's when NODE is null. */
  public List<ClusterStatus.FencingRecord> fencingHistory(String node) throws IOException {
    String json =
        (String)
            invoke(JmxNames.CLUSTER, "fencingHistory", new Object[] {node}, new String[] {String.class.getName()});
    try {
      return StatusJson.fencingFromJson(json);
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** Operation and fencing history, newest first; of RESOURCE and/or NODE when not null. */
  public io.xenha.status.History history(String resource, String node) throws IOException {
    String json = (String) invoke(JmxNames.CLUSTER, "history", new Object[] {resource, node},
        new String[] {String.class.getName(), String.class.getName()});
    try {
      return StatusJson.historyFromJson(json);
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /**
   * Any operation. When the bean answers with an error (a refusal, an unknown node) the exception is a
   * {@link Refused} carrying the bean's message; any other IOException means the agent could not be asked.
   */
  public Object invoke(ObjectName name, String operation, Object[] params, String[] signature) throws IOException {
    try {
      return connection.invoke(name, operation, params, signature);
    } catch (InstanceNotFoundException e) {
      throw new IOException("no bean " + name + " at " + address + " (is it a xenha agent of this cluster?)");
    } catch (SecurityException e) {
      throw new Denied(e.getMessage());
    } catch (RuntimeMBeanException e) {
      throw new Refused(io.xenha.Causes.rootReason(e.getTargetException()));
    } catch (MBeanException e) {
      throw new Refused(io.xenha.Causes.rootReason(e.getTargetException()));
    } catch (ReflectionException e) {
      // an older agent without this operation
      throw new IOException("bean " + name + " at " + address + " has no operation " + operation);
    } catch (JMException e) {
      throw new IOException(io.xenha.Causes.rootReason(e));
    }
  }

  /** The agent answered, with an error: its message says why (e.g. why a fence was refused). */
  public static class Refused extends IOException {
    public Refused(String message) {
      super(message);
    }
  }

  /** The agent refused who we are: no or wrong credentials, or a role that may not do this. */
  public static final class Denied extends Refused {
    public Denied(String message) {
      super(message);
    }
  }


  /** HOST:PORT as given to `--jmx`; IPv6 hosts in brackets. */
  public record HostPort(String host, int port) {

    public static HostPort parse(String s) {
      int colon = s.lastIndexOf(':');
      if (colon <= 0 || colon == s.length() - 1) throw new IllegalArgumentException("expected HOST:PORT, got " + s);
      String host = s.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
      int port;
      try {
        port = Integer.parseInt(s.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("expected HOST:PORT, got " + s);
      }
      if (port < 1 || port > 65535) throw new IllegalArgumentException("port out of range in " + s);
      return new HostPort(host, port);
    }

    @Override
    public String toString() {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }

  @Override
  public void close() {
    if (connector != null) {
      try {
        connector.close();
      } catch (IOException e) {
        // the agent may be gone already: nothing left to release
      }
    }
  }

  @Override
  public String toString() {
    return "JmxClient[" + address + "]";
  }
}
