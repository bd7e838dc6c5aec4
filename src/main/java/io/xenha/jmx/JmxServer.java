package io.xenha.jmx;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.rmi.NoSuchObjectException;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.RMIServerSocketFactory;
import java.rmi.server.UnicastRemoteObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;
import javax.management.remote.rmi.RMIJRMPServerImpl;

/**
 * Registers one agent's MXBeans and, with a port, serves them over RMI bound to one address only, so that
 * `jconsole HOST:PORT` connects. Without a port the beans live in a private MBeanServer (in-JVM tests with several
 * agents).
 */
public final class JmxServer implements AutoCloseable {

  /** How long a bean waits for the agent before it answers with an error. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  /**
   * How long the fence operation waits for the agent. The Controller bounds the fence itself by its devices'
   * timeouts; this only keeps a hung agent from holding a JMX caller forever.
   */
  public static final Duration FENCE_TIMEOUT = Duration.ofMinutes(5);

  // Which server registered a name in the platform MBeanServer: a closing server must not remove a newer one's beans.
  private static final Map<ObjectName, JmxServer> PLATFORM_OWNERS = new ConcurrentHashMap<>();

  private final MBeanServer server;
  private final boolean platform;
  private final StatusSource source;
  private final List<ObjectName> registered = new ArrayList<>();
  private boolean closed;
  private RMIConnectorServer connector;
  private Registry registry;
  private JMXServiceURL url;

  private JmxServer(MBeanServer server, boolean platform, StatusSource source) {
    this.server = server;
    this.platform = platform;
    this.source = source;
  }

  /** Same as {@link #start(String, int, ClusterConsole, List, List, Duration)} with {@link #DEFAULT_TIMEOUT}. */
  public static JmxServer start(
      String host, int port, ClusterConsole console, List<String> nodeNames, List<String> resourceIds)
      throws IOException {
    return start(host, port, console, nodeNames, resourceIds, DEFAULT_TIMEOUT);
  }

