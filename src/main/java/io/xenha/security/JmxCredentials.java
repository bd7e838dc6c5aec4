package io.xenha.security;

import io.xenha.config.Problem;
import io.xenha.config.SecuritySettings.Where;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The JMX users of an agent (xenha.security.credentials): one {@code USER ROLE HASH} line each, '#' comments.
 * ROLE is monitor or admin; HASH is {@code pbkdf2-sha256$ITERATIONS$SALT$KEY} (base64), so the file holds no
 * password an attacker could replay. `xenha keys init` writes it.
 */
public final class JmxCredentials {

  /** What a JMX user may do. */
  public enum Role {
    /** status, history, export: reads only. */
    MONITOR,
    /** everything that changes state, fencing included. */
    ADMIN;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** One line of the file. */
  public record User(String name, Role role, String hash) {}

  static final int ITERATIONS = 120_000;
  private static final String SCHEME = "pbkdf2-sha256";
  private static final Pattern USER = Pattern.compile("[A-Za-z0-9_.@-]+");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, User> users;

  private JmxCredentials(Map<String, User> users) {
    this.users = users;
  }

  public Map<String, User> users() {
    return users;
  }

  /** Reads the file; a bad line is an IOException naming FILE:LINE (never the line's content: it may be a secret). */
  public static JmxCredentials read(Path file) throws IOException {
    List<String> problems = new ArrayList<>();
    JmxCredentials c = parse(file, Files.readAllLines(file, StandardCharsets.UTF_8), problems);
    if (!problems.isEmpty()) throw new IOException(problems.get(0));
    return c;
  }

  private static JmxCredentials parse(Path file, List<String> lines, List<String> problems) {
    Map<String, User> users = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) continue;
      String[] f = line.split("\\s+");
      String at = file + ":" + (i + 1) + ": ";
      if (f.length != 3) {
        problems.add(at + "expected USER ROLE HASH (3 fields), got " + f.length);
        continue;
      }
      if (!USER.matcher(f[0]).matches()) {
        problems.add(at + "invalid user name (letters, digits, '_', '.', '@', '-')");
        continue;
      }
      Role role;
      try {
        role = Role.valueOf(f[1].toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        problems.add(at + "unknown role '" + f[1] + "' (monitor | admin)");
        continue;
      }
      if (!validHash(f[2])) {
        problems.add(at + "the password of '" + f[0] + "' is not a " + SCHEME
            + " hash (`xenha keys init` writes them; a clear-text password is never accepted)");
        continue;
      }
      if (users.putIfAbsent(f[0], new User(f[0], role, f[2])) != null) {
        problems.add(at + "user '" + f[0] + "' is defined twice");
      }
    }
    return new JmxCredentials(Map.copyOf(users));
  }

  /**
   * The user's role when the password is right. A password checked once is remembered as a salted SHA-256 for this
   * file's content: the CLI connects for every command, and PBKDF2 is slow on purpose.
   */
  public Optional<Role> authenticate(String user, String password) {
    User u = user == null ? null : users.get(user);
    if (u == null || password == null) {
      // the same work for an unknown user: the answer time does not tell which user names exist
      verify(password == null ? "" : password, DUMMY);
      return Optional.empty();
    }
    byte[] quick = quick(password);
    byte[] known = verified.get(user);
    if (known != null && MessageDigest.isEqual(known, quick)) return Optional.of(u.role());
    if (!verify(password, u.hash())) return Optional.empty();
    verified.put(user, quick);
    return Optional.of(u.role());
  }

  private final Map<String, byte[]> verified = new java.util.concurrent.ConcurrentHashMap<>();
  private final byte[] pepper = seed();

  private static byte[] seed() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return b;
  }

  private byte[] quick(String password) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(pepper);
      return d.digest(password.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final String DUMMY = hash("not a password");

  /** A new salted hash of PASSWORD for the file. */
  public static String hash(String password) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    return SCHEME + "$" + ITERATIONS + "$" + b64.encodeToString(salt) + "$"
        + b64.encodeToString(derive(password, salt, ITERATIONS));
  }

  static boolean verify(String password, String hash) {
    String[] p = hash.split("\\$");
    try {
      byte[] salt = Base64.getDecoder().decode(p[2]);
      byte[] expected = Base64.getDecoder().decode(p[3]);
      return MessageDigest.isEqual(expected, derive(password, salt, Integer.parseInt(p[1])));
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static boolean validHash(String h) {
    String[] p = h.split("\\$");
    if (p.length != 4 || !p[0].equals(SCHEME)) return false;
    try {
      return Integer.parseInt(p[1]) >= 10_000 && Base64.getDecoder().decode(p[2]).length >= 8
          && Base64.getDecoder().decode(p[3]).length >= 16;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static byte[] derive(String password, byte[] salt, int iterations) {
    PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is missing from this JVM", e);
    } finally {
      spec.clearPassword();
    }
  }

  /** A random password: 192 bits, URL-safe base64 (32 characters). */
  public static String newPassword() {
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** The file's content for these users: name -> role, name -> password (hashed here). */
  public static String render(Map<String, Role> roles, Map<String, String> passwords) {
    StringBuilder b = new StringBuilder();
    b.append("# xenha JMX users: USER ROLE HASH (roles: monitor = status, history, export; admin = everything).\n");
    b.append("# Hashed passwords only. Keep this file mode 0600, owned by the user the agent runs as.\n");
    roles.forEach((user, role) -> b.append(user).append(' ').append(role.label()).append(' ')
        .append(hash(passwords.get(user))).append('\n'));
    return b.toString();
  }

  /** `xenha verify`'s check of the file. */
  static void check(Path file, Where at, List<Problem> out) {
    if (!KeyFiles.readable(file, at, "the JMX users and their hashed passwords (`xenha keys init` writes it);"
        + " without it nobody can use the CLI or JMX", out)) {
      return;
    }
    if (!KeyFiles.ownerOnly(file, at, "credentials file", out)) return;
    List<String> problems = new ArrayList<>();
    try {
      JmxCredentials c = parse(file, Files.readAllLines(file, StandardCharsets.UTF_8), problems);
      for (String p : problems) out.add(at.error(p));
      if (problems.isEmpty() && c.users.values().stream().noneMatch(u -> u.role() == Role.ADMIN)) {
        out.add(at.warning(file + ": no user has the admin role: nobody can change anything over JMX"));
      }
    } catch (IOException e) {
      out.add(at.error(file + ": " + e.getMessage()));
    }
  }
}
