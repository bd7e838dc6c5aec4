package io.xenha.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * xenha.security: where the cluster's key material is and how the agent's links are protected. tlsDir holds ca.pem,
 * NODE.pem and NODE.key (mutual TLS on every cluster link unless insecure); credentials: the JMX users' file
 * (hashed passwords, roles monitor and admin); jmxTls: serve JMX over TLS with the node's certificate (required
 * when JMX is bound to a non-loopback address); jmxPlatformBeans: also serve the JVM's read-only platform beans
 * (memory, threads, ...); reloadInterval: how often the key files are checked for a rotation. tlsDirAt and
 * credentialsAt: where the file set them (for FILE:LINE messages; line 1 of the main file when defaulted).
 */
public record SecuritySettings(
    Path tlsDir,
    boolean insecure,
    Path credentials,
    boolean jmxTls,
    boolean jmxPlatformBeans,
    Duration reloadInterval,
    Where tlsDirAt,
    Where credentialsAt) {

  public static final Path DEFAULT_TLS_DIR = Path.of("/etc/xenha/tls");
  public static final Path DEFAULT_CREDENTIALS = Path.of("/etc/xenha/jmx.credentials");

  /** The secure defaults of reference.conf. */
  public static final SecuritySettings DEFAULT = new SecuritySettings(DEFAULT_TLS_DIR, false, DEFAULT_CREDENTIALS,
      false, false, Duration.ofSeconds(10), new Where(null, 1, "xenha.security.tls-dir"),
      new Where(null, 1, "xenha.security.credentials"));

  /** A place in the configuration: file (null: unknown), line and key path. */
  public record Where(Path file, int line, String key) {
    /** `FILE:LINE: key: message`. */
    public Problem error(String message) {
      return Problem.error(file, line, key, message);
    }

    public Problem warning(String message) {
      return Problem.warn(file, line, key, message);
    }
  }

  /** The CA certificate every node trusts. */
  public Path caCert() {
    return tlsDir.resolve("ca.pem");
  }

  /** NODE's certificate. */
  public Path nodeCert(String node) {
    return tlsDir.resolve(node + ".pem");
  }

  /** NODE's private key. */
  public Path nodeKey(String node) {
    return tlsDir.resolve(node + ".key");
  }
}
