package io.xenha.fencing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.xenha.config.ConfigLoader;
import io.xenha.config.LoadResult;
import io.xenha.config.XenhaConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's ssh reboot against a real OpenSSH server on 127.0.0.1. The "reboot" command given to the device
 * stops that sshd, which is what a rebooting host looks like from outside: the device confirms the host stopped
 * answering before it reports success.
 */
class SshFenceAgentTest {

  @TempDir Path dir;
  Process sshd;

  @AfterEach
  void stop() {
    if (sshd != null) {
      sshd.destroyForcibly();
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + ": " + out);
  }

  @Test
  void rebootOverSshSucceedsOnceTheHostStopsAnswering() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/sbin/sshd")), "openssh-server is not installed: skipping the ssh fence test");
    assumeTrue("root".equals(System.getProperty("user.name")), "sshd needs root here: skipping");
    int port = freePort();
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("host_key").toString());
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("client_key").toString());
    Files.copy(dir.resolve("client_key.pub"), dir.resolve("authorized_keys"));
    Files.createDirectories(Path.of("/run/sshd"));
    Path pid = dir.resolve("sshd.pid");
    Files.writeString(dir.resolve("sshd_config"), String.join("\n",
        "Port " + port, "ListenAddress 127.0.0.1", "HostKey " + dir.resolve("host_key"),
        "AuthorizedKeysFile " + dir.resolve("authorized_keys"), "PidFile " + pid, "StrictModes no",
        "PermitRootLogin prohibit-password", "PasswordAuthentication no", "UsePAM no", "") );
    sshd = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", dir.resolve("sshd_config").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!Files.exists(pid)) {
      assertTrue(System.nanoTime() < deadline, "sshd did not start: " + Files.readString(dir.resolve("sshd.log")));
      Thread.sleep(50);
    }

    Path conf = dir.resolve("x.conf");
    Files.writeString(conf, """
        xenha {
          cluster-name = t
          nodes {
            a { address = "127.0.0.1:2551" }
            b { address = "127.0.0.1:2552", jmx-port = 9011 }
          }
          resources {
            ssh-fence { type = stonith, agent = "builtin:ssh", hosts = [b]
                        params { user = root, port = "%d", identity-file = "%s", known-hosts = "%s",
                                 command = "kill $(cat %s)" } }
          }
        }
        """.formatted(port, dir.resolve("client_key"), dir.resolve("known_hosts"), pid));
    LoadResult r = ConfigLoader.load(conf, Optional.empty());
    assertTrue(r.ok(), r.problems().toString());
    XenhaConfig config = r.config().get();
    FenceAgent agent = FenceAgents.forDevice(config.resources().get("ssh-fence"), config);

    FenceAgent.Outcome status = agent.execute("status", "b", Duration.ofSeconds(20));
    assertTrue(status.ok(), "b answers ssh: " + status);
    FenceAgent.Outcome off = agent.execute("reboot", "b", Duration.ofSeconds(20));
    assertTrue(off.ok(), off.toString());
    assertTrue(off.summary().contains("stopped answering"), off.summary());
    assertTrue(sshd.waitFor(10, TimeUnit.SECONDS), "the 'host' (sshd) is down");
    FenceAgent.Outcome again = agent.execute("reboot", "b", Duration.ofSeconds(10));
    assertFalse(again.ok(), "a host that does not answer cannot be confirmed off by ssh: " + again);
    assertEquals(false, agent.execute("status", "b", Duration.ofSeconds(10)).ok());
  }
}
