package io.xenha.fencing;

import io.xenha.config.XenhaConfig;
import io.xenha.config.XenhaConfig.ResourceSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code builtin:ssh} fence device, the seed's "ssh reboot": runs {@code command} (default
 * {@code reboot -f}) on the target over ssh, then confirms the target stopped answering. params: user (root),
 * port, identity-file, known-hosts (a known_hosts file instead of the user's), command. Like Heartbeat's
 * external/ssh it cannot fence a node that is hung or cut off, so it is for tests and as a last level after a
 * real power switch, never the only device.
 */
final class SshFenceAgent implements FenceAgent {

  private final ResourceSpec device;
  private final XenhaConfig config;

  SshFenceAgent(ResourceSpec device, XenhaConfig config) {
    this.device = device;
    this.config = config;
  }

  private List<String> ssh(String host, String remote, Duration timeout) {
    List<String> cmd = new ArrayList<>(List.of("ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=accept-new",
        "-o", "ConnectTimeout=" + Math.max(1, timeout.toSeconds())));
    String port = device.params().get("port");
    if (port != null) {
      cmd.addAll(List.of("-p", port));
    }
    String identity = device.params().get("identity-file");
    if (identity != null) {
      cmd.addAll(List.of("-i", identity));
    }
    String knownHosts = device.params().get("known-hosts");
    if (knownHosts != null) {
      cmd.addAll(List.of("-o", "UserKnownHostsFile=" + knownHosts));
    }
    cmd.add(device.params().getOrDefault("user", "root") + "@" + host);
    cmd.add(remote);
    return cmd;
  }

  private int run(List<String> cmd, Duration timeout) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }

  @Override
  public Outcome execute(String action, String target, Duration timeout) throws Exception {
    XenhaConfig.NodeSpec node = config.nodes().get(target);
    String host = device.hostMap() != null && device.hostMap().containsKey(target) ? device.hostMap().get(target)
        : node == null ? target : node.host();
    Duration probe = Duration.ofSeconds(Math.max(2, Math.min(10, timeout.toSeconds() / 4)));
    boolean answers = run(ssh(host, "true", probe), probe.plusSeconds(1)) == 0;
    switch (action) {
      case "monitor":
        return new Outcome(true, "ssh is available");
      case "status":
        return new Outcome(answers, host + (answers ? " answers ssh" : " does not answer ssh"));
      case "on":
        return new Outcome(false, "builtin:ssh cannot power a node on");
      default:
        if (!answers) {
          // Heartbeat's ssh plugin would report success here; we cannot tell "off" from "cut off"
          return new Outcome(false, host + " does not answer ssh: cannot confirm it is off");
        }
        run(ssh(host, device.params().getOrDefault("command", "reboot -f"), timeout), timeout);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
          if (run(ssh(host, "true", probe), probe.plusSeconds(1)) != 0) {
            return new Outcome(true, "ran '" + device.params().getOrDefault("command", "reboot -f") + "' on " + host
                + "; it stopped answering");
          }
          Thread.sleep(500);
        }
        return new Outcome(false, host + " still answers ssh " + timeout.toSeconds() + "s after the reboot command");
    }
  }
}
