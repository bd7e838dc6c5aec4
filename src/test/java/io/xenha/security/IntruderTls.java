package io.xenha.security;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.remote.artery.tcp.SSLEngineProvider;
import scala.Option;

/**
 * An attacker's Artery TLS: presents whatever certificate it was given (pekko.remote.artery.ssl.intruder.cert and
 * .key, a PEM chain and key) and accepts any server. What a process outside the cluster can always do.
 */
public final class IntruderTls implements SSLEngineProvider {

  private final SSLContext context;

  public IntruderTls(ActorSystem system) throws Exception {
    Config c = system.settings().config().getConfig("pekko.remote.artery.ssl.intruder");
    List<X509Certificate> chain = Pem.certificates(Path.of(c.getString("cert")));
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("me", Pem.privateKey(Path.of(c.getString("key"))), new char[0], chain.toArray(X509Certificate[]::new));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance("NewSunX509");
    kmf.init(ks, new char[0]);
    context = SSLContext.getInstance("TLSv1.3");
    context.init(kmf.getKeyManagers(), new TrustManager[] {trustAll()}, new SecureRandom());
  }

  static X509TrustManager trustAll() {
    return new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
  }

  @Override
  public SSLEngine createServerSSLEngine(String hostname, int port) {
    SSLEngine e = context.createSSLEngine(hostname, port);
    e.setUseClientMode(false);
    e.setWantClientAuth(true);
    return e;
  }

  @Override
  public SSLEngine createClientSSLEngine(String hostname, int port) {
    SSLEngine e = context.createSSLEngine(hostname, port);
    e.setUseClientMode(true);
    return e;
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
