package io.xenha.jmx;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.rmi.server.RMIClientSocketFactory;
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
import java.util.function.Supplier;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import javax.management.remote.JMXAuthenticator;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.MBeanServerForwarder;
import javax.management.remote.rmi.RMIConnectorServer;
import javax.management.remote.rmi.RMIJRMPServerImpl;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.rmi.ssl.SslRMIClientSocketFactory;

/**
 * Registers one agent's MXBeans in an MBeanServer of its own and, with a port, serves them over RMI bound to one
 * address only, so that `jconsole HOST:PORT` connects. The port serves xenha's beans only: not the JVM's platform
 * beans (one of them loads Java agents), not Pekko's cluster beans; {@link Access} may add the read-only platform
 * beans. Every connection must log in ({@link Access#authenticator}) and every call passes the role check
 * ({@link Access#forwarder}); with {@link Access#tls} the port speaks TLS only.
 */
public final class JmxServer implements AutoCloseable {

  /** How long a bean waits for the agent before it answers with an error. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  /**
   * How long the fence operation waits for the agent. The Controller bounds the fence itself by its devices'
   * timeouts; this only keeps a hung agent from holding a JMX caller forever.
   */
  public static final Duration FENCE_TIMEOUT = Duration.ofMinutes(5);

  /**
   * Who may use the port and how: authenticator (required to serve a port) checks user and password, forwarder
   * checks each call's role; tls (null: plain) gives the SSLContext of each new connection; platformBeans adds the
   * JVM's read-only platform beans; advertisedHost: the host clients are told to connect to (null: the bound host;
   * set it when binding a wildcard address); statusWarnings are added to every status the beans give (e.g. that the
   * cluster links are not encrypted).
   */
  public record Access(JMXAuthenticator authenticator, MBeanServerForwarder forwarder, Supplier<SSLContext> tls,
      boolean platformBeans, String advertisedHost, List<String> statusWarnings) {
    /** No port: the beans are only reachable from inside this JVM. */
    public static final Access LOCAL = new Access(null, null, null, false, null, List.of());
  }

  private final MBeanServer server;
  private final StatusSource source;
  private final List<ObjectName> registered = new ArrayList<>();
  private boolean closed;
  private RMIConnectorServer connector;
  private Registry registry;
  private JMXServiceURL url;

  private JmxServer(MBeanServer server, StatusSource source) {
    this.server = server;
    this.source = source;
  }

  /** The beans only, reachable from inside this JVM ({@link #server()}): in-JVM tests with several agents. */
  public static JmxServer start(
      String host, int port, ClusterConsole console, List<String> nodeNames, List<String> resourceIds)
      throws IOException {
    return start(host, port, console, nodeNames, resourceIds, DEFAULT_TIMEOUT, Access.LOCAL);
  }

  /** As {@link #start(String, int, ClusterConsole, List, List, Duration, Access)} with {@link #DEFAULT_TIMEOUT}. */
  public static JmxServer start(String host, int port, ClusterConsole console, List<String> nodeNames,
      List<String> resourceIds, Access access) throws IOException {
    return start(host, port, console, nodeNames, resourceIds, DEFAULT_TIMEOUT, access);
  }

  /** The beans only, with the given timeout ({@link Access#LOCAL}). */
  public static JmxServer start(String host, int port, ClusterConsole console, List<String> nodeNames,
      List<String> resourceIds, Duration timeout) throws IOException {
    return start(host, port, console, nodeNames, resourceIds, timeout, Access.LOCAL);
  }

