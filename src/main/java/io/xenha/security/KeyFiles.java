package io.xenha.security;

import io.xenha.config.Problem;
import io.xenha.config.SecuritySettings;
import io.xenha.config.SecuritySettings.Where;
import io.xenha.config.XenhaConfig;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What `xenha verify` and `xenha agent` check of one node's key material before anything starts: the CA and the
 * node's certificate and key exist and load, the key is readable by its owner only, the certificate is the CA's,
 * names the node (and its address), fits the key and is valid (a warning 30 days before it expires); the JMX
 * credentials file exists, is not readable by others, and holds valid entries. Each problem is placed at the
 * configuration key naming the file.
 */
public final class KeyFiles {

  /** A certificate that expires within this is reported (crm_verify style: a warning, not an error). */
  public static final Duration EXPIRY_WARNING = Duration.ofDays(30);

  private KeyFiles() {}

  /**
   * `xenha verify`'s check: the files of the node this is (xenha.node-name or --node, else the configured node named
   * like this host); none when this host is none of the nodes (e.g. an admin's workstation: use --node).
   */
  public static List<Problem> checkLocal(XenhaConfig config) {
    String node = config.nodeName().orElse(null);
    if (node == null) {
      try {
        String host = java.net.InetAddress.getLocalHost().getHostName();
        if (config.nodes().containsKey(host)) node = host;
      } catch (IOException e) {
        // no host name: no local node
      }
    }
    return node == null || !config.nodes().containsKey(node) ? List.of() : check(config, node);
  }

  /** The problems of NODE's files under the configuration's security settings. */
  public static List<Problem> check(XenhaConfig config, String node) {
    return check(config, node, Clock.systemUTC());
  }

  static List<Problem> check(XenhaConfig config, String node, Clock clock) {
    List<Problem> out = new ArrayList<>();
    SecuritySettings s = config.security();
    Where dir = where(config, s.tlsDirAt());
    Where cred = where(config, s.credentialsAt());
    if (!s.insecure() || s.jmxTls()) checkTls(config, node, s, dir, clock.instant(), out);
    JmxCredentials.check(s.credentials(), cred, out);
    return out;
  }

  /** Defaulted settings carry no file: they are reported against the configuration file itself. */
  private static Where where(XenhaConfig config, Where w) {
    return w.file() != null ? w : new Where(config.source(), w.line(), w.key());
  }

  private static void checkTls(XenhaConfig config, String node, SecuritySettings s, Where at, Instant now,
      List<Problem> out) {
    List<X509Certificate> cas = null;
    Path caFile = s.caCert();
    if (readable(caFile, at, "the cluster CA certificate (`xenha keys init` writes it)", out)) {
      try {
        cas = Pem.certificates(caFile);
        for (X509Certificate ca : cas) {
          if (ca.getBasicConstraints() < 0) out.add(at.error(caFile + " holds a certificate that is not a CA's: '"
              + ca.getSubjectX500Principal().getName() + "'"));
          validity(ca, caFile, at, now, out);
        }
      } catch (IOException e) {
        out.add(at.error(e.getMessage()));
      }
    }
    if (Files.exists(s.tlsDir().resolve("ca.key"))) {
      out.add(at.warning(s.tlsDir().resolve("ca.key") + ": the CA's private key is on this node; whoever reads it can"
          + " make certificates for any node: keep it off the cluster (only `xenha keys add` needs it)"));
    }
    Path certFile = s.nodeCert(node);
    Path keyFile = s.nodeKey(node);
    X509Certificate cert = null;
    if (readable(certFile, at, "node " + node + "'s certificate (`xenha keys add " + node + "` makes one)", out)) {
      try {
        cert = Pem.certificate(certFile);
        String cn = Keys.commonName(cert);
        if (!node.equals(cn)) {
          out.add(at.error(certFile + " is the certificate of '" + cn + "', not of node " + node));
        }
        String host = config.nodes().containsKey(node) ? config.node(node).host() : null;
        List<String> names = Keys.alternativeNames(cert);
        if (host != null && node.equals(cn) && names.stream().noneMatch(host::equalsIgnoreCase)) {
          out.add(at.warning(certFile + " does not name node " + node + "'s address " + host + " (it names "
              + String.join(", ", names) + "): tools that check host names will refuse it"));
        }
        X509Certificate c = cert;
        if (cas != null && cas.stream().noneMatch(ca -> NodeTls.signs(ca, c))) {
          out.add(at.error(certFile + " is not signed by the cluster CA " + caFile
              + ": the other nodes would refuse this node"));
        }
        validity(cert, certFile, at, now, out);
      } catch (IOException e) {
        out.add(at.error(e.getMessage()));
      }
    }
    if (readable(keyFile, at, "node " + node + "'s private key", out) && ownerOnly(keyFile, at, "private key", out)) {
      try {
        PrivateKey key = Pem.privateKey(keyFile);
        if (cert != null && !Keys.matches(key, cert.getPublicKey())) {
          out.add(at.error(keyFile + " is not the key of the certificate " + certFile));
        }
      } catch (IOException e) {
        out.add(at.error(e.getMessage()));
      }
    }
  }

  private static void validity(X509Certificate c, Path file, Where at, Instant now, List<Problem> out) {
    Instant notAfter = c.getNotAfter().toInstant();
    Instant notBefore = c.getNotBefore().toInstant();
    if (now.isAfter(notAfter)) {
      out.add(at.error(file + " expired on " + notAfter + ": renew it (`xenha keys add NODE --force`)"));
    } else if (now.isBefore(notBefore)) {
      out.add(at.error(file + " is not valid before " + notBefore + " (is this host's clock right?)"));
    } else if (now.plus(EXPIRY_WARNING).isAfter(notAfter)) {
      long days = Duration.between(now, notAfter).toDays();
      out.add(at.warning(file + " expires on " + notAfter + " (in " + days + (days == 1 ? " day" : " days")
          + "): renew it before then"));
    }
  }

  /** Whether FILE can be read; a problem saying why not otherwise. */
  static boolean readable(Path file, Where at, String what, List<Problem> out) {
    try (var in = Files.newInputStream(file)) {
      in.read();
      return true;
    } catch (NoSuchFileException e) {
      out.add(at.error(file + ": no such file: " + what));
    } catch (AccessDeniedException e) {
      out.add(at.error(file + ": permission denied (" + what + ")"));
    } catch (IOException e) {
      out.add(at.error(file + ": cannot read it: " + e.getMessage()));
    }
    return false;
  }

  /** A secret must not be readable (or writable) by anyone but its owner. */
  static boolean ownerOnly(Path file, Where at, String what, List<Problem> out) {
    try {
      PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class);
      Set<PosixFilePermission> p = a.permissions();
      if (p.contains(PosixFilePermission.OTHERS_READ) || p.contains(PosixFilePermission.OTHERS_WRITE)
          || p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.GROUP_WRITE)) {
        out.add(at.error(file + ": the " + what + " is readable by others (mode " + Keys.mode(p) + ", owner "
            + a.owner().getName() + "): chmod 600 " + file));
        return false;
      }
    } catch (UnsupportedOperationException | IOException e) {
      // no POSIX permissions here (not Linux): nothing to check
    }
    return true;
  }
}
