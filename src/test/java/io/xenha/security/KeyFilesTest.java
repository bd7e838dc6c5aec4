package io.xenha.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xenha.cli.KeysCommand;
import io.xenha.config.ConfigLoader;
import io.xenha.config.LoadResult;
import io.xenha.config.Problem;
import io.xenha.config.XenhaConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What `xenha verify` (and `xenha agent` before it starts) says about a node's key files and credentials, and about
 * the security settings themselves: each as FILE:LINE: key: message, errors for what would not work or would leak.
 */
class KeyFilesTest {

  @TempDir Path dir;
  Path keys;
  Path conf;

  @BeforeEach
  void keys() throws Exception {
    keys = dir.resolve("keys");
    conf = dir.resolve("xenha.conf");
    Files.writeString(conf, """
        xenha {
          cluster-name = lab
          nodes {
            host1 { address = "10.0.0.1:2551" }
            host2 { address = "10.0.0.2:2551" }
          }
          security {
            tls-dir = keys
            credentials = keys/jmx.credentials
          }
        }
        """);
    KeysCommand.write(load(conf), keys, Duration.ofDays(365));
    Files.move(keys.resolve("ca.key"), dir.resolve("ca.key"));
  }

  static XenhaConfig load(Path f) {
    LoadResult r = ConfigLoader.load(f, Optional.empty());
    assertTrue(r.ok(), r.problems()::toString);
    return r.config().orElseThrow();
  }

  List<String> problems(String node) {
    return KeyFiles.check(load(conf), node).stream().map(Problem::format).toList();
  }

  String at() {
    return conf + ":8: xenha.security.tls-dir: ";
  }

  @Test
  void goodFilesHaveNoProblemAndRelativePathsAreFromTheFile() {
    XenhaConfig c = load(conf);
    assertEquals(keys, c.security().tlsDir());
    assertEquals(List.of(), problems("host1"));
    assertEquals(List.of(), problems("host2"));
  }

  @Test
  void missingAndWorldReadableFilesAreErrors() throws Exception {
    Files.delete(keys.resolve("host1.pem"));
    Files.setPosixFilePermissions(keys.resolve("host1.key"), PosixFilePermissions.fromString("rw-r--r--"));
    Files.setPosixFilePermissions(keys.resolve("jmx.credentials"), PosixFilePermissions.fromString("rw-r--r--"));
    assertEquals(List.of(
        at() + keys.resolve("host1.pem") + ": no such file: node host1's certificate (`xenha keys add host1` makes one)",
        at() + keys.resolve("host1.key") + ": the private key is readable by others (mode 0644, owner root): chmod 600 "
            + keys.resolve("host1.key"),
        conf + ":9: xenha.security.credentials: " + keys.resolve("jmx.credentials")
            + ": the credentials file is readable by others (mode 0644, owner root): chmod 600 "
            + keys.resolve("jmx.credentials")), problems("host1"));
  }

