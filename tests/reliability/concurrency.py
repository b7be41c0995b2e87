#!/usr/bin/env python3
"""Concurrent calicoctl writers on one SQLite datastore (issue 6, part 5).

WORKERS processes each make OPS writes with calicoctl on the same few
resources, mixing:
  - increment: `get -o json`, add 1 to the `count` label, `replace -f -`
    carrying the resourceVersion that was read (a stale one must fail with
    "update conflict");
  - label:     `label bgppeer rK w<N>=<op> --overwrite` (with --log-level
    debug: calicoctl's message hides why a label failed, its log says);
  - patch:     `patch bgppeer rK -p '{"metadata":{"annotations":{"p<N>":"<op>"}}}'`;
  - churn:     `create` or `delete` of dK (fails with "already exists" /
    "does not exist" when another worker got there first); half the
    deletes are `delete -f -` of the resource as just read, carrying its
    resourceVersion, which must fail with "update conflict" when another
    worker deleted and re-created it in between.
Before that, one process checks that a stale replace, apply and
`delete -f` (resourceVersion of an older read) each fail with "update
conflict" and change nothing.
Every failure must be one of those expected errors (never "database is
locked", never anything else). Then the final state must account for exactly
the successful writes:
  - count of rK == number of successful increments of rK;
  - label w<N> and annotation p<N> of rK == the op number of worker N's last
    successful label/patch on rK (a lost update would leave an older value);
  - dK exists iff its successful creates outnumber its successful deletes,
    and creates and deletes alternate (they differ by at most one);
  - `PRAGMA integrity_check` says ok.
Prints TAP.

usage: concurrency.py CALICOCTL [WORKERS [OPS]]
"""

import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from multiprocessing import Pool

RES = ["r0", "r1", "r2"]
CHURN = ["d0", "d1"]
EXPECTED = {
    "increment": ("update conflict",),
    # calicoctl (like Go calicoctl) hides the cause of a failed label update.
    "label": ("update conflict",),
    "patch": ("update conflict",),
    "create": ("resource already exists",),
    "delete": ("resource does not exist", "update conflict"),
}


def peer_yaml(name, asn=64512, extra=""):
    return ("apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata:\n  name: %s\n%s"
            "spec:\n  peerIP: 10.0.0.1\n  asNumber: %d\n" % (name, extra, asn))


