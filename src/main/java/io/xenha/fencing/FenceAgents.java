package io.xenha.fencing;

import io.xenha.config.XenhaConfig;
import io.xenha.config.XenhaConfig.ResourceSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the {@link FenceAgent} for a configured fence device (type = stonith) from its agent name. */
public final class FenceAgents {

  private FenceAgents() {}

  public static FenceAgent forDevice(ResourceSpec device, XenhaConfig config) {
    String agent = device.agent();
    return switch (agent) {
      case "builtin:kill" -> kill(device, config);
      case "builtin:libvirt" -> new LibvirtFenceAgent(device);
      case "builtin:ssh" -> new SshFenceAgent(device, config);
      default -> external(device);
    };
  }

  /** The plug/port to name for target on this device: from host-map, else none when it fences one host only. */
  static String plug(ResourceSpec device, String target) {
    Map<String, String> map = device.hostMap();
    if (map != null && map.containsKey(target)) {
      return map.get(target);
    }
    return device.hosts().size() == 1 ? null : target;
  }

  private static FenceAgent kill(ResourceSpec device, XenhaConfig config) {
    String match = device.params().getOrDefault("process-match", "xenha");
    return (action, target, timeout) -> {
      XenhaConfig.NodeSpec node = config.nodes().get(target);
      if (action.equals("monitor")) {
        return new FenceAgent.Outcome(true, "builtin:kill needs no hardware");
      }
      if (node == null) {
        return new FenceAgent.Outcome(false, "unknown node " + target);
      }
      Path stateDir = node.stateDir();
      switch (action) {
        case "status":
          return new FenceAgent.Outcome(KillFenceAgent.isRunning(stateDir, match), "pid file " + stateDir);
        case "on":
          return new FenceAgent.Outcome(false, "builtin:kill cannot power a node on");
        default:
          return new FenceAgent.Outcome(true, KillFenceAgent.fence(stateDir, match, timeout));
      }
    };
  }

  private static FenceAgent external(ResourceSpec device) {
    Path path = FenceAgentRunner.resolve(device.agent());
    return (action, target, timeout) -> {
      Map<String, String> params = new LinkedHashMap<>(device.params());
      String plug = plug(device, target);
      if (plug != null && !action.equals("monitor")) {
        params.put("plug", plug);
      }
      FenceAgentRunner.Outcome o = FenceAgentRunner.run(path, action, FenceAgentRunner.withSecrets(params), timeout);
      return new FenceAgent.Outcome(o.ok(), o.summary());
    };
  }

  /** The device's fence timeout: ops.fence.timeout, else properties.stonith-timeout. */
  public static Duration fenceTimeout(ResourceSpec device, XenhaConfig config) {
    Duration d = device.ops().fenceTimeout();
    return d != null ? d : config.properties().stonithTimeout();
  }
}
