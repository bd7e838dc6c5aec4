package io.xenha.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A libvirtd per simulated dom0, serving libvirt's test driver on a private unix socket (no TCP, no auth), so that
 * the domUs outlive the agents and are read from outside with virsh. Only the drivers built into the daemon are
 * loaded (the QEMU module would want a libvirt-qemu user and a real host). The test driver keeps its state while a
 * connection is open: a long-lived virsh holds one.
 */
final class Libvirtd {

  private Libvirtd() {}

  static String uri(Path dir) {
    return "test+unix:///default?socket=" + dir.resolve("libvirt-sock");
  }

  /** Starts the daemon in DIR (through {@code prefix}, e.g. ip netns exec NS) and its holder; returns both. */
  static List<Process> start(Path dir, List<String> prefix) throws Exception {
    Files.createDirectories(dir.resolve("no-drivers"));
    Files.deleteIfExists(dir.resolve("libvirt-sock"));
    Path conf = dir.resolve("libvirtd.conf");
    Files.writeString(conf, """
        unix_sock_dir = "%s"
        unix_sock_rw_perms = "0700"
        auth_unix_rw = "none"
        auth_unix_ro = "none"
        listen_tcp = 0
        listen_tls = 0
        """.formatted(dir));
    List<String> cmd = new ArrayList<>(prefix);
    cmd.addAll(List.of("/usr/sbin/libvirtd", "-f", conf.toString(), "-p", dir.resolve("libvirtd.pid").toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("LIBVIRT_DRIVER_DIR", dir.resolve("no-drivers").toString());
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("libvirtd.log").toFile()));
    List<Process> procs = new ArrayList<>();
    procs.add(pb.start());
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!Files.exists(dir.resolve("libvirt-sock"))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("libvirtd in " + dir + " did not start: " + Files.readString(dir.resolve("libvirtd.log")));
      }
      Thread.sleep(100);
    }
    procs.add(new ProcessBuilder("virsh", "-c", uri(dir)).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("holder.log").toFile())).start());
    while (true) {
      try {
        virsh(uri(dir), "list", "--all");
        return procs;
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("virsh cannot reach " + uri(dir) + ": " + e.getMessage());
        }
        Thread.sleep(200);
      }
    }
  }

  static String virsh(String uri, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("virsh", "-c", uri));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", cmd) + ": " + out);
    }
    return out;
  }
}
