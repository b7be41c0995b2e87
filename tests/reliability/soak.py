#!/usr/bin/env python3
"""Soak: session flaps and config reloads against one calico-bgpd (issue 6, part 7).

Builds two network namespaces (unique names, removed at the end), runs
calico-bgpd in one with a plan of passive eBGP sessions and, from the other,
brings sessions up and tears them down FLAPS times in a row (each flap: OPEN,
KEEPALIVE, an UPDATE of 20 routes, then one of: Cease NOTIFICATION, a plain
close, a TCP reset), then reloads the plan RELOADS times (sessions added,
removed and changed, originated routes added and withdrawn). A steady
session with 5 routes stays up throughout. The speaker's resident memory
(VmRSS) and open file descriptors are recorded after a warm-up and at the
end, and must stay flat: the same descriptors, RSS within a bound
(--rss-slack-kib, default 1024 KiB). Prints TAP.

usage: soak.py BGPD [FLAPS [RELOADS]]   (defaults 200 and 30; the full run is
                                         1000 100, see docs/RELIABILITY.md)
Needs root (namespaces); Python 3 standard library only. The BGP message
encoders come from tests/hostile/inject.py.
"""

import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "hostile"))
import inject  # noqa: E402  (the encoders, Peer and the namespace helpers)
from inject import (KEEPALIVE, NOTIFICATION, base_attrs, msg, prefix,  # noqa: E402
                    update)

SPEAKER_IP = inject.SPEAKER_IP
STEADY_IP = inject.GOOD_IP
FLAP_IPS = ["10.99.2.%d" % i for i in range(1, 5)]
RELOAD_IPS = ["10.99.3.%d" % i for i in range(1, 4)]
PEER_AS = inject.PEER_AS
# The bound on RSS growth for the plain build. Sanitizer builds keep freed
# memory in quarantine, so their RSS is not checked (unless
# SOAK_RSS_SLACK_KIB is set); their point is the leak and error report at
# exit, checked last.
RSS_SLACK_KIB = 1024


def session(ip, **extra):
    s = {"type": "node", "peerIP": ip, "peerASNumber": PEER_AS, "passive": True}
    s.update(extra)
    return s


class SoakRig(inject.Rig):
    """inject.Rig with our own plan: the steady, flapping and reloaded peers."""

    def __init__(self, bgpd):
        super().__init__(bgpd, [], extra_ips=FLAP_IPS + RELOAD_IPS)
        try:
            self.write_plan(plan(0))
            self.ctl_call("reload")
        except BaseException:
            self.close(keep_log=True)
            raise

    def write_plan(self, doc):
        with open(self.plan + ".new", "w") as f:
            json.dump(doc, f)
        os.replace(self.plan + ".new", self.plan)

    def pid(self):
        # `ip netns exec` execs the speaker: the Popen PID is the speaker.
        return self.proc.pid

    def usage(self):
        with open("/proc/%d/status" % self.pid()) as f:
            rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
        fds = sorted(os.readlink("/proc/%d/fd/%s" % (self.pid(), n))
                     for n in os.listdir("/proc/%d/fd" % self.pid()))
        return rss, fds


