package io.xenha.cli;

import com.typesafe.config.ConfigException;
import io.xenha.jmx.JmxClient;
import io.xenha.jmx.JmxClient.HostPort;
import java.io.IOException;
import java.io.PrintStream;

/**
 * One question to a running agent over JMX, as `xenha node`, `resource`, `maintenance`, `reload` and `export` ask
 * it: the answer, or why there is none, printed as `WHAT: ...` with the exit code (1 refused, outcome unknown
 * (`WHAT: unknown: ...`), or the cluster could not be asked; 2 when the command line or the configuration naming the
 * JMX address is wrong).
 */
final class AdminCall {

  /** The question, asked of a connected client. */
  interface Question {
    String ask(JmxClient client) throws IOException;
  }

  /** The agent's answer, or null with the exit code already explained on stderr. */
  record Answer(String text, int code) {}

  private AdminCall() {}

  static Answer ask(JmxTarget jmx, String what, PrintStream err, Question question) {
    HostPort at;
    try {
      at = jmx.resolve();
    } catch (IllegalArgumentException | ConfigException e) {
      err.println(what + ": " + e.getMessage());
      return new Answer(null, 2);
    }
    JmxClient client;
    try {
      client = jmx.connect(at);
    } catch (JmxClient.Denied e) {
      err.println(what + ": refused: " + e.getMessage());
      return new Answer(null, 1);
    } catch (IOException e) {
      err.println("cannot reach xenha at " + at + ": " + e.getMessage());
      return new Answer(null, 1);
    }
    try (client) {
      return new Answer(question.ask(client), 0);
    } catch (JmxClient.Refused e) {
      // "unknown: ..." is no refusal: the command may have been carried out
      boolean unknown = e.getMessage() != null && e.getMessage().startsWith(io.xenha.controller.Admin.Reply.UNKNOWN);
      err.println(what + (unknown ? ": " : ": refused: ") + e.getMessage());
      return new Answer(null, 1);
    } catch (IOException e) {
      err.println(what + ": lost xenha at " + at + ": " + e.getMessage() + " (check `xenha status`)");
      return new Answer(null, 1);
    }
  }

  /** Asks and prints the answer: exit 0 with it on stdout, else the code of {@link #ask}. */
  static int print(JmxTarget jmx, String what, PrintStream out, PrintStream err, Question question) {
    Answer a = ask(jmx, what, err, question);
    if (a.text() == null) return a.code();
    out.println(a.text());
    out.flush();
    return 0;
  }

  /** One admin command (op as in Admin.OPERATIONS). */
  static int run(JmxTarget jmx, String op, String target, String node, String lifetime, PrintStream out, PrintStream err) {
    return run(jmx, op, target, node, lifetime, false, out, err);
  }

  /** dryRun: print what the command would make the cluster do (crm_simulate), changing nothing. */
  static int run(JmxTarget jmx, String op, String target, String node, String lifetime, boolean dryRun, PrintStream out,
      PrintStream err) {
    String what = "xenha " + op.replaceFirst("-", " ") + (target == null ? "" : " " + target);
    return print(jmx, what, out, err, client -> dryRun
        ? client.simulateAdmin(op, target, node, lifetime)
        : client.admin(op, target, node, lifetime));
  }
}
