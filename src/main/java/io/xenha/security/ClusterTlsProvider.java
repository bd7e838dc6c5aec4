package io.xenha.security;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.remote.artery.tcp.SSLEngineProvider;
import org.apache.pekko.remote.artery.tcp.SslTransportException;
import scala.Option;

/**
 * Pekko Artery's TLS engines for a xenha node (transport tls-tcp): mutual TLS with the node's PEM key material,
 * peers checked by {@link NodeTls}. Pekko makes it from the class name in pekko.remote.artery.ssl.ssl-engine-provider
 * and hands it the ActorSystem; what it needs is in pekko.remote.artery.ssl.xenha, written by
 * {@link Security#pekkoConfig}. Every check happens in the handshake, so the post-handshake hooks accept.
 */
public final class ClusterTlsProvider implements SSLEngineProvider {

  static final String CONFIG_PATH = "pekko.remote.artery.ssl.xenha";

  private final NodeTls tls;

  public ClusterTlsProvider(ActorSystem system) {
    this(system.settings().config().getConfig(CONFIG_PATH));
  }

  ClusterTlsProvider(Config c) {
    List<NodeTls.Peer> peers = new ArrayList<>();
    for (Config p : c.getConfigList("peers")) {
      peers.add(new NodeTls.Peer(p.getString("name"), p.getString("host"), p.getInt("port")));
    }
    try {
      tls = new NodeTls(Path.of(c.getString("tls-dir")), c.getString("node"), peers, c.getDuration("reload-interval"));
    } catch (IOException e) {
      throw new SslTransportException("cannot load this node's TLS key material: " + e.getMessage(), e);
    }
  }

  public NodeTls tls() {
    return tls;
  }

  @Override
  public SSLEngine createServerSSLEngine(String hostname, int port) {
    return tls.serverEngine(hostname, port);
  }

  @Override
  public SSLEngine createClientSSLEngine(String hostname, int port) {
    return tls.clientEngine(hostname, port);
  }

  @Override
  public Option<Throwable> verifyClientSession(String hostname, SSLSession session) {
    return Option.empty();
  }

  @Override
  public Option<Throwable> verifyServerSession(String hostname, SSLSession session) {
    return Option.empty();
  }
}