  /**
   * Registers the beans of every node and resource. With port &gt; 0: in the platform MBeanServer, served at
   * HOST:PORT (loopback only for now); with port &lt;= 0: in a private MBeanServer, see {@link #server()}.
   */
  public static JmxServer start(
      String host,
      int port,
      ClusterConsole console,
      List<String> nodeNames,
      List<String> resourceIds,
      Duration timeout)
      throws IOException {
    InetAddress address = null;
    if (port > 0) {
      address = InetAddress.getByName(host);
      // without authentication anyone who reaches the port could run admin operations
      if (!address.isLoopbackAddress()) {
        throw new IllegalArgumentException(
            "JMX on a non-loopback address needs authentication: not supported yet (" + host + ")");
      }
    }
    boolean platform = port > 0;
    MBeanServer mbs = platform ? ManagementFactory.getPlatformMBeanServer() : MBeanServerFactory.newMBeanServer();
    JmxServer s = new JmxServer(mbs, platform, new StatusSource(console, timeout, FENCE_TIMEOUT));
    try {
      s.registerAll(console.localNode(), nodeNames, resourceIds);
      s.source.onStatus = s::followResources;
      if (platform) s.serve(host, port, address);
      return s;
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  private void registerAll(String localNode, List<String> nodeNames, List<String> resourceIds) {
    register(JmxNames.CLUSTER, new StandardMBean(new ClusterBean(source), ClusterMXBean.class, true));
    List<String> nodes = new ArrayList<>(nodeNames);
    if (localNode != null && !nodes.contains(localNode)) nodes.add(localNode);
    for (String node : nodes) {
      NodeBean bean = new NodeBean(node, source);
      register(
          JmxNames.node(node),
          node.equals(localNode)
              ? new StandardMBean(bean, LocalNodeMXBean.class, true)
              : new StandardMBean(bean, NodeMXBean.class, true));
    }
    for (String id : resourceIds) {
      register(JmxNames.resource(id), new StandardMBean(new ResourceBean(id, source), ResourceMXBean.class, true));
    }
  }

  /**
   * One Resource bean per resource the cluster has: a reload may add resources (their beans appear) or remove them
   * (theirs go); checked against every fresh status.
   */
  private synchronized void followResources(io.xenha.status.ClusterStatus status) {
    if (status.resources() == null || closed) return;
    java.util.Set<ObjectName> want = new java.util.HashSet<>();
    for (io.xenha.status.ClusterStatus.ResourceStatus r : status.resources()) {
      ObjectName name = JmxNames.resource(r.id());
      want.add(name);
      if (!registered.contains(name)) {
        register(name, new StandardMBean(new ResourceBean(r.id(), source), ResourceMXBean.class, true));
      }
    }
    for (ObjectName name : new ArrayList<>(registered)) {
      if ("Resource".equals(name.getKeyProperty("type")) && !want.contains(name)) {
        unregister(name);
        registered.remove(name);
      }
    }
  }

  private void unregister(ObjectName name) {
    try {
      if (platform) {
        synchronized (PLATFORM_OWNERS) {
          if (PLATFORM_OWNERS.remove(name, this) && server.isRegistered(name)) server.unregisterMBean(name);
        }
      } else if (server.isRegistered(name)) {
        server.unregisterMBean(name);
      }
    } catch (JMException e) {
      // someone else removed it meanwhile
    }
  }

  private void register(ObjectName name, StandardMBean bean) {
    try {
      if (platform) {
        synchronized (PLATFORM_OWNERS) {
          if (server.isRegistered(name)) server.unregisterMBean(name);
          server.registerMBean(bean, name);
          PLATFORM_OWNERS.put(name, this);
        }
      } else {
        server.registerMBean(bean, name);
      }
      registered.add(name);
    } catch (JMException e) {
      throw new IllegalStateException("cannot register " + name + ": " + e.getMessage(), e);
    }
  }

  private void serve(String host, int port, InetAddress address) throws IOException {
    // the stubs handed to clients carry this host name: it must be the address we listen on
    System.setProperty("java.rmi.server.hostname", host);
    BoundServerSocketFactory sockets = new BoundServerSocketFactory(address);
    Map<String, Object> env = new HashMap<>();
    env.put(RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, sockets);
    // no authentication: still refuse to deserialize anything but plain credentials
    env.put("jmx.remote.rmi.server.credential.types", new String[] {String[].class.getName(), String.class.getName()});
    registry = LocateRegistry.createRegistry(port, null, sockets);
    // same port and an equal socket factory: RMI shares one listening socket for registry and connector
    RMIJRMPServerImpl rmiServer = new RMIJRMPServerImpl(port, null, sockets, env);
    String hp = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    url = new JMXServiceURL("service:jmx:rmi://" + hp + "/jndi/rmi://" + hp + "/jmxrmi");
    connector = new RMIConnectorServer(new JMXServiceURL("service:jmx:rmi://" + hp), env, rmiServer, server);
    connector.start();
    registry.rebind("jmxrmi", rmiServer.toStub());
  }

  /** The MBeanServer holding the beans (the platform one when served over RMI). */
  public MBeanServer server() {
    return server;
  }

  /** The URL jconsole and {@link JmxClient} connect to; empty in private mode. */
  public Optional<JMXServiceURL> url() {
    return Optional.ofNullable(url);
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (connector != null) {
      try {
        connector.stop();
      } catch (IOException e) {
        // stopping is best effort: the registry below still releases the port
      }
      connector = null;
    }
    if (registry != null) {
      try {
        UnicastRemoteObject.unexportObject(registry, true);
      } catch (NoSuchObjectException e) {
        // already gone
      }
      registry = null;
    }
    for (ObjectName name : registered) {
      unregister(name);
    }
    registered.clear();
    source.close();
  }

  /** Listens on one address only; a record, because RMI shares a port only between equal factories. */
  private record BoundServerSocketFactory(InetAddress address) implements RMIServerSocketFactory {
    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
      return new ServerSocket(port, 50, address);
    }
  }
}
