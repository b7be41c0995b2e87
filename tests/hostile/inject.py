#!/usr/bin/env python3
"""Hostile and broken BGP peers against calico-bgpd (issue 6, part 1).

Creates a pair of network namespaces (unique names, removed at the end), runs
calico-bgpd in one with a plan of passive eBGP/iBGP sessions, and from the
other opens sessions and sends crafted messages: the error cases of RFC 4271
section 6 and the revised error handling of RFC 7606. Every case gets its own
peer address (so no case depends on how soon the speaker accepts a peer
again after an error) and asserts:
  - the NOTIFICATION code/subcode received, or for treat-as-withdraw and
    attribute discard the route's presence or absence in the speaker's table
    and that the session stayed Established (control socket `routes`/`peers`);
  - that a well-behaved session (opened first, kept alive by a thread) still
    has all its routes;
  - that the speaker still answers on its control socket.
Prints TAP, one result per case. Needs root (namespaces) and Python 3 only.

usage: inject.py BGPD [CASE-NAME...]     run the cases (all by default)
       inject.py --self-test             check the message encoders (no root)
       inject.py --list                  list the cases
"""

import ctypes
import json
import os
import select
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

LOCAL_AS = 65000
PEER_AS = 65001
SPEAKER_IP = "10.99.0.1"
GOOD_IP = "10.99.0.2"
STRANGER_IP = "10.99.9.9"
GOOD_ROUTES = ["10.50.%d.0/24" % i for i in range(5)]

# ---- message encoding (RFC 4271 section 4) ----

MARKER = b"\xff" * 16
OPEN, UPDATE, NOTIFICATION, KEEPALIVE = 1, 2, 3, 4
ORIGIN, AS_PATH, NEXT_HOP, MED, LOCAL_PREF = 1, 2, 3, 4, 5
ATOMIC_AGGREGATE, AGGREGATOR, COMMUNITIES = 6, 7, 8
ORIGINATOR_ID, CLUSTER_LIST, MP_REACH, MP_UNREACH, AS4_PATH = 9, 10, 14, 15, 17
WELL_KNOWN, OPT_TRANS, OPT = 0x40, 0xC0, 0x80


def msg(mtype, body=b"", length=None, marker=MARKER):
    """A message with its header; length overrides the length field."""
    if length is None:
        length = 19 + len(body)
    return marker + struct.pack("!HB", length, mtype) + body


def ip4(text):
    return socket.inet_aton(text)


def cap(code, value=b""):
    return struct.pack("!BB", code, len(value)) + value


def caps(*items):
    """One optional parameter of type 2 (RFC 5492) carrying the capabilities."""
    body = b"".join(items)
    return struct.pack("!BB", 2, len(body)) + body


def std_caps(asn):
    return caps(cap(1, b"\x00\x01\x00\x01"), cap(1, b"\x00\x02\x00\x01"), cap(2),
                cap(65, struct.pack("!I", asn)))


def open_msg(asn=PEER_AS, hold=90, ident="10.99.0.2", params=None, version=4, as2=None):
    if params is None:
        params = std_caps(asn)
    if as2 is None:
        as2 = asn if asn < 65536 else 23456
    body = struct.pack("!BHH", version, as2, hold) + ip4(ident)
    return msg(OPEN, body + struct.pack("!B", len(params)) + params)


def attr(flags, atype, value):
    if len(value) > 255 or flags & 0x10:
        return struct.pack("!BBH", flags | 0x10, atype, len(value)) + value
    return struct.pack("!BBB", flags, atype, len(value)) + value


def aspath(*asns, seg=2):
    """One AS_PATH segment of 4-octet ASNs (both sides speak RFC 6793)."""
    if not asns:
        return b""  # the empty path: no segment at all
    return struct.pack("!BB", seg, len(asns)) + b"".join(struct.pack("!I", a) for a in asns)