def plan(i):
    """The plan of reload step i: the reloaded peers and routes vary with i."""
    sessions = [session(STEADY_IP)] + [session(ip) for ip in FLAP_IPS]
    # add/remove: the reloaded peers come and go in turn
    for k, ip in enumerate(RELOAD_IPS):
        if (i + k) % 3:
            # change: the hold time of a kept session alternates
            sessions.append(session(ip, holdTime=90 if (i // 3) % 2 else 60))
    routes = [{"prefix": "10.60.%d.0/24" % n} for n in range(50 + (i % 2) * 100)]
    return {"node": "soak", "routerID": SPEAKER_IP, "asNumber": inject.LOCAL_AS,
            "ipv4Address": SPEAKER_IP, "sessions": sessions, "routes": routes}


def sanitizer_build(path):
    """True for an ASan build (its runtime is linked into the binary)."""
    with open(path, "rb") as f:
        return b"AddressSanitizer" in f.read()


def state(rig, ip):
    for p in rig.ctl_call("peers"):
        if p["peerIP"] == ip:
            return p
    return None


def flap(rig, n):
    """One session up, 20 routes, then down; returns None or why it failed."""
    ip = FLAP_IPS[n % len(FLAP_IPS)]
    peer = inject.Peer(ip)
    try:
        peer.establish(PEER_AS)
        # Ten sets of prefixes, all seen during the warm-up: table growth
        # for new prefixes is not mistaken for a leak.
        nlri = b"".join(prefix("10.70.%d.%d/32" % (n % 10, k)) for k in range(20))
        peer.send(update(attrs=base_attrs(ip), nlri=nlri))
        peer.send(msg(KEEPALIVE))
        how = n % 3
        if how == 0:  # Cease / administrative shutdown
            peer.send(msg(NOTIFICATION, b"\x06\x02"))
        elif how == 2:  # a reset instead of a FIN
            peer.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                 struct.pack("ii", 1, 0))
    finally:
        peer.close()
    # The next flap on this address must find the session down.
    if not inject.wait_for(lambda: state(rig, ip)["state"] != "Established", 5):
        return "session with %s still Established after the close" % ip
    return None


def reload_step(rig, i):
    doc = plan(i)
    rig.write_plan(doc)
    r = rig.ctl_call("reload")
    if len(r) != 1:
        return "reload %d: %d records" % (i, len(r))
    st = rig.ctl_call("status")[0]
    if st["sessions"] != len(doc["sessions"]) or st["originated"] != len(doc["routes"]):
        return "reload %d: status has %d sessions, %d routes; plan %d, %d" % (
            i, st["sessions"], st["originated"], len(doc["sessions"]), len(doc["routes"]))
    return None


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def result(self, why, name):
        self.n += 1
        print("%s %d - %s" % ("not ok" if why else "ok", self.n, name))
        if why:
            print("# " + why)
            self.failed += 1
        sys.stdout.flush()


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    bgpd = os.path.abspath(argv[1])
    flaps = int(argv[2]) if len(argv) > 2 else 200
    reloads = int(argv[3]) if len(argv) > 3 else 30
    if os.geteuid() != 0:
        print("1..0 # SKIP needs root for network namespaces")
        return 0
    tap = Tap()
    rig = SoakRig(bgpd)
    try:
        steady = inject.GoodPeer()
        steady.start()
        if not inject.wait_for(lambda: len(rig.routes_from(STEADY_IP)) == 5, 10):
            raise RuntimeError("the steady session's routes never appeared")
        # Warm-up: the allocator's and the RIB's first growth is not a leak.
        for n in range(20):
            why = flap(rig, n)
            if why:
                raise RuntimeError("warm-up: " + why)
        for i in range(4):
            why = reload_step(rig, i)
            if why:
                raise RuntimeError("warm-up: " + why)
        rig.write_plan(plan(0))
        rig.ctl_call("reload")
        time.sleep(1)
        rss0, fds0 = rig.usage()
        flaps0 = sum(p["flaps"] for p in rig.ctl_call("peers") if p["peerIP"] in FLAP_IPS)
        t0 = time.time()

        why = None
        for n in range(flaps):
            why = flap(rig, 20 + n)
            if why:
                why = "flap %d: %s" % (n, why)
                break
        counted = sum(p["flaps"] for p in rig.ctl_call("peers")
                      if p["peerIP"] in FLAP_IPS) - flaps0
        if not why and counted != flaps:
            why = "the speaker counted %d flaps, want %d" % (counted, flaps)
        t1 = time.time()
        tap.result(why, "%d session flaps in a row (%.1f s), each counted" % (flaps, t1 - t0))

        why = None
        for i in range(reloads):
            why = reload_step(rig, 4 + i)
            if why:
                break
        t2 = time.time()
        tap.result(why, "%d config reloads in a row (%.1f s), sessions and routes as planned" %
                   (reloads, t2 - t1))

        # Back to the warm-up plan, idle a moment, then measure.
        rig.write_plan(plan(0))
        rig.ctl_call("reload")
        time.sleep(1)
        rss1, fds1 = rig.usage()
        why = None if fds0 == fds1 else "open fds before %d %s, after %d %s" % (
            len(fds0), fds0, len(fds1), fds1)
        tap.result(why, "open file descriptors flat: %d before, %d after" % (len(fds0),
                                                                           len(fds1)))
        slack = int(os.environ.get("SOAK_RSS_SLACK_KIB", RSS_SLACK_KIB))
        if sanitizer_build(bgpd) and "SOAK_RSS_SLACK_KIB" not in os.environ:
            tap.result(None, "RSS: %d KiB before, %d KiB after # SKIP sanitizer build (the "
                       "allocator's quarantine counts)" % (rss0, rss1))
        else:
            why = None if rss1 - rss0 <= slack else "RSS grew by %d KiB (bound %d KiB)" % (
                rss1 - rss0, slack)
            tap.result(why, "RSS flat: %d KiB before, %d KiB after (bound +%d KiB)" %
                       (rss0, rss1, slack))
        why = inject.check_bystander(rig, steady)
        if not why and rig.proc.poll() is not None:
            why = "speaker exited %d" % rig.proc.returncode
        tap.result(why, "the steady session kept its routes; the speaker answers")
        steady.stop.set()
    except Exception as e:
        tap.result("%s: %s" % (type(e).__name__, e), "soak run")
    finally:
        rig.close(keep_log=tap.failed > 0)
    # Under the ASan/UBSan build the speaker reports at exit (leaks included).
    with open(rig.log.name, errors="replace") as f:
        report = [l for l in f if "ERROR: AddressSanitizer" in l or
                  "ERROR: LeakSanitizer" in l or "runtime error:" in l]
    tap.result("sanitizer report in %s: %s" % (rig.log.name, report[0].strip())
               if report else None, "no sanitizer report from the speaker")
    if not tap.failed:
        shutil.rmtree(rig.dir, ignore_errors=True)
    print("1..%d" % tap.n)
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
