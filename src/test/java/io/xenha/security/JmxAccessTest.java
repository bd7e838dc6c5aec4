package io.xenha.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.xenha.cli.CliRun.Run;
import io.xenha.cli.KeysCommand;
import io.xenha.config.ConfigLoader;
import io.xenha.controller.Admin;
import io.xenha.jmx.FakeConsole;
import io.xenha.jmx.JmxClient;
import io.xenha.jmx.JmxNames;
import io.xenha.jmx.JmxServer;
import io.xenha.status.StatusSamples;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.management.ObjectName;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's JMX port: no login, no access; monitor reads, admin changes; nothing that loads code (no platform
 * beans, no MLet, no bean registration) for anyone; TLS when asked for; refusals logged with user and operation.
 */
class JmxAccessTest {

  static final Duration TIMEOUT = Duration.ofSeconds(5);
  static final TestCredentials CREDS = TestCredentials.shared();
  static final List<String> NODES = List.of("node1", "node2");

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static JmxServer serve(FakeConsole console, int port) throws IOException {
    return JmxServer.start("127.0.0.1", port, console, NODES, List.of("web1"), CREDS.access());
  }

  @Test
  void withoutOrWithWrongCredentialsNothingIsServed() throws Exception {
    int port = freePort();
    try (LogCapture log = new LogCapture(JmxLogin.class);
        JmxServer s = serve(new FakeConsole("node1", StatusSamples.small()), port)) {
      JmxClient.Denied none = assertThrows(JmxClient.Denied.class, () -> JmxClient.connect("127.0.0.1", port, TIMEOUT));
      assertTrue(none.getMessage().startsWith("credentials required"), none.getMessage());
      JmxClient.Denied wrong = assertThrows(JmxClient.Denied.class,
          () -> JmxClient.connect("127.0.0.1", port, TIMEOUT, new String[] {"admin", "guess"}, null));
      assertEquals("authentication failed: unknown user or wrong password", wrong.getMessage());
      assertThrows(JmxClient.Denied.class,
          () -> JmxClient.connect("127.0.0.1", port, TIMEOUT, new String[] {"root", TestCredentials.ADMIN_PASSWORD}, null));
      assertEquals(1, log.count("without a user name and password"), log.lines()::toString);
      assertEquals(1, log.count("authentication failed for user 'admin' from 127.0.0.1"), log.lines()::toString);
      assertEquals(1, log.count("authentication failed for user 'root'"), log.lines()::toString);
      assertTrue(log.lines().stream().noneMatch(l -> l.contains("guess") || l.contains(TestCredentials.ADMIN_PASSWORD)),
          "no password in the log: " + log.lines());
    }
  }

  @Test
  void monitorReadsAndIsRefusedEveryChangeAdminChanges() throws Exception {
    int port = freePort();
    FakeConsole console = new FakeConsole("node1", StatusSamples.small());
    try (LogCapture log = new LogCapture(JmxRoles.class); JmxServer s = serve(console, port)) {
      try (JmxClient monitor = Security.connect("127.0.0.1", port, TIMEOUT, CREDS.monitor())) {
        assertEquals(StatusSamples.small(), monitor.status());
        monitor.invoke(JmxNames.CLUSTER, "status", new Object[0], new String[0]);
        monitor.history(null, null);
        JmxClient.Denied standby = assertThrows(JmxClient.Denied.class,
            () -> monitor.invoke(JmxNames.node("node2"), "standby", new Object[0], new String[0]));
        assertEquals("permission denied: operation 'standby' of io.xenha:type=Node,name=node2 needs the admin role;"
            + " user 'monitor' has the monitor role", standby.getMessage());
        assertThrows(JmxClient.Denied.class, () -> monitor.fence("node2"));
        assertThrows(JmxClient.Denied.class, () -> monitor.admin("resource-stop", "web1", null, null));
        assertThrows(JmxClient.Denied.class, monitor::reload);
      }
      assertEquals(List.of(), console.admin, "nothing reached the cluster");
      assertEquals(List.of(), console.fenced);
      assertEquals(1, log.count("JMX: refused 'monitor' (the monitor role) from 127.0.0.1: operation 'standby' of"
          + " io.xenha:type=Node,name=node2 needs the admin role"), log.lines()::toString);
      assertEquals(1, log.count("operation 'fence' of io.xenha:type=Cluster needs the admin role"), log.lines()::toString);

      try (JmxClient admin = Security.connect("127.0.0.1", port, TIMEOUT, CREDS.admin())) {
        assertEquals("done", admin.invoke(JmxNames.node("node2"), "standby", new Object[0], new String[0]));
      }
      assertEquals(List.of(new Admin.Request("node-standby", "node2", null, null)), console.admin);
      assertEquals(1, log.count("JMX: admin 'admin' from 127.0.0.1: operation 'standby' of io.xenha:type=Node,name=node2"),
          log.lines()::toString);
    }
  }

