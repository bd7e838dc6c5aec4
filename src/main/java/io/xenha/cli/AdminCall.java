package io.xenha.cli;

import com.typesafe.config.ConfigException;
import io.xenha.jmx.JmxClient;
import io.xenha.jmx.JmxClient.HostPort;
import java.io.IOException;
import java.io.PrintStream;

/**
 * One admin command over JMX, as `xenha node`, `xenha resource` and `xenha maintenance` run it: prints what was
 * done and exits 0, or prints why not and exits 1 (refused, or the cluster could not be asked); 2 when the
 * command line or the configuration naming the JMX address is wrong.
 */
final class AdminCall {

  private AdminCall() {}

  static int run(JmxTarget jmx, String op, String target, String node, String lifetime, PrintStream out, PrintStream err) {
    String what = "xenha " + op.replaceFirst("-", " ") + (target == null ? "" : " " + target);
    HostPort at;
    try {
      at = jmx.resolve();
    } catch (IllegalArgumentException | ConfigException e) {
      err.println(what + ": " + e.getMessage());
      return 2;
    }
    JmxClient client;
    try {
      client = JmxClient.connect(at.host(), at.port(), JmxTarget.CONNECT_TIMEOUT);
    } catch (IOException e) {
      err.println("cannot reach xenha at " + at + ": " + e.getMessage());
      return 1;
    }
    try (client) {
      out.println(client.admin(op, target, node, lifetime));
      out.flush();
      return 0;
    } catch (JmxClient.Refused e) {
      err.println(what + ": refused: " + e.getMessage());
      return 1;
    } catch (IOException e) {
      err.println(what + ": lost xenha at " + at + ": " + e.getMessage() + " (check `xenha status`)");
      return 1;
    }
  }
}
