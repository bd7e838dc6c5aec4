import os, subprocess, sys
sys.path.insert(0, os.path.dirname(__file__))
from scenarios import S
out = sys.argv[1]
only = sys.argv[2:]
os.makedirs(out, exist_ok=True)
for name, f in S.items():
    if only and name not in only:
        continue
    path = os.path.join(out, name + ".xml")
    with open(path, "w") as fh:
        fh.write(f().xml())
    p = subprocess.run(["crm_simulate", "-x", path, "-S"], capture_output=True, text=True)
    lines, on = [], False
    for l in p.stdout.split("\n"):
        if l.startswith("Transition Summary:"):
            on = True; continue
        if l.startswith("Executing Cluster Transition:"):
            break
        if on and l.strip():
            lines.append(l)
    with open(os.path.join(out, name + ".expected"), "w") as fh:
        fh.write("".join(x + "\n" for x in lines))
    errs = [l for l in p.stderr.split("\n") if l.strip()]
    print(f"== {name} rc={p.returncode}")
    for l in lines: print("   " + l)
    for l in errs[:6]: print("   ERR " + l)
