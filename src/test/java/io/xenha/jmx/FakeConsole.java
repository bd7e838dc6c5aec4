package io.xenha.jmx;

import io.xenha.status.ClusterStatus;
import io.xenha.status.ClusterStatus.FencingRecord;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A console whose answers the test sets; public for the command tests of the cli package. */
public final class FakeConsole implements ClusterConsole {

  public volatile ClusterStatus status;
  public volatile List<String> domains = List.of();
  public volatile Exception failure;
  public volatile Duration delay = Duration.ZERO;
  /** What fence(node) answers: a record, or {@link #fenceFailure} when set. */
  public volatile FencingRecord fenceRecord;
  public volatile Exception fenceFailure;
  /** Every node fence was asked for, in order. */
  public final List<String> fenced = new CopyOnWriteArrayList<>();
  /** Null: the interface's default (the status's records). */
  public volatile List<FencingRecord> history;
  private final String localNode;

  public FakeConsole(String localNode, ClusterStatus status) {
    this.localNode = localNode;
    this.status = status;
  }

  @Override
  public ClusterStatus status() throws Exception {
    pause();
    if (failure != null) throw failure;
    return status;
  }

  @Override
  public List<String> localActiveDomains() throws Exception {
    pause();
    if (failure != null) throw failure;
    return domains;
  }

  @Override
  public String localNode() {
    return localNode;
  }

  @Override
  public FencingRecord fence(String node) throws Exception {
    fenced.add(node);
    pause();
    if (fenceFailure != null) throw fenceFailure;
    return fenceRecord;
  }

  @Override
  public List<FencingRecord> fencingHistory(String node) throws Exception {
    if (history == null) return ClusterConsole.super.fencingHistory(node);
    pause();
    return history.stream().filter(r -> node == null || r.target().equals(node)).toList();
  }

  /** Every admin request, in order; {@link #adminReply} is the answer (ok, "done" by default). */
  public final List<io.xenha.controller.Admin.Request> admin = new CopyOnWriteArrayList<>();
  public volatile io.xenha.controller.Admin.Reply adminReply = new io.xenha.controller.Admin.Reply(true, "done");

  /** When set, admin requests fail with it (after being recorded), as the ask to a Controller that died would. */
  public volatile Exception adminFailure;

  @Override
  public io.xenha.controller.Admin.Reply admin(io.xenha.controller.Admin.Request request) throws Exception {
    admin.add(request);
    if (adminFailure != null) throw adminFailure;
    return adminReply;
  }

  private void pause() throws InterruptedException {
    if (!delay.isZero()) Thread.sleep(delay.toMillis());
  }
}