  /**
   * Registers the beans of every node and resource in a private MBeanServer and, with port &gt; 0, serves them at
   * HOST:PORT under ACCESS: a port needs an authenticator, a non-loopback address also TLS (IllegalArgumentException
   * otherwise).
   */
  public static JmxServer start(
      String host,
      int port,
      ClusterConsole console,
      List<String> nodeNames,
      List<String> resourceIds,
      Duration timeout,
      Access access)
      throws IOException {
    InetAddress address = null;
    if (port > 0) {
      if (access.authenticator() == null) {
        throw new IllegalArgumentException("JMX on port " + port + " needs credentials (xenha.security.credentials)");
      }
      address = InetAddress.getByName(host);
      // a password sent in clear over the network is as good as none
      if (!address.isLoopbackAddress() && access.tls() == null) {
        throw new IllegalArgumentException("JMX on the non-loopback address " + host
            + " needs TLS: set xenha.security.jmx-tls = true, or bind JMX to 127.0.0.1");
      }
    }
    if (!access.statusWarnings().isEmpty()) console = withWarnings(console, access.statusWarnings());
    JmxServer s = new JmxServer(MBeanServerFactory.newMBeanServer(), new StatusSource(console, timeout, FENCE_TIMEOUT));
    try {
      s.registerAll(console.localNode(), nodeNames, resourceIds);
      if (access.platformBeans()) s.registerPlatformBeans();
      s.source.onStatus = s::followResources;
      if (port > 0) s.serve(host, port, address, access);
      return s;
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** A console whose status carries WARNINGS as well (what this agent knows that the Controller does not). */
  private static ClusterConsole withWarnings(ClusterConsole c, List<String> warnings) {
    return new ForwardingConsole(c) {
      @Override
      public io.xenha.status.ClusterStatus status() throws Exception {
        io.xenha.status.ClusterStatus s = c.status();
        if (s == null) return null;
        List<String> all = new ArrayList<>(s.warnings() == null ? List.of() : s.warnings());
        all.addAll(warnings);
        return new io.xenha.status.ClusterStatus(s.schema(), s.cluster(), s.controller(), s.quorum(), s.nodes(),
            s.resources(), s.fencing(), all, s.votes());
      }
    };
  }

  /**
   * The JVM's platform beans that only tell (runtime, memory, threads, ...), for jconsole's overview. Their few
   * operations (gc, reset peaks) need the admin role like any other; the diagnostic beans, which can load agents or
   * dump the heap, are never served.
   */
  private void registerPlatformBeans() {
    List<java.lang.management.PlatformManagedObject> beans = new ArrayList<>(List.of(
        ManagementFactory.getRuntimeMXBean(), ManagementFactory.getMemoryMXBean(), ManagementFactory.getThreadMXBean(),
        ManagementFactory.getOperatingSystemMXBean(), ManagementFactory.getClassLoadingMXBean(),
        ManagementFactory.getCompilationMXBean()));
    beans.addAll(ManagementFactory.getGarbageCollectorMXBeans());
    beans.addAll(ManagementFactory.getMemoryPoolMXBeans());
    for (java.lang.management.PlatformManagedObject b : beans) {
      if (b == null) continue;
      try {
        server.registerMBean(b, b.getObjectName());
        registered.add(b.getObjectName());
      } catch (JMException e) {
        throw new IllegalStateException("cannot register " + b.getObjectName() + ": " + e.getMessage(), e);
      }
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
      if (server.isRegistered(name)) server.unregisterMBean(name);
    } catch (JMException e) {
      // someone else removed it meanwhile
    }
  }

  private void register(ObjectName name, StandardMBean bean) {
    try {
      server.registerMBean(bean, name);
      registered.add(name);
    } catch (JMException e) {
      throw new IllegalStateException("cannot register " + name + ": " + e.getMessage(), e);
    }
  }

  private void serve(String host, int port, InetAddress address, Access access) throws IOException {
    String advertised = access.advertisedHost() != null ? access.advertisedHost() : host;
    // the stubs handed to clients carry this host name: it must be an address we listen on
    System.setProperty("java.rmi.server.hostname", advertised);
    RMIServerSocketFactory sockets = access.tls() == null ? new BoundServerSocketFactory(address)
        : new TlsServerSocketFactory(address, access.tls());
    RMIClientSocketFactory clientSockets = access.tls() == null ? null : new SslRMIClientSocketFactory();
    Map<String, Object> env = new HashMap<>();
    env.put(RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, sockets);
    if (clientSockets != null) env.put(RMIConnectorServer.RMI_CLIENT_SOCKET_FACTORY_ATTRIBUTE, clientSockets);
    env.put(JMXConnectorServer.AUTHENTICATOR, access.authenticator());
    // refuse to deserialize anything but plain credentials
    env.put("jmx.remote.rmi.server.credential.types", new String[] {String[].class.getName(), String.class.getName()});
    registry = LocateRegistry.createRegistry(port, clientSockets, sockets);
    // same port and an equal socket factory: RMI shares one listening socket for registry and connector
    RMIJRMPServerImpl rmiServer = new RMIJRMPServerImpl(port, clientSockets, sockets, env);
    String hp = (advertised.indexOf(':') >= 0 ? "[" + advertised + "]" : advertised) + ":" + port;
    url = new JMXServiceURL("service:jmx:rmi://" + hp + "/jndi/rmi://" + hp + "/jmxrmi");
    connector = new RMIConnectorServer(new JMXServiceURL("service:jmx:rmi://" + hp), env, rmiServer, server);
    if (access.forwarder() != null) connector.setMBeanServerForwarder(access.forwarder());
    connector.start();
    registry.rebind("jmxrmi", rmiServer.toStub());
  }

  /** The MBeanServer holding the beans (this server's own; calls on it bypass the login and role checks). */
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

  /**
   * TLS on one address: each accepted connection is wrapped with the SSLContext of that moment, so that a renewed
   * certificate is used from the next connection on. A record with the same supplier: equal, so the port is shared.
   */
  private record TlsServerSocketFactory(InetAddress address, Supplier<SSLContext> tls) implements RMIServerSocketFactory {
    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
      return new ServerSocket(port, 50, address) {
        @Override
        public Socket accept() throws IOException {
          Socket plain = super.accept();
          SSLSocket s = (SSLSocket) tls.get().getSocketFactory().createSocket(plain, null, plain.getPort(), true);
          s.setUseClientMode(false);
          s.setEnabledProtocols(new String[] {"TLSv1.3"});
          return s;
        }
      };
    }
  }
}
