package io.xenha.attributes;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;

/**
 * This node's attributes (Pacemaker's attrd): values like {@code pingd = 200} that location rules test. They live
 * in one Distributed Data {@link LWWMap} for the whole cluster, keyed {@code node/name}, written locally and
 * spread by gossip; the Controller subscribes to it.
 */
public final class NodeAttributes {

  public static final LWWMapKey<String, String> KEY = new LWWMapKey<>("xenha-node-attributes");

  /** Messages of the attribute writer. */
  public sealed interface Command permits Set, Delete, Written {}

  /** Sets this node's attribute {@code name}. */
  public record Set(String name, String value) implements Command {}

  /** Removes this node's attribute {@code name} (rules then see it as not defined). */
  public record Delete(String name) implements Command {}

  private record Written() implements Command {}

  private NodeAttributes() {}

  /** The writer of one node's attributes. */
  public static Behavior<Command> create(String node) {
    return Behaviors.setup(ctx -> DistributedData.withReplicatorMessageAdapter(
        (ReplicatorMessageAdapter<Command, LWWMap<String, String>> replicator) -> {
          SelfUniqueAddress self = DistributedData.get(ctx.getSystem()).selfUniqueAddress();
          return Behaviors.receive(Command.class)
              .onMessage(Set.class, m -> {
                replicator.askUpdate(
                    replyTo -> new Replicator.Update<>(KEY, LWWMap.empty(), Replicator.writeLocal(), replyTo,
                        map -> map.put(self, node + "/" + m.name(), m.value())),
                    rsp -> new Written());
                return Behaviors.same();
              })
              .onMessage(Delete.class, m -> {
                replicator.askUpdate(
                    replyTo -> new Replicator.Update<>(KEY, LWWMap.empty(), Replicator.writeLocal(), replyTo,
                        map -> map.remove(self, node + "/" + m.name())),
                    rsp -> new Written());
                return Behaviors.same();
              })
              .onMessage(Written.class, m -> Behaviors.same())
              .build();
        }));
  }

  /** node -> (name -> value), from the replicated map. */
  public static Map<String, Map<String, String>> decode(LWWMap<String, String> map) {
    Map<String, Map<String, String>> out = new TreeMap<>();
    for (Map.Entry<String, String> e : map.getEntries().entrySet()) {
      int slash = e.getKey().indexOf('/');
      if (slash > 0) {
        out.computeIfAbsent(e.getKey().substring(0, slash), k -> new TreeMap<>()).put(e.getKey().substring(slash + 1), e.getValue());
      }
    }
    return out;
  }

  /** An empty view, for before the first change arrives. */
  public static Map<String, Map<String, String>> none() {
    return new HashMap<>();
  }
}
