package io.xenha.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.xenha.agent.XenhaNode;
import io.xenha.cli.KeysCommand;
import io.xenha.config.ConfigLoader;
import io.xenha.config.LoadResult;
import io.xenha.config.XenhaConfig;
import io.xenha.executor.NodeAgent;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BooleanSupplier;
import java.util.stream.StreamSupport;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A whole xenha cluster over mutual TLS (three agents in this JVM on real ports 27651-27653): only certificates of
 * the cluster CA that name a configured node get in. Outsiders on 27654-27657 try to join and are refused, each
 * refusal logged once per node; a node's key and certificate are replaced while the cluster runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Tag("slow")
class SecureClusterTest {

  static final int BASE = 27651;
  static final List<String> NODES = List.of("n1", "n2", "n3");
  /**
   * A fourth configured node that never runs: its address is where the impostor of test 4 binds. (A node of the
   * cluster is never stopped and started again on its port here: in Pekko 1.7 a system that has refused a TLS
   * handshake may never finish terminating, its port still bound; bounded upstream only in 2.0, apache/pekko#3317.)
   */
  static final String SPARE = "n9";
  static final int SPARE_PORT = BASE + 8;

  Path dir;
  Path tls;
  XenhaConfig config;
  final Map<String, XenhaNode> nodes = new ConcurrentSkipListMap<>();
  final List<ActorSystem> intruders = new ArrayList<>();
  LogCapture log;

  @BeforeAll
  void startCluster() throws Exception {
    dir = Files.createTempDirectory("xenha-secure-");
    tls = dir.resolve("tls");
    StringBuilder c = new StringBuilder("xenha {\n  cluster-name = sec\n  nodes {\n");
    for (int i = 0; i < NODES.size(); i++) {
      String n = NODES.get(i);
      Path nd = Files.createDirectories(dir.resolve(n));
      Files.writeString(nd.resolve("host.xml"), "<node><cpu><nodes>1</nodes><sockets>1</sockets><cores>2</cores>"
          + "<threads>1</threads><active>2</active><mhz>2000</mhz><model>x86_64</model></cpu><memory>2097152</memory></node>");
      c.append("    ").append(n).append(" { address = \"127.0.0.1:").append(BASE + i).append("\", hypervisor = \"test://")
          .append(nd.resolve("host.xml")).append("\", state-dir = \"").append(nd).append("\" }\n");
    }
    Path spare = Files.createDirectories(dir.resolve(SPARE));
    Files.writeString(spare.resolve("host.xml"), Files.readString(dir.resolve("n1").resolve("host.xml")));
    c.append("    ").append(SPARE).append(" { address = \"127.0.0.1:").append(SPARE_PORT).append("\", hypervisor = \"test://")
        .append(spare.resolve("host.xml")).append("\", state-dir = \"").append(spare).append("\" }\n");
    c.append("  }\n  properties { stonith-enabled = false }\n");
    c.append("  cluster { stable-after = 2s, heartbeat-interval = 500ms, acceptable-heartbeat-pause = 2500ms }\n");
    c.append("  security { tls-dir = \"").append(tls).append("\", credentials = \"").append(tls.resolve("jmx.credentials"))
        .append("\", reload-interval = 300ms }\n}\n");
    Path file = dir.resolve("cluster.conf");
    Files.writeString(file, c);
    LoadResult loaded = ConfigLoader.load(file);
    assertTrue(loaded.ok(), loaded.problems()::toString);
    config = loaded.config().orElseThrow();
    KeysCommand.write(config, tls, Duration.ofDays(30));
    // the CA's key stays off the nodes, as the README says
    Files.move(tls.resolve("ca.key"), dir.resolve("ca.key"));
    assertEquals(List.of(), KeyFiles.check(config, "n1").stream().filter(p -> !p.warning()).toList());
    log = new LogCapture(NodeTls.class, RefusalLog.class);
    for (String n : NODES) start(n);
    awaitMembers(Set.of("n1", "n2", "n3"), Duration.ofSeconds(60));
  }

