package io.xenha.security;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * PEM files as openssl writes and reads them: certificates, and private keys as PKCS#8 ("PRIVATE KEY") or in the
 * traditional "EC PRIVATE KEY" / "RSA PRIVATE KEY" form. Encrypted keys are not supported (the agent starts
 * unattended). Error messages name the file, never its content.
 */
public final class Pem {

  private Pem() {}

  /** Every certificate of a PEM file, in file order; at least one. */
  public static List<X509Certificate> certificates(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    try {
      List<X509Certificate> certs = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(bytes)).stream().map(c -> (X509Certificate) c).toList();
      if (certs.isEmpty()) throw new IOException(file + ": no certificate in it");
      return certs;
    } catch (CertificateException e) {
      throw new IOException(file + ": not a PEM certificate (" + e.getMessage() + ")");
    }
  }

  /** The first certificate of a PEM file. */
  public static X509Certificate certificate(Path file) throws IOException {
    return certificates(file).get(0);
  }

  /** The private key of a PEM file. */
  public static PrivateKey privateKey(Path file) throws IOException {
    Object o;
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
      o = p.readObject();
    } catch (IOException | RuntimeException e) {
      // the parser's message may quote the file's bytes: not repeated here
      throw new IOException(file + ": not a PEM private key");
    }
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    if (o instanceof PrivateKeyInfo info) return converter.getPrivateKey(info);
    if (o instanceof PEMKeyPair pair) return converter.getKeyPair(pair).getPrivate();
    if (o == null) throw new IOException(file + ": no private key in it");
    throw new IOException(file + ": holds a " + o.getClass().getSimpleName()
        + ", not an unencrypted private key (PKCS#8 \"PRIVATE KEY\", \"EC PRIVATE KEY\" or \"RSA PRIVATE KEY\")");
  }

  /** A certificate as PEM text. */
  public static String toPem(X509Certificate cert) {
    try {
      return write(new PemObject("CERTIFICATE", cert.getEncoded()));
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("cannot encode a certificate", e);
    }
  }

  /** A private key as PKCS#8 PEM text ("PRIVATE KEY"). */
  public static String toPem(PrivateKey key) {
    return write(new PemObject("PRIVATE KEY", key.getEncoded()));
  }

  /** The private key of a pair as PKCS#8 PEM text. */
  public static String toPem(KeyPair pair) {
    return toPem(pair.getPrivate());
  }

  private static String write(PemObject o) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(o);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write PEM", e);
    }
    return out.toString();
  }

  /** SHA-256 of the certificate's DER encoding, as openssl prints it (AB:CD:...). */
  public static String fingerprint(X509Certificate cert) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      return "(no fingerprint: " + e.getMessage() + ")";
    }
  }
}
