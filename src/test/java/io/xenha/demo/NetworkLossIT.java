package io.xenha.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.xenha.status.ClusterStatus;
import io.xenha.status.StatusJson;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's network monitoring for real: three agent processes, each in its own network namespace with a
 * cluster link and a LAN link (scripts/netns-lab.sh). pingd pings the LAN gateway; pulling a node's LAN cable
 * (its veth goes down, the cluster link stays up) drops its pingd to 0 and the location rule moves its domUs
 * away; when the cable is back, pingd returns and, with stickiness, nothing moves back.
 */
class NetworkLossIT {

  static final Path LAB = Path.of("scripts/netns-lab.sh").toAbsolutePath();
  static final List<String> DOMAINS = List.of("vm1", "vm2", "vm3", "vm4", "vm5", "vm6");
  final List<Process> agents = new ArrayList<>();
  /** The lab's key material (`xenha keys init`): the agents talk mutual TLS, the CLI logs in. */
  Path keys;

  static int sh(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor(60, TimeUnit.SECONDS) ? p.exitValue() : -1;
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Process p : agents) {
      p.destroyForcibly();
    }
    for (Process p : agents) {
      p.waitFor(20, TimeUnit.SECONDS);
    }
    sh(LAB.toString(), "down", "3");
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  ClusterStatus status() throws Exception {
    Process p = new ProcessBuilder("ip", "netns", "exec", "xh-n1", java(), "-Xshare:auto", "-cp",
        System.getProperty("java.class.path"), "io.xenha.Main", "status", "--json", "--jmx", "127.0.0.1:9011",
        "--credentials", keys.resolve("cli.credentials").toString()).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor(30, TimeUnit.SECONDS);
    if (p.exitValue() != 0) {
      throw new IllegalStateException("status exit " + p.exitValue());
    }
    return StatusJson.fromJson(out);
  }

