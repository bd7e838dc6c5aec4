package io.xenha.hypervisor;

/** A libvirt call that failed; the message names the operation, the domain, the URI and libvirt's own message. */
public final class HypervisorException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public HypervisorException(String message, Throwable cause) {
    super(message, cause);
  }
}