  @Test
  void noPlatformBeansNoPekkoBeansAndNoWayToLoadCode() throws Exception {
    int port = freePort();
    try (JmxServer s = serve(new FakeConsole("node1", StatusSamples.small()), port);
        JmxClient admin = Security.connect("127.0.0.1", port, TIMEOUT, CREDS.admin())) {
      Set<String> domains = admin.connection().queryNames(null, null).stream().map(ObjectName::getDomain)
          .collect(Collectors.toSet());
      assertEquals(Set.of("io.xenha", "JMImplementation"), domains);
      for (String name : List.of("java.lang:type=Runtime", "com.sun.management:type=DiagnosticCommand",
          "com.sun.management:type=HotSpotDiagnostic", "pekko:type=Cluster")) {
        assertFalse(admin.connection().isRegistered(new ObjectName(name)), name);
      }
      // the operation that loads a Java agent into the JVM is not there to call
      IOException agent = assertThrows(IOException.class, () -> admin.invoke(
          new ObjectName("com.sun.management:type=DiagnosticCommand"), "jvmtiAgentLoad",
          new Object[] {new String[] {"/tmp/evil.jar"}}, new String[] {String[].class.getName()}));
      assertTrue(agent.getMessage().startsWith("no bean com.sun.management:type=DiagnosticCommand"), agent.getMessage());
      // nor can a bean be made (an MLet loads classes from any URL), even by an admin
      SecurityException mlet = assertThrows(SecurityException.class, () -> admin.connection()
          .createMBean("javax.management.loading.MLet", new ObjectName("x:type=MLet")));
      assertTrue(mlet.getMessage().contains("is not allowed over JMX"), mlet.getMessage());
      assertThrows(SecurityException.class, () -> admin.connection().unregisterMBean(JmxNames.CLUSTER));
    }
  }

  @Test
  void readOnlyPlatformBeansOnlyWhenAskedAndTheirOperationsNeedAdmin() throws Exception {
    int port = freePort();
    JmxServer.Access access = new JmxServer.Access(CREDS.access().authenticator(), JmxRoles.forwarder(), null, true,
        null, List.of());
    try (JmxServer s = JmxServer.start("127.0.0.1", port, new FakeConsole("node1", StatusSamples.small()), NODES,
            List.of(), access);
        JmxClient monitor = Security.connect("127.0.0.1", port, TIMEOUT, CREDS.monitor())) {
      assertTrue(((Number) monitor.attribute(new ObjectName("java.lang:type=Runtime"), "Uptime")).longValue() > 0);
      assertThrows(JmxClient.Denied.class,
          () -> monitor.invoke(new ObjectName("java.lang:type=Memory"), "gc", new Object[0], new String[0]));
      assertFalse(monitor.connection().isRegistered(new ObjectName("com.sun.management:type=DiagnosticCommand")));
    }
  }

