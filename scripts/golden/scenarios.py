from cibgen import Cib, rule, expr, NOW

S = {}


def scenario(f):
    S[f.__name__.replace("_", "-")] = f
    return f


def hosts(c, n, **per):
    for i in range(1, n + 1):
        h = f"host{i}"
        c.node(h, **per.get(h, {}))
    return c


def probe_all(c, rids, nodes=None):
    for n in nodes or [x[0] for x in c.nodes]:
        if c.states[n][0] != "online":
            continue
        for r in rids:
            if r not in c.history[n]:
                c.probed(n, r)


def fail(c, node, rid, interval=10000, count=1, when=None, rc=7, op="monitor"):
    when = when if when is not None else NOW - 60
    c.op(node, rid, op, rc=rc, interval=interval, when=when)
    c.transient(node, **{f"fail-count-{rid}#{op}_{interval}": count, f"last-failure-{rid}#{op}_{interval}": when})


@scenario
def scores_infinity():
    c = hosts(Cib(), 3)
    c.add(c.prim("vm-web"), c.prim("vm-db"), c.prim("vm-mail"), c.prim("vm-dns"))
    c.loc("vm-web", "host1", "INFINITY", "prefer-web-host1")
    c.loc("vm-web", "host1", "-INFINITY", "ban-web-host1")      # INFINITY + -INFINITY = -INFINITY
    c.loc("vm-web", "host2", 100)
    c.loc("vm-db", "host3", "INFINITY")
    c.loc("vm-db", "host3", 5000, "more-db-host3")              # INFINITY + 5000 = INFINITY
    c.loc("vm-db", "host1", "2000000")                           # clamped to INFINITY: a tie
    c.loc("vm-mail", "host2", "INFINITY")
    c.colo("vm-mail", "vm-web", "-INFINITY")                     # -INFINITY beats the INFINITY preference
    c.loc("vm-dns", "host1", "+INFINITY")
    c.loc("vm-dns", "host3", "-1000000")
    probe_all(c, ["vm-web", "vm-db", "vm-mail", "vm-dns"])
    return c


@scenario
def opt_in_cluster():
    c = hosts(Cib(props={"symmetric-cluster": "false"}), 3)
    c.add(c.prim("vm-web"), c.prim("vm-db"), c.prim("vm-mail", "VirtualDomain"), c.prim("vm-dns"))
    c.loc("vm-web", "host2", 100)
    c.loc("vm-mail", "host1", "-INFINITY")
    c.loc("vm-mail", "host3", 50)
    c.loc("vm-dns", "host1", 0)                                  # score 0 still allows the node
    c.running("host1", "vm-db")                                  # allowed nowhere: stopped
    probe_all(c, ["vm-web", "vm-db", "vm-mail", "vm-dns"])
    return c


@scenario
def location_by_node():
    c = hosts(Cib(), 3)
    c.add(c.prim("vm-a"), c.prim("vm-b"), c.prim("vm-c"))
    c.loc("vm-a", "host1", 200)
    c.loc("vm-a", "host2", 300)
    c.loc("vm-b", "host3", "-INFINITY")
    c.loc("vm-b", "host1", 10)
    c.running("host3", "vm-b")
    c.loc("vm-c", "host2", -50)
    c.loc("vm-c", "host3", -20)
    probe_all(c, ["vm-a", "vm-b", "vm-c"])
    return c


@scenario
def rule_defined():
    c = hosts(Cib(), 3, host1={"attrs": {"xen-storage": "san"}}, host3={"attrs": {"xen-storage": "local"}})
    c.add(c.prim("vm-san"), c.prim("vm-any"), c.prim("vm-scratch"))
    c.loc("vm-san", "host2", 500)
    c.loc_rule("san-needs-storage", "vm-san", rule("-INFINITY", expr("xen-storage", "not_defined")))
    c.loc_rule("any-prefers-storage", "vm-any", rule(300, expr("xen-storage", "defined")))
    c.loc("vm-any", "host3", 50)
    c.loc_rule("scratch-avoids-storage", "vm-scratch", rule("-INFINITY", expr("xen-storage", "defined")))
    c.running("host1", "vm-scratch")
    probe_all(c, ["vm-san", "vm-any", "vm-scratch"])
    return c


@scenario
def rule_integer():
    c = hosts(Cib(), 3, host1={"attrs": {"ram": "8192"}}, host2={"attrs": {"ram": "16384"}},
              host3={"attrs": {"ram": "65536"}})
    c.add(c.prim("vm-big"), c.prim("vm-eq"), c.prim("vm-lte"), c.prim("vm-str"), c.prim("vm-ne"))
    c.loc_rule("big-needs-ram", "vm-big", rule("-INFINITY", expr("ram", "lt", "16384", "integer")))
    c.loc("vm-big", "host1", 1000)
    c.loc_rule("eq-ram", "vm-eq", rule(300, expr("ram", "eq", "16384", "integer")))
    c.loc_rule("lte-ram", "vm-lte", rule("-INFINITY", expr("ram", "lte", "16384", "integer")))
    # as strings "16384" < "2" (only host1 and host3 match); as integers all three would
    c.loc_rule("str-ram", "vm-str", rule(200, expr("ram", "gt", "2", "string")))
    c.loc("vm-str", "host2", 150)
    c.loc_rule("ne-ram", "vm-ne", rule(400, expr("ram", "ne", "65536", "integer")))
    c.loc_rule("gte-ram", "vm-ne", rule(100, expr("ram", "gte", "16384", "integer")))
    probe_all(c, ["vm-big", "vm-eq", "vm-lte", "vm-str", "vm-ne"])
    return c


@scenario
def rule_version():
    c = hosts(Cib(), 3, host1={"attrs": {"xen-version": "4.9.2"}}, host2={"attrs": {"xen-version": "4.10.1"}},
              host3={"attrs": {"xen-version": "4.17"}})
    c.add(c.prim("vm-new"), c.prim("vm-strv"), c.prim("vm-exact"))
    c.loc_rule("new-needs-410", "vm-new", rule("-INFINITY", expr("xen-version", "lt", "4.10", "version")))
    c.loc("vm-new", "host1", 1000)
    c.loc("vm-new", "host2", 10)
    # as strings "4.10.1" and "4.17" sort before "4.5"
    c.loc_rule("strv-gt", "vm-strv", rule(500, expr("xen-version", "gt", "4.5", "string")))
    c.loc("vm-strv", "host3", 100)
    c.loc_rule("exact-version", "vm-exact", rule(200, expr("xen-version", "gte", "4.17.0", "version")))
    c.loc_rule("exact-version2", "vm-exact", rule(100, expr("xen-version", "lte", "4.9.2", "version")))
    probe_all(c, ["vm-new", "vm-strv", "vm-exact"])
    return c


