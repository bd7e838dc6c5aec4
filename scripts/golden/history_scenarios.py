"""Golden CIBs for operation-history semantics (migration history, watchdog fencing, probes on pending nodes,
reloads, fence devices on fenced nodes, inherited instance attributes). The sections run in order; each
defines its own helpers.

usage: python3 history_scenarios.py OUTDIR  (then produce NAME.expected with crm_simulate as in run.py)
"""
import hashlib, os, sys
OUT = sys.argv[1] if len(sys.argv) > 1 else "."
os.makedirs(OUT, exist_ok=True)

# ---- migration-history
def dig(params):
    s=' <parameters'+''.join(' %s="%s"'%(k,params[k]) for k in sorted(params))+'/>\n'
    return hashlib.md5(s.encode()).hexdigest()
U="6f1e2d3c-0b0a-4d5e-9f8a-1b2c3d4e5f60"
def op(rsc,task,node,call,rc=0,status=0,lrc=None,extra='',target=0,ident=None):
    d=dig({'xmfile':'/etc/xen/vm/'+rsc})
    ident=ident or '%s_%s_0'%(rsc,task)
    lrc=lrc or 1699996000+call
    return ('<lrm_rsc_op id="%s" operation_key="%s_%s_0" operation="%s" crm-debug-origin="do_update_resource" crm_feature_set="3.16.1" '
      'transition-key="%d:1:%d:%s" transition-magic="%d:%d;%d:1:%d:%s" exit-reason="" on_node="%s" call-id="%d" rc-code="%d" op-status="%d" '
      'interval="0" last-rc-change="%d" exec-time="100" queue-time="0" %s op-digest="%s"/>')%(ident,rsc,task,task,call,target,U,status,rc,call,target,U,node,call,rc,status,lrc,extra,d)
def prim(rsc):
    return '''      <primitive id="%s" class="ocf" provider="heartbeat" type="Xen">
        <instance_attributes id="%s-ia"><nvpair id="%s-xmfile" name="xmfile" value="/etc/xen/vm/%s"/></instance_attributes>
        <meta_attributes id="%s-ma"><nvpair id="%s-allow-migrate" name="allow-migrate" value="true"/></meta_attributes>
      </primitive>'''%((rsc,)*6)
mig=lambda s,t:'migrate_source="%s" migrate_target="%s"'%(s,t)
hist={ 'host1':{}, 'host2':{}, 'host3':{} }
# vm-back: migrate_to host1->host2 ok, migrate_from on host2 failed, then stopped on host2: failed on host1 only
hist['host1']['vm-back']=[op('vm-back','start','host1',10),op('vm-back','migrate_to','host1',11,extra=mig('host1','host2'))]
hist['host2']['vm-back']=[op('vm-back','monitor','host2',5,rc=7,target=7),op('vm-back','migrate_from','host2',12,rc=1,extra=mig('host1','host2')),op('vm-back','stop','host2',13)]
# vm-left: migrate_to host1->host2 failed, then stopped on host1; host2 probed before: still active on host2 (role stopped)
hist['host1']['vm-left']=[op('vm-left','start','host1',20),op('vm-left','migrate_to','host1',21,rc=1,extra=mig('host1','host2')),op('vm-left','stop','host1',22)]
hist['host2']['vm-left']=[op('vm-left','monitor','host2',6,rc=7,target=7)]
# vm-probed: migrate_to host1->host3 failed, restarted on host1; host3 probed not running after: not active on host3
hist['host1']['vm-probed']=[op('vm-probed','migrate_to','host1',31,rc=1,extra=mig('host1','host3'),lrc=1699996100,ident='vm-probed_last_failure_0'),op('vm-probed','start','host1',32,lrc=1699996200)]
hist['host3']['vm-probed']=[op('vm-probed','monitor','host3',7,rc=7,target=7,lrc=1699996300)]
# vm-partial: migrate_to host2->host3 ok without migrate_from, then stopped on host2: still partially on host3
hist['host2']['vm-partial']=[op('vm-partial','start','host2',40,lrc=1699996400),op('vm-partial','migrate_to','host2',41,extra=mig('host2','host3'),lrc=1699996410),op('vm-partial','stop','host2',42,lrc=1699996420)]
hist['host3']['vm-partial']=[op('vm-partial','monitor','host3',8,rc=7,target=7,lrc=1699996001)]
out=['<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="10" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="host1" execution-date="1700000000">',
'  <configuration>','    <crm_config>','      <cluster_property_set id="cib-bootstrap-options">',
'        <nvpair id="opt-stonith-enabled" name="stonith-enabled" value="false"/>','      </cluster_property_set>','    </crm_config>',
'    <nodes>']+['      <node id="%s" uname="%s"/>'%(n,n) for n in hist]+['    </nodes>','    <resources>']
for r in ['vm-back','vm-left','vm-probed','vm-partial']: out.append(prim(r))
out+=['    </resources>','    <constraints>',
 '      <rsc_location id="loc-vm-partial-host1" rsc="vm-partial" node="host1" score="100"/>',
 '    </constraints>','  </configuration>','  <status>']
