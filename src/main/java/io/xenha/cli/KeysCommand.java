package io.xenha.cli;

import io.xenha.config.ConfigLoader;
import io.xenha.config.LoadResult;
import io.xenha.config.Problem;
import io.xenha.config.XenhaConfig;
import io.xenha.security.CertificateAuthority;
import io.xenha.security.CliCredentials;
import io.xenha.security.JmxCredentials;
import io.xenha.security.Keys;
import io.xenha.security.Pem;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `xenha keys`: the cluster's key material, as `corosync-keygen` and `pcs cluster auth` make it: a CA, a key and
 * certificate per node, the JMX users and the CLI's credentials. Nothing secret is ever printed.
 */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description = "Make the cluster's CA, node keys and certificates, and JMX / CLI credentials.",
    subcommands = {KeysCommand.Init.class, KeysCommand.Add.class})
public final class KeysCommand implements Runnable {

  static final Duration CA_VALIDITY = Duration.ofDays(3650);

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** `xenha keys init --config F -o DIR`. */
  @Command(name = "init", mixinStandardHelpOptions = true,
      description = {"Create a cluster CA, one key and certificate per configured node, the JMX users (an admin and a"
          + " monitor) and the CLI's credentials in DIR, with DIR/README saying where each file goes.",
          "Exit code 0: done; 2: bad configuration, or DIR already holds a CA."})
  public static final class Init implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "configuration naming the nodes (default: ${DEFAULT-VALUE})")
    Path config = ConfigLoader.DEFAULT_PATH;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", required = true, description = "where to write the files (created mode 0700)")
    Path dir;

    @Option(names = "--days", paramLabel = "N", defaultValue = "825", description = "validity of the node certificates in days (default ${DEFAULT-VALUE})")
    int days;

    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() throws IOException {
      XenhaConfig cfg = load(config, err);
      if (cfg == null) return 2;
      if (days < 1) {
        err.println("xenha keys init: --days must be 1 or more, got " + days);
        return 2;
      }
      if (Files.exists(dir.resolve("ca.key")) || Files.exists(dir.resolve("ca.pem"))) {
        err.println("xenha keys init: " + dir + " already holds a CA: use `xenha keys add NODE --dir " + dir
            + "` for a new or renewed node, or another directory");
        return 2;
      }
      write(cfg, dir, Duration.ofDays(days));
      out.println("xenha keys init: wrote the CA, " + cfg.nodes().size() + " node certificates and the credentials to "
          + dir + "; " + dir.resolve("README") + " says where each file goes");
      return 0;
    }
  }

  /** Everything `keys init` writes; what `xenha demo` uses for its throwaway CA. Returns the admin's password. */
  public static String write(XenhaConfig cfg, Path dir, Duration validity) throws IOException {
    createPrivateDir(dir);
    CertificateAuthority ca = CertificateAuthority.create(cfg.clusterName(), CA_VALIDITY);
    Keys.write(dir.resolve("ca.pem"), Pem.toPem(ca.certificate()), Keys.PUBLIC);
    Keys.write(dir.resolve("ca.key"), Pem.toPem(ca.key()), Keys.SECRET);
    for (XenhaConfig.NodeSpec n : cfg.nodes().values()) issue(cfg, ca, n.name(), dir, validity);
    Map<String, JmxCredentials.Role> roles = new LinkedHashMap<>();
    roles.put("admin", JmxCredentials.Role.ADMIN);
    roles.put("monitor", JmxCredentials.Role.MONITOR);
    Map<String, String> passwords = Map.of("admin", JmxCredentials.newPassword(), "monitor", JmxCredentials.newPassword());
    Keys.write(dir.resolve("jmx.credentials"), JmxCredentials.render(roles, passwords), Keys.SECRET);
    Keys.write(dir.resolve("cli.credentials"), CliCredentials.render("admin", passwords.get("admin"), null), Keys.SECRET);
    Keys.write(dir.resolve("monitor.credentials"), CliCredentials.render("monitor", passwords.get("monitor"), null),
        Keys.SECRET);
    Keys.write(dir.resolve("README"), readme(cfg), Keys.PUBLIC);
    return passwords.get("admin");
  }

  /** `xenha keys add NODE --config F --dir DIR`. */
  @Command(name = "add", mixinStandardHelpOptions = true,
      description = {"Make a key and certificate for NODE (a new node, or a renewal with --force), signed by the CA"
          + " of an earlier `xenha keys init` in DIR.", "Exit code 0: done; 2: bad input."})
  public static final class Add implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NODE", description = "a node of the configuration")
    String node;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "configuration naming the node (default: ${DEFAULT-VALUE})")
    Path config = ConfigLoader.DEFAULT_PATH;

    @Option(names = {"-d", "--dir", "-o"}, paramLabel = "DIR", description = "the directory of `xenha keys init`, holding ca.pem and ca.key (default: the current directory)")
    Path dir = Path.of("");

    @Option(names = "--days", paramLabel = "N", defaultValue = "825", description = "validity in days (default ${DEFAULT-VALUE})")
    int days;

    @Option(names = "--force", description = "replace NODE's existing key and certificate (renewal, rotation)")
    boolean force;

    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() throws IOException {
      XenhaConfig cfg = load(config, err);
      if (cfg == null) return 2;
      if (!cfg.nodes().containsKey(node)) {
        err.println("xenha keys add: node '" + node + "' is not in " + config + " (known: "
            + String.join(", ", cfg.nodes().keySet()) + "): add it to xenha.nodes first");
        return 2;
      }
      if (days < 1) {
        err.println("xenha keys add: --days must be 1 or more, got " + days);
        return 2;
      }
      CertificateAuthority ca;
      try {
        ca = CertificateAuthority.load(dir.resolve("ca.pem"), dir.resolve("ca.key"));
      } catch (IOException e) {
        err.println("xenha keys add: cannot use the CA in " + dir + ": " + e.getMessage()
            + " (`xenha keys init` makes one)");
        return 2;
      }
      if (!force && (Files.exists(dir.resolve(node + ".pem")) || Files.exists(dir.resolve(node + ".key")))) {
        err.println("xenha keys add: " + dir.resolve(node + ".pem") + " exists: --force replaces it (renewal)");
        return 2;
      }
      issue(cfg, ca, node, dir, Duration.ofDays(days));
      out.println("xenha keys add: wrote " + dir.resolve(node + ".pem") + " and " + dir.resolve(node + ".key")
          + "; copy both to " + node + "'s TLS directory (xenha.security.tls-dir): its agent uses them within"
          + " xenha.security.reload-interval, no restart needed");
      return 0;
    }
  }

  private static void issue(XenhaConfig cfg, CertificateAuthority ca, String node, Path dir, Duration validity)
      throws IOException {
    CertificateAuthority.Issued issued = ca.issue(cfg.clusterName(), node, cfg.node(node).host(), validity);
    // the key first: an agent that reads the pair in between refuses a mismatch and keeps the old one
    Keys.write(dir.resolve(node + ".key"), Pem.toPem(issued.key()), Keys.SECRET);
    Keys.write(dir.resolve(node + ".pem"), Pem.toPem(issued.cert()) + Pem.toPem(ca.certificate()), Keys.PUBLIC);
  }

  private static void createPrivateDir(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
  }

  private static XenhaConfig load(Path config, PrintStream err) {
    LoadResult loaded = ConfigLoader.load(config, Optional.empty());
    for (Problem p : loaded.errors()) err.println(p.format());
    if (!loaded.ok() || loaded.config().isEmpty()) {
      err.println("xenha keys: " + config + " has errors");
      return null;
    }
    return loaded.config().get();
  }

  static String readme(XenhaConfig cfg) {
    StringBuilder b = new StringBuilder();
    b.append("Key material of the xenha cluster '").append(cfg.clusterName()).append("' (written by `xenha keys`).\n\n");
    b.append("File                  Goes to                                     Mode  Who may read it\n");
    b.append("ca.pem                every node: /etc/xenha/tls/ca.pem           0644  anyone (the CA's certificate)\n");
    b.append("ca.key                NOT on the nodes: keep it offline           0600  whoever makes certificates\n");
    for (String n : cfg.nodes().keySet()) {
      b.append(String.format("%-21s %-43s %-5s %s%n", n + ".pem", "node " + n + " only: /etc/xenha/tls/" + n + ".pem",
          "0644", "anyone"));
      b.append(String.format("%-21s %-43s %-5s %s%n", n + ".key", "node " + n + " only: /etc/xenha/tls/" + n + ".key",
          "0600", "root (the agent's user) only"));
    }
    b.append("jmx.credentials       every node: /etc/xenha/jmx.credentials      0600  root only (hashed passwords)\n");
    b.append("cli.credentials       where admins run xenha: /etc/xenha/cli.credentials\n");
    b.append("                                                                  0600  the admins (user admin: everything)\n");
    b.append("monitor.credentials   monitoring (nagios, dashboards): --credentials FILE\n");
    b.append("                                                                  0600  the monitoring user (status, history)\n\n");
    b.append("On each node N (as root), with this directory copied to /root/xenha-keys:\n\n");
    b.append("  install -d -m 0755 /etc/xenha/tls\n");
    b.append("  install -m 0644 /root/xenha-keys/ca.pem /root/xenha-keys/N.pem /etc/xenha/tls/\n");
    b.append("  install -m 0600 /root/xenha-keys/N.key /etc/xenha/tls/\n");
    b.append("  install -m 0600 /root/xenha-keys/jmx.credentials /root/xenha-keys/cli.credentials /etc/xenha/\n");
    b.append("  xenha verify --config /etc/xenha/xenha.conf --node N\n\n");
    b.append("Never copy another node's .key to a node: a node's key is its identity in the cluster.\n");
    b.append("A new node, or a renewal: `xenha keys add NODE --config FILE --dir THIS_DIR [--force]`, then copy\n");
    b.append("NODE.pem and NODE.key to that node: its agent uses them within a few seconds, without a restart.\n");
    b.append("The paths are xenha.security.tls-dir and xenha.security.credentials (docs/security.md).\n");
    return b.toString();
  }
}