@scenario
def rule_boolean():
    c = hosts(Cib(), 4, host1={"attrs": {"rack": "a", "ssd": "yes"}}, host2={"attrs": {"rack": "b", "ssd": "yes"}},
              host3={"attrs": {"rack": "a", "ssd": "no"}}, host4={"attrs": {"rack": "b"}})
    c.add(c.prim("vm-and"), c.prim("vm-or"), c.prim("vm-nested"))
    c.loc_rule("and-rule", "vm-and", rule(500, expr("rack", "eq", "b"), expr("ssd", "eq", "yes"), boolean_op="and"))
    c.loc_rule("or-rule", "vm-or", rule("-INFINITY", expr("rack", "eq", "b"), expr("#uname", "eq", "host3"),
                                        boolean_op="or"))
    c.loc_rule("nested-rule", "vm-nested", rule(
        700, boolean_op="and",
        nested=[rule(0, expr("rack", "eq", "b"), expr("ssd", "not_defined"), boolean_op="and"),
                rule(0, expr("#uname", "ne", "host1"))]))
    c.loc("vm-nested", "host1", 600)
    probe_all(c, ["vm-and", "vm-or", "vm-nested"])
    return c


@scenario
def rule_uname_is_dc():
    c = hosts(Cib(dc="host2"), 3)
    c.add(c.prim("vm-not-dc"), c.prim("vm-uname"), c.prim("vm-dc"))
    c.loc_rule("avoid-dc", "vm-not-dc", rule("-INFINITY", expr("#is_dc", "eq", "true")))
    c.loc("vm-not-dc", "host2", 100)
    c.running("host2", "vm-not-dc")
    c.loc_rule("not-host1", "vm-uname", rule(200, expr("#uname", "ne", "host1")))
    c.loc("vm-uname", "host1", 150)
    c.loc("vm-uname", "host3", 10)
    c.loc_rule("on-dc", "vm-dc", rule(100, expr("#is_dc", "eq", "true")))
    probe_all(c, ["vm-not-dc", "vm-uname", "vm-dc"])
    return c


@scenario
def rule_score_attribute():
    c = hosts(Cib(), 3, host1={"attrs": {"xen-weight": "10"}}, host2={"attrs": {"xen-weight": "300"}})
    c.add(c.prim("vm-weighted"), c.prim("vm-weighted2"))
    c.loc_rule("by-weight", "vm-weighted", rule(None, expr("xen-weight", "defined"), score_attribute="xen-weight"))
    c.loc_rule("by-weight2", "vm-weighted2", rule(None, expr("#uname", "ne", "host9"), score_attribute="xen-weight"))
    c.loc("vm-weighted2", "host3", 200)
    c.loc("vm-weighted2", "host1", 250)
    probe_all(c, ["vm-weighted", "vm-weighted2"])
    return c


@scenario
def pingd_rule():
    c = hosts(Cib(), 3)
    c.add(c.clone("pingd-clone", c.prim("pingd", "ping", provider="pacemaker",
                                          params={"host_list": "192.168.1.254", "multiplier": "100", "name": "pingd"}),
                  {"interleave": "true"}))
    c.add(c.prim("vm-a"), c.prim("vm-b"), c.prim("vm-c"))
    for v in ["vm-a", "vm-b", "vm-c"]:
        c.loc_rule(f"{v}-connected", v, rule("-INFINITY", expr("pingd", "not_defined"), expr("pingd", "lte", "0"),
                                             boolean_op="or"))
    for h in ["host1", "host2", "host3"]:
        c.running(h, "pingd")
    c.transient("host1", pingd="0")
    c.transient("host2", pingd="100")
    c.running("host1", "vm-a")
    c.running("host3", "vm-b")
    c.running("host2", "vm-c")
    probe_all(c, ["pingd", "vm-a", "vm-b", "vm-c"])
    return c


@scenario
def stickiness_default():
    c = hosts(Cib(rsc_defaults={"resource-stickiness": "100"}), 2)
    c.add(c.prim("vm-a"), c.prim("vm-b"), c.prim("vm-c"))
    c.loc("vm-a", "host2", 50)
    c.loc("vm-b", "host2", 150)
    c.loc("vm-c", "host2", 50)
    c.running("host1", "vm-a")
    c.running("host1", "vm-b")
    probe_all(c, ["vm-a", "vm-b", "vm-c"])
    return c


@scenario
def stickiness_per_resource():
    c = hosts(Cib(rsc_defaults={"resource-stickiness": "100"}), 2)
    c.add(c.prim("vm-loose", meta={"resource-stickiness": "0"}),
          c.prim("vm-glued", meta={"resource-stickiness": "INFINITY"}),
          c.group("g-web", [c.prim("ip-web", "IPaddr2", params={"ip": "10.0.0.10"}), c.prim("vm-web")]))
    c.loc("vm-loose", "host2", 50)
    c.loc("vm-glued", "host2", 5000)
    c.loc("g-web", "host2", 150)                                 # below the group's summed stickiness
    for r in ["vm-loose", "vm-glued", "ip-web", "vm-web"]:
        c.running("host1", r)
    probe_all(c, ["vm-loose", "vm-glued", "ip-web", "vm-web"])
    return c


@scenario
def migration_threshold():
    c = hosts(Cib(rsc_defaults={"migration-threshold": "3"}), 3)
    c.add(c.prim("vm-a"), c.prim("vm-b"), c.prim("vm-c"), c.prim("vm-d", meta={"migration-threshold": "0"}))
    c.running("host1", "vm-a", monitor=False)
    fail(c, "host1", "vm-a", count=3)
    c.running("host2", "vm-b", monitor=False)
    fail(c, "host2", "vm-b", count=1)
    c.running("host3", "vm-c")
    c.transient("host3", **{"fail-count-vm-c#monitor_10000": 3, "last-failure-vm-c#monitor_10000": NOW - 7200})
    c.running("host3", "vm-d", monitor=False)
    fail(c, "host3", "vm-d", count=12)                           # 0 disables the threshold
    probe_all(c, ["vm-a", "vm-b", "vm-c", "vm-d"])
    return c