  @Test
  void anotherNodesCertificateAnotherCaAndAForeignKeyAreRefused() throws Exception {
    Files.copy(keys.resolve("host2.pem"), keys.resolve("host1.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    List<String> p = problems("host1");
    assertTrue(p.contains(at() + keys.resolve("host1.pem") + " is the certificate of 'host2', not of node host1"), p::toString);
    assertTrue(p.contains(at() + keys.resolve("host1.key") + " is not the key of the certificate " + keys.resolve("host1.pem")),
        p::toString);

    CertificateAuthority other = CertificateAuthority.create("lab", Duration.ofDays(100));
    CertificateAuthority.Issued forged = other.issue("lab", "host1", "10.0.0.1", Duration.ofDays(100));
    Keys.write(keys.resolve("host1.pem"), Pem.toPem(forged.cert()), Keys.PUBLIC);
    Keys.write(keys.resolve("host1.key"), Pem.toPem(forged.key()), Keys.SECRET);
    assertEquals(List.of(at() + keys.resolve("host1.pem") + " is not signed by the cluster CA " + keys.resolve("ca.pem")
        + ": the other nodes would refuse this node"), problems("host1"));
  }

  @Test
  void aSecondCaInCaPemLetsTheClusterMoveToANewCaWithoutARestart() throws Exception {
    CertificateAuthority next = CertificateAuthority.create("lab", Duration.ofDays(3650));
    // step 1 on every node: trust both CAs; step 2, node by node: a certificate of the new one
    Files.writeString(keys.resolve("ca.pem"), Pem.toPem(next.certificate()), java.nio.file.StandardOpenOption.APPEND);
    CertificateAuthority.Issued renewed = next.issue("lab", "host1", "10.0.0.1", Duration.ofDays(365));
    Keys.write(keys.resolve("host1.key"), Pem.toPem(renewed.key()), Keys.SECRET);
    Keys.write(keys.resolve("host1.pem"), Pem.toPem(renewed.cert()), Keys.PUBLIC);
    assertEquals(List.of(), problems("host1"));
    assertEquals(List.of(), problems("host2"));
    List<NodeTls.Peer> peers = List.of(new NodeTls.Peer("host1", "10.0.0.1", 2551), new NodeTls.Peer("host2", "10.0.0.2", 2551));
    assertEquals(renewed.cert(), new NodeTls(keys, "host1", peers, Duration.ofSeconds(1)).certificate());
    assertEquals("host2", Keys.commonName(new NodeTls(keys, "host2", peers, Duration.ofSeconds(1)).certificate()));
  }

  @Test
  void expiryIsAWarningThirtyDaysAheadAndAnErrorAfter() throws Exception {
    XenhaConfig c = load(conf);
    Instant notAfter = Pem.certificate(keys.resolve("host1.pem")).getNotAfter().toInstant();
    List<Problem> soon = KeyFiles.check(c, "host1", Clock.fixed(notAfter.minus(Duration.ofDays(10)), ZoneOffset.UTC));
    assertEquals(1, soon.size(), soon::toString);
    assertTrue(soon.get(0).warning());
    assertTrue(soon.get(0).format().startsWith(at() + "warning: " + keys.resolve("host1.pem") + " expires on "
        + notAfter + " (in 10 days)"), soon.get(0)::format);
    List<Problem> late = KeyFiles.check(c, "host1", Clock.fixed(notAfter.plusSeconds(1), ZoneOffset.UTC));
    assertEquals(List.of(at() + keys.resolve("host1.pem") + " expired on " + notAfter
        + ": renew it (`xenha keys add NODE --force`)"), late.stream().map(Problem::format).toList());
  }

  @Test
  void theCaKeyOnANodeAndAClearTextPasswordAreReported() throws Exception {
    Files.copy(dir.resolve("ca.key"), keys.resolve("ca.key"));
    Files.writeString(keys.resolve("jmx.credentials"), "# users\nadmin admin hunter2\n");
    List<String> p = problems("host1");
    assertEquals(java.util.Set.of(
        conf + ":9: xenha.security.credentials: " + keys.resolve("jmx.credentials") + ":2: the password of 'admin' is not a"
            + " pbkdf2-sha256 hash (`xenha keys init` writes them; a clear-text password is never accepted)",
        at() + "warning: " + keys.resolve("ca.key") + ": the CA's private key is on this node; whoever reads it can make"
            + " certificates for any node: keep it off the cluster (only `xenha keys add` needs it)"),
        java.util.Set.copyOf(p));
    assertTrue(p.stream().noneMatch(s -> s.contains("hunter2")), "the secret is never repeated: " + p);
  }

  @Test
  void insecureIsAWarningAndJmxOffLoopbackNeedsTls() throws Exception {
    Path f = dir.resolve("open.conf");
    Files.writeString(f, """
        xenha {
          nodes { host1 { address = "10.0.0.1:2551", jmx-host = "0.0.0.0" } }
          security.insecure = true
        }
        """);
    LoadResult r = ConfigLoader.load(f);
    assertEquals(List.of(
        f + ":2: xenha.nodes.host1.jmx-host: JMX of node 'host1' would listen on 0.0.0.0, which is not a loopback address:"
            + " that needs TLS (set xenha.security.jmx-tls = true) or bind it to 127.0.0.1",
        f + ":3: xenha.security.insecure: warning: cluster links are neither encrypted nor authenticated: any host that"
            + " reaches a node's cluster port can join and command the cluster (labs only; remove it to use mutual TLS"
            + " with the keys in /etc/xenha/tls)"),
        r.problems().stream().map(Problem::format).sorted().toList());
    assertTrue(!r.ok());

    Files.writeString(f, "xenha { nodes { host1 { address = \"10.0.0.1:2551\" } }, jmx.host = \"10.0.0.1\","
        + " security.jmx-tls = true }\n");
    assertTrue(ConfigLoader.load(f).ok(), () -> ConfigLoader.load(f).problems().toString());
    Files.writeString(f, "xenha { nodes { host1 { address = \"10.0.0.1:2551\" } }, jmx.host = \"10.0.0.1\" }\n");
    assertEquals(List.of(f + ":1: xenha.jmx.host: JMX of node 'host1' would listen on 10.0.0.1, which is not a loopback"
        + " address: that needs TLS (set xenha.security.jmx-tls = true) or bind it to 127.0.0.1"),
        ConfigLoader.load(f).problems().stream().map(Problem::format).toList());
  }
}
