package io.xenha.security;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's TLS identity and its rule for peers, for the cluster links (and JMX over TLS). The key, certificate and
 * CA are PEM files in the TLS directory, read again when they change (checked at most every reload interval, when a
 * connection is made): a rotated certificate is used for every new connection without a restart, and files that do
 * not load (half copied, key and certificate not matching) leave the previous ones in use. A peer is accepted only
 * when its certificate chains to the cluster CA and its common name is a configured node other than this one; on
 * the links this node opens, that node must also be the one configured at the address dialled.
 */
public final class NodeTls {

  static final String PROTOCOL = "TLSv1.3";
  private static final Logger LOG = LoggerFactory.getLogger(NodeTls.class);

  /** A configured node: its name and the host and port of its cluster address (port 0: any). */
  public record Peer(String name, String host, int port) {}

  private final Path tlsDir;
  private final String node;
  private final Map<String, Peer> peers = new LinkedHashMap<>();
  private final long intervalNanos;
  private final RefusalLog refusals;
  private final SecureRandom random = new SecureRandom();
  private volatile Loaded current;
  private volatile long nextCheck;
  private String failedStamp;

  private record Loaded(SSLContext context, X509Certificate cert, String stamp) {}

  public NodeTls(Path tlsDir, String node, List<Peer> peers, Duration reloadInterval) throws IOException {
    this(tlsDir, node, peers, reloadInterval, LOG);
  }

  NodeTls(Path tlsDir, String node, List<Peer> peers, Duration reloadInterval, Logger log) throws IOException {
    this.tlsDir = tlsDir;
    this.node = node;
    for (Peer p : peers) this.peers.put(p.name(), p);
    this.intervalNanos = reloadInterval.toNanos();
    this.refusals = new RefusalLog(log);
    String stamp = stamp();
    this.current = load(stamp);
    this.nextCheck = System.nanoTime() + intervalNanos;
  }

  public Path caFile() {
    return tlsDir.resolve("ca.pem");
  }

  public Path certFile() {
    return tlsDir.resolve(node + ".pem");
  }

  public Path keyFile() {
    return tlsDir.resolve(node + ".key");
  }

  /** The SSLContext for a new connection, after a look at the files when the reload interval has passed. */
  public SSLContext context() {
    long now = System.nanoTime();
    if (now - nextCheck >= 0) reloadIfChanged(now);
    return current.context();
  }

  /** The certificate this node presents now. */
  public X509Certificate certificate() {
    context();
    return current.cert();
  }

  /** An engine for a link this node opens to HOST:PORT. */
  public SSLEngine clientEngine(String host, int port) {
    SSLEngine e = context().createSSLEngine(host, port);
    e.setUseClientMode(true);
    e.setEnabledProtocols(new String[] {PROTOCOL});
    return e;
  }

  /** An engine for a link a peer opens to this node: the peer must present a certificate. */
  public SSLEngine serverEngine(String host, int port) {
    SSLEngine e = context().createSSLEngine(host, port);
    e.setUseClientMode(false);
    e.setEnabledProtocols(new String[] {PROTOCOL});
    e.setNeedClientAuth(true);
    return e;
  }

  private synchronized void reloadIfChanged(long now) {
    if (now - nextCheck < 0) return;
    nextCheck = now + intervalNanos;
    String stamp;
    try {
      stamp = stamp();
    } catch (IOException e) {
      if (!e.getMessage().equals(failedStamp)) {
        LOG.error("TLS: cannot read the key files of {} ({}); the certificate loaded before stays in use", node,
            e.getMessage());
        failedStamp = e.getMessage();
      }
      return;
    }
    if (stamp.equals(current.stamp()) || stamp.equals(failedStamp)) return;
    try {
      Loaded fresh = load(stamp);
      current = fresh;
      failedStamp = null;
      LOG.info("TLS: {} now presents its new certificate (serial {}, valid until {}, SHA-256 {})", node,
          fresh.cert().getSerialNumber().toString(16), fresh.cert().getNotAfter().toInstant(), Pem.fingerprint(fresh.cert()));
    } catch (IOException e) {
      // a copy in progress (a new key with the old certificate) fails once; only a lasting failure is an error
      if (failedStamp == null) {
        failedStamp = "pending:" + stamp;
        nextCheck = now; // look again on the next connection
        LOG.debug("TLS: the key files of {} changed but do not load yet: {}", node, e.getMessage());
      } else {
        failedStamp = stamp;
        LOG.error("TLS: the changed key files of {} cannot be used ({}); the certificate loaded before stays in use",
            node, e.getMessage());
      }
    }
  }

