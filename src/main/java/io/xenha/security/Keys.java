package io.xenha.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/** Small helpers around key material: who a certificate names, whether a key fits it, writing files safely. */
public final class Keys {

  /** Keys and credentials. */
  public static final Set<PosixFilePermission> SECRET = PosixFilePermissions.fromString("rw-------");
  /** Certificates, READMEs. */
  public static final Set<PosixFilePermission> PUBLIC = PosixFilePermissions.fromString("rw-r--r--");

  private Keys() {}

  /** The certificate's common name (CN), or null when it has none. */
  public static String commonName(X509Certificate cert) {
    try {
      LdapName dn = new LdapName(cert.getSubjectX500Principal().getName());
      for (int i = dn.size() - 1; i >= 0; i--) {
        Rdn rdn = dn.getRdns().get(i);
        if (rdn.getType().equalsIgnoreCase("CN")) return String.valueOf(rdn.getValue());
      }
    } catch (InvalidNameException e) {
      return null;
    }
    return null;
  }

  /** The DNS names and IP addresses among the certificate's subject alternative names. */
  public static List<String> alternativeNames(X509Certificate cert) {
    List<String> out = new ArrayList<>();
    try {
      if (cert.getSubjectAlternativeNames() == null) return out;
      for (List<?> n : cert.getSubjectAlternativeNames()) {
        int type = (Integer) n.get(0);
        if (type == 2 || type == 7) out.add(String.valueOf(n.get(1)));
      }
    } catch (CertificateParsingException e) {
      // no usable names
    }
    return out;
  }

  /** Whether the private key belongs to the public key: a signature of random bytes verifies. */
  public static boolean matches(PrivateKey key, PublicKey pub) {
    if (!key.getAlgorithm().equals(pub.getAlgorithm())) return false;
    String alg = switch (key.getAlgorithm()) {
      case "EC" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      default -> key.getAlgorithm(); // Ed25519, Ed448
    };
    try {
      byte[] data = new byte[32];
      new SecureRandom().nextBytes(data);
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(data);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(pub);
      v.update(data);
      return v.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /**
   * Writes FILE with the given permissions from its creation on (a secret is never readable by others, not even for
   * a moment), replacing an existing file in one rename: a reader sees the old or the new content, never half.
   */
  public static void write(Path file, String content, Set<PosixFilePermission> perms) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp", PosixFilePermissions.asFileAttribute(SECRET));
    try {
      Files.writeString(tmp, content, StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(tmp, perms);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The permissions as `ls -l` shows them and as an octal mode (0644). */
  public static String mode(Set<PosixFilePermission> perms) {
    int m = 0;
    for (PosixFilePermission p : perms) m |= 1 << (8 - p.ordinal());
    return String.format("%04o", m);
  }
}