@scenario
def failure_timeout():
    c = hosts(Cib(rsc_defaults={"migration-threshold": "3"}), 2)
    c.add(c.prim("vm-expired", meta={"failure-timeout": "10min"}),
          c.prim("vm-recent", meta={"failure-timeout": "2h"}),
          c.prim("vm-forever"))
    for v in ["vm-expired", "vm-recent", "vm-forever"]:
        c.running("host1", v)
        c.transient("host1", **{f"fail-count-{v}#monitor_10000": 3, f"last-failure-{v}#monitor_10000": NOW - 3600})
    probe_all(c, ["vm-expired", "vm-recent", "vm-forever"])
    return c


@scenario
def start_failure_fatal():
    c = hosts(Cib(), 2)
    c.add(c.prim("vm-a"), c.prim("vm-b"))
    c.op("host1", "vm-a", "monitor", rc=7, target=7)
    fail(c, "host1", "vm-a", interval=0, op="start", rc=1, count="INFINITY")
    c.op("host2", "vm-b", "monitor", rc=7, target=7)
    fail(c, "host2", "vm-b", interval=0, op="start", rc=1, count="INFINITY")
    c.loc("vm-b", "host2", 100)
    probe_all(c, ["vm-a", "vm-b"])
    return c


@scenario
def failure_params_changed():
    # a start that failed with parameters changed since: its fail count is cleared, the node may be tried again
    c = hosts(Cib(), 2)
    c.add(c.prim("vm-changed", params={"xmfile": "/etc/xen/vm/vm-changed-new"}), c.prim("vm-same"))
    for v in ["vm-changed", "vm-same"]:
        c.loc(v, "host1", 100)
        c.op("host1", v, "monitor", rc=7, target=7)
    old = {"xmfile": "/etc/xen/vm/vm-changed"}
    c.op("host1", "vm-changed", "start", rc=1, opid="vm-changed_last_failure_0", digest_params=old, when=NOW - 60)
    c.op("host1", "vm-changed", "stop", digest_params=old)
    c.transient("host1", **{"fail-count-vm-changed#start_0": "INFINITY", "last-failure-vm-changed#start_0": NOW - 60})
    c.op("host1", "vm-same", "start", rc=1, opid="vm-same_last_failure_0", when=NOW - 60)
    c.op("host1", "vm-same", "stop")
    c.transient("host1", **{"fail-count-vm-same#start_0": "INFINITY", "last-failure-vm-same#start_0": NOW - 60})
    probe_all(c, ["vm-changed", "vm-same"])
    return c


@scenario
def group_parameters_inherited():
    # a group's instance attributes are parameters of its members: a start recorded with them is up to date,
    # one recorded without them is restarted for the definition change
    c = hosts(Cib(), 2)
    c.add(c.group("grp-a", [c.prim("vm-a")], params={"site": "east"}),
          c.group("grp-b", [c.prim("vm-b")], params={"site": "east"}))
    c.loc("grp-a", "host1", 100)
    c.loc("grp-b", "host1", 100)
    c.op("host1", "vm-a", "start", digest_params={"xmfile": "/etc/xen/vm/vm-a", "site": "east"})
    c.op("host1", "vm-b", "start")
    probe_all(c, ["vm-a", "vm-b"])
    return c


@scenario
def agent_changed():
    # the history ran another agent than the one configured now: restarted where it runs, no reason given
    c = hosts(Cib(), 2)
    c.add(c.prim("vm-a"), c.prim("vm-b"), c.prim("vm-c"))
    for v in ["vm-a", "vm-b", "vm-c"]:
        c.running("host1", v)
    c.history_types[("host1", "vm-a")] = ("ocf", "heartbeat", "VirtualDomain")
    c.history_types[("host1", "vm-b")] = ("lsb", None, "Xen")
    probe_all(c, ["vm-a", "vm-b", "vm-c"])
    return c


@scenario
def start_failure_not_fatal():
    c = hosts(Cib(props={"start-failure-is-fatal": "false"}, rsc_defaults={"migration-threshold": "3"}), 2)
    c.add(c.prim("vm-a"), c.prim("vm-b"))
    c.op("host1", "vm-a", "monitor", rc=7, target=7)
    fail(c, "host1", "vm-a", interval=0, op="start", rc=1, count=1)
    c.loc("vm-a", "host1", 100)
    c.op("host2", "vm-b", "monitor", rc=7, target=7)
    fail(c, "host2", "vm-b", interval=0, op="start", rc=1, count=3)
    c.loc("vm-b", "host2", 100)
    probe_all(c, ["vm-a", "vm-b"])
    return c


def mon(on_fail):
    return [{"name": "monitor", "interval": "10s", "timeout": "60s", "on-fail": on_fail}]


@scenario
def on_fail_variants():
    c = hosts(Cib(), 4)
    c.add(c.prim("vm-restart", ops=mon("restart")), c.prim("vm-ignore", ops=mon("ignore")),
          c.prim("vm-block", ops=mon("block")), c.prim("vm-stop", ops=mon("stop")))
    for i, v in enumerate(["vm-restart", "vm-ignore", "vm-block", "vm-stop"]):
        h = f"host{i + 1}"
        c.running(h, v, monitor=False)
        fail(c, h, v)
    probe_all(c, ["vm-restart", "vm-ignore", "vm-block", "vm-stop"])
    return c


@scenario
def on_fail_standby():
    c = hosts(Cib(), 3)
    c.add(c.prim("vm-flaky", ops=mon("standby")), c.prim("vm-bystander"), c.prim("vm-other"))
    c.running("host2", "vm-flaky", monitor=False)
    fail(c, "host2", "vm-flaky")
    c.running("host2", "vm-bystander")
    c.running("host1", "vm-other")
    probe_all(c, ["vm-flaky", "vm-bystander", "vm-other"])
    return c


def fence_device(c, node="host1"):
    c.add(c.prim("fence-xen", "external/xen0", cls="stonith", provider=None,
                 params={"hostlist": "host1 host2 host3", "dom0": "xen0.example.com"},
                 ops=[{"name": "monitor", "interval": "60s"}]))
    c.running(node, "fence-xen", monitor=False)


@scenario
def on_fail_fence():
    c = hosts(Cib(stonith=True), 3)
    fence_device(c)
    c.add(c.prim("vm-critical", ops=mon("fence")), c.prim("vm-neighbour"))
    c.running("host3", "vm-critical", monitor=False)
    fail(c, "host3", "vm-critical")
    c.running("host3", "vm-neighbour")
    probe_all(c, ["fence-xen", "vm-critical", "vm-neighbour"])
    return c


