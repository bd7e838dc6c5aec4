package io.xenha.hypervisor;

import java.net.URI;
import java.util.concurrent.Executor;

/** Opens the Hypervisor port for a libvirt URI. */
public final class Hypervisors {

  private Hypervisors() {}

  /**
   * A libvirt hypervisor for {@code uri} whose calls all run on {@code blocking}. Does not block: the connection is
   * opened by the first call, and a failure to connect fails that call (and is retried by the next one).
   */
  public static Hypervisor open(String uri, Executor blocking) {
    return new LibvirtHypervisor(uri, blocking);
  }

  /**
   * The URI a source dom0 migrates through to the target node whose own hypervisor URI is {@code uri} and whose
   * cluster address has {@code host}. A node's hypervisor URI is local to it ("xen:///system"), so the host goes in with ssh as transport, as Pacemaker's VirtualDomain agent does by default
   * ("xen+ssh://host2/system"); a URI that already names a host is used as it is, and so is the test driver's
   * (its migrations are emulated in process, see LibvirtHypervisor).
   */
  public static String migrationUri(String uri, String host) {
    if (uri.startsWith("test:") || uri.startsWith("test+")) {
      return uri; // libvirt's test driver, in process or served by a libvirtd: its migrations are emulated
    }
    URI parsed = URI.create(uri);
    if (parsed.getHost() != null && !parsed.getHost().isEmpty()) {
      return uri;
    }
    String scheme = parsed.getScheme().contains("+") ? parsed.getScheme() : parsed.getScheme() + "+ssh";
    String path = parsed.getRawPath() == null ? "" : parsed.getRawPath();
    String query = parsed.getRawQuery() == null ? "" : "?" + parsed.getRawQuery();
    return scheme + "://" + host + path + query;
  }
}