def ctl(cli, env, args, stdin=None):
    p = subprocess.run([cli] + args, input=stdin, env=env, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def worker(arg):
    cli, env, wid, ops, seed = arg
    rnd = random.Random(seed)
    log = []  # (op, resource, opnum, ok, error)
    for n in range(ops):
        op = rnd.choice(["increment", "increment", "label", "patch", "create", "delete"])
        if op in ("create", "delete"):
            r = rnd.choice(CHURN)
            if op == "create":
                rc, _, err = ctl(cli, env, ["create", "-f", "-"], peer_yaml(r))
            elif rnd.random() < 0.5:
                rc, _, err = ctl(cli, env, ["delete", "bgppeer", r])
            else:
                rc, out, err = ctl(cli, env, ["get", "bgppeer", r, "-o", "json"])
                if rc == 0:
                    rc, _, err = ctl(cli, env, ["delete", "-f", "-"], out)
        else:
            r = rnd.choice(RES)
            if op == "increment":
                rc, out, err = ctl(cli, env, ["get", "bgppeer", r, "-o", "json"])
                if rc != 0:
                    log.append(("get", r, n, False, err.strip()))
                    continue
                obj = json.loads(out)
                labels = obj["metadata"].setdefault("labels", {})
                labels["count"] = str(int(labels.get("count", "0")) + 1)
                rc, _, err = ctl(cli, env, ["replace", "-f", "-"], json.dumps(obj))
            elif op == "label":
                rc, _, err = ctl(cli, env, ["--log-level=debug", "label", "bgppeer", r,
                                            "w%d=%d" % (wid, n), "--overwrite"])
            else:
                patch = {"metadata": {"annotations": {"p%d" % wid: str(n)}}}
                rc, _, err = ctl(cli, env, ["patch", "bgppeer", r, "-p", json.dumps(patch)])
        log.append((op, r, n, rc == 0, "" if rc == 0 else err.strip()))
    return wid, log


def stale_writes(cli, env):
    """Writes carrying the resourceVersion of an older read, one at a time.
    Returns what went wrong."""
    why = []
    rc, _, err = ctl(cli, env, ["create", "-f", "-"], peer_yaml("stale"))
    if rc != 0:
        return ["create stale: " + err]
    _, old, _ = ctl(cli, env, ["get", "bgppeer", "stale", "-o", "json"])
    rc, _, err = ctl(cli, env, ["label", "bgppeer", "stale", "newer=1"])
    if rc != 0:
        return ["label stale: " + err]
    _, before, _ = ctl(cli, env, ["get", "bgppeer", "stale", "-o", "json"])
    obj = json.loads(old)
    obj["spec"]["asNumber"] = 65000
    for args, doc in ((["replace", "-f", "-"], json.dumps(obj)),
                      (["apply", "-f", "-"], json.dumps(obj)),
                      (["delete", "-f", "-"], old)):
        rc, out, err = ctl(cli, env, args, doc)
        _, now, _ = ctl(cli, env, ["get", "bgppeer", "stale", "-o", "json"])
        if rc == 0 or "update conflict" not in out + err or now != before:
            why.append("%s with a stale resourceVersion: exit %d, %s%s, resource %s" %
                       (args[0], rc, out, err, "unchanged" if now == before else "changed"))
    ctl(cli, env, ["delete", "bgppeer", "stale"])
    return why


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cli = os.path.abspath(argv[1])
    workers = int(argv[2]) if len(argv) > 2 else 8
    ops = int(argv[3]) if len(argv) > 3 else 500
    tmp = tempfile.mkdtemp(prefix="concurrency-")
    db = os.path.join(tmp, "calico.db")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALICO_")}
    env.update(DATASTORE_TYPE="sqlite", SQLITE_PATH=db)
    n = 0
    failed = 0

    def result(ok, text, detail=None):
        nonlocal n, failed
        n += 1
        print("%s %d - %s" % ("ok" if ok else "not ok", n, text))
        if not ok:
            failed += 1
            for line in (detail or "").splitlines()[:20]:
                print("# " + line)
        sys.stdout.flush()

    try:
        for r in RES:
            rc, _, err = ctl(cli, env, ["create", "-f", "-"], peer_yaml(r))
            if rc != 0:
                result(False, "seed %s" % r, err)
                return 1
        why = stale_writes(cli, env)
        result(not why, "a stale replace, apply and delete -f each fail with 'update conflict'"
               " and change nothing", "\n".join(why))
        with Pool(workers) as pool:
            logs = dict(pool.map(worker, [(cli, env, w, ops, 1000 + w) for w in range(workers)]))
        entries = [(w,) + e for w, log in logs.items() for e in log]
        writes = [e for e in entries if e[1] != "get"]
        ok_writes = [e for e in writes if e[4]]
        conflicts = [e for e in writes if not e[4] and "update conflict" in e[5]]
        locked = [e for e in entries if not e[4] and "locked" in e[5]]
        bad = [e for e in entries if not e[4] and not any(
            x in e[5] for x in EXPECTED.get(e[1], ()))]
        print("# %d writes: %d succeeded, %d update conflicts, %d other expected failures" %
              (len(writes), len(ok_writes), len(conflicts),
               len(writes) - len(ok_writes) - len(conflicts)))
        result(len(writes) == workers * ops - len([e for e in entries if e[1] == "get"]),
               "%d workers x %d operations ran" % (workers, ops))
        result(not locked, "no 'database is locked' failure",
               "\n".join("%s %s: %s" % (e[1], e[2], e[5]) for e in locked))
        result(not bad, "every failed write failed with its expected error",
               "\n".join("%s %s: %s" % (e[1], e[2], e[5]) for e in bad))
        result(len(conflicts) > 0, "the writers did collide (%d conflicts)" % len(conflicts))

        final = {}
        for r in RES + CHURN:
            rc, out, err = ctl(cli, env, ["get", "bgppeer", r, "-o", "json"])
            final[r] = json.loads(out) if rc == 0 else None
        why = []
        for r in RES:
            want = sum(1 for e in ok_writes if e[1] == "increment" and e[2] == r)
            got = int(final[r]["metadata"].get("labels", {}).get("count", "0"))
            if got != want:
                why.append("%s: count %d, successful increments %d" % (r, got, want))
        result(not why, "counters equal the successful increments (no lost update)",
               "\n".join(why))
        why = []
        for r in RES:
            md = final[r]["metadata"]
            for w in range(workers):
                for op, key, field in (("label", "w%d" % w, "labels"),
                                       ("patch", "p%d" % w, "annotations")):
                    mine = [e[3] for e in ok_writes if e[0] == w and e[1] == op and e[2] == r]
                    want = str(mine[-1]) if mine else None
                    got = (md.get(field) or {}).get(key)
                    if got != want:
                        why.append("%s %s.%s = %s, last successful write %s" %
                                   (r, field, key, got, want))
        result(not why, "labels and annotations hold each worker's last successful write",
               "\n".join(why))
        why = []
        for r in CHURN:
            c = sum(1 for e in ok_writes if e[1] == "create" and e[2] == r)
            d = sum(1 for e in ok_writes if e[1] == "delete" and e[2] == r)
            if c - d not in (0, 1) or (c - d == 1) != (final[r] is not None):
                why.append("%s: %d creates, %d deletes, exists %s" % (r, c, d,
                                                                      final[r] is not None))
        result(not why, "creates and deletes alternate and match what exists", "\n".join(why))
        con = sqlite3.connect(db)
        check = con.execute("PRAGMA integrity_check").fetchall()
        con.close()
        result(check == [("ok",)], "PRAGMA integrity_check: %s" % check[0][0], str(check))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