def prefix(text):
    net, plen = text.split("/")
    plen = int(plen)
    return struct.pack("!B", plen) + ip4(net)[:(plen + 7) // 8]


def update(withdrawn=b"", attrs=b"", nlri=b"", wlen=None, alen=None):
    wlen = len(withdrawn) if wlen is None else wlen
    alen = len(attrs) if alen is None else alen
    return msg(UPDATE, struct.pack("!H", wlen) + withdrawn + struct.pack("!H", alen) + attrs
               + nlri)


def base_attrs(src, asn=PEER_AS, ibgp=False):
    path = aspath() if ibgp else aspath(asn)
    a = attr(WELL_KNOWN, ORIGIN, b"\x00") + attr(WELL_KNOWN, AS_PATH, path) + \
        attr(WELL_KNOWN, NEXT_HOP, ip4(src))
    if ibgp:
        a += attr(WELL_KNOWN, LOCAL_PREF, struct.pack("!I", 100))
    return a


def self_test():
    """Encoders against hand-computed bytes."""
    checks = [
        (msg(KEEPALIVE), MARKER + b"\x00\x13\x04"),
        (prefix("10.1.2.0/24"), b"\x18\x0a\x01\x02"),
        (prefix("0.0.0.0/0"), b"\x00"),
        (attr(WELL_KNOWN, ORIGIN, b"\x00"), b"\x40\x01\x01\x00"),
        (attr(WELL_KNOWN | 0x10, ORIGIN, b"\x02"), b"\x50\x01\x00\x01\x02"),
        (aspath(65001), b"\x02\x01\x00\x00\xfd\xe9"),
        (update(), MARKER + b"\x00\x17\x02\x00\x00\x00\x00"),
        (open_msg(params=b"")[19:],
         b"\x04\xfd\xe9\x00\x5a\x0a\x63\x00\x02\x00"),
        (open_msg(asn=4200000000, params=b"")[20:22], b"\x5b\xa0"),
    ]
    n = 0
    for got, want in checks:
        n += 1
        print("%s %d - encoder %d" % ("ok" if got == want else "not ok", n, n))
        if got != want:
            print("# got %s want %s" % (got.hex(), want.hex()))
    print("1..%d" % n)
    return all(g == w for g, w in checks)


# ---- the cases ----
#
# Each case: name, peer AS, how it is sent, what it sends, the expectation.
#   when: "open"  - the crafted bytes replace our OPEN;
#         "est"   - sent once Established;
#   expect: ("notify", code, subcodes)       a NOTIFICATION (subcodes: allowed set)
#           ("withdraw",)                    route announced first, then the bad
#                                            UPDATE: route gone, session up
#           ("present", check)               route present, session up
#                                            (check: None or a function of the record)
#           ("absent",)                      route never usable, session up
#           ("up",)                          session stays Established
# The route is 10.200.<case number>.0/24; "P" in a builder is its NLRI.


def C(name, expect, build, when="est", asn=PEER_AS, rfc="", hold=90):
    """hold: the hold time the injector offers in its OPEN (cases "est")."""
    return {"name": name, "expect": expect, "build": build, "when": when, "asn": asn, "rfc": rfc,
            "hold": hold}


def _ibgp(a):
    return a == LOCAL_AS


def good(src, p, asn):
    return update(attrs=base_attrs(src, asn, _ibgp(asn)), nlri=p)


def with_attrs(*parts):
    """An UPDATE for P whose attributes are the given parts in order; a part
    is bytes or a function (src, asn) -> bytes."""
    def build(src, p, asn):
        a = b"".join(x(src, asn) if callable(x) else x for x in parts)
        return update(attrs=a, nlri=p)
    return build


def O(src, asn):
    return attr(WELL_KNOWN, ORIGIN, b"\x00")


def A(src, asn):
    return attr(WELL_KNOWN, AS_PATH, aspath() if _ibgp(asn) else aspath(asn))


def N(src, asn):
    return attr(WELL_KNOWN, NEXT_HOP, ip4(src))


def LP(src, asn):
    return attr(WELL_KNOWN, LOCAL_PREF, struct.pack("!I", 100)) if _ibgp(asn) else b""


def mp_reach_v6(nh_len=16, nlri=b"\x40\xfd\x99\x00\x00\x00\x00\x00\x01"):
    nh = b"\xfd\x99" + b"\x00" * 13 + b"\x02"
    nh = (nh * 2)[:nh_len]
    return attr(OPT, MP_REACH, struct.pack("!HBB", 2, 1, nh_len) + nh + b"\x00" + nlri)


CASES = [
    # -- RFC 4271 6.1 message header errors
    C("header: bad marker", ("notify", 1, {1}),
      lambda s, p, a: msg(KEEPALIVE, marker=b"\xff" * 15 + b"\xfe"), rfc="4271 6.1"),
    C("header: length 18 (< 19)", ("notify", 1, {2}),
      lambda s, p, a: msg(KEEPALIVE, length=18), rfc="4271 6.1"),
    C("header: length 4097 (> 4096)", ("notify", 1, {2}),
      lambda s, p, a: msg(UPDATE, b"\x00" * 4078), rfc="4271 6.1"),
    C("header: KEEPALIVE of 20 octets", ("notify", 1, {2}),
      lambda s, p, a: msg(KEEPALIVE, b"\x00"), rfc="4271 6.1"),
    C("header: UPDATE of 22 octets (< 23)", ("notify", 1, {2}),
      lambda s, p, a: msg(UPDATE, b"\x00\x00\x00"), rfc="4271 6.1"),
    C("header: type 0", ("notify", 1, {3}),
      lambda s, p, a: msg(0), rfc="4271 6.1"),
    C("header: type 200", ("notify", 1, {3}),
      lambda s, p, a: msg(200, b"\x00\x00"), rfc="4271 6.1"),
    C("FSM: OPEN while Established", ("notify", 5, {0, 3}),
      lambda s, p, a: open_msg(ident=s), rfc="4271 6.6, 6608"),
    # -- RFC 4271 6.2 OPEN message errors
    C("OPEN: version 3", ("notify", 2, {1}),
      lambda s, p, a: open_msg(version=3, ident=s), when="open", rfc="4271 6.2"),
    C("OPEN: bad peer AS", ("notify", 2, {2}),
      lambda s, p, a: open_msg(asn=65009, ident=s), when="open", rfc="4271 6.2"),
    C("OPEN: 4-octet AS capability names another AS", ("notify", 2, {2}),
      lambda s, p, a: open_msg(asn=65001, ident=s, params=std_caps(4200000001)),
      when="open", rfc="6793 4.1"),
    C("OPEN: BGP identifier 0.0.0.0", ("notify", 2, {3}),
      lambda s, p, a: open_msg(ident="0.0.0.0"), when="open", rfc="4271 6.2"),
    C("OPEN: iBGP identifier equal to ours", ("notify", 2, {3}),
      lambda s, p, a: open_msg(asn=LOCAL_AS, ident=SPEAKER_IP), when="open", asn=LOCAL_AS,
      rfc="6286 2.2"),
    C("OPEN: unsupported optional parameter 9", ("notify", 2, {4}),
      lambda s, p, a: open_msg(ident=s, params=b"\x09\x02\x00\x00" + std_caps(PEER_AS)),
      when="open", rfc="4271 6.2"),
    C("OPEN: hold time 1", ("notify", 2, {6}),
      lambda s, p, a: open_msg(hold=1, ident=s), when="open", rfc="4271 6.2"),
    C("OPEN: hold time 2", ("notify", 2, {6}),
      lambda s, p, a: open_msg(hold=2, ident=s), when="open", rfc="4271 6.2"),
    C("OPEN: message of 28 octets", ("notify", 1, {2}),
      lambda s, p, a: msg(OPEN, open_msg(ident=s, params=b"")[19:28]),
      when="open", rfc="4271 6.1"),
    C("FSM: KEEPALIVE instead of OPEN", ("notify", 5, {0, 1}),
      lambda s, p, a: msg(KEEPALIVE), when="open", rfc="4271 6.6, 6608"),
    C("FSM: UPDATE in OpenConfirm", ("notify", 5, {0, 2}),
      lambda s, p, a: open_msg(ident=s) + good(s, p, a), when="open", rfc="4271 6.6, 6608"),
    # -- RFC 4271 6.5: the peer falls silent (hold time 3 s offered)
    C("hold timer expires in OpenConfirm", ("notify", 4, {0}),
      lambda s, p, a: open_msg(hold=3, ident=s), when="open", rfc="4271 6.5"),
    C("hold timer expires in Established", ("notify", 4, {0}),
      lambda s, p, a: b"", hold=3, rfc="4271 6.5"),
    C("OPEN: unknown capability 200 is ignored", ("up",),
      lambda s, p, a: open_msg(ident=s, params=std_caps(PEER_AS) + caps(cap(200, b"xyz"))),
      when="open", rfc="5492 5"),
    # -- RFC 4271 6.3 UPDATE errors that still reset the session (RFC 7606 4)
    C("UPDATE: withdrawn routes length overruns", ("notify", 3, {1}),
      lambda s, p, a: update(withdrawn=p, wlen=200), rfc="4271 6.3, 7606 4"),
    C("UPDATE: total attribute length overruns", ("notify", 3, {1}),
      lambda s, p, a: update(attrs=base_attrs(s, a), alen=300, nlri=p), rfc="4271 6.3, 7606 4"),
    C("UPDATE: unrecognized well-known attribute", ("notify", 3, {2}),
      with_attrs(O, A, N, attr(WELL_KNOWN, 99, b"\x01")), rfc="4271 6.3"),
    C("UPDATE: NLRI prefix length 33", ("notify", 3, {10}),
      lambda s, p, a: update(attrs=base_attrs(s, a), nlri=b"\x21\x0a\x00\x00\x00\x00"),
      rfc="4271 6.3, 7606 5.3"),
    C("UPDATE: NLRI truncated", ("notify", 3, {10}),
      lambda s, p, a: update(attrs=base_attrs(s, a), nlri=b"\x18\x0a"), rfc="7606 5.3"),
    C("UPDATE: withdrawn prefix length 33", ("notify", 3, {1, 10}),
      lambda s, p, a: update(withdrawn=b"\x21\x0a\x00\x00\x00\x00"), rfc="7606 5.3"),
    C("UPDATE: MP_REACH_NLRI twice", ("notify", 3, {1}),
      with_attrs(O, A, mp_reach_v6(), mp_reach_v6()), rfc="7606 3.g"),
    C("UPDATE: MP_UNREACH_NLRI twice", ("notify", 3, {1}),
      with_attrs(attr(OPT, MP_UNREACH, b"\x00\x02\x01"), attr(OPT, MP_UNREACH, b"\x00\x02\x01")),
      rfc="7606 3.g"),
    C("UPDATE: MP_REACH_NLRI next hop length 5", ("notify", 3, {1, 9}),
      with_attrs(O, A, mp_reach_v6(nh_len=5)), rfc="4760 7, 7606 7.11"),
    C("UPDATE: MP_REACH_NLRI prefix overruns", ("notify", 3, {1, 9, 10}),
      with_attrs(O, A, mp_reach_v6(nlri=b"\x40\xfd\x99")), rfc="7606 5.3, 7.11"),
    C("UPDATE: MP_UNREACH_NLRI prefix length 129", ("notify", 3, {1, 9, 10}),
      with_attrs(attr(OPT, MP_UNREACH, b"\x00\x02\x01\x81" + b"\x00" * 17)), rfc="7606 5.3"),

    # -- RFC 7606: treat-as-withdraw
    # The Total Attribute Length still locates the NLRI, so an attribute
    # overrunning the list no longer resets the session (RFC 7606 section 4).
    C("attribute overruns the attribute list", ("withdraw",),
      lambda s, p, a: update(attrs=base_attrs(s, a) + b"\x80\x04\x04\x00", nlri=p),
      rfc="7606 4"),
    C("ORIGIN of length 2", ("withdraw",), with_attrs(attr(WELL_KNOWN, ORIGIN, b"\x00\x00"), A, N),
      rfc="7606 7.1"),
    C("ORIGIN value 3", ("withdraw",), with_attrs(attr(WELL_KNOWN, ORIGIN, b"\x03"), A, N),
      rfc="7606 7.1"),
    C("ORIGIN flagged optional", ("withdraw",), with_attrs(attr(OPT, ORIGIN, b"\x00"), A, N),
      rfc="7606 3.c"),
    C("AS_PATH segment type 0", ("withdraw",),
      with_attrs(O, lambda s, a: attr(WELL_KNOWN, AS_PATH, aspath(a, seg=0)), N), rfc="7606 7.2"),
    C("AS_PATH segment type 5", ("withdraw",),
      with_attrs(O, lambda s, a: attr(WELL_KNOWN, AS_PATH, aspath(a, seg=5)), N), rfc="7606 7.2"),
    C("AS_PATH segment overruns", ("withdraw",),
      with_attrs(O, lambda s, a: attr(WELL_KNOWN, AS_PATH, b"\x02\x03" + struct.pack("!I", a)), N),
      rfc="7606 7.2"),
    C("AS_PATH segment of zero ASNs", ("withdraw",),
      with_attrs(O, lambda s, a: attr(WELL_KNOWN, AS_PATH, aspath(a) + b"\x02\x00"), N),
      rfc="7606 7.2"),
    C("AS_PATH from eBGP not starting with the peer AS", ("withdraw",),
      with_attrs(O, attr(WELL_KNOWN, AS_PATH, aspath(65077)), N), rfc="4271 6.3, 7606 7.2"),
    C("AS_PATH empty from eBGP", ("withdraw",),
      with_attrs(O, attr(WELL_KNOWN, AS_PATH, b""), N), rfc="4271 6.3, 7606 7.2"),
    C("AS_PATH confederation segment from eBGP", ("withdraw",),
      with_attrs(O, lambda s, a: attr(WELL_KNOWN, AS_PATH, aspath(a, seg=3) + aspath(a)), N),
      rfc="5065 5.3, 7606 7.2"),
    C("NEXT_HOP of length 5", ("withdraw",),
      with_attrs(O, A, lambda s, a: attr(WELL_KNOWN, NEXT_HOP, ip4(s) + b"\x00")), rfc="7606 7.3"),
    C("NEXT_HOP 0.0.0.0", ("withdraw",),
      with_attrs(O, A, attr(WELL_KNOWN, NEXT_HOP, ip4("0.0.0.0"))), rfc="4271 6.3, 7606 7.3"),
    C("NEXT_HOP multicast 224.0.0.1", ("withdraw",),
      with_attrs(O, A, attr(WELL_KNOWN, NEXT_HOP, ip4("224.0.0.1"))), rfc="4271 6.3, 7606 7.3"),
    C("MULTI_EXIT_DISC of length 3", ("withdraw",),
      with_attrs(O, A, N, attr(OPT, MED, b"\x00\x00\x01")), rfc="7606 7.4"),
    C("COMMUNITIES of length 0", ("withdraw",),
      with_attrs(O, A, N, attr(OPT_TRANS, COMMUNITIES, b"")), rfc="7606 7.8"),
    C("COMMUNITIES of length 6", ("withdraw",),
      with_attrs(O, A, N, attr(OPT_TRANS, COMMUNITIES, b"\x00\x01\x00\x02\x00\x03")),
      rfc="7606 7.8"),
    C("ORIGIN missing", ("withdraw",), with_attrs(A, N), rfc="7606 3.d"),
    C("AS_PATH missing", ("withdraw",), with_attrs(O, N), rfc="7606 3.d"),
    C("NEXT_HOP missing", ("withdraw",), with_attrs(O, A), rfc="7606 3.d"),
    C("iBGP LOCAL_PREF of length 3", ("withdraw",),
      with_attrs(O, A, N, attr(WELL_KNOWN, LOCAL_PREF, b"\x00\x00\x64")), asn=LOCAL_AS,
      rfc="7606 7.5"),
    C("iBGP ORIGINATOR_ID of length 3", ("withdraw",),
      with_attrs(O, A, N, LP, attr(OPT, ORIGINATOR_ID, b"\x01\x02\x03")), asn=LOCAL_AS,
      rfc="7606 7.9"),
    C("iBGP CLUSTER_LIST of length 3", ("withdraw",),
      with_attrs(O, A, N, LP, attr(OPT, CLUSTER_LIST, b"\x01\x02\x03")), asn=LOCAL_AS,
      rfc="7606 7.10"),
    C("bad ORIGIN in an UPDATE without NLRI", ("up",),
      lambda s, p, a: update(attrs=attr(WELL_KNOWN, ORIGIN, b"\x07") + base_attrs(s, a)[4:]),
      rfc="7606 5.2"),
    # -- RFC 7606: attribute discard (the route stays)
    C("ATOMIC_AGGREGATE of length 1", ("present", None),
      with_attrs(O, A, N, attr(WELL_KNOWN, ATOMIC_AGGREGATE, b"\x00")), rfc="7606 7.6"),
    C("AGGREGATOR of length 5", ("present", None),
      with_attrs(O, A, N, attr(OPT_TRANS, AGGREGATOR, b"\x00\x00\xfd\xe9\x01")), rfc="7606 7.7"),
    C("LOCAL_PREF from eBGP", ("present", None),
      with_attrs(O, A, N, attr(WELL_KNOWN, LOCAL_PREF, struct.pack("!I", 7))), rfc="7606 7.5"),
    C("ORIGINATOR_ID from eBGP", ("present", None),
      with_attrs(O, A, N, attr(OPT, ORIGINATOR_ID, ip4("1.2.3.4"))), rfc="7606 7.9"),
    C("CLUSTER_LIST from eBGP", ("present", None),
      with_attrs(O, A, N, attr(OPT, CLUSTER_LIST, ip4("1.2.3.4"))), rfc="7606 7.10"),
    C("duplicate ORIGIN: the first one counts", ("present", lambda r: r.get("origin") == "IGP"),
      with_attrs(O, A, N, attr(WELL_KNOWN, ORIGIN, b"\x02")), rfc="7606 3.g"),
    C("AS4_PATH from a 4-octet peer", ("present", None),
      with_attrs(O, A, N, attr(OPT_TRANS, AS4_PATH, b"\x02\x01\x00")), rfc="6793 4.1, 6"),
    # -- well-formed but unusual: accepted, or rejected without harm
    C("unknown optional transitive attribute", ("present", None),
      with_attrs(O, A, N, attr(OPT_TRANS, 250, b"hello")), rfc="4271 5"),
    C("unknown optional non-transitive attribute", ("present", None),
      with_attrs(O, A, N, attr(OPT, 251, b"hello")), rfc="4271 5"),
    C("ORIGIN with the extended-length bit", ("present", None),
      with_attrs(attr(WELL_KNOWN | 0x10, ORIGIN, b"\x00"), A, N), rfc="4271 4.3"),
    C("AS_PATH containing our own AS (loop)", ("absent",),
      with_attrs(O, lambda s, a: attr(WELL_KNOWN, AS_PATH, aspath(a, LOCAL_AS)), N),
      rfc="4271 9.1.2"),
    # RFC 4271 says such a route SHOULD be ignored; a SHOULD, so only the
    # session is asserted (see docs/RELIABILITY.md for what the speaker does).
    C("NEXT_HOP is the speaker itself", ("up",),
      with_attrs(O, A, attr(WELL_KNOWN, NEXT_HOP, ip4(SPEAKER_IP))), rfc="4271 6.3"),
    C("End-of-RIB (empty UPDATE)", ("up",), lambda s, p, a: update(), rfc="4724 2"),
]


# ---- namespaces and processes ----

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)