for n,rs in hist.items():
    out.append('    <node_state id="%s" uname="%s" in_ccm="true" crmd="online" join="member" expected="member" crm-debug-origin="do_update_resource">'%(n,n))
    out.append('      <lrm id="%s">'%n); out.append('        <lrm_resources>')
    for r,ops in rs.items():
        out.append('          <lrm_resource id="%s" class="ocf" provider="heartbeat" type="Xen">'%r)
        for o in ops: out.append('            '+o)
        out.append('          </lrm_resource>')
    out+=['        </lrm_resources>','      </lrm>','    </node_state>']
out+=['  </status>','</cib>']
open(os.path.join(OUT, 'migration-history.xml'),'w').write('\n'.join(out)+'\n')

# ---- watchdog-pending-reload, fence-device-on-fenced-node
def dig(params):
    s=' <parameters'+''.join(' %s="%s"'%(k,params[k]) for k in sorted(params))+'/>\n'
    return hashlib.md5(s.encode()).hexdigest()
U="6f1e2d3c-0b0a-4d5e-9f8a-1b2c3d4e5f60"
def op(rsc,task,node,call,params,rc=0,status=0,target=0,extra='',interval=0):
    return ('<lrm_rsc_op id="%s_%s_%d" operation_key="%s_%s_%d" operation="%s" crm-debug-origin="do_update_resource" crm_feature_set="3.16.1" '
      'transition-key="%d:1:%d:%s" transition-magic="%d:%d;%d:1:%d:%s" exit-reason="" on_node="%s" call-id="%d" rc-code="%d" op-status="%d" '
      'interval="%d" last-rc-change="%d" exec-time="100" queue-time="0" %s op-digest="%s"/>')%(rsc,task,interval,rsc,task,interval,task,call,target,U,status,rc,call,target,U,node,call,rc,status,interval,1699996000+call,extra,dig(params))
def prim(rsc,params,cls='ocf" provider="heartbeat" type="Xen'):
    nv=''.join('<nvpair id="%s-%s" name="%s" value="%s"/>'%(rsc,k,k,v) for k,v in params.items())
    return '''      <primitive id="%s" class="%s">
        <instance_attributes id="%s-ia">%s</instance_attributes>
      </primitive>'''%(rsc,cls,rsc,nv)
def cib(props,nodes,prims,states):
    out=['<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="10" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="host1" execution-date="1700000000">',
    '  <configuration>','    <crm_config>','      <cluster_property_set id="cib-bootstrap-options">']
    out+=['        <nvpair id="opt-%s" name="%s" value="%s"/>'%(k,k,v) for k,v in props.items()]
    out+=['      </cluster_property_set>','    </crm_config>','    <nodes>']+['      <node id="%s" uname="%s"/>'%(n,n) for n in nodes]+['    </nodes>','    <resources>']
    out+=prims+['    </resources>','    <constraints/>','  </configuration>','  <status>']
    for n,(attrs,rs) in states.items():
        out.append('    <node_state id="%s" uname="%s" %s crm-debug-origin="do_update_resource">'%(n,n,attrs))
        out.append('      <lrm id="%s">'%n); out.append('        <lrm_resources>')
        for r,(cls,ops) in rs.items():
            out.append('          <lrm_resource id="%s" %s>'%(r,cls))
            for o in ops: out.append('            '+o)
            out.append('          </lrm_resource>')
        out+=['        </lrm_resources>','      </lrm>','    </node_state>']
    out+=['  </status>','</cib>']
    return '\n'.join(out)+'\n'
M='in_ccm="true" crmd="online" join="member" expected="member"'
XEN='class="ocf" provider="heartbeat" type="Xen"'
# 1: watchdog fencing, a pending node, a reload
old={'xmfile':'/etc/xen/vm/vm-reload','memory':'1024'}
new={'xmfile':'/etc/xen/vm/vm-reload','memory':'2048'}
rl='op-force-restart=" xmfile " op-restart-digest="%s"'%dig({'xmfile':old['xmfile']})
rs={'xmfile':'/etc/xen/vm/vm-restart','memory':'2048'}
rsold={'xmfile':'/etc/xen/vm/vm-restart-old','memory':'2048'}
rsl='op-force-restart=" xmfile " op-restart-digest="%s"'%dig({'xmfile':rsold['xmfile']})
known={'xmfile':'/etc/xen/vm/vm-known'}
s=cib({'stonith-enabled':'true','have-watchdog':'true'},['host1','host2','host3'],
  [prim('vm-reload',new),prim('vm-restart',rs),prim('vm-new',{'xmfile':'/etc/xen/vm/vm-new'}),prim('vm-known',known)],
  {'host1':(M,{'vm-reload':(XEN,[op('vm-reload','start','host1',10,old,extra=rl)]),
               'vm-restart':(XEN,[op('vm-restart','start','host1',11,rsold,extra=rsl)]),
               'vm-known':(XEN,[op('vm-known','monitor','host1',3,known,rc=7,target=7)])}),
   'host2':(M,{'vm-known':(XEN,[op('vm-known','monitor','host2',3,known,rc=7,target=7)])}),
   'host3':('in_ccm="true" crmd="online" join="pending" expected="member"',
            {'vm-known':(XEN,[op('vm-known','monitor','host3',3,known,rc=7,target=7)])})})
