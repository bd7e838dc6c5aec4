package io.xenha.fencing;

import io.xenha.config.XenhaConfig.ResourceSpec;
import io.xenha.hypervisor.Hypervisor;
import io.xenha.hypervisor.Hypervisors;
import java.time.Duration;

/**
 * The {@code builtin:libvirt} fence device: the cluster's nodes are themselves VMs on an outer libvirt host
 * (nested test clusters), and fencing a node destroys its VM there (off) or destroys and starts it (reboot).
 * params: {@code uri} (the outer host), {@code domain} (default: the node name, or its host-map entry).
 */
final class LibvirtFenceAgent implements FenceAgent {

  private final ResourceSpec device;

  LibvirtFenceAgent(ResourceSpec device) {
    this.device = device;
  }

  @Override
  public Outcome execute(String action, String target, Duration timeout) throws Exception {
    String uri = device.params().get("uri");
    String domain = device.hostMap() != null && device.hostMap().containsKey(target)
        ? device.hostMap().get(target)
        : device.params().getOrDefault("domain", target);
    // we already run on the blocking dispatcher: the port may run its calls right here
    try (Hypervisor outer = Hypervisors.open(uri, Runnable::run)) {
      Hypervisor.DomainState state = outer.state(domain, timeout).toCompletableFuture().get();
      boolean on = state == Hypervisor.DomainState.RUNNING || state == Hypervisor.DomainState.PAUSED;
      switch (action) {
        case "monitor":
          return new Outcome(true, "outer host " + uri + " answers");
        case "status":
          return new Outcome(on, domain + " is " + state.name().toLowerCase());
        case "on":
          return new Outcome(false, "builtin:libvirt does not start nodes: start " + domain + " on " + uri);
        default:
          if (!on) {
            return new Outcome(true, domain + " on " + uri + " already off");
          }
          outer.destroy(domain, timeout).toCompletableFuture().get();
          return new Outcome(true, "destroyed " + domain + " on " + uri);
      }
    }
  }
}