  ClusterStatus await(Predicate<ClusterStatus> ok, Duration max, String what) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    ClusterStatus last = null;
    while (System.nanoTime() < deadline) {
      try {
        last = status();
        if (ok.test(last)) {
          return last;
        }
      } catch (Exception e) {
        // the cluster is still forming
      }
      Thread.sleep(500);
    }
    throw new AssertionError(what + " within " + max + "; last: " + (last == null ? null : StatusJson.toJson(last)));
  }

  static Map<String, String> placement(ClusterStatus s) {
    Map<String, String> out = new TreeMap<>();
    for (ClusterStatus.ResourceStatus r : s.resources()) {
      if (r.type().equals("domain") && r.state().equals("started")) {
        out.put(r.id(), r.node());
      }
    }
    return out;
  }

  /** The node's pingd attribute as a number, -1 when it has none. */
  static long pingd(ClusterStatus s, String node) {
    return s.nodes().stream().filter(n -> n.name().equals(node)).findFirst()
        .map(n -> n.attributes() == null ? null : n.attributes().get("pingd"))
        .map(v -> ((Number) v).longValue()).orElse(-1L);
  }

  @Test
  void aNodeThatLosesItsLanLosesItsDomainsAndNothingMovesBack(@TempDir Path dir) throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")) && new File("/usr/sbin/ip").canExecute(),
        "network namespaces need root and iproute2: skipping");
    assumeTrue(sh(LAB.toString(), "up", "3") == 0, "cannot create network namespaces here: skipping");

    StringBuilder conf = new StringBuilder("xenha {\n  cluster-name = lab\n  nodes {\n");
    for (int i = 1; i <= 3; i++) {
      Path nd = Files.createDirectories(dir.resolve("n" + i));
      Files.writeString(nd.resolve("host.xml"), "<node><cpu><nodes>1</nodes><sockets>1</sockets><cores>4</cores><threads>1</threads>"
          + "<active>4</active><mhz>2000</mhz><model>x86_64</model></cpu><memory>8388608</memory></node>");
      conf.append("    n").append(i).append(" { address = \"10.77.0.1").append(i).append(":2551\", hypervisor = \"test://")
          .append(nd.resolve("host.xml")).append("\", state-dir = \"").append(nd).append("\", jmx-port = 9011 }\n");
    }
    conf.append("""
          }
          properties { default-resource-stickiness = 100 }
          cluster { stable-after = 3s, acceptable-heartbeat-pause = 2s }
          resources {
            fence { type = stonith, agent = "builtin:kill" }
            pingd { type = builtin, agent = ping, clone {}, params { host-list = ["10.78.0.1"], multiplier = 100, dampen = 1s }
                    ops.monitor { interval = 1s, timeout = 5s } }
        """);
    for (String d : DOMAINS) {
      Files.writeString(dir.resolve(d + ".xml"), "<domain type='test'><name>" + d + "</name><memory unit='MiB'>128</memory>"
          + "<vcpu>1</vcpu><os><type>hvm</type></os></domain>");
      conf.append("    ").append(d).append(" { type = domain, domain-xml = \"").append(dir.resolve(d + ".xml")).append("\" }\n");
    }
    conf.append("  }\n  constraints.location = [\n");
    for (String d : DOMAINS) {
      conf.append("    { resource = ").append(d).append(", rule = \"-INFINITY: not_defined pingd or pingd lte 0\" }\n");
    }
    conf.append("  ]\n}\n");
    Path file = dir.resolve("lab.conf");
    Files.writeString(file, conf);
    keys = dir.resolve("keys");
    io.xenha.cli.KeysCommand.write(io.xenha.config.ConfigLoader.load(file).config().orElseThrow(), keys, Duration.ofDays(30));
    Files.delete(keys.resolve("ca.key"));
    Files.writeString(file, "xenha.security { tls-dir = \"" + keys + "\", credentials = \"" + keys.resolve("jmx.credentials")
        + "\" }\n", java.nio.file.StandardOpenOption.APPEND);

    for (int i = 1; i <= 3; i++) {
      ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", "xh-n" + i, java(), "-Xmx256m",
          "-XX:+DisableAttachMechanism", "-cp",
          System.getProperty("java.class.path"), "io.xenha.Main", "agent", "--config", file.toString(), "--node", "n" + i);
      pb.redirectErrorStream(true).redirectOutput(dir.resolve("n" + i + ".log").toFile());
      agents.add(pb.start());
    }

    ClusterStatus s = await(st -> placement(st).keySet().containsAll(DOMAINS)
            && st.nodes().stream().allMatch(n -> pingd(st, n.name()) == 100),
        Duration.ofSeconds(90), "every domU started and pingd = 100 on every node");
    Map<String, String> before = placement(s);
    // the victim: a node other than n1 (through which we watch) that runs domUs
    String victim = before.containsValue("n2") ? "n2" : "n3";
    List<String> onVictim = before.entrySet().stream().filter(e -> e.getValue().equals(victim)).map(Map.Entry::getKey).toList();
    assertFalse(onVictim.isEmpty(), victim + " runs domUs: " + before);

    assertEquals(0, sh(LAB.toString(), "cut", victim.substring(1)));
    ClusterStatus cut = await(st -> pingd(st, victim) == 0 && placement(st).keySet().containsAll(DOMAINS)
            && !placement(st).containsValue(victim),
        Duration.ofSeconds(60), victim + "'s domUs moved away after its LAN was cut");
    Map<String, String> after = placement(cut);
    for (String d : DOMAINS) {
      if (!onVictim.contains(d)) {
        assertEquals(before.get(d), after.get(d), d + " did not need to move");
      }
    }
    assertTrue(cut.nodes().stream().anyMatch(n -> n.name().equals(victim) && n.state().equals("online")),
        victim + " is still in the cluster (only its LAN is down): " + cut.nodes());

    assertEquals(0, sh(LAB.toString(), "mend", victim.substring(1)));
    await(st -> pingd(st, victim) == 100, Duration.ofSeconds(60), "pingd back on " + victim);
    long watch = System.nanoTime() + Duration.ofSeconds(6).toNanos();
    while (System.nanoTime() < watch) {
      assertEquals(after, placement(status()), "with stickiness nothing moves back to " + victim);
    }
  }
}
