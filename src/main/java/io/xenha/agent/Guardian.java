package io.xenha.agent;

import io.xenha.config.XenhaConfig;
import io.xenha.controller.Controller;
import io.xenha.executor.NodeAgent;
import io.xenha.executor.NodeReport;
import io.xenha.hypervisor.Hypervisor;
import java.time.Clock;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * The root of one agent's actor tree: the NodeAgent of this dom0 and the Controller singleton (every node runs
 * the singleton manager; the oldest node hosts the Controller).
 */
public final class Guardian {

  /** What the guardian hands out once it has spawned the tree. */
  public record Started(ActorRef<NodeAgent.Command> nodeAgent, ActorRef<Controller.Command> controller) {}

  private Guardian() {}

  public static Behavior<Void> create(
      XenhaConfig config,
      java.util.function.Supplier<XenhaConfig> current,
      String node,
      Hypervisor hypervisor,
      Executor blocking,
      NodeAgent.Settings settings,
      Clock clock,
      java.util.concurrent.CompletableFuture<Started> started) {
    return Behaviors.setup(ctx -> {
      ActorRef<Controller.Command> controller = ClusterSingleton.get(ctx.getSystem()).init(
          SingletonActor.of(
                  // a Controller starting here later starts with what a reload activated here since
                  Behaviors.supervise(Behaviors.<Controller.Command>setup(c -> Controller.create(current.get(), node, clock)))
                      .onFailure(SupervisorStrategy.restart()),
                  "controller")
              .withStopMessage(new Controller.Stop()));
      // NodeAgents report through the singleton proxy, wherever the Controller runs now
      ActorRef<NodeReport> reports = ctx.spawn(
          Behaviors.receive(NodeReport.class)
              .onMessage(NodeReport.class, r -> {
                controller.tell(new Controller.NodeReported(r));
                return Behaviors.same();
              })
              .build(),
          "report-forwarder");
      String address = org.apache.pekko.cluster.typed.Cluster.get(ctx.getSystem()).selfMember().address().toString();
      ActorRef<io.xenha.attributes.NodeAttributes.Command> attributes =
          ctx.spawn(io.xenha.attributes.NodeAttributes.create(node), "node-attributes");
      ActorRef<NodeAgent.Command> agent = ctx.spawn(
          NodeAgent.create(config, node, address, hypervisor, blocking, reports, settings.withAttributes(attributes), clock),
          "node-agent");
      started.complete(new Started(agent, controller));
      return Behaviors.empty();
    });
  }
}
