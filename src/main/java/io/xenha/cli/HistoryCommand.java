package io.xenha.cli;

import com.typesafe.config.ConfigException;
import io.xenha.jmx.JmxClient;
import io.xenha.jmx.JmxClient.HostPort;
import io.xenha.status.History;
import io.xenha.status.HistoryRecord;
import io.xenha.status.StatusJson;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `xenha history`: operations and fencing from every node's journal, newest first. */
@Command(
    name = "history",
    mixinStandardHelpOptions = true,
    description = "Show the operation and fencing history from every node's journal, newest first, read over JMX from any node.")
public final class HistoryCommand implements Callable<Integer> {

  private static final List<String> HEADER = List.of("TIME", "NODE", "RESOURCE", "OPERATION", "RESULT", "REASON");

  @Option(names = "--node", paramLabel = "NODE", description = "Only what ran on NODE, and fencing against NODE.")
  String node;

  @Option(names = "--resource", paramLabel = "ID", description = "Only operations of resource ID (or fence device ID).")
  String resource;

  @Option(names = "--json", description = "Print {\"records\": [...], \"missing\": [...]} as JSON.")
  boolean json;

  @Mixin JmxTarget jmxTarget = new JmxTarget();

  PrintStream out = System.out;
  PrintStream err = System.err;

  @Override
  public Integer call() {
    HostPort target;
    try {
      target = jmxTarget.resolve();
    } catch (IllegalArgumentException | ConfigException e) {
      err.println("xenha history: " + e.getMessage());
      return 2;
    }
    History history;
    try (JmxClient client = jmxTarget.connect(target)) {
      history = client.history(resource, node);
    } catch (JmxClient.Refused e) {
      err.println("xenha history: " + e.getMessage());
      return 1;
    } catch (IOException e) {
      err.println("cannot reach xenha at " + target + ": " + e.getMessage());
      return 1;
    }
    out.print(json ? StatusJson.historyToJson(history) + "\n" : table(history));
    out.flush();
    return 0;
  }

  /**
   * Columns padded to their widest cell (the reason, last, is not); a fence reads "fence TARGET (ACTION)" with the
   * device as its resource. Nodes whose history is missing follow the table, one line each.
   */
  static String table(History history) {
    StringBuilder b = new StringBuilder();
    if (history.records().isEmpty()) {
      b.append("No history\n");
    } else {
      List<List<String>> rows = new ArrayList<>();
      rows.add(HEADER);
      for (HistoryRecord r : history.records()) {
        String op = HistoryRecord.FENCING.equals(r.kind())
            ? "fence " + dash(r.target()) + " (" + dash(r.operation()) + ")" : dash(r.operation());
        rows.add(List.of(dash(r.at()), dash(r.node()), dash(r.resource()), op, dash(r.result()), dash(r.reason())));
      }
      int[] width = new int[HEADER.size()];
      for (List<String> row : rows) {
        for (int i = 0; i < width.length; i++) width[i] = Math.max(width[i], row.get(i).length());
      }
      for (List<String> row : rows) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < width.length; i++) {
          line.append(i == width.length - 1 ? row.get(i) : String.format("%-" + width[i] + "s  ", row.get(i)));
        }
        b.append(line.toString().stripTrailing()).append('\n');
      }
    }
    for (String m : history.missing()) {
      b.append("missing: ").append(m).append('\n');
    }
    return b.toString();
  }

  private static String dash(String s) {
    return s == null || s.isEmpty() ? "-" : s;
  }
}
