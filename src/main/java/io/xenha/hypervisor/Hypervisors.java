package io.xenha.hypervisor;

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
}
