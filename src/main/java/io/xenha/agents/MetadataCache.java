package io.xenha.agents;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * OCF meta-data asked once per agent file, failures included: `xenha verify` checks thousands of resources against a
 * handful of agents, and each meta-data run forks a shell script (about 28 ms). Not thread-safe; one per check.
 */
public final class MetadataCache {
  private final Duration timeout;
  private final Path stateDir;
  /** By the agent's absolute, normalized path: its Metadata or the IllegalStateException it gave. */
  private final Map<Path, Object> byAgent = new HashMap<>();

  /** {@code stateDir}: where the agents may keep HA_RSCTMP files (meta-data writes none, but run needs one). */
  public MetadataCache(Duration timeout, Path stateDir) {
    this.timeout = timeout;
    this.stateDir = stateDir;
  }

  /** The agent's meta-data; throws the IllegalStateException of {@link OcfAgentRunner#metadata} again for a bad agent. */
  public OcfAgentRunner.Metadata get(Path agent) {
    Object r = byAgent.computeIfAbsent(agent.toAbsolutePath().normalize(), a -> {
      try {
        return OcfAgentRunner.metadata(a, timeout, stateDir);
      } catch (IllegalStateException e) {
        return e;
      }
    });
    if (r instanceof IllegalStateException e) throw new IllegalStateException(e.getMessage(), e);
    return (OcfAgentRunner.Metadata) r;
  }

  /** How many agents were asked (one run each). */
  public int agentsAsked() {
    return byAgent.size();
  }
}
