package io.xenha.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A private PostgreSQL server for one test: initdb in a temporary directory, listening on a free port of
 * 127.0.0.1 with its unix socket in that directory, password authentication for user xenha. PostgreSQL refuses to
 * run as root, so as root it runs as the postgres user (runuser). Skips the test (with the reason) when no
 * PostgreSQL is installed or it cannot be started as a non-root user; as root (CI) failing to start is an error.
 */
final class PostgresServer implements AutoCloseable {

  static final String USER = "xenha";
  static final String PASSWORD = "s3cret-journal";

  final Path dir;
  final int port;
  private final Path bin;
  private final boolean root;

  private PostgresServer(Path dir, int port, Path bin, boolean root) {
    this.dir = dir;
    this.port = port;
    this.bin = bin;
    this.root = root;
  }

  String url() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  /** A file holding the password, as xenha.persistence.postgresql.password-file reads it. */
  Path passwordFile() throws IOException {
    Path f = dir.resolve("journal.secret");
    Files.writeString(f, PASSWORD + "\n");
    return f;
  }

  static PostgresServer start() throws Exception {
    Path bin = findBin();
    Assumptions.assumeTrue(bin != null,
        "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install postgresql (scripts/setup-deps.sh does)");
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dir = Files.createTempDirectory("xenha-pg-");
    Files.writeString(dir.resolve("pwfile"), PASSWORD + "\n");
    if (root) {
      run(true, List.of("chown", "-R", "postgres:postgres", dir.toString()), dir);
    }
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    PostgresServer pg = new PostgresServer(dir, port, bin, root);
    try {
      pg.postgres(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", USER,
          "--pwfile=" + dir.resolve("pwfile"), "-A", "scram-sha-256", "-E", "UTF8", "--no-sync"));
      pg.postgres(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-w", "-t", "60",
          "-l", dir.resolve("server.log").toString(), "-o",
          "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "start"));
    } catch (IOException e) {
      pg.deleteDir();
      if (root) throw e;
      Assumptions.abort("cannot start a private PostgreSQL as " + System.getProperty("user.name") + ": " + e.getMessage());
    }
    return pg;
  }

  private static Path findBin() throws IOException {
    Path base = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(base)) return null;
    try (Stream<Path> versions = Files.list(base)) {
      return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max(Comparator.comparing(Path::toString)).orElse(null);
    }
  }

  private void postgres(List<String> command) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>();
    if (root) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    run(false, full, dir);
  }

  private static void run(boolean quiet, List<String> command, Path dir) throws IOException, InterruptedException {
    Path log = Files.createTempFile("xenha-pg-cmd", ".log");
    try {
      Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + ": timed out");
      }
      if (p.exitValue() != 0) {
        throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ": " + Files.readString(log));
      }
    } finally {
      Files.deleteIfExists(log);
    }
  }

  @Override
  public void close() throws Exception {
    try {
      postgres(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w",
          "stop"));
    } finally {
      deleteDir();
    }
  }

  private void deleteDir() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}
