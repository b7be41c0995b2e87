#!/usr/bin/env python3
"""Writes the seed corpus for fuzz_wire into corpus/wire/.

Each file is one octet of session flags (see ctx_from() in fuzz_wire.c:
0x01 4-octet AS, 0x02 eBGP, 0x04/0x08 ADD-PATH IPv4/IPv6, 0x10 extended
messages, 0x20 enhanced route refresh, 0x40 IPv6 off) followed by one BGP
message. Run it again after editing the list; file names are stable."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "wire")

ORIGIN = "40 01 01 00"
PATH4 = "40 02 06 0201 0000fdea"
PATH2 = "40 02 04 0201 fdea"
NH = "40 03 04 0a000002"
V6G = "20010db8000000000000000000000001"
V6LL = "fe800000000000000000000000000001"


def h(s):
    return bytes.fromhex("".join(s.split()))


def msg(t, body):
    b = h(body)
    return b"\xff" * 16 + (19 + len(b)).to_bytes(2, "big") + bytes([t]) + b


def upd(withdrawn="", attrs="", nlri=""):
    w, a, n = h(withdrawn), h(attrs), h(nlri)
    body = len(w).to_bytes(2, "big") + w + len(a).to_bytes(2, "big") + a + n
    return msg(2, body.hex())


SEEDS = {
    "keepalive": (0x03, msg(4, "")),
    "notification-cease-shutdown": (0x03, msg(3, "06 02 05 6d61696e74")),
    "notification-update-error": (0x03, msg(3, "03 0b")),
    "route-refresh-v4": (0x03, msg(5, "0001 00 01")),
    "route-refresh-borr": (0x23, msg(5, "0002 01 01")),
    "route-refresh-bad-length": (0x23, msg(5, "0001 02 01 00")),
    "open-basic": (0x03, msg(1, "04 fde9 005a 0a000001 10 02 0e 0104000100 01 0200 4104 0000fde9")),
    "open-full": (0x03, msg(1, "04 5ba0 00f0 c0a80101 38 02 36 0104000100 01 0104000200 01 0200 4600 0600"
                              "400a 8078 0001 01 00 0002 01 80 4104 fa56ea01 4508 0001 01 03 0002 01 01"
                              "4906 046e6f646500")),
    "open-no-caps": (0x00, msg(1, "04 0064 00b4 01020304 00")),
    "open-ext-params": (0x03, msg(1, "04 0064 00b4 01020304 ff ff 0009 02 0006 41 04 00010000")),
    "open-bad-version": (0x00, msg(1, "03 0064 00b4 01020304 00")),
    "open-bad-cap": (0x00, msg(1, "04 0064 00b4 01020304 05 02 03 0103 0001")),
    "update-v4": (0x03, upd("", ORIGIN + PATH4 + NH + "80 04 04 00000064 c0 08 08 fdea0001 fdea0002",
                            "10 0a01 18 c0a801")),
    "update-v4-2octet": (0x02, upd("", ORIGIN + "40 02 08 0203 fdea 5ba0 5ba0" + NH +
                                   "c0 07 06 5ba0 0a000009 c0 11 0a 0202 fa56ea01 fa56ea02"
                                   "c0 12 08 fa56ea01 0a000009", "18 c0a801")),
    "update-v4-ibgp-full": (0x01, upd("", ORIGIN + "40 02 10 0201 0000fdea 0102 00000001 00000002" + NH +
                                      "80 04 04 00000005 40 05 04 00000096 40 06 00"
                                      "c0 07 08 0000fdea 0a000009 c0 08 04 fdea0001 80 09 04 0a000007"
                                      "80 0a 04 01010101 c0 20 0c 0000fde9 00000001 00000002"
                                      "c0 63 02 beef 80 62 01 aa", "18 c0a801 20 0a000001")),
    "update-v4-confed": (0x01, upd("", ORIGIN + "40 02 0c 0301 fa56ea05 0201 fa56ea01" + NH, "18 c0a801")),
    "update-v6": (0x03, upd("", "90 0e 0035 0002 01 20" + V6G + V6LL + "00 30 20010db80001 40 20010db800000005"
                            + ORIGIN + PATH4)),
    "update-v6-withdraw": (0x03, upd("18 0a0101", "80 0f 0a 0002 01 30 20010db80002")),
    "update-v4-mp": (0x03, upd("", "80 0e 0d 0001 01 04 0a000003 00 18 0a0203" + ORIGIN + PATH4)),
    "update-addpath": (0x0f, upd("00000007 18 0a0a0a", ORIGIN + PATH4 + NH,
                                 "00000001 18 c0a801 00000002 18 c0a801")),
    "update-eor-v4": (0x03, upd()),
    "update-eor-v6": (0x03, upd("", "80 0f 03 0002 01")),
    "update-withdraw-only": (0x03, upd("00 20 0a000001")),
    "update-taw-origin": (0x03, upd("", "40 01 01 07" + PATH4 + NH, "18 c0a801")),
    "update-discard-aggregator": (0x03, upd("", ORIGIN + PATH4 + NH + "c0 07 06 fdea 0a000001", "18 c0a801")),
    "update-attr-overrun": (0x03, upd("", ORIGIN + PATH4 + NH + "c0 08 08 fdea0001", "18 c0a801")),
    "update-dup-mp": (0x03, upd("", "80 0f 03 0002 01 80 0f 03 0002 01")),
    "update-bad-nlri": (0x03, upd("", ORIGIN + PATH4 + NH, "21 0a000000 00")),
    "update-unknown-wellknown": (0x03, upd("", ORIGIN + PATH4 + NH + "40 63 02 abcd", "18 c0a801")),
    "update-ext-length": (0x13, upd("", "c0 08 08 fdea0001 fdea0002 50 02 0006 0201 0000fdea" + NH +
                                    "80 04 04 00000064" + ORIGIN, "18 c0a801")),
    "header-bad-marker": (0x00, b"\xff" * 3 + b"\xfe" + b"\xff" * 12 + b"\x00\x13\x04"),
    "header-bad-type": (0x00, msg(9, "")),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, (flags, data) in SEEDS.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(bytes([flags]) + data)


if __name__ == "__main__":
    main()