def storage(c, rid="xen-images"):
    return c.prim(rid, "Filesystem", params={"device": "/dev/xenvg/images", "directory": "/var/lib/xen/images",
                                             "fstype": "ext4"})


@scenario
def order_mandatory():
    c = hosts(Cib(), 2)
    c.add(storage(c), c.prim("vm-a"), storage(c, "iscsi-lun"), c.prim("vm-c"))
    c.order("xen-images", "vm-a", kind="Mandatory")
    c.colo("vm-a", "xen-images", "INFINITY")
    c.running("host1", "xen-images", monitor=False)
    fail(c, "host1", "xen-images")
    c.running("host1", "vm-a")
    c.order("iscsi-lun", "vm-c")                                 # no kind: mandatory
    c.loc_rule("lun-nowhere", "iscsi-lun", rule("-INFINITY", expr("#uname", "ne", "nonexistent")))
    c.running("host2", "vm-c")
    probe_all(c, ["xen-images", "vm-a", "iscsi-lun", "vm-c"])
    return c


@scenario
def order_optional():
    c = hosts(Cib(), 2)
    c.add(storage(c), c.prim("vm-a"), storage(c, "iscsi-lun"), c.prim("vm-c"), c.prim("vm-d"))
    c.order("xen-images", "vm-a", kind="Optional")
    c.running("host1", "xen-images", monitor=False)
    fail(c, "host1", "xen-images")
    c.running("host1", "vm-a")
    c.order("iscsi-lun", "vm-c", kind="Optional")
    c.loc_rule("lun-nowhere", "iscsi-lun", rule("-INFINITY", expr("#uname", "ne", "nonexistent")))
    c.order("iscsi-lun", "vm-d", score="0")                      # score 0: optional
    probe_all(c, ["xen-images", "vm-a", "iscsi-lun", "vm-c", "vm-d"])
    return c


@scenario
def order_serialize():
    c = hosts(Cib(), 2)
    c.add(c.prim("vm-a"), c.prim("vm-b"), c.prim("vm-c"))
    c.order("vm-a", "vm-b", kind="Serialize")
    c.order("vm-b", "vm-c", kind="Serialize")
    c.loc("vm-c", "host2", "-INFINITY")
    c.running("host2", "vm-c")
    probe_all(c, ["vm-a", "vm-b", "vm-c"])
    return c


@scenario
def order_asymmetric():
    c = hosts(Cib(), 2)
    c.add(storage(c, "lun-1"), c.prim("vm-1"), storage(c, "lun-2"), c.prim("vm-2"),
          storage(c, "lun-3"), c.prim("vm-3"))
    c.order("lun-1", "vm-1")
    c.order("lun-2", "vm-2", symmetrical="false")
    c.order("lun-3", "vm-3", symmetrical="false")
    c.add()
    for r in ["lun-1", "vm-1", "lun-2", "vm-2", "lun-3", "vm-3"]:
        c.running("host1", r, monitor=r not in ("lun-3",))
    c.loc("lun-1", "host1", "-INFINITY")
    c.loc("lun-2", "host1", "-INFINITY")
    fail(c, "host1", "lun-3")
    probe_all(c, ["lun-1", "vm-1", "lun-2", "vm-2", "lun-3", "vm-3"])
    return c


@scenario
def order_actions():
    c = hosts(Cib(), 2)
    c.add(c.prim("vm-old"), c.prim("vm-new"), storage(c, "xen-images"), c.prim("vm-backup"),
          storage(c, "lun-b"), c.prim("vm-b"))
    # the old domU must be stopped before the new one starts
    c.order("vm-old", "vm-new", first_action="stop", then_action="start")
    c.raw_constraint('<rsc_location id="old-target-role-hint" rsc="vm-old" node="host1" score="-INFINITY"/>')
    c.loc("vm-old", "host2", "-INFINITY")
    c.running("host1", "vm-old")
    # backups stop before the image store stops
    c.order("vm-backup", "xen-images", first_action="stop", then_action="stop")
    c.loc("xen-images", "host1", "-INFINITY")
    c.running("host1", "xen-images")
    c.running("host1", "vm-backup")
    # start then start, spelled out
    c.order("lun-b", "vm-b", first_action="start", then_action="start")
    c.loc("lun-b", "host1", "-INFINITY")
    c.loc("lun-b", "host2", "-INFINITY")
    probe_all(c, ["vm-old", "vm-new", "xen-images", "vm-backup", "lun-b", "vm-b"])
    return c


@scenario
def order_require_all_false():
    c = hosts(Cib(), 2)
    c.add(storage(c, "path-a"), storage(c, "path-b"), c.prim("vm-any"),
          storage(c, "path-c"), storage(c, "path-d"), c.prim("vm-none"))
    c.raw_constraint("""<rsc_order id="any-path-then-vm">
        <resource_set id="any-path-set" sequential="false" require-all="false">
          <resource_ref id="path-a"/>
          <resource_ref id="path-b"/>
        </resource_set>
        <resource_set id="any-path-vm">
          <resource_ref id="vm-any"/>
        </resource_set>
      </rsc_order>""")
    c.raw_constraint("""<rsc_order id="cd-path-then-vm">
        <resource_set id="cd-path-set" sequential="false" require-all="false">
          <resource_ref id="path-c"/>
          <resource_ref id="path-d"/>
        </resource_set>
        <resource_set id="cd-path-vm">
          <resource_ref id="vm-none"/>
        </resource_set>
      </rsc_order>""")
    for r in ["path-a", "path-c", "path-d"]:
        c.loc_rule(f"{r}-nowhere", r, rule("-INFINITY", expr("#uname", "ne", "nonexistent")))
    probe_all(c, ["path-a", "path-b", "vm-any", "path-c", "path-d", "vm-none"])
    return c


@scenario
def order_chain_stop():
    c = hosts(Cib(), 2)
    c.add(storage(c), c.prim("vm-a"), c.prim("vm-b"))
    c.order("xen-images", "vm-a")
    c.order("vm-a", "vm-b")
    c.raw_constraint('<rsc_location id="images-off" rsc="xen-images" node="host1" score="-INFINITY"/>')
    c.loc("xen-images", "host2", "-INFINITY")
    for r in ["xen-images", "vm-a", "vm-b"]:
        c.running("host1", r)
    probe_all(c, ["xen-images", "vm-a", "vm-b"])
    return c


