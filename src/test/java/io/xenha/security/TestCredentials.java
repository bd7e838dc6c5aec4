package io.xenha.security;

import io.xenha.jmx.JmxServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JMX users for tests: an admin and a monitor with known passwords, written as `xenha keys init` writes them (the
 * agent's hashed file, the CLI's files).
 */
public final class TestCredentials {

  public static final String ADMIN_PASSWORD = "admin-Secret-7f3a9c";
  public static final String MONITOR_PASSWORD = "monitor-Secret-41bd2e";

  public final Path dir;

  private static TestCredentials shared;

  /** One set for the whole test JVM, in a private temporary directory. */
  public static synchronized TestCredentials shared() {
    if (shared == null) {
      try {
        Path dir = java.nio.file.Files.createTempDirectory("xenha-test-credentials-");
        dir.toFile().deleteOnExit();
        shared = new TestCredentials(dir);
        for (Path f : java.util.List.of(shared.jmxFile(), shared.adminFile(), shared.monitorFile())) {
          f.toFile().deleteOnExit();
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return shared;
  }

  public TestCredentials(Path dir) throws IOException {
    this.dir = dir;
    Map<String, JmxCredentials.Role> roles = new LinkedHashMap<>();
    roles.put("admin", JmxCredentials.Role.ADMIN);
    roles.put("monitor", JmxCredentials.Role.MONITOR);
    Keys.write(jmxFile(), JmxCredentials.render(roles, Map.of("admin", ADMIN_PASSWORD, "monitor", MONITOR_PASSWORD)),
        Keys.SECRET);
    Keys.write(adminFile(), CliCredentials.render("admin", ADMIN_PASSWORD, null), Keys.SECRET);
    Keys.write(monitorFile(), CliCredentials.render("monitor", MONITOR_PASSWORD, null), Keys.SECRET);
  }

  /** The agent's file (xenha.security.credentials). */
  public Path jmxFile() {
    return dir.resolve("jmx.credentials");
  }

  /** `--credentials` of an admin. */
  public Path adminFile() {
    return dir.resolve("admin.credentials");
  }

  /** `--credentials` of a monitor. */
  public Path monitorFile() {
    return dir.resolve("monitor.credentials");
  }

  public JmxServer.Access access() {
    return Security.jmxAccess(jmxFile());
  }

  public CliCredentials admin() {
    return new CliCredentials("admin", ADMIN_PASSWORD, null, "test");
  }

  public CliCredentials monitor() {
    return new CliCredentials("monitor", MONITOR_PASSWORD, null, "test");
  }

  /** What {@link io.xenha.jmx.JmxClient#connect} takes. */
  public String[] adminLogin() {
    return new String[] {"admin", ADMIN_PASSWORD};
  }
}
