package io.xenha.hypervisor;

import org.libvirt.Connect;
import org.libvirt.Library;
import org.libvirt.LibvirtException;
import org.libvirt.jna.Libvirt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The JVM-wide libvirt event loop: without it no lifecycle events (and no keepalives) are delivered. */
public final class LibvirtEventLoop {

  private static final Logger log = LoggerFactory.getLogger(LibvirtEventLoop.class);
  private static boolean started;

  /**
   * Replaces libvirt's default error handler, which prints every error (even an expected "domain not found") to
   * stderr; the errors still reach us as exceptions. Held in a field so that JNA's callback is never collected.
   */
  private static final Libvirt.VirErrorCallback QUIET_ERRORS =
      (userData, error) -> log.debug("libvirt: {}", error == null ? null : error.message);

  private LibvirtEventLoop() {}

  /** Registers libvirt's default event implementation and starts its daemon thread, once per JVM. */
  public static synchronized void ensureStarted() {
    if (started) {
      return;
    }
    try {
      Connect.setErrorCallback(QUIET_ERRORS);
      // must happen before the first connection is opened, or that connection never sees events
      Library.initEventLoop();
    } catch (LibvirtException e) {
      throw new HypervisorException("cannot initialise libvirt's event loop: " + e.getMessage(), e);
    }
    Thread thread = new Thread(LibvirtEventLoop::run, "libvirt-event-loop");
    thread.setDaemon(true);
    thread.start();
    started = true;
  }

  private static void run() {
    try {
      Library.runEventLoop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (LibvirtException e) {
      log.error("libvirt event loop ended: {}", e.getMessage(), e);
    }
  }
}