@scenario
def colocation_primitives():
    c = hosts(Cib(), 3)
    c.add(c.prim("vm-db"), c.prim("vm-app"), c.prim("vm-backup"), c.prim("vm-cache"), c.prim("vm-batch"))
    c.loc("vm-db", "host2", 100)
    c.running("host2", "vm-db")
    c.colo("vm-app", "vm-db", "INFINITY")
    c.running("host1", "vm-app")
    c.colo("vm-backup", "vm-db", "-INFINITY")
    c.loc("vm-backup", "host2", 1000)
    c.colo("vm-cache", "vm-app", 500)
    c.loc("vm-cache", "host3", 200)
    c.colo("vm-batch", "vm-app", -300)
    c.loc("vm-batch", "host2", 200)
    c.loc("vm-batch", "host1", 100)
    probe_all(c, ["vm-db", "vm-app", "vm-backup", "vm-cache", "vm-batch"])
    return c


@scenario
def colocation_groups():
    c = hosts(Cib(), 3)
    c.add(c.group("g-db", [c.prim("ip-db", "IPaddr2", params={"ip": "10.0.0.20"}), c.prim("vm-db")]),
          c.group("g-web", [c.prim("ip-web", "IPaddr2", params={"ip": "10.0.0.10"}), c.prim("vm-web")]),
          c.group("g-test", [c.prim("ip-test", "IPaddr2", params={"ip": "10.0.0.30"}), c.prim("vm-test")]),
          c.prim("vm-mon"))
    c.loc("g-db", "host3", 100)
    c.colo("g-web", "g-db", "INFINITY")
    c.colo("g-test", "g-db", "-INFINITY")
    c.loc("g-test", "host3", 500)
    c.colo("vm-mon", "g-web", 200)
    c.loc("vm-mon", "host1", 150)
    for r in ["ip-test", "vm-test"]:
        c.running("host3", r)
    probe_all(c, ["ip-db", "vm-db", "ip-web", "vm-web", "ip-test", "vm-test", "vm-mon"])
    return c


def configpool(c, meta=None):
    return c.clone("configpool-clone", c.prim("configpool", "Filesystem",
                                               params={"device": "/dev/evms/configpool", "directory": "/etc/xen/vm",
                                                       "fstype": "ocfs2"}), meta)


@scenario
def colocation_clones():
    c = hosts(Cib(), 3)
    c.add(configpool(c, {"clone-max": "2"}), c.prim("vm-pool"), c.prim("vm-away"), c.prim("vm-soft"))
    c.loc("configpool-clone", "host3", "-INFINITY")
    c.running("host1", "configpool")
    c.running("host2", "configpool")
    c.colo("vm-pool", "configpool-clone", "INFINITY")
    c.running("host3", "vm-pool")
    c.colo("vm-away", "configpool-clone", "-INFINITY")
    c.colo("vm-soft", "configpool-clone", 100)
    c.loc("vm-soft", "host3", 50)
    probe_all(c, ["configpool", "vm-pool", "vm-away", "vm-soft"])
    return c


@scenario
def group_recovery():
    c = hosts(Cib(), 2)
    c.add(c.group("g-mail", [c.prim("ip-mail", "IPaddr2", params={"ip": "10.0.0.25"}), storage(c, "fs-mail"),
                             c.prim("vm-mail")]),
          c.group("g-www", [c.prim("ip-www", "IPaddr2", params={"ip": "10.0.0.80"}), c.prim("vm-www")]),
          c.group("g-new", [c.prim("ip-new", "IPaddr2", params={"ip": "10.0.0.90"}), c.prim("vm-new")]))
    c.running("host1", "ip-mail")
    c.running("host1", "fs-mail", monitor=False)
    fail(c, "host1", "fs-mail")
    c.running("host1", "vm-mail")
    c.running("host2", "ip-www")
    c.running("host2", "vm-www")
    c.loc("vm-www", "host2", "-INFINITY")                        # a member's ban moves the whole group
    c.loc("g-new", "host2", 10)
    probe_all(c, ["ip-mail", "fs-mail", "vm-mail", "ip-www", "vm-www", "ip-new", "vm-new"])
    return c


def xen_chain(c, domus, clone_meta=None):
    cm = {"interleave": "true", "notify": "true"}
    cm.update(clone_meta or {})
    c.add(c.clone("pingd-clone", c.prim("pingd", "ping", provider="pacemaker",
                                          params={"host_list": "192.168.1.254", "multiplier": "100"})),
          c.clone("evms-clone", c.prim("evms", "EvmsSCC", params={}), cm),
          configpool(c, cm))
    c.order("evms-clone", "configpool-clone")
    c.colo("configpool-clone", "evms-clone", "INFINITY")
    for d in domus:
        c.add(c.prim(d))
        c.order("configpool-clone", d)
        c.colo(d, "configpool-clone", "INFINITY")
        c.loc_rule(f"{d}-pingd", d, rule("-INFINITY", expr("pingd", "not_defined"), expr("pingd", "lte", "0"),
                                         boolean_op="or"))


@scenario
def clone_xen_chain_start():
    c = hosts(Cib(), 3)
    xen_chain(c, ["vm-sles1", "vm-sles2", "vm-win"])
    for h in ["host1", "host2", "host3"]:
        c.transient(h, pingd="100")
    c.loc("vm-win", "host3", 100)
    probe_all(c, ["pingd", "evms", "configpool", "vm-sles1", "vm-sles2", "vm-win"])
    return c


@scenario
def clone_xen_chain_evms_fails():
    c = hosts(Cib(), 3)
    xen_chain(c, ["vm-sles1", "vm-sles2", "vm-win"])
    for h in ["host1", "host2", "host3"]:
        c.transient(h, pingd="100")
        c.running(h, "pingd")
        c.running(h, "evms", monitor=h != "host2")
        c.running(h, "configpool")
    fail(c, "host2", "evms")
    c.running("host1", "vm-sles1")
    c.running("host2", "vm-sles2")
    c.running("host3", "vm-win")
    probe_all(c, ["pingd", "evms", "configpool", "vm-sles1", "vm-sles2", "vm-win"])
    return c


@scenario
def clone_not_interleaved():
    c = hosts(Cib(), 3)
    xen_chain(c, ["vm-sles1", "vm-sles2"], {"interleave": "false"})
    for h in ["host1", "host2", "host3"]:
        c.transient(h, pingd="100")
        c.running(h, "pingd")
        c.running(h, "evms", monitor=h != "host2")
        c.running(h, "configpool")
    fail(c, "host2", "evms")
    c.running("host1", "vm-sles1")
    c.running("host3", "vm-sles2")
    probe_all(c, ["pingd", "evms", "configpool", "vm-sles1", "vm-sles2"])
    return c


