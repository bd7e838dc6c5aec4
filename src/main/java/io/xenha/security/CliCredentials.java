package io.xenha.security;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * What the CLI logs in to an agent's JMX with: a user and password, and the CA to trust when JMX is served over
 * TLS. Found as contract.md says: --credentials FILE, else $XENHA_CREDENTIALS, else /etc/xenha/cli.credentials;
 * and for the user who started a `xenha demo`, the demo's own (recorded in ~/.xenha/demos, readable by that user
 * only). The file is a properties file: {@code user = admin}, {@code password = ...}, optionally {@code ca = PATH}.
 * toString never shows the password.
 */
public record CliCredentials(String user, String password, Path ca, String source) {

  public static final Path DEFAULT = Path.of("/etc/xenha/cli.credentials");
  public static final String ENV = "XENHA_CREDENTIALS";

  /** The credentials could not be found or read: the message says what is missing and how to give it. */
  public static final class Missing extends Exception {
    public Missing(String message) {
      super(message);
    }
  }

  @Override
  public String toString() {
    return "CliCredentials[user=" + user + ", from " + source + "]";
  }

  /** The JMX environment's credentials (user, password). */
  public String[] jmx() {
    return new String[] {user, password};
  }

  /**
   * The credentials for HOST:PORT: OPTION (--credentials), else ENV_VALUE ($XENHA_CREDENTIALS), else a demo of
   * this user that serves HOST:PORT, else /etc/xenha/cli.credentials.
   */
  public static CliCredentials resolve(Path option, String envValue, String host, int port) throws Missing {
    if (option != null) return readOrExplain(option, "--credentials");
    if (envValue != null && !envValue.isBlank()) return readOrExplain(Path.of(envValue), "$" + ENV);
    CliCredentials demo = demoFor(host, port);
    if (demo != null) return demo;
    return readOrExplain(DEFAULT, "the default");
  }

  private static CliCredentials readOrExplain(Path file, String how) throws Missing {
    String hint = " (a user with the monitor or admin role: give --credentials FILE or set " + ENV + ")";
    try {
      return read(file);
    } catch (NoSuchFileException e) {
      throw new Missing("no credentials: " + file + " (" + how + ") does not exist" + hint);
    } catch (AccessDeniedException e) {
      throw new Missing("no credentials: permission denied reading " + file + " (" + how + "): it is for root or the"
          + " users it is given to" + hint);
    } catch (IOException e) {
      throw new Missing("no credentials: " + e.getMessage() + hint);
    }
  }

  /** Reads a credentials file; errors name the file and the key, never a value. */
  public static CliCredentials read(Path file) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": not a credentials file (user = NAME, password = ...)");
    }
    String user = p.getProperty("user");
    String password = p.getProperty("password");
    if (user == null || user.isBlank()) throw new IOException(file + ": no 'user = NAME' line");
    if (password == null || password.isEmpty()) throw new IOException(file + ": no 'password = ...' line");
    String ca = p.getProperty("ca");
    Path caPath = ca == null || ca.isBlank() ? null : file.toAbsolutePath().getParent().resolve(ca.strip());
    return new CliCredentials(user.strip(), password, caPath, file.toString());
  }

  /** The file's content. */
  public static String render(String user, String password, Path ca) {
    StringBuilder b = new StringBuilder();
    b.append("# xenha CLI credentials (`xenha --credentials FILE`, $XENHA_CREDENTIALS or /etc/xenha/cli.credentials).\n");
    b.append("# Keep it mode 0600: whoever reads it can do what its user may do.\n");
    b.append("user = ").append(user).append('\n');
    b.append("password = ").append(password).append('\n');
    if (ca != null) b.append("ca = ").append(ca).append('\n');
    return b.toString();
  }

  // ---- the demo's credentials, for the user who started it ---------------------------------------------------

  /** Where this user's running demos are recorded: ~/.xenha/demos (-Dxenha.demo-registry=DIR to move it). */
  public static Path demoRegistry() {
    String dir = System.getProperty("xenha.demo-registry");
    return dir != null ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".xenha", "demos");
  }

  /**
   * Records a running demo: its credentials and the JMX endpoints (HOST:PORT) it serves, in a file only this user
   * can read. Returns the file; remove it with {@link #forgetDemo} when the demo stops.
   */
  public static Path registerDemo(String name, String user, String password, List<String> endpoints) throws IOException {
    Path dir = demoRegistry();
    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    Path file = dir.resolve(name + ".credentials");
    Keys.write(file, render(user, password, null) + "endpoints = " + String.join(",", endpoints) + "\n", Keys.SECRET);
    return file;
  }

  public static void forgetDemo(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a stale record only names ports nothing answers on any more
    }
  }

  /** The newest demo record of this user that serves HOST:PORT, when it is this user's own and private. */
  static CliCredentials demoFor(String host, int port) {
    Path dir = demoRegistry();
    if (!Files.isDirectory(dir)) return null;
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.credentials")) {
      s.forEach(files::add);
    } catch (IOException e) {
      return null;
    }
    files.sort(Comparator.comparing(CliCredentials::modified).reversed());
    String me = System.getProperty("user.name");
    for (Path f : files) {
      try {
        PosixFileAttributes a = Files.readAttributes(f, PosixFileAttributes.class);
        boolean privateFile = a.permissions().stream().noneMatch(p -> p != PosixFilePermission.OWNER_READ
            && p != PosixFilePermission.OWNER_WRITE);
        if (!privateFile || !a.owner().getName().equals(me)) continue;
        Properties p = new Properties();
        try (Reader r = new StringReader(Files.readString(f))) {
          p.load(r);
        }
        List<String> endpoints = Arrays.asList(p.getProperty("endpoints", "").split(","));
        if (endpoints.contains(host + ":" + port) || isLoopbackAlias(host) && endpoints.contains("127.0.0.1:" + port)) {
          CliCredentials c = read(f);
          return new CliCredentials(c.user(), c.password(), c.ca(), f + " (the demo's)");
        }
      } catch (IOException | RuntimeException e) {
        // not a readable record: look at the next one
      }
    }
    return null;
  }

  private static boolean isLoopbackAlias(String host) {
    return host.equals("localhost") || host.equals("127.0.0.1");
  }

  private static long modified(Path f) {
    try {
      return Files.getLastModifiedTime(f).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }

  /** For tests: the same lookup with an explicit environment. */
  static CliCredentials resolve(Path option, Map<String, String> env, String host, int port) throws Missing {
    return resolve(option, env.get(ENV), host, port);
  }
}