  /** What identifies the files' current content: inode, size and modification time of each. */
  private String stamp() throws IOException {
    StringBuilder b = new StringBuilder();
    for (Path f : List.of(caFile(), certFile(), keyFile())) {
      BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
      b.append(a.fileKey()).append('/').append(a.size()).append('/').append(a.lastModifiedTime().toMillis()).append(';');
    }
    return b.toString();
  }

  private Loaded load(String stamp) throws IOException {
    // several CAs while the cluster moves to a new one: each is trusted, the node's own may be signed by any
    List<X509Certificate> cas = Pem.certificates(caFile());
    List<X509Certificate> chain = Pem.certificates(certFile());
    X509Certificate cert = chain.get(0);
    PrivateKey key = Pem.privateKey(keyFile());
    if (!Keys.matches(key, cert.getPublicKey())) {
      throw new IOException(keyFile() + " is not the key of the certificate " + certFile());
    }
    if (!node.equals(Keys.commonName(cert))) {
      throw new IOException(certFile() + " names '" + Keys.commonName(cert) + "', not this node '" + node + "'");
    }
    X509Certificate ca = cas.stream().filter(c -> signs(c, cert)).findFirst()
        .orElseThrow(() -> new IOException(certFile() + " is not signed by the cluster CA " + caFile()));
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      char[] nothing = new char[0];
      ks.setKeyEntry("node", key, nothing, new X509Certificate[] {cert, ca});
      KeyManagerFactory kmf = KeyManagerFactory.getInstance("NewSunX509");
      kmf.init(ks, nothing);
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      for (int i = 0; i < cas.size(); i++) trust.setCertificateEntry("ca" + i, cas.get(i));
      TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
      tmf.init(trust);
      X509ExtendedTrustManager pkix = (X509ExtendedTrustManager) Arrays.stream(tmf.getTrustManagers())
          .filter(t -> t instanceof X509ExtendedTrustManager).findFirst()
          .orElseThrow(() -> new GeneralSecurityException("no X509 trust manager"));
      SSLContext ctx = SSLContext.getInstance(PROTOCOL);
      ctx.init(kmf.getKeyManagers(), new TrustManager[] {new PeerCheck(pkix)}, random);
      return new Loaded(ctx, cert, stamp);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot use the key files of " + node + ": " + e.getMessage());
    }
  }

  static boolean signs(X509Certificate ca, X509Certificate cert) {
    try {
      cert.verify(ca.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /**
   * The cluster CA's verdict, then the node rule. Runs inside the handshake: a refused peer never gets a session,
   * so no cluster message of it is ever read.
   */
  private final class PeerCheck extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager pkix;

    PeerCheck(X509ExtendedTrustManager pkix) {
      this.pkix = pkix;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
      inbound(chain, () -> pkix.checkClientTrusted(chain, authType, engine));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      inbound(chain, () -> pkix.checkClientTrusted(chain, authType, socket));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      inbound(chain, () -> pkix.checkClientTrusted(chain, authType));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
      outbound(chain, engine.getPeerHost(), engine.getPeerPort(), () -> pkix.checkServerTrusted(chain, authType, engine));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      String host = socket == null || socket.getInetAddress() == null ? null : socket.getInetAddress().getHostAddress();
      outbound(chain, host, socket == null ? -1 : socket.getPort(), () -> pkix.checkServerTrusted(chain, authType, socket));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      outbound(chain, null, -1, () -> pkix.checkServerTrusted(chain, authType));
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return pkix.getAcceptedIssuers();
    }

    private void inbound(X509Certificate[] chain, CaCheck ca) throws CertificateException {
      String who = describe(chain);
      try {
        ca.run();
      } catch (CertificateException e) {
        throw refused("inbound:" + fingerprint(chain), "refused an inbound cluster connection: " + who
            + " is not signed by the cluster CA (" + e.getMessage() + ")");
      }
      String name = Keys.commonName(chain[0]);
      if (name == null || !peers.containsKey(name)) {
        throw refused("inbound:" + fingerprint(chain), "refused an inbound cluster connection: " + who
            + " names no configured node (configured: " + String.join(", ", peers.keySet()) + ")");
      }
      if (name.equals(node)) {
        throw refused("inbound:" + fingerprint(chain), "refused an inbound cluster connection: " + who
            + " names this node itself");
      }
    }

    private void outbound(X509Certificate[] chain, String host, int port, CaCheck ca) throws CertificateException {
      String at = host == null ? "a peer" : host + ":" + port;
      String who = describe(chain);
      String key = "outbound:" + at + ":" + fingerprint(chain);
      try {
        ca.run();
      } catch (CertificateException e) {
        throw refused(key, "refused the cluster peer at " + at + ": " + who + " is not signed by the cluster CA ("
            + e.getMessage() + ")");
      }
      String name = Keys.commonName(chain[0]);
      Peer p = name == null ? null : peers.get(name);
      if (p == null) {
        throw refused(key, "refused the cluster peer at " + at + ": " + who + " names no configured node (configured: "
            + String.join(", ", peers.keySet()) + ")");
      }
      if (host != null && !at(p, host, port)) {
        String expected = peers.values().stream().filter(q -> at(q, host, port)).map(Peer::name).findFirst()
            .map(n -> "the node configured there is " + n).orElse("no node is configured there");
        throw refused(key, "refused the cluster peer at " + at + ": " + who + " names " + name + ", configured at "
            + p.host() + ":" + p.port() + ", but " + expected);
      }
    }

    private CertificateException refused(String key, String message) {
      refusals.refuse(key, "TLS " + node + ": " + message);
      return new CertificateException(message);
    }
  }

  private interface CaCheck {
    void run() throws CertificateException;
  }

  /** Whether the node is configured at HOST:PORT: the same port (or its port is 0) and the same host or address. */
  static boolean at(Peer p, String host, int port) {
    if (p.port() != 0 && p.port() != port) return false;
    if (p.host().equalsIgnoreCase(host)) return true;
    try {
      List<InetAddress> mine = Arrays.asList(InetAddress.getAllByName(p.host()));
      for (InetAddress a : InetAddress.getAllByName(host)) {
        if (mine.contains(a)) return true;
      }
    } catch (UnknownHostException e) {
      return false;
    }
    return false;
  }

  private static String describe(X509Certificate[] chain) {
    if (chain == null || chain.length == 0) return "a peer without a certificate";
    X509Certificate c = chain[0];
    return "certificate '" + c.getSubjectX500Principal().getName() + "' issued by '"
        + c.getIssuerX500Principal().getName() + "' (SHA-256 " + Pem.fingerprint(c) + ")";
  }

  private static String fingerprint(X509Certificate[] chain) {
    return chain == null || chain.length == 0 ? "none" : Pem.fingerprint(chain[0]);
  }

  /** For tests and the JMX client: a trust manager that accepts exactly the chains of this CA file. */
  public static X509TrustManager trusting(Path caFile) throws IOException {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      List<X509Certificate> cas = Pem.certificates(caFile);
      for (int i = 0; i < cas.size(); i++) trust.setCertificateEntry("ca" + i, cas.get(i));
      TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
      tmf.init(trust);
      return (X509TrustManager) tmf.getTrustManagers()[0];
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot trust " + caFile + ": " + e.getMessage());
    }
  }
}
