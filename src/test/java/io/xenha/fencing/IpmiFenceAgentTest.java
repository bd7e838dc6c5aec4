package io.xenha.fencing;

import static io.xenha.fencing.FenceTestFiles.alive;
import static io.xenha.fencing.FenceTestFiles.readPid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code /usr/sbin/fence_ipmilan} (IPMI 2.0 lanplus) against a real BMC peer, OpenIPMI's {@code ipmi_sim} on
 * 127.0.0.1, whose "power" is a node process: powering off must end that process, powering on starts a new one.
 */
class IpmiFenceAgentTest {

  private static final Path FENCE_IPMILAN = Path.of("/usr/sbin/fence_ipmilan");
  private static final String USER = "fenceadm";
  private static final String PASSWORD = "Xh-ipmi-7f3c9a";
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  @TempDir
  static Path dir;
  private static Process sim;
  private static int lanPort;
  private static Path nodePid;
  private static Path secretFile;

  @BeforeAll
  static void startSimulator() throws Exception {
    assumeTrue(Files.isExecutable(FENCE_IPMILAN), FENCE_IPMILAN + " is missing: apt-get install fence-agents");
    Optional<Path> ipmiSim = FenceTestFiles.which("ipmi_sim");
    assumeTrue(ipmiSim.isPresent(), "ipmi_sim is missing: apt-get install openipmi");
    assumeTrue(FenceTestFiles.which("ipmitool").isPresent(), "ipmitool is missing: apt-get install ipmitool");

    lanPort = freeUdpPort();
    int serialPort = freeTcpPort();
    Path nodeScript = FenceTestFiles.executable("node.sh", dir);
    nodePid = dir.resolve("node.pid");
    Path conf = dir.resolve("lan.conf");
    Files.writeString(conf, FenceTestFiles.resource("lan.conf")
        .replace("@LAN_PORT@", Integer.toString(lanPort))
        .replace("@SERIAL_PORT@", Integer.toString(serialPort))
        .replace("@NODE_SCRIPT@", nodeScript.toString())
        .replace("@NODE_PIDFILE@", nodePid.toString())
        .replace("@USER@", USER)
        .replace("@PASSWORD@", PASSWORD));
    Path emu = dir.resolve("bmc.emu");
    Files.writeString(emu, FenceTestFiles.resource("bmc.emu"));
    Path state = Files.createDirectories(dir.resolve("state"));
    secretFile = dir.resolve("bmc.secret");
    Files.writeString(secretFile, PASSWORD + "\n");
    Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));

    sim = new ProcessBuilder(ipmiSim.get().toString(), "-c", conf.toString(), "-f", emu.toString(), "-s", state.toString(), "-n")
        .redirectErrorStream(true).redirectOutput(dir.resolve("ipmi_sim.log").toFile()).start();
    assertTrue(FenceTestFiles.await(5000, () -> readPid(nodePid).map(FenceTestFiles::alive).orElse(false)),
        "ipmi_sim did not start the node: " + log());
  }

  @AfterAll
  static void stopSimulator() throws Exception {
    if (sim == null) {
      return;
    }
    List<ProcessHandle> tree = sim.descendants().toList();
    sim.destroyForcibly();
    tree.forEach(ProcessHandle::destroyForcibly);
    sim.waitFor();
  }

  /** The tuned options (see docs/fencing.md): cipher 3 saves ipmitool's cipher-suite probe, power_wait 0 two seconds. */
  private static Map<String, String> params() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("ip", "127.0.0.1");
    p.put("ipport", Integer.toString(lanPort));
    p.put("username", USER);
    p.put("password-file", secretFile.toString());
    p.put("lanplus", "1");
    p.put("cipher", "3");
    p.put("power_wait", "0");
    p.put("power_timeout", "10");
    return p;
  }

  private static FenceAgentRunner.Outcome fence(String action) throws Exception {
    long t0 = System.nanoTime();
    FenceAgentRunner.Outcome o = FenceAgentRunner.run(FENCE_IPMILAN, action, FenceAgentRunner.withSecrets(params()), TIMEOUT);
    System.out.printf("%-7s %5d ms  %s%n", action, (System.nanoTime() - t0) / 1_000_000, o.summary());
    assertFalse(o.summary().contains(PASSWORD), o.summary());
    return o;
  }

  @Test
  void statusOffOnAndRebootPowerTheNodeProcess() throws Exception {
    long first = readPid(nodePid).orElseThrow();
    if (!fence("status").ok()) {
      // another test left the node off: start from on
      assertTrue(fence("on").ok());
      assertTrue(FenceTestFiles.await(5000, () -> readPid(nodePid).map(p -> p != first && alive(p)).orElse(false)));
    }
    long node = readPid(nodePid).orElseThrow();
    FenceAgentRunner.Outcome status = fence("status");
    assertTrue(status.ok(), status.summary());
    assertEquals(0, status.exitCode());

    FenceAgentRunner.Outcome off = fence("off");
    assertTrue(off.ok(), off.summary());
    assertTrue(off.summary().contains("Powered OFF"), off.summary());
    // fence_ipmilan returns once the BMC reports off, which ipmi_sim does after reaping the node
    assertTrue(FenceTestFiles.await(2000, () -> !alive(node)), "node " + node + " survived the power off");
    FenceAgentRunner.Outcome offStatus = fence("status");
    assertFalse(offStatus.ok());
    assertEquals(FenceAgentRunner.STATUS_OFF, offStatus.exitCode(), offStatus.summary());

    FenceAgentRunner.Outcome again = fence("off");
    assertTrue(again.ok(), again.summary());
    assertTrue(again.summary().contains("already off"), again.summary());

    FenceAgentRunner.Outcome on = fence("on");
    assertTrue(on.ok(), on.summary());
    assertTrue(FenceTestFiles.await(5000, () -> readPid(nodePid).map(p -> p != node && alive(p)).orElse(false)),
        "power on started no new node process");
    long second = readPid(nodePid).orElseThrow();

    FenceAgentRunner.Outcome reboot = fence("reboot");
    assertTrue(reboot.ok(), reboot.summary());
    assertTrue(FenceTestFiles.await(5000, () -> !alive(second)
        && readPid(nodePid).map(p -> p != second && alive(p)).orElse(false)), "reboot did not replace the node process");
    assertTrue(fence("status").ok());
    assertTrue(fence("monitor").ok());
  }

  @Test
  void aWrongPasswordFailsClearlyWithoutShowingIt() throws Exception {
    String wrong = "Wr0ng-" + PASSWORD;
    Map<String, String> p = params();
    p.remove("password-file");
    p.put("password", wrong);
    FenceAgentRunner.Outcome o = FenceAgentRunner.run(FENCE_IPMILAN, "status", p, TIMEOUT);
    System.out.println("wrong password: " + o.summary());
    assertFalse(o.ok());
    assertEquals(1, o.exitCode());
    assertTrue(o.summary().startsWith("fence_ipmilan status: failed (exit 1)"), o.summary());
    assertTrue(o.summary().contains("Failed:"), "the agent's reason is kept: " + o.summary());
    assertTrue(o.summary().contains("Unable to establish IPMI v2 / RMCP+ session"), "ipmitool's reason is kept: " + o.summary());
    assertFalse(o.summary().contains(wrong), o.summary());
    assertFalse(o.summary().contains(PASSWORD), o.summary());
    // and off (status first, then off) fails the same way, without acting
    FenceAgentRunner.Outcome off = FenceAgentRunner.run(FENCE_IPMILAN, "off", p, TIMEOUT);
    assertFalse(off.ok());
    assertFalse(off.summary().contains(wrong), off.summary());
  }

  private static int freeUdpPort() throws IOException {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  private static int freeTcpPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  private static String log() {
    try {
      return Files.readString(dir.resolve("ipmi_sim.log"));
    } catch (IOException e) {
      return e.toString();
    }
  }
}
