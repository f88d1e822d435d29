"""A misbehaving PPPoE access concentrator for tests/hostile, built on scapy.

It runs inside a network namespace on one end of a veth pair, answers PADI and PADR
according to --mode, and writes one JSON line per event it saw to --log. Frames are built
and parsed with scapy (independently of the Rust wire module), and sent and received on a
plain AF_PACKET socket so that deliberately broken frames go out byte for byte.

Modes:
  normal           PADO (AC-Name "real") and PADS (session 0x1111)
  silent           never answers
  wrong-host-uniq  a PADO with a wrong Host-Uniq and one without any (AC-Name "wrong", from
                   a fake MAC), then the right PADO from the real MAC
  flood            200 valid PADOs from fake MACs (AC-Name "fake-N") ahead of the real one
  random-flood     valid PADOs (a 1 KiB AC-Cookie each) from random MACs (AC-Name "r-N"), as
                   fast as it can, for 4 s
  no-pads          PADO, but never a PADS
  pads-error       every PADR is answered with a PADS carrying Service-Name-Error, session 0
  garbage          broken frames around every valid one, and junk after the valid payloads
  padt             PADTs (for our session id, another one, broadcast) during discovery
  big-cookie       a 1000-byte AC-Cookie, which the PADR must echo byte for byte
  lister           two ACs: "isp-ac" with two services, a cookie and PPP-Max-Payload, and
                   "second" from a fake MAC

It stops by itself after --lifetime seconds.
"""

import argparse
import json
import random
import socket
import sys
import time

from scapy.layers.l2 import Ether
from scapy.layers.ppp import PPPoED, PPPoED_Tags, PPPoETag

ETH_P_PPPOE_DISC = 0x8863
PADI, PADO, PADR, PADS, PADT = 0x09, 0x07, 0x19, 0x65, 0xA7
SERVICE_NAME, AC_NAME, HOST_UNIQ, AC_COOKIE = 0x0101, 0x0102, 0x0103, 0x0104
PPP_MAX_PAYLOAD, SERVICE_NAME_ERROR, END_OF_LIST = 0x0120, 0x0201, 0x0000

# The 1000-byte cookie of big-cookie (fixed, so the log can name it).
BIG_COOKIE = bytes(random.Random(4242).randrange(256) for _ in range(1000))


def fake_mac(i):
    return "02:fa:00:00:%02x:%02x" % (i >> 8, i & 0xFF)


