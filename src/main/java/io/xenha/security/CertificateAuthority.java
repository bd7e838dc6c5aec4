package io.xenha.security;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.IPAddress;

/**
 * The cluster's certificate authority: a self-signed CA that issues one certificate per node (`xenha keys`). Keys
 * are ECDSA P-256, made and used by the JDK's own providers; Bouncy Castle only assembles the certificates.
 */
public final class CertificateAuthority {

  static final String SIGNATURE = "SHA256withECDSA";
  /** Lets clocks that are a little apart accept a certificate made a moment ago. */
  private static final Duration BACKDATE = Duration.ofHours(1);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final X509Certificate cert;
  private final PrivateKey key;

  private CertificateAuthority(X509Certificate cert, PrivateKey key) {
    this.cert = cert;
    this.key = key;
  }

  /** A node's key and the certificate the CA issued for it. */
  public record Issued(X509Certificate cert, PrivateKey key) {}

  /** A new CA for the cluster, valid for {@code validity}. */
  public static CertificateAuthority create(String clusterName, Duration validity) {
    KeyPair pair = newKeyPair();
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, "xenha").addRDN(BCStyle.OU, clusterName).addRDN(BCStyle.CN, "xenha CA " + clusterName).build();
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = builder(subject, subject, pair.getPublic(), validity)
          // pathlen 0: the CA signs node certificates only, never another CA
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
      return new CertificateAuthority(sign(b, pair.getPrivate()), pair.getPrivate());
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot create the CA certificate: " + e.getMessage(), e);
    }
  }

  /** The CA of an earlier `xenha keys init`: its certificate and key files. */
  public static CertificateAuthority load(Path certFile, Path keyFile) throws IOException {
    X509Certificate c = Pem.certificate(certFile);
    PrivateKey k = Pem.privateKey(keyFile);
    if (c.getBasicConstraints() < 0) throw new IOException(certFile + ": not a CA certificate");
    if (!Keys.matches(k, c.getPublicKey())) {
      throw new IOException(keyFile + " is not the key of the CA certificate " + certFile);
    }
    return new CertificateAuthority(c, k);
  }

  public X509Certificate certificate() {
    return cert;
  }

  public PrivateKey key() {
    return key;
  }

  /**
   * A new key and certificate for NODE, reached at HOST: CN=NODE; subject alternative names: the node's name and
   * its host (an IP address or a DNS name); usable as TLS server and client, valid for {@code validity}.
   */
  public Issued issue(String clusterName, String node, String host, Duration validity) {
    KeyPair pair = newKeyPair();
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, "xenha").addRDN(BCStyle.OU, clusterName).addRDN(BCStyle.CN, node).build();
    List<GeneralName> names = new ArrayList<>();
    names.add(new GeneralName(GeneralName.dNSName, node));
    if (host != null && !host.equals(node)) {
      names.add(IPAddress.isValid(host) ? new GeneralName(GeneralName.iPAddress, host)
          : new GeneralName(GeneralName.dNSName, host));
    }
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = builder(X500Name.getInstance(cert.getSubjectX500Principal().getEncoded()), subject,
          pair.getPublic(), validity)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
          .addExtension(Extension.extendedKeyUsage, false,
              new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
          .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()))
          .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(cert));
      return new Issued(sign(b, key), pair.getPrivate());
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot issue a certificate for " + node + ": " + e.getMessage(), e);
    }
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, PublicKey key, Duration validity) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, RANDOM).add(BigInteger.ONE),
        Date.from(now.minus(BACKDATE)), Date.from(now.plus(validity)), subject, key);
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer) throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(SIGNATURE).build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e.getMessage(), e);
    }
  }

  static KeyPair newKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot make EC keys: " + e.getMessage(), e);
    }
  }
}
