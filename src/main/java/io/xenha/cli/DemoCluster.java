package io.xenha.cli;

import com.typesafe.config.ConfigUtil;
import io.xenha.jmx.JmxClient;
import io.xenha.status.ClusterStatus;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A demo cluster of local agent processes on 127.0.0.1, each on its own libvirt test driver: what `xenha demo`
 * runs, and what process-level tests drive (kill -9 a node, restart it, read status and libvirt's truth).
 */
public final class DemoCluster implements AutoCloseable {

  static final String HOST = "127.0.0.1";
  static final String RESOURCE_PREFIX = "/demo/";
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final Duration JMX_TIMEOUT = Duration.ofSeconds(3);

  /** A libvirt test-driver host: one 4-core CPU, 8 GiB (memory is in KiB). */
  static final String HOST_XML =
      """
      <node>
        <cpu>
          <nodes>1</nodes>
          <sockets>1</sockets>
          <cores>4</cores>
          <threads>1</threads>
          <active>4</active>
          <mhz>2000</mhz>
          <model>x86_64</model>
        </cpu>
        <memory>8388608</memory>
      </node>
      """;

  private final Path dir;
  private final Path configFile;
  private final Map<String, Integer> clusterPorts = new LinkedHashMap<>();
  private final Map<String, Integer> jmxPorts = new LinkedHashMap<>();
  private final Map<String, Process> processes = new LinkedHashMap<>();
  private boolean closed;

  private DemoCluster(Path dir, Path configFile) {
    this.dir = dir;
    this.configFile = configFile;
  }

  /** Writes the demo's files (see {@link #prepare}) and starts one agent process per node. */
  public static DemoCluster start(int nodes, Path dir, int basePort, int jmxBasePort, Path config) throws IOException {
    return start(nodes, dir, basePort, jmxBasePort, config, false);
  }

  /** As above; insecure: plain TCP between the agents (to measure what TLS costs). */
  public static DemoCluster start(int nodes, Path dir, int basePort, int jmxBasePort, Path config, boolean insecure)
      throws IOException {
    DemoCluster demo = prepare(nodes, dir, basePort, jmxBasePort, config, insecure);
    try {
      demo.startAll();
      return demo;
    } catch (IOException | RuntimeException e) {
      demo.close();
      throw e;
    }
  }

  /**
   * Writes everything the agents need under DIR without starting them: the demo configuration (or includes
   * CONFIG when given), NODE/host.xml for each node, and DIR/cluster.conf naming the nodes.
   */
  public static DemoCluster prepare(int nodes, Path dir, int basePort, int jmxBasePort, Path config)
      throws IOException {
    return prepare(nodes, dir, basePort, jmxBasePort, config, false);
  }

  /**
   * As above, and the demo's throwaway key material in DIR/keys (a CA, a key and certificate per node, the JMX users,
   * the CLI's credentials: the secure default, shown); insecure: plain TCP between the agents all the same.
   */
  public static DemoCluster prepare(int nodes, Path dir, int basePort, int jmxBasePort, Path config, boolean insecure)
      throws IOException {
    if (nodes < 1) throw new IllegalArgumentException("a demo needs at least one node, not " + nodes);
    dir = dir.toAbsolutePath().normalize();
    Files.createDirectories(dir);
    Path base;
    if (config != null) {
      base = config.toAbsolutePath().normalize();
      if (!Files.isReadable(base)) throw new IllegalArgumentException("cannot read configuration " + config);
    } else {
      base = copyBundledConfig(dir);
    }
    DemoCluster demo = new DemoCluster(dir, dir.resolve("cluster.conf"));
    StringBuilder conf = new StringBuilder();
    conf.append("# Written by `xenha demo`: the demo configuration with this machine's nodes.\n");
    conf.append("include file(").append(ConfigUtil.quoteString(base.toString())).append(")\n\n");
    // replaces, not merges with, the nodes of the included file
    conf.append("xenha.nodes = null\n");
    conf.append("xenha.nodes {\n");
    for (int i = 1; i <= nodes; i++) {
      String name = "node" + i;
      Path stateDir = dir.resolve(name);
      Files.createDirectories(stateDir);
      Path hostXml = stateDir.resolve("host.xml");
      Files.writeString(hostXml, HOST_XML);
      int port = basePort + i - 1;
      int jmxPort = jmxBasePort + i - 1;
      demo.clusterPorts.put(name, port);
      demo.jmxPorts.put(name, jmxPort);
      conf.append("  ").append(name).append(" {")
          .append(" address = ").append(ConfigUtil.quoteString(HOST + ":" + port))
          .append(", hypervisor = ").append(ConfigUtil.quoteString("test://" + hostXml))
          .append(", jmx-port = ").append(jmxPort)
          .append(", state-dir = ").append(ConfigUtil.quoteString(stateDir.toString()))
          .append(" }\n");
    }
    conf.append("}\n");
    for (String name : demo.nodes()) demo.writeStartScript(name);
    // lets `xenha status --config DIR/cluster.conf` find node1
    conf.append("xenha.jmx { host = ").append(ConfigUtil.quoteString(HOST)).append(", port = ")
        .append(jmxBasePort).append(" }\n");
    Files.writeString(demo.configFile, conf.toString());
    demo.writeKeys(insecure);
    return demo;
  }

  /** DIR/keys as `xenha keys init` writes it, without the CA's key (nothing is signed later); the config names it. */
  private void writeKeys(boolean insecure) throws IOException {
    io.xenha.config.LoadResult loaded = io.xenha.config.ConfigLoader.load(configFile, java.util.Optional.empty());
    if (!loaded.ok() || loaded.config().isEmpty()) {
      throw new IllegalArgumentException("the demo configuration has errors: " + loaded.errors().stream()
          .map(io.xenha.config.Problem::format).collect(java.util.stream.Collectors.joining("; ")));
    }
    Path keys = keysDir();
    KeysCommand.write(loaded.config().get(), keys, Duration.ofDays(365));
    Files.delete(keys.resolve("ca.key"));
    StringBuilder sec = new StringBuilder("\n# The demo's own key material (`xenha keys init`), made for this run only.\n");
    sec.append("xenha.security { tls-dir = ").append(ConfigUtil.quoteString(keys.toString()))
        .append(", credentials = ").append(ConfigUtil.quoteString(keys.resolve("jmx.credentials").toString()))
        .append(", reload-interval = 2s");
    if (insecure) sec.append(", insecure = true");
    sec.append(" }\n");
    Files.writeString(configFile, sec.toString(), java.nio.file.StandardOpenOption.APPEND);
    credentials = io.xenha.security.CliCredentials.read(credentialsFile());
  }

  private io.xenha.security.CliCredentials credentials;

  /** DIR/keys: the demo's CA certificate, node keys and certificates, and credentials. */
  public Path keysDir() {
    return dir.resolve("keys");
  }

  /** The demo's admin credentials for the CLI (`xenha status --credentials FILE`). */
  public Path credentialsFile() {
    return keysDir().resolve("cli.credentials");
  }

  /** The demo's admin credentials. */
  public io.xenha.security.CliCredentials credentials() {
    return credentials;
  }

  /** Copies demo.conf and its domain XML files from the jar (or ./conf in a source tree); returns DIR/demo.conf. */
  static Path copyBundledConfig(Path dir) throws IOException {
    Path target = dir.resolve("demo.conf");
    Path xmlDir = dir.resolve("demo");
    Files.createDirectories(xmlDir);
    try (InputStream in = DemoCluster.class.getResourceAsStream(RESOURCE_PREFIX + "demo.conf")) {
      if (in != null) {
        Files.write(target, in.readAllBytes());
        for (String name : bundledXmlNames()) {
          try (InputStream xml = DemoCluster.class.getResourceAsStream(RESOURCE_PREFIX + "demo/" + name)) {
            if (xml == null) throw new IOException("the jar lists demo/demo/" + name + " but does not hold it");
            Files.write(xmlDir.resolve(name), xml.readAllBytes());
          }
        }
        return target;
      }
    }
    // running from the source tree (mvn exec, IDE): the same files under ./conf
    Path conf = Path.of("conf");
    if (!Files.isReadable(conf.resolve("demo.conf"))) {
      throw new IOException(
          "the bundled demo configuration is missing (no resource demo/demo.conf, no ./conf/demo.conf)");
    }
    Files.copy(conf.resolve("demo.conf"), target, StandardCopyOption.REPLACE_EXISTING);
    if (Files.isDirectory(conf.resolve("demo"))) {
      try (DirectoryStream<Path> xmls = Files.newDirectoryStream(conf.resolve("demo"), "*.xml")) {
        for (Path xml : xmls) {
          Files.copy(xml, xmlDir.resolve(xml.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    return target;
  }

  private static List<String> bundledXmlNames() throws IOException {
    List<String> names = new ArrayList<>();
    try (InputStream in = DemoCluster.class.getResourceAsStream(RESOURCE_PREFIX + "demo/index.txt")) {
      if (in == null) return names;
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        line = line.strip();
        if (!line.isEmpty() && !line.startsWith("#")) names.add(line);
      }
    }
    return names;
  }

  /** Starts every node's agent; refuses up front when a port is taken (e.g. by another demo). */
  public synchronized void startAll() throws IOException {
    for (String node : nodes()) {
      requireFree(clusterPorts.get(node), "--base-port");
      requireFree(jmxPorts.get(node), "--jmx-base-port");
    }
    for (String node : nodes()) startNode(node);
  }

  private static void requireFree(int port, String option) {
    try {
      new ServerSocket(port, 1, InetAddress.getByName(HOST)).close();
    } catch (IOException e) {
      throw new IllegalStateException(
          "port " + port + " on " + HOST + " is in use (another demo still running?): choose another " + option);
    }
  }

  /** Starts (or starts again) one node's agent process, appending to NODE/agent.log. */
  public synchronized void startNode(String node) throws IOException {
    requireNode(node);
    if (closed) throw new IllegalStateException("the demo is stopped");
    Process old = processes.get(node);
    if (old != null && old.isAlive()) throw new IllegalStateException(node + " is running (pid " + old.pid() + ")");
    ProcessBuilder pb = new ProcessBuilder(command(node));
    pb.directory(dir.toFile());
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log(node).toFile()));
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    processes.put(node, pb.start());
  }

  /** NODE/start.sh: the agent's command, for an operator who killed a node and wants it back by hand. */
  private void writeStartScript(String node) throws IOException {
    StringBuilder sh = new StringBuilder("#!/bin/sh\n# Starts ").append(node).append(" of the xenha demo again.\nexec");
    for (String arg : command(node)) sh.append(' ').append(shellQuote(arg));
    sh.append(" >> ").append(shellQuote(log(node).toString())).append(" 2>&1 < /dev/null\n");
    Path script = startScript(node);
    Files.writeString(script, sh.toString());
    script.toFile().setExecutable(true);
  }

  private static String shellQuote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  /** The agent's command line: this JVM's java and class path, so it works from the fat jar and from tests. */
  List<String> command(String node) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cp = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!entry.isEmpty()) cp.add(Path.of(entry).toAbsolutePath().toString());
    }
    // no other process may attach to an agent and load code into it
    return List.of(
        java, "-Xmx256m", "-XX:+DisableAttachMechanism", "-cp", String.join(File.pathSeparator, cp), "io.xenha.Main",
        "agent", "--config", configFile.toString(), "--node", node);
  }

  /** SIGKILL, as a crashed dom0 would look to its peers; waits until the process is gone. */
  public void kill(String node) {
    Process p;
    synchronized (this) {
      requireNode(node);
      p = processes.get(node);
    }
    if (p == null) return;
    p.destroyForcibly();
    try {
      p.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Kills the node if it still runs and starts it again with the same command. */
  public void restart(String node) throws IOException {
    kill(node);
    startNode(node);
  }

  /** node1..nodeN. */
  public List<String> nodes() {
    return List.copyOf(jmxPorts.keySet());
  }

  public synchronized long pid(String node) {
    Process p = processes.get(requireNode(node));
    if (p == null) throw new IllegalStateException(node + " was never started");
    return p.pid();
  }

  public synchronized boolean isAlive(String node) {
    Process p = processes.get(requireNode(node));
    return p != null && p.isAlive();
  }

  /** The exit code of a node's agent that has stopped, or null while it runs (or never ran). */
  public synchronized Integer exitCode(String node) {
    Process p = processes.get(requireNode(node));
    return p == null || p.isAlive() ? null : p.exitValue();
  }

  public int jmxPort(String node) {
    return jmxPorts.get(requireNode(node));
  }

  public int clusterPort(String node) {
    return clusterPorts.get(requireNode(node));
  }

  public Path dir() {
    return dir;
  }

  public Path configFile() {
    return configFile;
  }

  public Path stateDir(String node) {
    return dir.resolve(requireNode(node));
  }

  public Path startScript(String node) {
    return stateDir(node).resolve("start.sh");
  }

  public Path log(String node) {
    return stateDir(node).resolve("agent.log");
  }

  /** A JMX connection to NODE's agent as the demo's admin. */
  public JmxClient jmx(String node) throws IOException {
    return io.xenha.security.Security.connect(HOST, jmxPort(node), JMX_TIMEOUT, credentials);
  }

  /** The cluster status as NODE's agent reports it. */
  public ClusterStatus status(String node) throws IOException {
    try (JmxClient c = io.xenha.security.Security.connect(HOST, jmxPort(node), JMX_TIMEOUT, credentials)) {
      return c.status();
    }
  }

  /** What libvirt runs on NODE, from NODE's own agent. */
  public List<String> activeDomains(String node) throws IOException {
    try (JmxClient c = io.xenha.security.Security.connect(HOST, jmxPort(node), JMX_TIMEOUT, credentials)) {
      return c.activeDomains(node);
    }
  }

  /** A Controller is elected and every domain runs (or, with no domains, every node is online). */
  public static boolean settled(ClusterStatus s) {
    if (s.controller() == null || s.nodes() == null) return false;
    boolean anyDomain = false;
    for (ClusterStatus.ResourceStatus r : s.resources() == null ? List.<ClusterStatus.ResourceStatus>of() : s.resources()) {
      if (!"domain".equals(r.type())) continue;
      anyDomain = true;
      if (!"started".equals(r.state())) return false;
    }
    return anyDomain || s.nodes().stream().allMatch(n -> "online".equals(n.state()));
  }

  private String requireNode(String node) {
    if (!jmxPorts.containsKey(node)) throw new IllegalArgumentException("no demo node " + node);
    return node;
  }

  /** Stops every agent: SIGTERM, then SIGKILL for any still running after 10 s. Safe to call twice. */
  @Override
  public void close() {
    List<Process> running;
    synchronized (this) {
      closed = true;
      running = new ArrayList<>(processes.values());
    }
    for (Process p : running) {
      if (p.isAlive()) p.destroy();
    }
    long deadline = System.nanoTime() + STOP_GRACE.toNanos();
    for (Process p : running) {
      try {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !p.waitFor(left, TimeUnit.NANOSECONDS)) p.destroyForcibly();
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The last lines of a node's log, to show why an agent stopped. */
  public String logTail(String node, int lines) {
    try {
      // lenient decoding: a log is worth showing even with a broken byte in it
      List<String> all = new String(Files.readAllBytes(log(node)), StandardCharsets.UTF_8).lines().toList();
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + log(node) + ": " + e.getMessage() + ")";
    }
  }
}