open(os.path.join(OUT, 'watchdog-pending-reload.xml'),'w').write(s)
# 2: a fence device active on a node being fenced and on a clean node stays where it runs cleanly
F='class="stonith" type="fence_xvm"'
fp={'pcmk_host_list':'host1 host2 host3'}
vm={'xmfile':'/etc/xen/vm/vm-stuck'}
s=cib({'stonith-enabled':'true'},['host1','host2','host3'],
  [prim('fencer',fp,cls='stonith" type="fence_xvm'),prim('vm-stuck',vm)],
  {'host1':(M,{'fencer':(F,[op('fencer','monitor','host1',2,fp,rc=7,target=7)]),'vm-stuck':(XEN,[op('vm-stuck','monitor','host1',3,vm,rc=7,target=7)])}),
   'host2':(M,{'fencer':(F,[op('fencer','start','host2',20,fp)]),
               'vm-stuck':(XEN,[op('vm-stuck','start','host2',21,vm),op('vm-stuck','stop','host2',22,vm,rc=1)])}),
   'host3':(M,{'fencer':(F,[op('fencer','start','host3',30,fp)]),'vm-stuck':(XEN,[op('vm-stuck','monitor','host3',3,vm,rc=7,target=7)])})})
open(os.path.join(OUT, 'fence-device-on-fenced-node.xml'),'w').write(s)

# ---- inherited-params-pending-reload
# clone instance attributes count in the members' digests; a pending start prevents a reload
cp={'xmfile':'/etc/xen/vm/base'}
child={'pool':'/srv/pool'}
full=dict(child); full.update(cp)
pend_old={'xmfile':'/etc/xen/vm/vm-pending','memory':'1024'}
pend_new={'xmfile':'/etc/xen/vm/vm-pending','memory':'2048'}
rl='op-force-restart=" xmfile " op-restart-digest="%s"'%dig({'xmfile':pend_old['xmfile']})
def pending_start(rsc,node,params,extra):
    return ('<lrm_rsc_op id="%s_start_0" operation_key="%s_start_0" operation="start" crm-debug-origin="do_update_resource" crm_feature_set="3.16.1" '
      'transition-key="50:2:0:%s" transition-magic="-1:193;50:2:0:%s" exit-reason="" on_node="%s" call-id="-1" rc-code="193" op-status="-1" '
      'interval="0" last-rc-change="1699999000" exec-time="0" queue-time="0" %s op-digest="%s"/>')%(rsc,rsc,U,U,node,extra,dig(params))
clone='''      <clone id="cl-pool">
        <instance_attributes id="cl-pool-ia"><nvpair id="cl-pool-xmfile" name="xmfile" value="/etc/xen/vm/base"/></instance_attributes>
        <meta_attributes id="cl-pool-ma"><nvpair id="cl-pool-interleave" name="interleave" value="true"/></meta_attributes>
        <primitive id="pool" class="ocf" provider="heartbeat" type="Filesystem">
          <instance_attributes id="pool-ia"><nvpair id="pool-dir" name="pool" value="/srv/pool"/></instance_attributes>
        </primitive>
      </clone>'''
FS='class="ocf" provider="heartbeat" type="Filesystem"'
s=cib({'stonith-enabled':'false'},['host1','host2'],
  [clone,prim('vm-pending',pend_new)],
  {'host1':(M,{'pool':(FS,[op('pool','start','host1',10,full)]),
               'vm-pending':(XEN,[op('vm-pending','monitor','host1',3,pend_old,rc=7,target=7),pending_start('vm-pending','host1',pend_old,rl)])}),
   'host2':(M,{'pool':(FS,[op('pool','start','host2',10,full)]),
               'vm-pending':(XEN,[op('vm-pending','monitor','host2',3,pend_old,rc=7,target=7)])})})
open(os.path.join(OUT, 'inherited-params-pending-reload.xml'),'w').write(s)
