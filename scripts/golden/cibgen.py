"""Tiny builder for Xen-flavoured Pacemaker CIBs (used to write xenha's golden scenarios)."""
from xml.sax.saxutils import quoteattr

NOW = 1700000000          # execution-date: 2023-11-14 22:13:20 UTC
UUID = "6f1e2d3c-0b0a-4d5e-9f8a-1b2c3d4e5f60"


def q(v):
    return quoteattr(str(v))


def nvpairs(owner, kind, pairs, ind):
    if not pairs:
        return ""
    s = f'{ind}<{kind} id="{owner}-{kind.replace("_", "-")}">\n'
    for k, v in pairs.items():
        s += f'{ind}  <nvpair id="{owner}-{kind[:4]}-{k.replace("#", "")}" name={q(k)} value={q(v)}/>\n'
    s += f"{ind}</{kind}>\n"
    return s


def digest(params):
    """Pacemaker's op-digest of a non-recurring operation: MD5 of the sorted parameters element."""
    import hashlib
    body = "".join(f" {k}={q(v)}" for k, v in sorted(params.items()))
    return hashlib.md5(f" <parameters{body}/>\n".encode()).hexdigest()


class Cib:
    def __init__(self, props=None, rsc_defaults=None, op_defaults=None, quorum=True, dc="host1", stonith=False):
        self.props = {"stonith-enabled": "true" if stonith else "false"}
        self.props.update(props or {})
        self.rsc_defaults = rsc_defaults or {}
        self.op_defaults = op_defaults or {}
        self.quorum = quorum
        self.dc = dc
        self.nodes = []          # (name, attrs, util)
        self.states = {}         # name -> (state, transient)
        self.resources = []      # xml
        self.constraints = []    # xml
        self.types = {}          # rsc id -> (class, provider, type)
        self.history_types = {}  # (node, rsc id) -> (class, provider, type) the history ran, when not the configured
        self.history = {}        # node -> {rsc: [op xml]}
        self.params = {}         # rsc id -> instance attributes (for op-digest)
        self.call = 10
        self.n = 0

    # ---- nodes
    def node(self, name, attrs=None, util=None, state="online", transient=None):
        self.nodes.append((name, attrs or {}, util or {}))
        self.states[name] = (state, dict(transient or {}))
        self.history.setdefault(name, {})
        return self

    def transient(self, node, **kv):
        self.states[node][1].update(kv)

    # ---- resources
    def prim(self, rid, type="Xen", cls="ocf", provider="heartbeat", meta=None, params=None, util=None, ops=None):
        self.types[rid] = (cls, provider, type)
        if params is None:
            if type == "Xen":
                params = {"xmfile": f"/etc/xen/vm/{rid}"}
            elif type == "VirtualDomain":
                params = {"config": f"/etc/libvirt/qemu/{rid}.xml", "hypervisor": "xen:///"}
            else:
                params = {}
        self.params[rid] = params
        ind = "      "
        attrs = f'id="{rid}" class="{cls}"' + (f' provider="{provider}"' if provider else "") + f' type="{type}"'
        s = f"<primitive {attrs}>\n"
        s += nvpairs(rid, "instance_attributes", params, ind + "  ")
        s += nvpairs(rid, "meta_attributes", meta or {}, ind + "  ")
        s += nvpairs(rid, "utilization", util or {}, ind + "  ")
        ops = ops if ops is not None else [{"name": "monitor", "interval": "10s", "timeout": "60s"}]
        if ops:
            s += f"{ind}  <operations>\n"
            for o in ops:
                o = dict(o)
                oid = f'{rid}-{o["name"]}-{o.get("interval", "0")}'
                o.setdefault("interval", "0")
                s += f"{ind}    <op id={q(oid)} " + " ".join(f"{k}={q(v)}" for k, v in o.items()) + "/>\n"
            s += f"{ind}  </operations>\n"
        s += f"{ind}</primitive>"
        return s

    def add(self, *xml):
        for x in xml:
            self.resources.append(x)
        return self

    def group(self, gid, members, meta=None, params=None):
        ind = "      "
        s = f'<group id="{gid}">\n'
        s += nvpairs(gid, "meta_attributes", meta or {}, ind + "  ")
        s += nvpairs(gid, "instance_attributes", params or {}, ind + "  ")
        for m in members:
            s += ind + "  " + m.replace("\n", "\n  ") + "\n"
        s += f"{ind}</group>"
        return s

    def clone(self, cid, child, meta=None):
        ind = "      "
        s = f'<clone id="{cid}">\n'
        s += nvpairs(cid, "meta_attributes", meta or {}, ind + "  ")
        s += ind + "  " + child.replace("\n", "\n  ") + "\n"
        s += f"{ind}</clone>"
        return s

    # ---- constraints
    def loc(self, rsc, node, score, cid=None):
        cid = cid or f"loc-{rsc}-{node}"
        self.constraints.append(f'<rsc_location id="{cid}" rsc="{rsc}" node="{node}" score="{score}"/>')
        return self

    def loc_rule(self, cid, rsc, *rules):
        s = f'<rsc_location id="{cid}" rsc="{rsc}">\n'
        for i, r in enumerate(rules):
            s += "        " + r(f"{cid}-rule{i if i else ''}").replace("\n", "\n        ") + "\n"
        s += "      </rsc_location>"
        self.constraints.append(s)
        return self

    def colo(self, rsc, with_rsc, score, cid=None, **extra):
        cid = cid or f"col-{rsc}-with-{with_rsc}"
        ex = "".join(f" {k.replace('_', '-')}={q(v)}" for k, v in extra.items())
        self.constraints.append(f'<rsc_colocation id="{cid}" rsc="{rsc}" with-rsc="{with_rsc}" score="{score}"{ex}/>')
        return self

    def order(self, first, then, cid=None, **extra):
        cid = cid or f"ord-{first}-then-{then}"
        ex = "".join(f" {k.replace('_', '-')}={q(v)}" for k, v in extra.items())
        self.constraints.append(f'<rsc_order id="{cid}" first="{first}" then="{then}"{ex}/>')
        return self

    def raw_constraint(self, xml):
        self.constraints.append(xml)
        return self

    # ---- history
    def op(self, node, rid, task, rc=0, target=0, interval=0, status=0, when=None, extra=None, opid=None,
           digest_params=None):
        cls, prov, typ = self.types[rid.split(":")[0]]
        self.call += 1
        when = when if when is not None else NOW - 3600 + self.call
        key = f"{self.call}:1:{target}:{UUID}"
        opid = opid or f"{rid}_{task}_{interval}"
        extra = dict(extra or {})
        if interval == 0 and rid.split(":")[0] in self.params:
            extra["op-digest"] = digest(digest_params if digest_params is not None else self.params[rid.split(":")[0]])
        ex = "".join(f" {k}={q(v)}" for k, v in extra.items())
        x = (f'<lrm_rsc_op id="{opid}" operation_key="{rid}_{task}_{interval}" operation="{task}" '
             f'crm-debug-origin="do_update_resource" crm_feature_set="3.16.1" transition-key="{key}" '
             f'transition-magic="{status}:{rc};{key}" exit-reason="" on_node="{node}" call-id="{self.call}" '
             f'rc-code="{rc}" op-status="{status}" interval="{interval}" last-rc-change="{when}" '
             f'exec-time="100" queue-time="0"{ex}/>')
        self.history[node].setdefault(rid, []).append(x)
        return self

    def probed(self, node, rid):
        return self.op(node, rid, "monitor", rc=7, target=7)

    def running(self, node, rid, monitor=False):
        self.op(node, rid, "start")
        if monitor:
            self.op(node, rid, "monitor", interval=10000)
        return self

    def stopped_after_run(self, node, rid):
        return self.op(node, rid, "stop")

    # ---- output
    def xml(self):
        o = []
        o.append(f'<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="10" num_updates="0" admin_epoch="0" '
                 f'have-quorum="{1 if self.quorum else 0}" dc-uuid="{self.dc}" execution-date="{NOW}">')
        o.append("  <configuration>")
        o.append("    <crm_config>")
        o.append('      <cluster_property_set id="cib-bootstrap-options">')
        for k, v in self.props.items():
            o.append(f'        <nvpair id="opt-{k}" name="{k}" value={q(v)}/>')
        o.append("      </cluster_property_set>")
        o.append("    </crm_config>")
        o.append("    <nodes>")
        for name, attrs, util in self.nodes:
            if not attrs and not util:
                o.append(f'      <node id="{name}" uname="{name}"/>')
                continue
            o.append(f'      <node id="{name}" uname="{name}">')
            o.append(nvpairs(name, "instance_attributes", attrs, "        ").rstrip("\n")) if attrs else None
            o.append(nvpairs(name, "utilization", util, "        ").rstrip("\n")) if util else None
            o.append("      </node>")
        o.append("    </nodes>")
        o.append("    <resources>")
        for r in self.resources:
            o.append("      " + r)
        o.append("    </resources>")
        o.append("    <constraints>")
        for c in self.constraints:
            o.append("      " + c)
        o.append("    </constraints>")
        if self.rsc_defaults:
            o.append("    <rsc_defaults>")
            o.append(nvpairs("rsc-defaults", "meta_attributes", self.rsc_defaults, "      ").rstrip("\n"))
            o.append("    </rsc_defaults>")
        if self.op_defaults:
            o.append("    <op_defaults>")
            o.append(nvpairs("op-defaults", "meta_attributes", self.op_defaults, "      ").rstrip("\n"))
            o.append("    </op_defaults>")
        o.append("  </configuration>")
        o.append("  <status>")
        for name, _, _ in self.nodes:
            state, transient = self.states[name]
            if state == "unseen":
                continue
            if state == "online":
                st = 'in_ccm="true" crmd="online" join="member" expected="member"'
            elif state == "offline":
                st = 'in_ccm="false" crmd="offline" join="down" expected="down"'
            elif state == "unclean":
                st = 'in_ccm="false" crmd="offline" join="down" expected="member"'
            else:
                raise ValueError(state)
            o.append(f'    <node_state id="{name}" uname="{name}" {st} crm-debug-origin="do_update_resource">')
            if transient:
                o.append(f'      <transient_attributes id="{name}">')
                o.append(nvpairs(f"status-{name}", "instance_attributes", transient, "        ").rstrip("\n"))
                o.append("      </transient_attributes>")
            hist = self.history[name]
            o.append(f'      <lrm id="{name}">')
            o.append("        <lrm_resources>")
            for rid, ops in hist.items():
                cls, prov, typ = self.history_types.get((name, rid), self.types[rid.split(":")[0]])
                pv = f' provider="{prov}"' if prov else ""
                o.append(f'          <lrm_resource id="{rid}" class="{cls}"{pv} type="{typ}">')
                for x in ops:
                    o.append("            " + x)
                o.append("          </lrm_resource>")
            o.append("        </lrm_resources>")
            o.append("      </lrm>")
            o.append("    </node_state>")
        o.append("  </status>")
        o.append("</cib>")
        return "\n".join(x for x in o if x is not None) + "\n"


def expr(attribute, operation, value=None, type=None):
    return (attribute, operation, value, type)


def rule(score=None, *exprs, boolean_op=None, score_attribute=None, nested=()):
    """A rule; exprs are expr(...) tuples; nested are further rule(...) results."""
    def build(rid):
        a = f'id="{rid}"'
        if score is not None:
            a += f' score="{score}"'
        if score_attribute:
            a += f' score-attribute="{score_attribute}"'
        if boolean_op:
            a += f' boolean-op="{boolean_op}"'
        s = f"<rule {a}>\n"
        for i, (att, op, val, typ) in enumerate(exprs):
            s += f'  <expression id="{rid}-e{i}" attribute="{att}" operation="{op}"'
            if val is not None:
                s += f" value={q(val)}"
            if typ:
                s += f' type="{typ}"'
            s += "/>\n"
        for i, n in enumerate(nested):
            s += "  " + n(f"{rid}-r{i}").replace("\n", "\n  ") + "\n"
        s += "</rule>"
        return s
    return build
