package io.xenha.cli;

import com.typesafe.config.ConfigException;
import io.xenha.jmx.JmxClient;
import io.xenha.jmx.JmxClient.HostPort;
import io.xenha.status.ClusterStatus.FencingRecord;
import io.xenha.status.StatusJson;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `xenha history`: the fencing history, newest first (operation history comes with persistence). */
@Command(
    name = "history",
    mixinStandardHelpOptions = true,
    description = "Show the fencing history, newest first, read over JMX from any node.")
public final class HistoryCommand implements Callable<Integer> {

  static final String NO_OPERATION_HISTORY = "operation history is not recorded yet (persistence issue)";
  private static final List<String> HEADER = List.of("TIME", "TARGET", "ACTION", "DEVICE", "EXECUTOR", "RESULT");

  @Option(names = "--node", paramLabel = "NODE", description = "Only fencing attempts against NODE.")
  String node;

  @Option(names = "--resource", paramLabel = "ID", description = "Operations of resource ID (not recorded yet).")
  String resource;

  @Option(names = "--json", description = "Print the records as a JSON array.")
  boolean json;

  @Mixin JmxTarget jmxTarget = new JmxTarget();

  PrintStream out = System.out;
  PrintStream err = System.err;

  @Override
  public Integer call() {
    if (resource != null) {
      err.println(NO_OPERATION_HISTORY);
      // fencing is about nodes, not resources: without --node there is nothing else to show
      if (node == null) {
        if (json) out.println("[ ]");
        return 0;
      }
    }
    HostPort target;
    try {
      target = jmxTarget.resolve();
    } catch (IllegalArgumentException | ConfigException e) {
      err.println("xenha history: " + e.getMessage());
      return 2;
    }
    List<FencingRecord> records;
    try (JmxClient client = JmxClient.connect(target.host(), target.port(), JmxTarget.CONNECT_TIMEOUT)) {
      records = client.fencingHistory(node);
    } catch (JmxClient.Refused e) {
      err.println("xenha history: " + e.getMessage());
      return 1;
    } catch (IOException e) {
      err.println("cannot reach xenha at " + target + ": " + e.getMessage());
      return 1;
    }
    out.print(json ? StatusJson.fencingToJson(records) + "\n" : table(records));
    out.flush();
    return 0;
  }

  /** Columns padded to their widest cell, like `stonith_admin --history` reads best in a terminal. */
  static String table(List<FencingRecord> records) {
    if (records.isEmpty()) return "No fencing history\n";
    List<List<String>> rows = new ArrayList<>();
    rows.add(HEADER);
    for (FencingRecord r : records) {
      rows.add(List.of(dash(r.at()), dash(r.target()), dash(r.action()), dash(r.device()), dash(r.executor()),
          dash(r.result())));
    }
    int[] width = new int[HEADER.size()];
    for (List<String> row : rows) {
      for (int i = 0; i < width.length; i++) width[i] = Math.max(width[i], row.get(i).length());
    }
    StringBuilder b = new StringBuilder();
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < width.length; i++) {
        line.append(i == width.length - 1 ? row.get(i) : String.format("%-" + width[i] + "s  ", row.get(i)));
      }
      b.append(line.toString().stripTrailing()).append('\n');
    }
    return b.toString();
  }

  private static String dash(String s) {
    return s == null || s.isEmpty() ? "-" : s;
  }
}