def run(*argv):
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)


def enter_netns(name):
    fd = os.open("/run/netns/" + name, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns " + name)
    finally:
        os.close(fd)


class Rig:
    """The two namespaces, the speaker and its control socket."""

    def __init__(self, bgpd, cases, extra_ips=()):
        tag = "%d" % os.getpid()
        self.extra_ips = list(extra_ips)  # more peer-side addresses (soak.py)
        self.ns_s, self.ns_p = "hxs-" + tag, "hxp-" + tag
        self.dir = tempfile.mkdtemp(prefix="hostile-")
        self.ctl = os.path.join(self.dir, "ctl")
        self.proc = None
        self.log = None
        try:
            self._start(bgpd, cases, tag)
        except BaseException:
            self.close(keep_log=True)
            raise

    def _start(self, bgpd, cases, tag):
        run("ip", "netns", "add", self.ns_s)
        run("ip", "netns", "add", self.ns_p)
        vs, vp = "hxs" + tag[-8:], "hxp" + tag[-8:]
        run("ip", "link", "add", vs, "netns", self.ns_s, "type", "veth", "peer", "name", vp,
            "netns", self.ns_p)
        run("ip", "-n", self.ns_s, "addr", "add", SPEAKER_IP + "/16", "dev", vs)
        for ip in [GOOD_IP, STRANGER_IP] + [case_ip(i) for i in range(len(cases))] + \
                self.extra_ips:
            run("ip", "-n", self.ns_p, "addr", "add", ip + "/16", "dev", vp)
        for ns, dev in ((self.ns_s, vs), (self.ns_p, vp)):
            run("ip", "-n", ns, "link", "set", "lo", "up")
            run("ip", "-n", ns, "link", "set", dev, "up")
        sessions = [{"type": "node", "peerIP": GOOD_IP, "peerASNumber": PEER_AS,
                     "passive": True}]
        for i, c in enumerate(cases):
            sessions.append({"type": "node", "peerIP": case_ip(i), "peerASNumber": c["asn"],
                             "passive": True, "families": ["ipv4", "ipv6"]})
        plan = {"node": "hostile", "routerID": SPEAKER_IP, "asNumber": LOCAL_AS,
                "ipv4Address": SPEAKER_IP, "sessions": sessions, "routes": []}
        self.plan = os.path.join(self.dir, "plan.json")
        with open(self.plan, "w") as f:
            json.dump(plan, f)
        self.log = open(os.path.join(self.dir, "bgpd.log"), "w")
        self.proc = subprocess.Popen(["ip", "netns", "exec", self.ns_s, bgpd, "--plan",
                                      self.plan, "--ctl", self.ctl, "--foreground",
                                      "--log-level", "debug"], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        while not os.path.exists(self.ctl):
            if time.time() > deadline or self.proc.poll() is not None:
                raise RuntimeError("calico-bgpd did not start; see " + self.log.name)
            time.sleep(0.05)
        enter_netns(self.ns_p)

    def close(self, keep_log=False):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for ns in (self.ns_s, self.ns_p):
            subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)
        if self.log:
            if keep_log:
                print("# speaker log kept in " + self.log.name)
            self.log.close()

    def ctl_call(self, cmd, args=None):
        """Records of one request; raises when the speaker does not answer."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(15)  # generous: CI runs two test trees on 2 CPUs
        s.connect(self.ctl)
        s.sendall((json.dumps({"v": 1, "id": 1, "cmd": cmd, "args": args or {}}) + "\n").encode())
        buf, records = b"", []
        with s:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    raise RuntimeError("control socket closed before the terminator")
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    r = json.loads(line)
                    if "record" in r:
                        records.append(r["record"])
                    elif r.get("done"):
                        return records
                    else:
                        raise RuntimeError("control error: %s" % r.get("error"))

    def state(self, ip):
        for p in self.ctl_call("peers"):
            if p["peerIP"] == ip:
                return p["state"]
        raise RuntimeError("no session for " + ip)

    def routes_from(self, ip, pfx=None):
        name = session_name(ip)
        args = {"family": "ipv4", "table": "all"}
        if pfx:
            args.update(prefix=pfx, exact=True)
        return [r for r in self.ctl_call("routes", args) if r.get("peer") == name]


def case_ip(i):
    return "10.99.1.%d" % (i + 1)


def session_name(ip):
    return "Node_" + ip.replace(".", "_")


def wait_for(pred, secs=5.0):
    deadline = time.time() + secs
    while True:
        v = pred()
        if v or time.time() > deadline:
            return v
        time.sleep(0.1)


# ---- a BGP connection ----

class Peer:
    def __init__(self, src):
        self.src = src
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind((src, 0))
        self.sock.settimeout(15)  # connect and sendall; recv has its own deadlines
        self.sock.connect((SPEAKER_IP, 179))
        self.buf = b""
        self.lock = threading.Lock()

    def send(self, data):
        with self.lock:
            self.sock.sendall(data)

    def recv(self, timeout=5.0):
        """The next message as (type, body), or None on timeout/close."""
        deadline = time.time() + timeout
        while True:
            if len(self.buf) >= 19:
                length = struct.unpack("!H", self.buf[16:18])[0]
                if len(self.buf) >= length:
                    m, self.buf = self.buf[:length], self.buf[length:]
                    return m[18], m[19:]
            left = deadline - time.time()
            if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                return None
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                return None
            if not chunk:
                return None
            self.buf += chunk

    def wait_type(self, want, timeout=5.0):
        """Skips other messages until one of type want; None when it never comes."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = self.recv(deadline - time.time())
            if m is None:
                return None
            if m[0] == want:
                return m
            if m[0] == NOTIFICATION and want != NOTIFICATION:
                raise RuntimeError("NOTIFICATION %d/%d while waiting" % (m[1][0], m[1][1]))
        return None

    def establish(self, asn, hold=90, first=None):
        self.send(first or open_msg(asn=asn, hold=hold, ident=self.src))
        if first:
            return
        if not self.wait_type(OPEN):
            raise RuntimeError("no OPEN from the speaker")
        self.send(msg(KEEPALIVE))
        if not self.wait_type(KEEPALIVE):
            raise RuntimeError("no KEEPALIVE from the speaker")

    def close(self):
        self.sock.close()


class GoodPeer(threading.Thread):
    """The well-behaved session: announces GOOD_ROUTES, answers keepalives."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peer = Peer(GOOD_IP)
        self.peer.establish(PEER_AS)
        nlri = b"".join(prefix(p) for p in GOOD_ROUTES)
        self.peer.send(update(attrs=base_attrs(GOOD_IP), nlri=nlri))
        self.stop = threading.Event()
        self.error = None

    def run(self):
        while not self.stop.wait(5):
            try:
                self.peer.send(msg(KEEPALIVE))
                while self.peer.recv(0.01):
                    pass
            except OSError as e:
                self.error = e
                return


# ---- running a case ----

def expect_notify(peer, code, subs):
    m = peer.wait_type(NOTIFICATION, 5)
    if not m:
        return "no NOTIFICATION"
    got_code, got_sub = m[1][0], m[1][1]
    if got_code != code or got_sub not in subs:
        return "NOTIFICATION %d/%d, want %d/%s" % (got_code, got_sub, code, sorted(subs))
    return None


def run_case(rig, i, c):
    ip = case_ip(i)
    pfx = "10.200.%d.0/24" % i
    p = prefix(pfx)
    peer = Peer(ip)
    try:
        kind = c["expect"][0]
        data = c["build"](ip, p, c["asn"])
        if c["when"] == "open":
            peer.establish(c["asn"], first=data)
            if kind == "notify":
                return expect_notify(peer, c["expect"][1], c["expect"][2])
            if not peer.wait_type(OPEN):
                return "no OPEN from the speaker"
            peer.send(msg(KEEPALIVE))
            if not peer.wait_type(KEEPALIVE):
                return "no KEEPALIVE: the OPEN was refused"
        else:
            peer.establish(c["asn"], hold=c["hold"])
            if kind == "withdraw":
                peer.send(good(ip, p, c["asn"]))
                if not wait_for(lambda: rig.routes_from(ip, pfx)):
                    return "the well-formed announcement of %s never appeared" % pfx
            if data:
                peer.send(data)
            if kind == "notify":
                return expect_notify(peer, c["expect"][1], c["expect"][2])
        if kind == "present":
            rs = wait_for(lambda: rig.routes_from(ip, pfx))
            if not rs:
                return "route %s absent, want present" % pfx
            check = c["expect"][1]
            if check and not check(rs[0]):
                return "route %s: unexpected record %s" % (pfx, json.dumps(rs[0]))
        elif kind in ("withdraw", "absent"):
            # A later KEEPALIVE round trip orders our check after the UPDATE.
            time.sleep(0.3)
            if not wait_for(lambda: not rig.routes_from(ip, pfx)):
                return "route %s still present, want withdrawn" % pfx
        m = peer.recv(0.5)
        while m and m[0] != NOTIFICATION:
            m = peer.recv(0.2)
        if m:
            return "unexpected NOTIFICATION %d/%d" % (m[1][0], m[1][1])
        st = rig.state(ip)
        if st != "Established":
            return "session %s, want Established" % st
        return None
    finally:
        peer.close()


def check_bystander(rig, good):
    if good.error:
        return "good session's socket failed: %s" % good.error
    if rig.state(GOOD_IP) != "Established":
        return "good session is %s" % rig.state(GOOD_IP)
    have = {r["prefix"] for r in rig.routes_from(GOOD_IP)}
    missing = set(GOOD_ROUTES) - have
    if missing:
        return "good session lost %s" % sorted(missing)
    st = rig.ctl_call("status")
    if len(st) != 1:
        return "status gave %d records" % len(st)
    return None


def stranger_refused():
    """A connection from an address with no session gets no OPEN."""
    try:
        peer = Peer(STRANGER_IP)
    except OSError:
        return None  # refused outright
    try:
        try:
            peer.send(open_msg(ident=STRANGER_IP))
        except OSError:
            return None
        while True:
            m = peer.recv(3)
            if m is None:
                return None
            if m[0] == OPEN:
                return "the speaker answered an unconfigured address with an OPEN"
            if m[0] == KEEPALIVE:
                return "the speaker sent a KEEPALIVE to an unconfigured address"
    finally:
        peer.close()


def main(argv):
    if argv[1:2] == ["--self-test"]:
        return 0 if self_test() else 1
    if argv[1:2] == ["--list"]:
        for c in CASES:
            print("%-55s %s" % (c["name"], c["rfc"]))
        return 0
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    bgpd = os.path.abspath(argv[1])
    cases = [c for c in CASES if len(argv) == 2 or c["name"] in argv[2:]]
    if os.geteuid() != 0:
        print("1..0 # SKIP needs root for network namespaces")
        return 0
    rig = Rig(bgpd, cases)
    failed = 0
    n = 0
    try:
        good = GoodPeer()
        good.start()
        if not wait_for(lambda: len(rig.routes_from(GOOD_IP)) == len(GOOD_ROUTES), 10):
            raise RuntimeError("the good session's routes never appeared")
        for i, c in enumerate(cases):
            n += 1
            try:
                why = run_case(rig, i, c) or check_bystander(rig, good)
            except Exception as e:  # a broken connection or a dead speaker
                why = "%s: %s" % (type(e).__name__, e)
            if rig.proc.poll() is not None:
                why = (why or "") + " (speaker exited %d)" % rig.proc.returncode
            print("%s %d - %s [RFC %s]" % ("not ok" if why else "ok", n, c["name"], c["rfc"]))
            if why:
                print("# " + why)
                failed += 1
            sys.stdout.flush()
            if rig.proc.poll() is not None:
                break
        n += 1
        why = stranger_refused() or check_bystander(rig, good)
        print("%s %d - connection from an unconfigured address refused" %
              ("not ok" if why else "ok", n))
        if why:
            print("# " + why)
            failed += 1
        good.stop.set()
    finally:
        rig.close(keep_log=failed > 0)
    # Under the ASan/UBSan build the speaker reports at exit (leaks included).
    n += 1
    with open(rig.log.name, errors="replace") as f:
        report = [l.strip() for l in f if "ERROR: AddressSanitizer" in l or
                  "ERROR: LeakSanitizer" in l or "runtime error:" in l]
    print("%s %d - no sanitizer report from the speaker" % ("not ok" if report else "ok", n))
    if report:
        print("# %s (log %s)" % (report[0], rig.log.name))
        failed += 1
    if not failed:
        shutil.rmtree(rig.dir, ignore_errors=True)
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