@scenario
def clone_pingd_lost():
    c = hosts(Cib(), 3)
    xen_chain(c, ["vm-sles1", "vm-sles2", "vm-win"])
    for h in ["host1", "host2", "host3"]:
        c.running(h, "pingd")
        c.running(h, "evms")
        c.running(h, "configpool")
    c.transient("host1", pingd="100")
    c.transient("host2", pingd="0")
    c.running("host1", "vm-sles1")
    c.running("host2", "vm-sles2")
    c.running("host3", "vm-win")
    probe_all(c, ["pingd", "evms", "configpool", "vm-sles1", "vm-sles2", "vm-win"])
    return c


@scenario
def clone_max():
    c = hosts(Cib(), 3)
    c.add(c.clone("evms-clone", c.prim("evms", "EvmsSCC", params={}), {"clone-max": "2"}),
          c.clone("xenstat-clone", c.prim("xenstat", "Dummy", params={}), {"clone-max": "4"}))
    c.running("host3", "evms")
    probe_all(c, ["evms", "xenstat"])
    return c


@scenario
def clone_node_max():
    c = hosts(Cib(), 3)
    c.add(c.clone("xenstat-clone", c.prim("xenstat", "Dummy", params={}), {"clone-max": "6", "clone-node-max": "2"}),
          c.clone("pingd-clone", c.prim("pingd", "ping", provider="pacemaker", params={"host_list": "192.168.1.254"}),
                  {"clone-max": "5", "clone-node-max": "2"}))
    probe_all(c, ["xenstat", "pingd"])
    return c


@scenario
def clone_min():
    c = hosts(Cib(), 3)
    c.add(configpool(c, {"clone-min": "2", "interleave": "true"}), c.prim("vm-pool"),
          c.clone("evms-clone", c.prim("evms", "EvmsSCC", params={}), {"clone-min": "2"}), c.prim("vm-evms"))
    c.loc("configpool-clone", "host2", "-INFINITY")
    c.loc("configpool-clone", "host3", "-INFINITY")
    c.order("configpool-clone", "vm-pool")
    c.loc("evms-clone", "host3", "-INFINITY")
    c.order("evms-clone", "vm-evms")
    c.running("host1", "configpool")
    probe_all(c, ["configpool", "vm-pool", "evms", "vm-evms"])
    return c


@scenario
def target_role():
    c = hosts(Cib(), 2)
    c.add(c.prim("vm-off", meta={"target-role": "Stopped"}), c.prim("vm-on", meta={"target-role": "Started"}),
          c.group("g-web", [c.prim("ip-web", "IPaddr2", params={"ip": "10.0.0.10"}),
                            c.prim("vm-web", meta={"target-role": "Stopped"}), c.prim("vm-web-log")]),
          c.group("g-db", [c.prim("ip-db", "IPaddr2", params={"ip": "10.0.0.20"}), c.prim("vm-db")],
                  meta={"target-role": "Stopped"}))
    c.running("host1", "vm-off")
    for r in ["ip-web", "vm-web", "vm-web-log"]:
        c.running("host2", r)
    for r in ["ip-db", "vm-db"]:
        c.running("host1", r)
    probe_all(c, ["vm-off", "vm-on", "ip-web", "vm-web", "vm-web-log", "ip-db", "vm-db"])
    return c


@scenario
def unmanaged():
    c = hosts(Cib(), 2)
    c.add(c.prim("vm-frozen", meta={"is-managed": "false"}), c.prim("vm-broken", meta={"is-managed": "false"}),
          c.prim("vm-managed"), c.prim("vm-stopped", meta={"is-managed": "false"}))
    c.running("host1", "vm-frozen")
    c.loc("vm-frozen", "host1", "-INFINITY")
    c.running("host2", "vm-broken", monitor=False)
    fail(c, "host2", "vm-broken")
    c.running("host1", "vm-managed")
    c.loc("vm-managed", "host1", "-INFINITY")
    probe_all(c, ["vm-frozen", "vm-broken", "vm-managed", "vm-stopped"])
    return c


@scenario
def node_standby():
    c = hosts(Cib(), 3, host2={"attrs": {"standby": "on"}})
    c.add(c.clone("pingd-clone", c.prim("pingd", "ping", provider="pacemaker", params={"host_list": "192.168.1.254"})),
          c.prim("vm-a"), c.prim("vm-b"), c.prim("vm-c"))
    for h in ["host1", "host2", "host3"]:
        c.running(h, "pingd")
    c.running("host2", "vm-a")
    c.running("host2", "vm-b")
    c.loc("vm-b", "host2", "INFINITY")                           # standby beats INFINITY
    c.running("host1", "vm-c")
    probe_all(c, ["pingd", "vm-a", "vm-b", "vm-c"])
    return c


@scenario
def node_maintenance():
    c = hosts(Cib(), 3, host2={"attrs": {"maintenance": "true"}})
    c.add(c.clone("pingd-clone", c.prim("pingd", "ping", provider="pacemaker", params={"host_list": "192.168.1.254"})),
          c.prim("vm-a"), c.prim("vm-b"), c.prim("vm-c"))
    for h in ["host1", "host2", "host3"]:
        c.running(h, "pingd")
    c.running("host2", "vm-a")
    c.loc("vm-a", "host2", "-INFINITY")                          # not moved while host2 is in maintenance
    c.running("host2", "vm-b", monitor=False)
    fail(c, "host2", "vm-b")
    c.loc("vm-c", "host2", 100)                                  # and nothing new starts there
    probe_all(c, ["pingd", "vm-a", "vm-b", "vm-c"])
    return c


@scenario
def maintenance_mode():
    c = hosts(Cib(props={"maintenance-mode": "true"}), 2)
    c.add(c.prim("vm-a"), c.prim("vm-b"), c.prim("vm-c"))
    c.running("host1", "vm-a")
    c.loc("vm-a", "host1", "-INFINITY")
    c.running("host2", "vm-b", monitor=False)
    fail(c, "host2", "vm-b")
    probe_all(c, ["vm-a", "vm-b", "vm-c"])
    return c