  @Test
  void theCliRefusesClearlyWithoutCredentialsAndNamesTheMissingRole(@TempDir Path dir) throws Exception {
    assumeFalse(Files.exists(CliCredentials.DEFAULT), CliCredentials.DEFAULT + " exists on this machine");
    assumeFalse(System.getenv(CliCredentials.ENV) != null, "XENHA_CREDENTIALS is set");
    int port = freePort();
    String registry = System.getProperty("xenha.demo-registry");
    System.setProperty("xenha.demo-registry", dir.resolve("no-demos").toString());
    FakeConsole console = new FakeConsole("node1", StatusSamples.small());
    try (JmxServer s = serve(console, port)) {
      String at = "127.0.0.1:" + port;
      Run none = xenha("status", "--jmx", at);
      assertEquals(1, none.code());
      assertEquals("xenha status: refused: no credentials: /etc/xenha/cli.credentials (the default) does not exist"
          + " (a user with the monitor or admin role: give --credentials FILE or set XENHA_CREDENTIALS)\n", none.err());
      Run standby = xenha("node", "standby", "node2", "--jmx", at, "--credentials", CREDS.monitorFile().toString());
      assertEquals(1, standby.code());
      assertTrue(standby.err().startsWith("xenha node standby node2: refused: permission denied: operation 'admin' of"
          + " io.xenha:type=Cluster needs the admin role; user 'monitor' has the monitor role"), standby.err());
      assertEquals(0, xenha("status", "--jmx", at, "--credentials", CREDS.monitorFile().toString()).code());
      assertEquals(0, xenha("node", "standby", "node2", "--jmx", at, "--credentials", CREDS.adminFile().toString()).code());
      assertEquals(1, console.admin.size());
    } finally {
      if (registry == null) System.clearProperty("xenha.demo-registry");
      else System.setProperty("xenha.demo-registry", registry);
    }
  }

  @Test
  void offLoopbackJmxSpeaksTlsWithTheNodeCertificate(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("c.conf");
    Files.writeString(conf, "xenha { cluster-name = t, nodes { n1 { address = \"127.0.0.1:2551\", jmx-host = \"0.0.0.0\" } }\n"
        + " security { tls-dir = keys, credentials = keys/jmx.credentials, jmx-tls = true } }\n");
    var cfg = ConfigLoader.load(conf).config().orElseThrow();
    KeysCommand.write(cfg, dir.resolve("keys"), Duration.ofDays(30));
    int port = freePort();
    SSLContext saved = SSLContext.getDefault();
    try (JmxServer s = JmxServer.start("0.0.0.0", port, new FakeConsole("n1", StatusSamples.small()), List.of("n1"),
        List.of(), Security.jmxAccess(cfg, "n1"))) {
      CliCredentials plain = CliCredentials.read(dir.resolve("keys/cli.credentials"));
      // a client that does not speak TLS gets nothing
      IOException e = assertThrows(IOException.class, () -> Security.connect("127.0.0.1", port, TIMEOUT, plain));
      assertFalse(e instanceof JmxClient.Denied);
      CliCredentials tls = new CliCredentials(plain.user(), plain.password(), dir.resolve("keys/ca.pem"), "test");
      try (JmxClient c = Security.connect("127.0.0.1", port, TIMEOUT, tls)) {
        assertEquals(StatusSamples.small(), c.status());
      }
    } finally {
      SSLContext.setDefault(saved);
    }
  }

  @Test
  void theStatusSaysWhenTheClusterLinksAreInsecure(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("c.conf");
    Files.writeString(conf, "xenha { nodes { n1 { address = \"127.0.0.1:2551\" } }, security { insecure = true,"
        + " credentials = \"" + CREDS.jmxFile() + "\" } }\n");
    var cfg = ConfigLoader.load(conf).config().orElseThrow();
    int port = freePort();
    try (JmxServer s = JmxServer.start("127.0.0.1", port, new FakeConsole("n1", StatusSamples.small()), List.of("n1"),
            List.of(), Security.jmxAccess(cfg, "n1"));
        JmxClient c = Security.connect("127.0.0.1", port, TIMEOUT, CREDS.monitor())) {
      assertTrue(c.status().warnings().contains(Security.INSECURE_WARNING), c.status()::toString);
      Run text = xenha("status", "--jmx", "127.0.0.1:" + port, "--credentials", CREDS.monitorFile().toString());
      assertTrue(text.out().contains("INSECURE: cluster links are neither encrypted nor authenticated"), text.out());
    }
  }

  static Run xenha(String... args) {
    return io.xenha.cli.CliRun.xenha(args);
  }
}