class Ac:
    def __init__(self, ifname, mode, log):
        self.mode = mode
        self.log = log
        self.sock = socket.socket(
            socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_PPPOE_DISC)
        )
        self.sock.bind((ifname, ETH_P_PPPOE_DISC))
        self.mac = ":".join("%02x" % b for b in self.sock.getsockname()[4][:6])

    def event(self, **fields):
        self.log.write(json.dumps(fields) + "\n")
        self.log.flush()

    def send(self, frame):
        try:
            self.sock.send(bytes(frame))
        except OSError as e:  # e.g. a frame shorter than an Ethernet header
            self.event(event="send-error", length=len(bytes(frame)), error=str(e))

    def frame(self, dst, code, tags, session=0, src=None, junk=b""):
        tag_list = [PPPoETag(tag_type=t, tag_value=v) for t, v in tags]
        pkt = (
            Ether(dst=dst, src=src or self.mac, type=ETH_P_PPPOE_DISC)
            / PPPoED(code=code, sessionid=session)
            / PPPoED_Tags(tag_list=tag_list)
        )
        return bytes(pkt) + junk

    def garbage(self, peer):
        """Broken frames addressed to the client (they must all be ignored)."""
        head = bytes.fromhex(peer.replace(":", "")) + bytes.fromhex(self.mac.replace(":", ""))
        hu = [(HOST_UNIQ, self.host_uniq)] if self.host_uniq is not None else []
        frames = [
            head + b"\x88\x63",  # an Ethernet header and nothing else
            head + b"\x88\x63\x11\x07\x00",  # cut inside the PPPoE header
            head + b"\x88\x63\x21\x07\x00\x00\x00\x00",  # version 2
            head + b"\x88\x63\x11\x07\x00\x00\x05\xdd" + b"\x00" * 40,  # length 1501 > frame
            head + b"\x88\x63\x11\x07\x00\x00\x00\x08\x01\x02\xff\xff\x61\x62\x63\x64",  # overrun
            head + b"\x88\x63\x11\x07\x00\x00\x00\x05\x01\x01\x00\x00\x01",  # trailing byte
            head + b"\x88\x63\x11\x65\x00\x00\x00\x00",  # a PADS nobody asked for
            head + b"\x88\x63\x11\x42\x12\x34\x00\x00",  # unknown code
            self.frame(peer, PADO, [(SERVICE_NAME, b"")] + hu),  # no AC-Name
            self.frame(peer, PADO, [(AC_NAME, b"x")] + hu),  # no Service-Name
            self.frame(
                peer,
                PADO,
                [(AC_NAME, b"real"), (SERVICE_NAME, b""), (SERVICE_NAME_ERROR, b"bad")] + hu,
            ),  # error tag
            head + b"\x88\x63" + bytes(random.Random(7).randrange(256) for _ in range(46)),  # noise
        ]
        for f in frames:
            self.send(f)

    def host_uniq_tags(self):
        return [(HOST_UNIQ, self.host_uniq)] if self.host_uniq is not None else []

    def on_padi(self, peer):
        hu = self.host_uniq_tags()
        real = [(AC_NAME, b"real"), (SERVICE_NAME, b"")] + hu
        m = self.mode
        if m == "silent":
            return
        if m == "wrong-host-uniq":
            wrong = bytes(b ^ 0xFF for b in (self.host_uniq or b"\x00\x00\x00\x01"))
            fake = fake_mac(1)
            self.send(self.frame(peer, PADO, [(AC_NAME, b"wrong"), (SERVICE_NAME, b""), (HOST_UNIQ, wrong)], src=fake))
            self.send(self.frame(peer, PADO, [(AC_NAME, b"wrong"), (SERVICE_NAME, b"")], src=fake))
            time.sleep(0.05)
            self.send(self.frame(peer, PADO, real))
        elif m == "flood":
            for i in range(200):
                tags = [(AC_NAME, b"fake-%d" % i), (SERVICE_NAME, b"")] + hu
                self.send(self.frame(peer, PADO, tags, src=fake_mac(i + 1)))
            self.send(self.frame(peer, PADO, real))
        elif m == "random-flood":
            rng = random.Random(1)
            cookie = bytes(range(256)) * 4  # 1 KiB an AC to remember
            end = time.monotonic() + 4
            n = 0
            while time.monotonic() < end:
                for _ in range(50):
                    src = "02:%02x:%02x:%02x:%02x:%02x" % tuple(rng.randrange(256) for _ in range(5))
                    tags = [(AC_NAME, b"r-%d" % n), (SERVICE_NAME, b""), (AC_COOKIE, cookie)] + hu
                    self.send(self.frame(peer, PADO, tags, src=src))
                    n += 1
            self.event(event="flooded", count=n)
        elif m == "garbage":
            self.garbage(peer)
            self.send(self.frame(peer, PADO, real, junk=b"\xde\xad" * 50))
            self.garbage(peer)
        elif m == "padt":
            self.send(self.frame(peer, PADT, hu, session=0x3333))
            self.send(self.frame("ff:ff:ff:ff:ff:ff", PADT, [], session=0x3333))
            self.send(self.frame(peer, PADO, real))
            self.send(self.frame(peer, PADT, hu, session=0x2222))
        elif m == "big-cookie":
            self.send(self.frame(peer, PADO, real + [(AC_COOKIE, BIG_COOKIE)]))
        elif m == "lister":
            self.send(
                self.frame(
                    peer,
                    PADO,
                    [
                        (AC_NAME, b"isp-ac"),
                        (SERVICE_NAME, b"internet"),
                        (SERVICE_NAME, b"voip"),
                        (AC_COOKIE, bytes.fromhex("deadbeef")),
                        (PPP_MAX_PAYLOAD, (1500).to_bytes(2, "big")),
                    ]
                    + hu,
                )
            )
            self.send(self.frame(peer, PADO, [(AC_NAME, b"second"), (SERVICE_NAME, b"")] + hu, src=fake_mac(9)))
        else:  # normal, no-pads, pads-error
            self.send(self.frame(peer, PADO, real))

    def on_padr(self, peer, tags):
        hu = self.host_uniq_tags()
        m = self.mode
        cookie = next((v for t, v in tags if t == AC_COOKIE), None)
        if m == "no-pads":
            return
        if m == "pads-error":
            self.send(self.frame(peer, PADS, [(SERVICE_NAME, b""), (SERVICE_NAME_ERROR, b"no such service")] + hu))
            return
        if m == "big-cookie":
            ok = cookie == BIG_COOKIE
            self.event(event="cookie", exact=ok, length=-1 if cookie is None else len(cookie))
            if not ok:
                self.send(self.frame(peer, PADS, [(SERVICE_NAME, b""), (0x0203, b"cookie mismatch")] + hu))
                return
        if m == "garbage":
            self.garbage(peer)
            self.send(self.frame(peer, PADS, [(SERVICE_NAME, b"")] + hu, session=0x1111, junk=b"\x00" * 30))
            self.garbage(peer)
            return
        if m == "padt":
            self.send(self.frame(peer, PADT, hu, session=0x3333))
            self.send(self.frame("ff:ff:ff:ff:ff:ff", PADT, [], session=0x3333))
            self.send(self.frame(peer, PADS, [(SERVICE_NAME, b"")] + hu, session=0x3333))
            return
        self.send(self.frame(peer, PADS, [(SERVICE_NAME, b"")] + hu, session=0x1111))

    def serve(self, lifetime):
        self.host_uniq = None
        deadline = time.monotonic() + lifetime
        print("READY", self.mac, flush=True)
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, min(0.5, deadline - time.monotonic())))
            try:
                data = self.sock.recv(2048)
            except socket.timeout:
                continue
            pkt = Ether(data)
            if PPPoED not in pkt or pkt.src == self.mac:
                continue
            d = pkt[PPPoED]
            tags = []
            if PPPoED_Tags in pkt:
                tags = [(t.tag_type, bytes(t.tag_value)) for t in pkt[PPPoED_Tags].tag_list]
            hu = next((v for t, v in tags if t == HOST_UNIQ), None)
            if d.code == PADI:
                self.host_uniq = hu
                self.event(event="padi", src=pkt.src, host_uniq=None if hu is None else hu.hex())
                self.on_padi(pkt.src)
            elif d.code == PADR:
                if pkt.dst != self.mac:
                    continue
                self.event(event="padr", src=pkt.src, tags=[t for t, _ in tags])
                self.on_padr(pkt.src, tags)
            elif d.code == PADT:
                self.event(event="padt", src=pkt.src, session=d.sessionid)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--iface", required=True)
    p.add_argument("--mode", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--lifetime", type=float, default=30)
    a = p.parse_args()
    with open(a.log, "w") as log:
        Ac(a.iface, a.mode, log).serve(a.lifetime)


if __name__ == "__main__":
    sys.exit(main())
