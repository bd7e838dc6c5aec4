package io.xenha.controller;

import io.xenha.executor.NodeAgent;
import io.xenha.status.HistoryRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Collects `xenha history` from every running NodeAgent (each answers from its journal), merges it newest first,
 * and names the nodes whose history is missing (down, or no answer in time) instead of failing.
 */
final class HistoryGatherer {

  record Answer(String node, NodeAgent.HistoryReply reply, Throwable failure) {}

  private HistoryGatherer() {}

  /**
   * agents: the agent of every node that runs one now; missing: nodes without one, with the reason. Stops after
   * replying.
   */
  static Behavior<Answer> create(Map<String, ActorRef<NodeAgent.Command>> agents, Map<String, String> missing,
      String resource, String node, Duration timeout, ActorRef<io.xenha.status.History> replyTo) {
    return Behaviors.setup(ctx -> {
      List<HistoryRecord> records = new ArrayList<>();
      TreeSet<String> notes = new TreeSet<>();
      missing.forEach((n, why) -> notes.add(n + ": " + why));
      int[] pending = {agents.size()};
      Runnable finish = () -> {
        records.removeIf(r -> !r.concerns(resource, node));
        replyTo.tell(new io.xenha.status.History(HistoryRecord.newestFirst(records), List.copyOf(notes)));
      };
      if (agents.isEmpty()) {
        finish.run();
        return Behaviors.stopped();
      }
      agents.forEach((n, agent) -> ctx.ask(NodeAgent.HistoryReply.class, agent, timeout, NodeAgent.History::new,
          (reply, err) -> new Answer(n, reply, err)));
      return Behaviors.receive(Answer.class)
          .onMessage(Answer.class, a -> {
            if (a.failure() != null) {
              notes.add(a.node() + ": no answer within " + timeout.toMillis() + " ms, its history is missing");
            } else {
              records.addAll(a.reply().records());
            }
            if (--pending[0] > 0) {
              return Behaviors.same();
            }
            finish.run();
            return Behaviors.stopped();
          })
          .build();
    });
  }
}
