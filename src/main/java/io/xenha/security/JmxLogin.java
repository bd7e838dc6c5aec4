package io.xenha.security;

import io.xenha.security.JmxCredentials.Role;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.rmi.server.RemoteServer;
import java.rmi.server.ServerNotActiveException;
import java.security.Principal;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import javax.management.remote.JMXAuthenticator;
import javax.management.remote.JMXPrincipal;
import javax.security.auth.Subject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a JMX client's user name and password against the credentials file (read again when it changes) and
 * gives the connection a Subject with the user and its role. Failures are logged with the user name and client
 * address, never the password.
 */
public final class JmxLogin implements JMXAuthenticator {

  private static final Logger LOG = LoggerFactory.getLogger(JmxLogin.class);

  /** The role of an authenticated JMX connection. */
  public record RolePrincipal(Role role) implements Principal, Serializable {
    @Override
    public String getName() {
      return role.label();
    }
  }

  private final Path file;
  private final long intervalNanos;
  private JmxCredentials credentials;
  private Object stamp;
  private long nextCheck;

  public JmxLogin(Path file, Duration reloadInterval) {
    this.file = file;
    this.intervalNanos = reloadInterval.toNanos();
  }

  @Override
  public Subject authenticate(Object given) {
    if (!(given instanceof String[] c) || c.length != 2 || c[0] == null || c[1] == null) {
      LOG.warn("JMX: refused a connection from {} without a user name and password", client());
      throw new SecurityException("credentials required: a user name and password (xenha: --credentials FILE,"
          + " $XENHA_CREDENTIALS or /etc/xenha/cli.credentials; jconsole: its user name and password fields)");
    }
    JmxCredentials users;
    try {
      users = current();
    } catch (IOException e) {
      LOG.error("JMX: cannot read the credentials file: {}; refusing {}", e.getMessage(), client());
      throw new SecurityException("this agent cannot read its credentials file: see its log");
    }
    Optional<Role> role = users.authenticate(c[0], c[1]);
    if (role.isEmpty()) {
      LOG.warn("JMX: authentication failed for user '{}' from {}", printable(c[0]), client());
      throw new SecurityException("authentication failed: unknown user or wrong password");
    }
    LOG.debug("JMX: user '{}' ({}) connected from {}", c[0], role.get().label(), client());
    return new Subject(true, Set.of(new JMXPrincipal(c[0]), new RolePrincipal(role.get())), Set.of(), Set.of());
  }

  private synchronized JmxCredentials current() throws IOException {
    long now = System.nanoTime();
    if (credentials != null && now - nextCheck < 0) return credentials;
    nextCheck = now + intervalNanos;
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
    Object s = a.fileKey() + "/" + a.size() + "/" + a.lastModifiedTime().toMillis();
    if (credentials == null || !s.equals(stamp)) {
      credentials = JmxCredentials.read(file);
      if (stamp != null) LOG.info("JMX: read the changed credentials file {}", file);
      stamp = s;
    }
    return credentials;
  }

  static String client() {
    try {
      return RemoteServer.getClientHost();
    } catch (ServerNotActiveException e) {
      return "a local caller";
    }
  }

  /** A user name as typed: shown in the log without control characters and shortened. */
  static String printable(String s) {
    String p = s.replaceAll("[^\\x20-\\x7e]", "?");
    return p.length() > 64 ? p.substring(0, 64) + "..." : p;
  }
}