  void start(String n) throws Exception {
    Config overrides = ConfigFactory.parseString("pekko.coordinated-shutdown.run-by-actor-system-terminate = off\n"
        + "pekko.coordinated-shutdown.terminate-actor-system = on\npekko.loglevel = INFO\n");
    nodes.put(n, XenhaNode.start(config, n, overrides, NodeAgent.Settings.DEFAULT, Clock.systemUTC()));
  }

  @AfterAll
  void stop() throws Exception {
    intruders.forEach(ActorSystem::terminate);
    nodes.values().forEach(XenhaNode::close);
    if (log != null) log.close();
  }

  /** Every node sees exactly these nodes, all Up, none unreachable. */
  void awaitMembers(Set<String> expected, Duration max) throws Exception {
    await(() -> nodes.values().stream().allMatch(n -> membersUp(n).equals(expected)), max,
        () -> "members Up " + expected + "; seen: " + membership());
  }

  Set<String> membersUp(XenhaNode n) {
    var state = Cluster.get(n.system().classicSystem()).state();
    Set<String> up = new TreeSet<>();
    if (!state.getUnreachable().isEmpty()) return Set.of("unreachable:" + state.getUnreachable());
    for (Member m : state.getMembers()) {
      if (m.status() == MemberStatus.up()) up.add(nodeOf(m));
      else up.add(m.status() + ":" + m.address());
    }
    return up;
  }

  String nodeOf(Member m) {
    int port = (Integer) m.address().port().get();
    int i = port - BASE;
    return i >= 0 && i < NODES.size() ? NODES.get(i) : m.address().toString();
  }

  Map<String, Set<String>> membership() {
    Map<String, Set<String>> out = new TreeMap<>();
    nodes.forEach((n, x) -> {
      Set<String> all = new TreeSet<>();
      Cluster.get(x.system().classicSystem()).state().getMembers()
          .forEach(m -> all.add(m.address() + "=" + m.status()));
      out.put(n, all);
    });
    return out;
  }

