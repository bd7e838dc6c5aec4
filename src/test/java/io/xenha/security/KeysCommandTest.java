package io.xenha.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.xenha.cli.CliRun.Run;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `xenha keys init` and `xenha keys add`: the files, their modes, what the certificates name, and that they chain. */
class KeysCommandTest {

  @TempDir Path dir;

  static Run xenha(String... args) {
    return io.xenha.cli.CliRun.xenha(args);
  }

  Path config(String extraNode) throws Exception {
    Path f = dir.resolve("cluster.conf");
    Files.writeString(f, """
        xenha {
          cluster-name = hasi
          nodes {
            host1 { address = "10.0.0.1:2551" }
            host2 { address = "dom0-b.example.org:2551" }
            %s
          }
        }
        """.formatted(extraNode));
    return f;
  }

  static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void initWritesACaANodeCertificatePerNodeAndCredentialsWithTheRightModes() throws Exception {
    Path conf = config("");
    Path keys = dir.resolve("keys");
    Run r = xenha("keys", "init", "--config", conf.toString(), "-o", keys.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals("rwx------", mode(keys));
    for (String f : List.of("ca.pem", "host1.pem", "host2.pem", "README")) assertEquals("rw-r--r--", mode(keys.resolve(f)), f);
    for (String f : List.of("ca.key", "host1.key", "host2.key", "jmx.credentials", "cli.credentials", "monitor.credentials")) {
      assertEquals("rw-------", mode(keys.resolve(f)), f);
    }
    // nothing secret on the terminal
    String admin = CliCredentials.read(keys.resolve("cli.credentials")).password();
    assertFalse(r.out().contains(admin) || r.err().contains(admin));
    assertFalse(r.out().contains("PRIVATE KEY"));

    X509Certificate ca = Pem.certificate(keys.resolve("ca.pem"));
    assertTrue(ca.getBasicConstraints() >= 0, "the CA is a CA");
    X509Certificate h1 = Pem.certificate(keys.resolve("host1.pem"));
    X509Certificate h2 = Pem.certificate(keys.resolve("host2.pem"));
    assertEquals("host1", Keys.commonName(h1));
    assertEquals(Set.of("host1", "10.0.0.1"), Set.copyOf(Keys.alternativeNames(h1)));
    assertTrue(h1.getSubjectAlternativeNames().stream().anyMatch(n -> (Integer) n.get(0) == 7 && n.get(1).equals("10.0.0.1")),
        "an IP address is an IP SAN");
    assertEquals(Set.of("host2", "dom0-b.example.org"), Set.copyOf(Keys.alternativeNames(h2)));
    assertEquals(-1, h1.getBasicConstraints(), "a node certificate is no CA");
    assertTrue(h1.getExtendedKeyUsage().containsAll(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2")),
        "usable as TLS server and client");
    assertTrue(Keys.matches(Pem.privateKey(keys.resolve("host1.key")), h1.getPublicKey()));
    assertFalse(Keys.matches(Pem.privateKey(keys.resolve("host2.key")), h1.getPublicKey()));
    validates(ca, h1);
    validates(ca, h2);
    opensslVerifies(keys.resolve("ca.pem"), keys.resolve("host1.pem"));

    // the agent's users: hashed, both roles; the CLI files log in against them
    JmxCredentials users = JmxCredentials.read(keys.resolve("jmx.credentials"));
    assertEquals(JmxCredentials.Role.ADMIN, users.users().get("admin").role());
    assertEquals(JmxCredentials.Role.MONITOR, users.users().get("monitor").role());
    assertFalse(Files.readString(keys.resolve("jmx.credentials")).contains(admin), "no clear-text password");
    assertEquals(JmxCredentials.Role.ADMIN, users.authenticate("admin", admin).orElseThrow());
    CliCredentials monitor = CliCredentials.read(keys.resolve("monitor.credentials"));
    assertEquals(JmxCredentials.Role.MONITOR, users.authenticate("monitor", monitor.password()).orElseThrow());
    assertTrue(users.authenticate("admin", monitor.password()).isEmpty());

    String readme = Files.readString(keys.resolve("README"));
    assertTrue(readme.contains("host1.key") && readme.contains("/etc/xenha/tls") && readme.contains("NOT on the nodes"), readme);

    // a second init does not overwrite the CA
    Run again = xenha("keys", "init", "--config", conf.toString(), "-o", keys.toString());
    assertEquals(2, again.code());
    assertTrue(again.err().contains("already holds a CA"), again.err());
  }

  @Test
  void addMakesANewNodeSignedByTheSameCaAndRenewsOnlyWithForce() throws Exception {
    Path keys = dir.resolve("keys");
    assertEquals(0, xenha("keys", "init", "--config", config("").toString(), "-o", keys.toString()).code());
    Path conf = config("host3 { address = \"10.0.0.3:2551\" }");

    Run unknown = xenha("keys", "add", "host9", "--config", conf.toString(), "--dir", keys.toString());
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("node 'host9' is not in"), unknown.err());

    Run add = xenha("keys", "add", "host3", "--config", conf.toString(), "--dir", keys.toString());
    assertEquals(0, add.code(), add.err());
    X509Certificate ca = Pem.certificate(keys.resolve("ca.pem"));
    X509Certificate h3 = Pem.certificate(keys.resolve("host3.pem"));
    assertEquals("host3", Keys.commonName(h3));
    assertEquals(Set.of("host3", "10.0.0.3"), Set.copyOf(Keys.alternativeNames(h3)));
    assertEquals("rw-------", mode(keys.resolve("host3.key")));
    assertEquals("rw-r--r--", mode(keys.resolve("host3.pem")));
    validates(ca, h3);
    opensslVerifies(keys.resolve("ca.pem"), keys.resolve("host3.pem"));

    Run exists = xenha("keys", "add", "host1", "--config", conf.toString(), "--dir", keys.toString());
    assertEquals(2, exists.code());
    assertTrue(exists.err().contains("--force"), exists.err());
    X509Certificate old = Pem.certificate(keys.resolve("host1.pem"));
    Run renew = xenha("keys", "add", "host1", "--config", conf.toString(), "--dir", keys.toString(), "--force",
        "--days", "400");
    assertEquals(0, renew.code(), renew.err());
    X509Certificate renewed = Pem.certificate(keys.resolve("host1.pem"));
    assertNotEquals(old.getSerialNumber(), renewed.getSerialNumber());
    assertTrue(renewed.getNotAfter().toInstant().isAfter(Instant.now().plus(Duration.ofDays(399))));
    validates(ca, renewed);

    // without the CA's key nothing can be signed
    Files.delete(keys.resolve("ca.key"));
    Run noCa = xenha("keys", "add", "host3", "--config", conf.toString(), "--dir", keys.toString(), "--force");
    assertEquals(2, noCa.code());
    assertTrue(noCa.err().contains("cannot use the CA"), noCa.err());
  }

  @Test
  void aCertificateOfAnotherCaDoesNotValidate() throws Exception {
    CertificateAuthority a = CertificateAuthority.create("a", Duration.ofDays(10));
    CertificateAuthority b = CertificateAuthority.create("b", Duration.ofDays(10));
    X509Certificate fromB = b.issue("b", "host1", "10.0.0.1", Duration.ofDays(5)).cert();
    assertThrows(Exception.class, () -> validates(a.certificate(), fromB));
  }

  @Test
  void badConfigurationExitsTwo() throws Exception {
    Path bad = dir.resolve("bad.conf");
    Files.writeString(bad, "xenha { nodes { } }\n");
    Run r = xenha("keys", "init", "--config", bad.toString(), "-o", dir.resolve("k").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains(bad + ":1: xenha.nodes: no nodes defined"), r.err());
    assertFalse(Files.exists(dir.resolve("k")));
  }

  /** PKIX path validation with the CA as the only trust anchor, as TLS does it. */
  static void validates(X509Certificate ca, X509Certificate cert) throws Exception {
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX")
        .validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(cert)), params);
  }

  /** The same with openssl, an implementation of its own (when installed: scripts/setup-deps.sh installs it). */
  static void opensslVerifies(Path ca, Path cert) throws Exception {
    boolean has = List.of(System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)).stream()
        .anyMatch(d -> Files.isExecutable(Path.of(d, "openssl")));
    assumeTrue(has, "openssl is not installed");
    Process p = new ProcessBuilder("openssl", "verify", "-CAfile", ca.toString(), "-purpose", "sslserver", cert.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains(": OK"), out);
  }
}
