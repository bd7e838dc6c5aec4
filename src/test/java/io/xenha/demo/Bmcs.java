package io.xenha.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One baseboard management controller per dom0 of the lab: OpenIPMI's ipmi_sim on the management bridge
 * (10.79.0.1, UDP port 9700+i), whose chassis power is {@code scripts/lab/bmc-host.sh}: power-off kills every process
 * in the node's namespace (agent, libvirtd and with it every domU), power-on starts the script again, and the lab
 * then starts the node's libvirtd and agent. The agents fence with the real {@code fence_ipmilan} over lanplus.
 */
final class Bmcs implements AutoCloseable {

  static final Path HOST = Path.of("scripts/lab/bmc-host.sh").toAbsolutePath();
  static final String ADDRESS = "10.79.0.1";
  static final String USER = "fenceadm";

  private final Path dir;
  private final String password = "lab-" + Long.toHexString(System.nanoTime());
  private final Map<String, Process> sims = new LinkedHashMap<>();
  private final List<String> nodes;

  /** Starts a BMC per node (each powers its node on at once); waits until every one answers. */
  Bmcs(Path dir, List<String> nodes) throws Exception {
    this.dir = Files.createDirectories(dir.resolve("bmc"));
    this.nodes = nodes;
    Path secret = this.dir.resolve("bmc.secret");
    Files.writeString(secret, password + "\n");
    secret.toFile().setReadable(false, false);
    secret.toFile().setReadable(true, true);
    for (int i = 0; i < nodes.size(); i++) {
      start(nodes.get(i), i + 1);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    for (String n : nodes) {
      while (!"on".equals(power(n))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the BMC of " + n + " did not power it on: " + Files.readString(
              this.dir.resolve(n).resolve("ipmi_sim.log")));
        }
        Thread.sleep(100);
      }
    }
  }

  static int port(int index) {
    return 9700 + index;
  }

  private void start(String node, int index) throws Exception {
    Path d = Files.createDirectories(dir.resolve(node));
    Files.createDirectories(d.resolve("state"));
    Files.writeString(d.resolve("bmc.emu"), """
        mc_setbmc 0x20
        mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02
        mc_enable 0x20
        """);
    Files.writeString(d.resolve("lan.conf"), """
        name "xenha-lab-%1$s"
        set_working_mc 0x20
          startlan 1
            addr %2$s %3$d
            priv_limit admin
            allowed_auths_callback md5
            allowed_auths_user md5
            allowed_auths_operator md5
            allowed_auths_admin md5
            guid 78656e68612d6c61622d6e6f64652d%4$02x
          endlan
          serial 15 127.0.0.1 %5$d codec VM
          startcmd "/bin/sh %6$s %7$s %8$s %9$s"
          startnow true
          poweroff_wait 1
          kill_wait 1
          user 2 true "%10$s" "%11$s" admin 10 md5
        """.formatted(node, ADDRESS, port(index), index, 9800 + index, HOST, NetnsLab.ns(node), d.resolve("power"),
        dir.resolve("power.log"), USER, password));
    ProcessBuilder pb = new ProcessBuilder("ipmi_sim", "-c", d.resolve("lan.conf").toString(), "-f",
        d.resolve("bmc.emu").toString(), "-s", d.resolve("state").toString(), "-n");
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(d.resolve("ipmi_sim.log").toFile()));
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    sims.put(node, pb.start());
  }

  /** "on" or "off", as the node's power script last wrote it; null before its first power-on. */
  String power(String node) {
    try {
      String s = Files.readString(dir.resolve(node).resolve("power")).trim();
      return s.substring(0, s.indexOf(' '));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** When the node's power last changed (millis), or -1. */
  long powerSince(String node) {
    try {
      String s = Files.readString(dir.resolve(node).resolve("power")).trim();
      return Long.parseLong(s.substring(s.indexOf(' ') + 1));
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Every power change: "MILLIS on|off NAMESPACE" lines, oldest first. */
  List<String> powerLog() throws IOException {
    Path log = dir.resolve("power.log");
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }

  /** The fence device of node, as xenha's configuration names it: the real fence_ipmilan against its BMC. */
  String device(String node) {
    int index = nodes.indexOf(node) + 1;
    return "ipmi-" + node + " { type = stonith, agent = fence_ipmilan, hosts = [" + node + "], params { ip = \"" + ADDRESS
        + "\", ipport = " + port(index) + ", username = " + USER + ", password-file = \"" + dir.resolve("bmc.secret")
        + "\", lanplus = 1, cipher = 3, power_wait = 0 } }";
  }

  /** `ipmitool chassis power ACTION` against node's BMC, as an operator (or the nemesis) would; true when it answered ok. */
  boolean chassis(String node, String action) throws Exception {
    int index = nodes.indexOf(node) + 1;
    List<String> cmd = new ArrayList<>(List.of("ipmitool", "-I", "lanplus", "-C", "3", "-H", ADDRESS, "-p",
        Integer.toString(port(index)), "-U", USER, "-f", dir.resolve("bmc.secret").toString(), "chassis", "power", action));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
  }

  @Override
  public void close() {
    sims.values().forEach(Process::destroyForcibly);
    for (Process p : sims.values()) {
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    // the power scripts outlive ipmi_sim: end them without powering anything off twice
    for (String n : nodes) {
      try {
        NetnsLab.sh("sh", "-c", "pkill -9 -f '" + HOST + " " + NetnsLab.ns(n) + " ' || true");
      } catch (Exception e) {
        // best effort
      }
    }
  }
}