@scenario
def priority_utilization():
    c = hosts(Cib(props={"placement-strategy": "utilization"}), 3,
              host1={"util": {"memory": "4096"}}, host2={"util": {"memory": "4096"}},
              host3={"util": {"memory": "4096"}, "state": "offline"})
    c.add(c.prim("vm-gold", meta={"priority": "10"}, util={"memory": "3072"}),
          c.prim("vm-silver", meta={"priority": "5"}, util={"memory": "3072"}),
          c.prim("vm-bronze", util={"memory": "3072"}))
    c.running("host1", "vm-bronze")
    c.running("host2", "vm-silver")
    probe_all(c, ["vm-gold", "vm-silver", "vm-bronze"])
    return c


@scenario
def priority_fresh_start():
    c = hosts(Cib(props={"placement-strategy": "utilization"}), 2,
              host1={"util": {"memory": "8192", "cpu": "8"}}, host2={"util": {"memory": "8192", "cpu": "8"}})
    c.add(c.prim("vm-big", meta={"priority": "1"}, util={"memory": "6144", "cpu": "4"}),
          c.prim("vm-big2", meta={"priority": "2"}, util={"memory": "6144", "cpu": "4"}),
          c.prim("vm-big3", meta={"priority": "3"}, util={"memory": "6144", "cpu": "4"}),
          c.prim("vm-small", util={"memory": "1024", "cpu": "2"}))
    probe_all(c, ["vm-big", "vm-big2", "vm-big3", "vm-small"])
    return c


@scenario
def migrate_allow():
    c = hosts(Cib(), 2)
    c.add(c.prim("vm-live", meta={"allow-migrate": "true"}), c.prim("vm-cold"),
          c.prim("vm-kvm", "VirtualDomain", meta={"allow-migrate": "true"}),
          c.group("g-svc", [c.prim("ip-svc", "IPaddr2", params={"ip": "10.0.0.50"}),
                            c.prim("vm-svc", meta={"allow-migrate": "true"})]))
    for r in ["vm-live", "vm-cold", "vm-kvm", "ip-svc", "vm-svc"]:
        c.running("host1", r)
    c.loc("vm-live", "host1", "-INFINITY", "cli-ban-vm-live-on-host1")
    c.loc("vm-cold", "host1", "-INFINITY", "cli-ban-vm-cold-on-host1")
    c.loc("vm-kvm", "host2", "INFINITY", "cli-prefer-vm-kvm")
    c.loc("g-svc", "host1", "-INFINITY", "cli-ban-g-svc-on-host1")
    probe_all(c, ["vm-live", "vm-cold", "vm-kvm", "ip-svc", "vm-svc"])
    return c


@scenario
def migration_limit():
    c = hosts(Cib(props={"migration-limit": "1"}), 2, host1={"attrs": {"standby": "on"}})
    vms = ["vm-a", "vm-b", "vm-c"]
    c.add(*[c.prim(v, meta={"allow-migrate": "true"}) for v in vms])
    for v in vms:
        c.running("host1", v)
    probe_all(c, vms)
    return c


@scenario
def partial_migration():
    c = hosts(Cib(), 3)
    c.add(c.prim("vm-half", meta={"allow-migrate": "true"}), c.prim("vm-dangling", meta={"allow-migrate": "true"}))
    probe_all(c, ["vm-half", "vm-dangling"], ["host2", "host3"])
    # migrate_to done on host1, migrate_from not yet run on host2
    c.running("host1", "vm-half")
    c.op("host1", "vm-half", "migrate_to", extra={"migrate_source": "host1", "migrate_target": "host2"})
    c.loc("vm-half", "host2", 100)
    # migrated to host3, but host1 never stopped it
    c.running("host1", "vm-dangling")
    c.op("host1", "vm-dangling", "migrate_to", extra={"migrate_source": "host1", "migrate_target": "host3"})
    c.op("host3", "vm-dangling", "migrate_from", extra={"migrate_source": "host1", "migrate_target": "host3"})
    c.loc("vm-dangling", "host3", 100)
    probe_all(c, ["vm-half", "vm-dangling"])
    return c


def utilization(strategy):
    c = hosts(Cib(props={"placement-strategy": strategy}), 3,
              host1={"util": {"memory": "8192", "cpu": "8"}}, host2={"util": {"memory": "16384", "cpu": "16"}},
              host3={"util": {"memory": "4096", "cpu": "4"}})
    vms = {"vm-1": ("4096", "4"), "vm-2": ("4096", "4"), "vm-3": ("2048", "2"), "vm-4": ("2048", "2"),
           "vm-5": ("6144", "4"), "vm-6": ("1024", "1")}
    c.add(*[c.prim(v, util={"memory": m, "cpu": p}) for v, (m, p) in vms.items()])
    probe_all(c, list(vms))
    return c


@scenario
def utilization_default():
    return utilization("default")


@scenario
def utilization_utilization():
    return utilization("utilization")


@scenario
def utilization_balanced():
    return utilization("balanced")


@scenario
def utilization_minimal():
    return utilization("minimal")


@scenario
def utilization_full():
    c = hosts(Cib(props={"placement-strategy": "balanced"}), 2,
              host1={"util": {"memory": "4096"}}, host2={"util": {"memory": "4096"}})
    c.add(c.prim("vm-a", util={"memory": "3000"}), c.prim("vm-b", util={"memory": "3000"}),
          c.prim("vm-c", util={"memory": "2000"}), c.prim("vm-tiny", util={"memory": "1000"}))
    c.running("host1", "vm-a")
    probe_all(c, ["vm-a", "vm-b", "vm-c", "vm-tiny"])
    return c


def lost_host3(stonith):
    c = hosts(Cib(stonith=stonith), 3, host3={"state": "unclean"})
    rids = ["vm-a", "vm-b", "vm-c"]
    if stonith:
        fence_device(c)
        rids = ["fence-xen"] + rids
    c.add(c.prim("vm-a"), c.prim("vm-b"), c.prim("vm-c"))
    c.running("host1", "vm-a")
    c.running("host3", "vm-b")
    c.running("host3", "vm-c")
    c.loc("vm-c", "host3", 100)
    probe_all(c, rids)
    for r in rids:
        if r not in c.history["host3"]:
            c.probed("host3", r)
    return c


@scenario
def unclean_node_fenced():
    return lost_host3(True)


@scenario
def stonith_disabled():
    return lost_host3(False)


def no_quorum(policy):
    c = hosts(Cib(props={"no-quorum-policy": policy}, quorum=False), 3, host3={"state": "offline"})
    c.add(c.prim("vm-a"), c.prim("vm-b"), c.prim("vm-c"))
    c.running("host1", "vm-a")
    c.running("host2", "vm-b", monitor=False)
    fail(c, "host2", "vm-b")
    c.loc("vm-a", "host2", "INFINITY")
    probe_all(c, ["vm-a", "vm-b", "vm-c"])
    return c