  static void await(BooleanSupplier ok, Duration max, java.util.function.Supplier<String> what) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    while (!ok.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("not within " + max + ": " + what.get());
      Thread.sleep(50);
    }
  }

  @Test
  @Order(1)
  void theClusterRunsOverMutualTls() throws Exception {
    for (XenhaNode n : nodes.values()) {
      assertEquals("tls-tcp", n.system().settings().config().getString("pekko.remote.artery.transport"));
      assertFalse(n.system().settings().config().getBoolean("pekko.cluster.jmx.enabled"));
    }
    await(() -> {
      try {
        return nodes.get("n2").console().status().controller() != null;
      } catch (Exception e) {
        return false;
      }
    }, Duration.ofSeconds(30), () -> "a Controller");
    // what a node's port presents: its own certificate, from the cluster CA
    X509Certificate served = probe(BASE + 1, "n3");
    assertEquals("n2", Keys.commonName(served));
    assertEquals(Pem.certificate(tls.resolve("n2.pem")), served);
  }

  /** Runs last: the nodes refuse handshakes here (see SPARE for why that matters to the tests before it). */
  @Test
  @Order(5)
  void outsidersAreRefusedBeforeAnyClusterMessageAndEachRefusalIsLoggedOncePerNode() throws Exception {
    Path evil = Files.createDirectories(dir.resolve("intruders"));
    // another CA's certificate for a configured name
    CertificateAuthority other = CertificateAuthority.create("sec", Duration.ofDays(10));
    CertificateAuthority.Issued foreign = other.issue("sec", "n4", "127.0.0.1", Duration.ofDays(5));
    write(evil.resolve("foreign"), foreign, other.certificate());
    // the cluster's CA, a name that is not a configured node
    CertificateAuthority ours = CertificateAuthority.load(tls.resolve("ca.pem"), dir.resolve("ca.key"));
    CertificateAuthority.Issued stranger = ours.issue("sec", "n4", "127.0.0.1", Duration.ofDays(5));
    write(evil.resolve("stranger"), stranger, ours.certificate());
    // a copy of n2's own key and certificate, used from another address (a stolen key, a cloned VM)
    Files.createDirectories(evil.resolve("clone"));
    Files.copy(tls.resolve("n2.pem"), evil.resolve("clone").resolve("cert.pem"));
    Files.copy(tls.resolve("n2.key"), evil.resolve("clone").resolve("key.pem"));

    ActorSystem a = intruder("foreign", BASE + 3, evil.resolve("foreign"));
    ActorSystem b = intruder("stranger", BASE + 4, evil.resolve("stranger"));
    ActorSystem d = intruder("clone", BASE + 5, evil.resolve("clone"));
    ActorSystem plain = intruder("plain", BASE + 6, null);

    String foreignFp = Pem.fingerprint(foreign.cert());
    String strangerFp = Pem.fingerprint(stranger.cert());
    await(() -> NODES.stream().allMatch(n -> refusals(n, foreignFp) >= 1 && refusals(n, strangerFp) >= 1)
            && NODES.stream().filter(n -> !n.equals("n2")).allMatch(n -> log.count("TLS " + n
                + ": refused the cluster peer at 127.0.0.1:" + (BASE + 5)) >= 1),
        Duration.ofSeconds(60), () -> "every node refused every intruder: " + log.lines());
    // the intruders keep trying (a join attempt every few seconds): watch several rounds
    long until = System.nanoTime() + Duration.ofSeconds(8).toNanos();
    while (System.nanoTime() < until) {
      for (XenhaNode n : nodes.values()) assertEquals(Set.of("n1", "n2", "n3"), membersUp(n), membership()::toString);
      Thread.sleep(200);
    }
    for (ActorSystem x : List.of(a, b, d, plain)) {
      assertNotEquals(MemberStatus.up(), Cluster.get(x).selfMember().status(), x.name() + " got in");
      assertTrue(Cluster.get(x).state().getMembers().iterator().hasNext() == false
          || StreamSupport.stream(Cluster.get(x).state().getMembers().spliterator(), false)
              .noneMatch(m -> m.status() == MemberStatus.up()), x.name() + " sees no member Up");
    }
    for (String n : NODES) {
      assertEquals(1, refusals(n, foreignFp), "once per node: " + log.lines());
      assertEquals(1, refusals(n, strangerFp), "once per node: " + log.lines());
    }
    List<String> lines = log.lines();
    assertTrue(lines.stream().anyMatch(l -> l.contains("TLS n1: refused an inbound cluster connection: certificate 'CN=n4")
        && l.contains("is not signed by the cluster CA")), lines::toString);
    assertTrue(lines.stream().anyMatch(l -> l.contains("TLS n1: refused an inbound cluster connection: certificate 'CN=n4")
        && l.contains("names no configured node (configured: n1, n2, n3, n9)")), lines::toString);
    // the clone at another address: the cluster's answer goes to that address, where n2 is not configured
    assertEquals(1, log.count("TLS n1: refused the cluster peer at 127.0.0.1:" + (BASE + 5) + ": certificate 'CN=n2"),
        lines::toString);
    assertTrue(lines.stream().anyMatch(l -> l.contains("names n2, configured at 127.0.0.1:" + (BASE + 1)
        + ", but no node is configured there")), lines::toString);
    // presenting n2's certificate to n2 itself
    assertEquals(1, log.count("TLS n2: refused an inbound cluster connection: certificate 'CN=n2"), lines::toString);
    // their termination is not waited for (a refused TLS handshake can hold it in Pekko 1.7; see SPARE)
    for (ActorSystem x : intruders) x.terminate();
    intruders.clear();
  }

  long refusals(String node, String fingerprint) {
    return log.lines().stream().filter(l -> l.startsWith("TLS " + node + ": refused") && l.contains(fingerprint)).count();
  }

  /** NAME on PORT, joining the cluster through its seed nodes; certDir null: plain TCP, no TLS at all. */
  ActorSystem intruder(String name, int port, Path certDir) {
    return intruder(name, port, certDir, "");
  }

  ActorSystem intruder(String name, int port, Path certDir, String extra) {
    StringBuilder c = new StringBuilder(extra).append("pekko.actor.provider = cluster\npekko.loglevel = WARNING\n"
        + "pekko.remote.artery.canonical.hostname = 127.0.0.1\npekko.remote.artery.canonical.port = " + port + "\n"
        + "pekko.cluster.jmx.enabled = off\npekko.cluster.seed-nodes = [");
    for (int i = 0; i < NODES.size(); i++) c.append(i == 0 ? "" : ", ").append("\"pekko://sec@127.0.0.1:").append(BASE + i).append('"');
    c.append("]\n");
    if (certDir == null) {
      c.append("pekko.remote.artery.transport = tcp\n");
    } else {
      c.append("pekko.remote.artery.transport = tls-tcp\npekko.remote.artery.ssl.ssl-engine-provider = \"")
          .append(IntruderTls.class.getName()).append("\"\npekko.remote.artery.ssl.intruder { cert = \"")
          .append(certDir.resolve("cert.pem")).append("\", key = \"").append(certDir.resolve("key.pem")).append("\" }\n");
    }
    ActorSystem s = ActorSystem.create("sec", ConfigFactory.parseString(c.toString()).withFallback(ConfigFactory.load()));
    intruders.add(s);
    return s;
  }

  static void write(Path dir, CertificateAuthority.Issued issued, X509Certificate ca) throws Exception {
    Keys.write(dir.resolve("cert.pem"), Pem.toPem(issued.cert()) + Pem.toPem(ca), Keys.PUBLIC);
    Keys.write(dir.resolve("key.pem"), Pem.toPem(issued.key()), Keys.SECRET);
  }

  @Test
  @Order(3)
  void aNodesCertificateIsReplacedWhileTheClusterRunsAndNewConnectionsUseIt() throws Exception {
    int mark = log.lines().size();
    X509Certificate before = Pem.certificate(tls.resolve("n2.pem"));
    CertificateAuthority ca = CertificateAuthority.load(tls.resolve("ca.pem"), dir.resolve("ca.key"));
    CertificateAuthority.Issued renewed = ca.issue("sec", "n2", "127.0.0.1", Duration.ofDays(60));
    // as `xenha keys add n2 --force` and a copy would: key first, then the certificate, each in one rename
    Keys.write(tls.resolve("n2.key"), Pem.toPem(renewed.key()), Keys.SECRET);
    Keys.write(tls.resolve("n2.pem"), Pem.toPem(renewed.cert()) + Pem.toPem(ca.certificate()), Keys.PUBLIC);

    await(() -> {
      try {
        return probe(BASE + 1, "n1").getSerialNumber().equals(renewed.cert().getSerialNumber());
      } catch (Exception e) {
        return false;
      }
    }, Duration.ofSeconds(30), () -> "n2 presents its new certificate");
    assertNotEquals(before.getSerialNumber(), renewed.cert().getSerialNumber());
    assertEquals(1, log.count("TLS: n2 now presents its new certificate (serial " + renewed.cert().getSerialNumber().toString(16)),
        log.lines()::toString);
    // the links that were open stay up ...
    for (XenhaNode n : nodes.values()) assertEquals(Set.of("n1", "n2", "n3"), membersUp(n));
    assertNotNull(nodes.get("n2").console().status().controller());
    // ... and new ones are made with the new certificate (the probe above is a new connection, verified against the
    // cluster CA by a client that presents n1's certificate), and nothing was refused meanwhile
    X509Certificate again = probe(BASE + 1, "n3");
    assertEquals(renewed.cert().getSerialNumber(), again.getSerialNumber());
    List<String> since = log.lines().subList(mark, log.lines().size());
    assertTrue(since.stream().noneMatch(l -> l.contains(": refused")), since::toString);
  }

  @Test
  @Order(4)
  void aMemberThatIsNotTheNodeConfiguredAtItsAddressIsDowned() throws Exception {
    // n9's address and a copy of n9's key and certificate (n9 is configured, not running), but the agent role of
    // n2: as an agent started with the wrong --node would be, or an impostor of n2 on n9's host. TLS lets it in.
    Path copy = Files.createDirectories(dir.resolve("intruders").resolve("n9-copy"));
    Files.copy(tls.resolve(SPARE + ".pem"), copy.resolve("cert.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.copy(tls.resolve(SPARE + ".key"), copy.resolve("key.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    String addr = "pekko://sec@127.0.0.1:" + SPARE_PORT;
    try (LogCapture guard = new LogCapture(MembershipGuard.class)) {
      // xenha's own Pekko settings (a foreign configuration would be refused as incompatible before joining)
      ActorSystem x = ActorSystem.create("sec", XenhaNode.pekkoConfig(config, SPARE, ConfigFactory.parseString(
          "pekko.cluster.roles = [\"xenha-node:n2\"]\npekko.extensions = []\npekko.loglevel = WARNING\n"
              // xenha's own agents join through their Bootstrap, which this system has not: Pekko's seed nodes
              + "pekko.cluster.seed-nodes = [\"pekko://sec@127.0.0.1:" + BASE + "\", \"pekko://sec@127.0.0.1:" + (BASE + 1) + "\"]\n"
              + "pekko.remote.artery.ssl.ssl-engine-provider = \"" + IntruderTls.class.getName() + "\"\n"
              + "pekko.remote.artery.ssl.intruder { cert = \"" + copy.resolve("cert.pem") + "\", key = \""
              + copy.resolve("key.pem") + "\" }\n")));
      intruders.add(x);
      await(() -> guard.count("downing " + addr) >= 1, Duration.ofSeconds(60),
          () -> "a node downed the member: " + guard.lines() + " " + membership());
      assertTrue(guard.lines().stream().anyMatch(l -> l.contains("downing " + addr)
          && l.endsWith("not a configured node at its address: it says it is n2, but n9 is configured at 127.0.0.1:"
              + SPARE_PORT)), guard.lines()::toString);
      await(() -> Cluster.get(x).isTerminated() || Cluster.get(x).selfMember().status() == MemberStatus.down()
          || Cluster.get(x).selfMember().status() == MemberStatus.removed(), Duration.ofSeconds(60),
          () -> "the member was downed: " + Cluster.get(x).selfMember());
      awaitMembers(Set.of("n1", "n2", "n3"), Duration.ofSeconds(60));
      x.terminate(); // its termination is not waited for: nothing needs its port again (see SPARE)
    }
  }

  /** The certificate NODE's cluster port presents to a TLS client that shows AS's (valid) certificate. */
  X509Certificate probe(int port, String as) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("me", Pem.privateKey(tls.resolve(as + ".key")), new char[0],
        Pem.certificates(tls.resolve(as + ".pem")).toArray(X509Certificate[]::new));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance("NewSunX509");
    kmf.init(ks, new char[0]);
    X509Certificate[] seen = new X509Certificate[1];
    X509TrustManager capture = new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {
        seen[0] = chain[0];
      }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
    SSLContext ctx = SSLContext.getInstance("TLSv1.3");
    ctx.init(kmf.getKeyManagers(), new TrustManager[] {capture}, new SecureRandom());
    try (Socket plain = new Socket("127.0.0.1", port);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, "127.0.0.1", port, true)) {
      s.setSoTimeout(5000);
      s.startHandshake();
    }
    return seen[0];
  }
}
