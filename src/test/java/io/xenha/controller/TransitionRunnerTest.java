package io.xenha.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.xenha.config.ConfigLoader;
import io.xenha.config.XenhaConfig;
import io.xenha.executor.NodeAgent;
import io.xenha.executor.OpResult;
import io.xenha.fencing.FenceResult;
import io.xenha.scheduler.Action;
import io.xenha.scheduler.Transition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transition engine on its own: agents are probes that answer, or never do. */
class TransitionRunnerTest {

  static ActorTestKit testKit;

  @BeforeAll
  static void startKit() {
    testKit = ActorTestKit.create(ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
  }

  @AfterAll
  static void stopKit() {
    testKit.shutdownTestKit();
  }

  static TransitionRunner.Agents agents(Map<String, ActorRef<NodeAgent.Command>> online) {
    return agents(online, List.of());
  }

  static TransitionRunner.Agents agents(Map<String, ActorRef<NodeAgent.Command>> online,
      List<List<TransitionRunner.FenceDeviceChoice>> levels) {
    return new TransitionRunner.Agents() {
      @Override
      public ActorRef<NodeAgent.Command> agent(String node) {
        return online.get(node);
      }

      @Override
      public List<String> onlineNodes() {
        return List.copyOf(online.keySet());
      }

      @Override
      public List<List<TransitionRunner.FenceDeviceChoice>> fenceLevels(String target) {
        return levels;
      }

      @Override
      public Duration fenceDelay(String target) {
        return Duration.ZERO;
      }

      @Override
      public long incarnationToFence(String target) {
        return 0;
      }
    };
  }

  /** Nodes a and b, domUs vm1 and vm2, a fence device. */
  static XenhaConfig config(Path dir) throws Exception {
    Path file = dir.resolve("x.conf");
    for (String vm : List.of("vm1", "vm2")) {
      Files.writeString(dir.resolve(vm + ".xml"), "<domain type='test'><name>" + vm + "</name><memory>131072</memory>"
          + "<os><type>hvm</type></os></domain>");
    }
    Files.writeString(file, """
        xenha {
          nodes { a { address = "127.0.0.1:2551", jmx-port = 19201 }, b { address = "127.0.0.1:2552", jmx-port = 19202 } }
          cluster.split-brain-resolver = two-node
          resources {
            vm1 { type = domain, domain-xml = "vm1.xml", ops { start.timeout = 60s } }
            vm2 { type = domain, domain-xml = "vm2.xml", ops { start.timeout = 60s } }
            fence { type = stonith, agent = "builtin:kill", params { process-match = sleep } }
          }
        }
        """);
    var loaded = ConfigLoader.load(file);
    assertTrue(loaded.config().isPresent(), loaded.problems().toString());
    return loaded.config().orElseThrow();
  }

  /**
   * A fence result naming another node or device is no fence of the node asked for (a swapped answer once stood for
   * a fence that had not happened yet): the action fails, whatever the result says.
   */
  @Test
  void aFenceAnswerForAnotherNodeIsNoFence(@TempDir Path dir) throws Exception {
    XenhaConfig config = config(dir);
    TestProbe<NodeAgent.Command> a = testKit.createTestProbe();
    TestProbe<TransitionRunner.ActionFinished> finished = testKit.createTestProbe();
    TestProbe<TransitionRunner.Finished> done = testKit.createTestProbe();
    Transition t = new Transition(List.of(new Action(0, Action.Kind.FENCE, null, "b", "", Set.of())), Map.of(),
        List.of(), List.of());
    testKit.spawn(TransitionRunner.create(config, t, agents(Map.of("a", a.getRef()),
        List.of(List.of(new TransitionRunner.FenceDeviceChoice("fence", List.of("a"))))), finished.getRef(), done.getRef()));
    NodeAgent.FenceNode asked = a.expectMessageClass(NodeAgent.FenceNode.class);
    assertEquals("b", asked.target());
    asked.replyTo().tell(new FenceResult("c", "fence", "a", "reboot", true, "rebooted c", "2026-12-07T00:00:00Z"));
    TransitionRunner.ActionFinished f = finished.receiveMessage(Duration.ofSeconds(3));
    assertFalse(f.ok(), f.toString());
    assertTrue(f.fences().get(0).reason().contains("not for this fence"), f.fences().toString());
    assertFalse(done.receiveMessage(Duration.ofSeconds(3)).complete());
  }

  /**
   * A node lost while a start there is in flight: the start fails at once (it was awaited for the whole ask timeout,
   * 35 s in the lab, and the transition with the lost node's fence waited behind it), the other node's start is
   * answered as usual, and the lost node's late answer changes nothing.
   */
  @Test
  void aStartInFlightOnANodeThatIsLostIsNotAwaited(@TempDir Path dir) throws Exception {
    XenhaConfig config = config(dir);
    TestProbe<NodeAgent.Command> a = testKit.createTestProbe();
    TestProbe<NodeAgent.Command> b = testKit.createTestProbe();
    TestProbe<TransitionRunner.ActionFinished> finished = testKit.createTestProbe();
    TestProbe<TransitionRunner.Finished> done = testKit.createTestProbe();
    Transition t = new Transition(List.of(
        new Action(0, Action.Kind.START, "vm1", "a", "", Set.of()),
        new Action(1, Action.Kind.START, "vm2", "b", "", Set.of())), Map.of(), List.of(), List.of());
    ActorRef<TransitionRunner.Command> runner = testKit.spawn(TransitionRunner.create(config, t,
        agents(Map.of("a", a.getRef(), "b", b.getRef())), finished.getRef(), done.getRef()));
    NodeAgent.StartResource toA = a.expectMessageClass(NodeAgent.StartResource.class);
    NodeAgent.StartResource toB = b.expectMessageClass(NodeAgent.StartResource.class);

    runner.tell(new TransitionRunner.Lost("a", "unclean"));
    TransitionRunner.ActionFinished lost = finished.receiveMessage(Duration.ofSeconds(3));
    assertEquals("vm1", lost.action().resource());
    assertFalse(lost.ok());
    assertTrue(lost.reason().contains("a is lost"), lost.reason());

    toB.replyTo().tell(new OpResult("b", "vm2", "start", true, "started", null));
    assertTrue(finished.receiveMessage(Duration.ofSeconds(3)).ok());
    assertFalse(done.receiveMessage(Duration.ofSeconds(3)).complete());
    toA.replyTo().tell(new OpResult("a", "vm1", "start", true, "started late", null));
    finished.expectNoMessage(Duration.ofMillis(300));
  }
}