@scenario
def no_quorum_stop():
    return no_quorum("stop")


@scenario
def no_quorum_freeze():
    return no_quorum("freeze")


@scenario
def no_quorum_ignore():
    return no_quorum("ignore")


@scenario
def orphan_resource():
    c = hosts(Cib(), 2)
    c.add(c.prim("vm-a"))
    c.types["vm-retired"] = ("ocf", "heartbeat", "Xen")
    c.types["vm-gone"] = ("ocf", "heartbeat", "Xen")
    c.running("host1", "vm-a")
    c.running("host2", "vm-retired")
    c.running("host1", "vm-gone")
    c.stopped_after_run("host1", "vm-gone")
    probe_all(c, ["vm-a"])
    return c


@scenario
def orphan_kept():
    c = orphan_resource()
    c.props["stop-orphan-resources"] = "false"
    return c


@scenario
def clone_chain_no_notify():
    c = hosts(Cib(), 3)
    xen_chain(c, ["vm-sles1", "vm-sles2", "vm-win"], {"notify": "false"})
    for h in ["host1", "host2", "host3"]:
        c.transient(h, pingd="100")
        c.running(h, "pingd")
        c.running(h, "evms", monitor=h != "host2")
        c.running(h, "configpool")
    fail(c, "host2", "evms")
    c.running("host1", "vm-sles1")
    c.running("host2", "vm-sles2")
    c.running("host3", "vm-win")
    probe_all(c, ["pingd", "evms", "configpool", "vm-sles1", "vm-sles2", "vm-win"])
    return c


@scenario
def colocation_group_priority():
    # a group's colocations join its first member's, the higher-priority primary (vm-high) assigned first
    c = Cib(props={"placement-strategy": "utilization"})
    c.node("host1", util={"cpu": 2}).node("host2", util={"cpu": 1})
    c.add(c.group("g-www", [c.prim("ip-www", "IPaddr2", params={"ip": "10.0.0.80"}), c.prim("vm-www")],
                  meta={"priority": 3000}),
          c.prim("vm-low", meta={"priority": 1000}, util={"cpu": 2}),
          c.prim("vm-high", meta={"priority": 2000}, util={"cpu": 2}),
          c.prim("vm-other"))
    c.colo("ip-www", "vm-low", 4000)
    c.colo("g-www", "vm-high", 4000)
    return c


@scenario
def colocation_anti_groups_sticky():
    # g1 -500 with g2, both sticky on host2: merging g1's scores into g2 weighs g1's later members at full
    # (negative) strength, so g2 moves away
    c = hosts(Cib(rsc_defaults={"resource-stickiness": "INFINITY"}), 2)
    c.add(c.group("g1", [c.prim("vm-a1"), c.prim("vm-a2"), c.prim("vm-a3")]),
          c.group("g2", [c.prim("vm-b1"), c.prim("vm-b2"), c.prim("vm-b3")]))
    c.colo("g1", "g2", -500)
    for v in ["vm-a1", "vm-a2", "vm-a3", "vm-b1", "vm-b2", "vm-b3"]:
        c.running("host2", v, monitor=True)
    probe_all(c, ["vm-a1", "vm-a2", "vm-a3", "vm-b1", "vm-b2", "vm-b3"])
    return c


@scenario
def colocation_anti_group_failed_member():
    # vm-b1 applies its anti-colocation with g1 before merging vm-b2's ban; no node left -> merge rolled back,
    # so only vm-b2 stops
    c = hosts(Cib(rsc_defaults={"migration-threshold": "1"}), 2)
    c.add(c.group("g1", [c.prim("vm-a1"), c.prim("vm-a2")]), c.group("g2", [c.prim("vm-b1"), c.prim("vm-b2")]))
    c.colo("g2", "g1", -5000)
    c.loc("g1", "host2", 10)
    c.running("host2", "vm-a1", monitor=True)
    c.running("host2", "vm-a2", monitor=True)
    c.running("host1", "vm-b1", monitor=True)
    c.running("host1", "vm-b2")
    fail(c, "host1", "vm-b2")
    probe_all(c, ["vm-a1", "vm-a2", "vm-b1", "vm-b2"])
    return c


@scenario
def utilization_standby_sort():
    # the assignment order looks at nodes that can run resources first: vm2 (sticky on host2) goes first
    c = Cib(props={"placement-strategy": "balanced"}, rsc_defaults={"resource-stickiness": "100"})
    c.node("host1", attrs={"standby": "on"}, util={"cpu": 1}).node("host2", util={"cpu": 1})
    c.add(c.prim("vm1", util={"cpu": 1}), c.prim("vm2", util={"cpu": 1}))
    c.running("host1", "vm1", monitor=True)
    c.running("host2", "vm2", monitor=True)
    probe_all(c, ["vm1", "vm2"])
    return c


@scenario
def utilization_clone_colocated():
    # an instance's colocated utilization counts one instance of a colocated clone: base:0 needs 6 cpu, not 12
    c = Cib(props={"placement-strategy": "utilization"})
    c.node("host1", util={"cpu": 4}).node("host2", util={"cpu": 8}).node("host3", util={"cpu": 10})
    c.add(c.clone("base-clone", c.prim("base", "Dummy", util={"cpu": 2}), meta={"clone-max": 2}),
          c.clone("pair-clone", c.group("pair", [c.prim("p1", "Dummy", util={"cpu": 2}),
                                                 c.prim("p2", "Dummy", util={"cpu": 2})]), meta={"clone-max": 2}),
          c.group("g-vm", [c.prim("vm1", util={"cpu": 2}), c.prim("vm2", util={"cpu": 2})]))
    c.colo("pair-clone", "base-clone", "INFINITY")
    c.colo("g-vm", "pair-clone", "INFINITY")
    return c


@scenario
def clone_failcount_instance():
    # an anonymous clone's fail count may carry an instance number: host1 is banned for the whole clone
    c = hosts(Cib(rsc_defaults={"migration-threshold": "1"}), 3)
    c.add(c.clone("xenstat-clone", c.prim("xenstat", "Dummy")))
    c.running("host1", "xenstat:0")
    c.stopped_after_run("host1", "xenstat:0")
    c.transient("host1", **{"fail-count-xenstat:0#monitor_10000": 1, "last-failure-xenstat:0#monitor_10000": NOW - 60})
    c.running("host2", "xenstat:1", monitor=True)
    return c
