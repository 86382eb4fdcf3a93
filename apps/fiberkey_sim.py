#!/usr/bin/python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""fiberkey-sim: the main job, a complete simulated A-B link.

Builds the two-node flowgraph from the module's blocks: node A and node B (framing, ZUC,
G.709 line coding, negotiation, key post-processing with re-keying), the fiber both ways
(OOK transmitter, attenuating fiber with a PIN receiver, frame sync, each receiver's local
noise on the NEG fields, slicer) and optionally an eavesdropper's tap. The nodes agree on
their first session keys over the link (SM2 by default), then grow seed keys from the
noise and switch their encryption to each new key. It runs until --keys seed keys per
direction (or --seconds of wall-clock time), checks every key and every client byte, and
prints per direction the agreed keys and the figures of protocol.md section 9; --json and
--plot write them for machines and for people (docs/fiberkey-sim.md).
"""
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np
import pmt
from gnuradio import blocks, gr
from gnuradio import fiberkey
from gnuradio.fiberkey import cli

PAYLOAD = fiberkey.frame_layout.payload_bytes
OTU2_FRAMES_PER_SECOND = 82025.0
FEC_BITS_PER_FRAME = 8 * fiberkey.frame_layout.otu_bytes  # the G.709 codewords
# A run for a number of keys stops once key agreement has been held this long.
HELD_STOP_SECONDS = 3.0
DIRECTIONS = ("AB", "BA")

# Post-processing modes. --mode takes the core's grammar (fiberkey.parse_pp_mode): patent,
# equiprobable[:q] or soft[:q], q = 1..4 bits per round, or multilevel[:q], q = 3..5 levels.
# What each mode is, for --list-modes:
MODE_HELP = {
    "multilevel": "2^q equiprobable bins (multilevel:q, q = 3..5, default 4); the least "
                  "significant levels of the bin index are disclosed (q - 2 at q = 3 and 4, "
                  "2 at q = 5; counted as leaked), the others are the key bits, decoded "
                  "with soft information given the disclosed levels (the most key; q = 5 "
                  "the most from about 4,000 rounds a batch)",
    "soft": "q Gray-coded bits per round (soft:q, q = 1..4, default 3) from equiprobable "
            "bins; the follower decodes the LDPC syndrome with soft information from its "
            "own counts",
    "equiprobable": "q Gray-coded bits per round (equiprobable:q, q = 1..4, default 2) from "
                    "equiprobable bins, hard-decision LDPC reconciliation",
    "patent": "the patent's: guard band alpha, 1 bit per kept round (F > mean), LDPC "
              "syndrome reconciliation",
}

DEFAULT_MODE = "multilevel"


def patent_mode(args):
    return args.pp_mode == fiberkey.quantizer_mode.patent


def parse_args(argv):
    p = cli.parser(
        prog="fiberkey-sim",
        description="A simulated fiberkey link between nodes A and B: seed keys grown from "
                    "noise, both directions, with re-keying; prints the keys and figures.")
    run = p.add_argument_group("run")
    run.add_argument("--keys", type=int, default=3,
                     help="stop after this many seed keys per direction at both ends (default 3)")
    run.add_argument("--seconds", type=float, default=0.0,
                     help="stop after this much wall-clock time instead (0: no limit)")
    run.add_argument("--timeout", type=float, default=900.0,
                     help="give up (exit 1) after this much wall-clock time (default 900)")
    run.add_argument("--seed", type=int, default=0,
                     help="fixed randomness for the arrays, noise and link start: FOR TESTS "
                          "ONLY (0: the OS's CSPRNG, the default)")
    run.add_argument("--mode", default=DEFAULT_MODE,
                     help="post-processing mode: multilevel[:q], q = 3..5 levels, soft[:q], "
                          "equiprobable[:q] or patent, q = 1..4 bits per round, e.g. soft:2 "
                          f"(default {DEFAULT_MODE}, q = 4; soft: q = 3; equiprobable: "
                          "q = 2); see --list-modes")
    run.add_argument("--list-modes", action="store_true",
                     help="print the post-processing modes with what they are, one per line, "
                          "and exit")
    run.add_argument("--link-start", choices=("sm2", "psk"), default="sm2",
                     help="initial session keys: SM2 key exchange over the link (default) "
                          "or pre-shared keys")
    run.add_argument("--fec", choices=("on", "off"), default="on", help="G.709 RS(255,239)")
    run.add_argument("--channel", choices=("analog", "direct"), default="analog",
                     help="analog: the fiber and receivers sample by sample (default); "
                          "direct: line bits straight from node to node")
    run.add_argument("--rounds", choices=("negotiated", "model"), default="negotiated",
                     help="negotiated: the negotiators' rounds over the link (default); "
                          "model: rounds drawn from the round-level model at the frame rate, "
                          "for post-processing and re-keying at scale (soak runs)")
    run.add_argument("--eve", choices=("none", "tap", "compromised"), default="none",
                     help="eavesdropper: none, a passive tap, or a tap with the session keys")
    run.add_argument("--tamper", type=float, default=0.0, metavar="P",
                     help="active attacker: once both directions are keyed, flip payload "
                          "and INT ciphertext bits in a fraction P of the frames of each "
                          "direction and re-encode the FEC so that the line code sees no "
                          "error; the frames' integrity tags must reject every one "
                          "(default 0; with --integrity off the run shows what gets "
                          "through and fails)")
    run.add_argument("--integrity", choices=("on", "off"),
                     help="the ZUC-256 integrity tag on every frame (default: on with FEC; "
                          "without FEC the line's own bit errors would fail most frames)")
    run.add_argument("--json", metavar="FILE", help="write the results as one JSON object")
    run.add_argument("--plot", metavar="FILE.png", help="draw the figures into a PNG")
    run.add_argument("--record", metavar="DIR",
                     help="record the first --record-frames frames of the received "
                          "photocurrent of each direction as SigMF captures in DIR")
    run.add_argument("--record-frames", type=int, default=20)
    run.add_argument("--quiet", action="store_true", help="no progress lines")
    run.add_argument("--verbose", action="store_true",
                     help="GNU Radio's and the blocks' informational log lines too (frame "
                          "alignment, key epochs, buffers); without it only warnings and "
                          "errors are logged")
    run.add_argument("--profile", action="store_true",
                     help="GNU Radio's performance counters on: report each block's share "
                          "of the work time")

    mon = p.add_argument_group("link monitor (analog channel)")
    mon.add_argument("--monitor", choices=("on", "off"), default="on",
                     help="a Link Monitor on each receiver (performance monitoring and the "
                          "tap detector) and a Tap Alarm Guard in each node, which holds "
                          "key agreement while a tap alarm stands (default on)")
    mon.add_argument("--monitor-window-frames", type=int, default=250,
                     help="frame periods per monitoring window (default 250: the simulated "
                          "link runs far below line rate; a real one uses 82,025, a second)")
    mon.add_argument("--monitor-learn-windows", type=int, default=12,
                     help="windows that set the tap detector's baseline (default 12)")
    mon.add_argument("--tap-step-db", type=float, default=0.1,
                     help="the loss step the tap detector is tuned for (default 0.1 dB)")
    key = p.add_argument_group("key agreement (defaults follow the patent)")
    key.add_argument("--bits", type=int, default=496, help="m, bits per array (default 496)")
    key.add_argument("--batch-rounds", type=int, default=1000, help="n, rounds per batch")
    key.add_argument("--alpha", type=float, default=0.5, help="patent mode's guard band")
    key.add_argument("--pipeline-frames", type=int, default=32,
                     help="frames each node keeps in flight (the negotiators' lock step)")

    link = p.add_argument_group("fiber link and receivers")
    link.add_argument("--length-km", type=float, default=10.0)
    link.add_argument("--attenuation-db-per-km", type=float, default=0.35)
    link.add_argument("--launch-dbm", type=float, default=-14.9,
                      help="launch power of the OOK transmitter (dBm)")
    link.add_argument("--extinction-db", type=float, default=10.0)
    link.add_argument("--thermal-pa", type=float, default=20.0,
                      help="receiver thermal noise, pA/sqrt(Hz)")
    link.add_argument("--noise-law", default="ber_log_uniform",
                      help="local noise: distribution of the BER drawn per NEG field")
    link.add_argument("--noise-low", type=float, default=1e-3, help="local noise, low end")
    link.add_argument("--noise-high", type=float, default=0.2, help="local noise, high end")
    link.add_argument("--eve-from-seconds", type=float, default=0.0, metavar="T",
                      help="with --eve: her coupler goes in T wall-clock seconds into the "
                           "run (default 0: from the start), so that the link monitors' "
                           "detection can be measured")
    link.add_argument("--eve-tap-fraction", type=float, default=0.1)
    link.add_argument("--eve-position-km", type=float, default=5.0)
    link.add_argument("--eve-thermal-pa", type=float, default=2.0,
                      help="Eve's receiver thermal noise (default 2 pA/sqrt(Hz): far quieter "
                           "than the link's, so that she reads the line without errors)")
    kme = p.add_argument_group(
        "key delivery (ETSI GS QKD 014; docs/key-service.md)",
        "A KME at each node serves the application keys (every seed key that does not "
        "re-key the link) to SAEs over HTTPS with mutual TLS, while the run lasts.")
    kme.add_argument("--kme-a", metavar="HOST:PORT", help="run node A's KME there")
    kme.add_argument("--kme-b", metavar="HOST:PORT", help="run node B's KME there")
    kme.add_argument("--tls-dir", metavar="DIR",
                     help="ca.pem, kme_a.pem, kme_a.key, kme_b.pem, kme_b.key (fiberkey-tool "
                          "kme-pki DIR makes them)")
    kme.add_argument("--sae-a", default="SAE_A", metavar="ID", help="the SAE of node A")
    kme.add_argument("--sae-b", default="SAE_B", metavar="ID", help="the SAE of node B")
    kme.add_argument("--key-store-dir", metavar="DIR",
                     help="where the key stores (kme_a.sqlite, kme_b.sqlite) and their "
                          "key-encryption keys (kme_a.kek, kme_b.kek, made when missing) "
                          "live, so that keys outlast the run (default: a temporary "
                          "directory)")
    kme.add_argument("--link-key-period", type=int, default=4, metavar="N",
                     help="every N-th seed key re-keys the link, the others go to "
                          "applications (default 4: about one per batch in soft mode; 1: "
                          "all re-key the link)")
    args = p.parse_args(argv)
    if args.list_modes:
        return args
    try:
        mode, q = fiberkey.parse_pp_mode(args.mode)
    except ValueError as e:
        p.error(f"{e}; --list-modes shows what they are")
    # One spelling per mode (soft:3 is soft, patent:1 is patent), for the results; the
    # parsed mode and q beside it.
    args.mode = (fiberkey.quantizer_mode_name(mode) if q == fiberkey.default_bits_per_round(mode)
                 else fiberkey.format_pp_mode(mode, q))
    args.pp_mode, args.bits_per_round = mode, q
    if args.keys < 1 and args.seconds <= 0:
        p.error("--keys must be at least 1, or give --seconds")
    if args.seconds < 0 or args.timeout <= 0 or args.record_frames < 1:
        p.error("--seconds, --timeout and --record-frames must be positive")
    check_arguments(p, args)
    if args.channel == "direct" and (args.eve != "none" or args.record):
        p.error("--eve and --record need --channel analog")
    if args.integrity is None:
        args.integrity = "on" if args.fec == "on" else "off"
    if not 0.0 <= args.tamper <= 1.0:
        p.error(f"--tamper is a fraction of the frames in [0, 1], got {args.tamper}")
    if args.rounds == "model" and args.eve == "compromised":
        p.error("--eve compromised observes negotiated rounds: it needs --rounds negotiated")
    return args


# Ranges of the numeric options, checked at parse time (exit 2 with the range) so that no
# bad value stalls the run or passes unnoticed: option -> (low, high, what). The noise
# law and its range are the noise injector's to check (its message names the rule).
RANGES = {
    "keys": (0, 1_000_000, "seed keys"),
    "seconds": (0.0, 1e6, "s"),
    "timeout": (1e-3, 1e7, "s"),
    "seed": (0, 2**62, "a test seed, 0 for the CSPRNG"),
    "record_frames": (1, 100_000, "frames"),
    "tamper": (0.0, 1.0, "a fraction of the frames"),
    "bits": (8, 496, "bits per array, a multiple of 8"),
    "batch_rounds": (64, 131072, "rounds per batch"),
    "alpha": (0.0, 10.0, "standard deviations"),
    "pipeline_frames": (1, 4096, "frames in flight"),
    "length_km": (0.01, 200.0, "km"),
    "attenuation_db_per_km": (0.0, 10.0, "dB/km"),
    "launch_dbm": (-40.0, 10.0, "dBm"),
    "extinction_db": (0.5, 40.0, "dB"),
    "thermal_pa": (0.01, 10_000.0, "pA/sqrt(Hz)"),
    "eve_tap_fraction": (1e-6, 0.999, "a fraction of the light"),
    "eve_from_seconds": (0.0, 1e6, "seconds"),
    "monitor_window_frames": (1, 10_000_000, "frame periods"),
    "monitor_learn_windows": (2, 100_000, "windows"),
    "tap_step_db": (0.001, 10.0, "dB"),
    "eve_position_km": (0.0, 200.0, "km from the transmitter"),
    "eve_thermal_pa": (0.01, 10_000.0, "pA/sqrt(Hz)"),
    "link_key_period": (1, 1024, "seed keys"),
}

KME_FILES = ("ca.pem", "kme_a.pem", "kme_a.key", "kme_b.pem", "kme_b.key")


def check_arguments(p, args):
    """Ranges and cross-checks of the numeric options, and the outputs, at parse time."""
    cli.check_ranges(p, args, RANGES)
    if args.bits % 8:
        p.error(f"--bits must be a multiple of 8 (8..496), got {args.bits}")
    if args.eve_from_seconds > 0 and (args.eve == "none" or args.channel != "analog"):
        p.error("--eve-from-seconds needs --eve tap or compromised on the analog channel")
    if args.eve_position_km > args.length_km:
        p.error(f"--eve-position-km ({args.eve_position_km:g}) must lie on the fiber "
                f"(0..{args.length_km:g} km)")
    cli.check_writable(p, "--json", args.json)
    cli.check_writable(p, "--plot", args.plot)
    cli.check_directory(p, "--record", args.record)
    check_kme_arguments(p, args)


def check_kme_arguments(p, args):
    """Both KMEs or none, each with its TLS files, IDs that fit in a URL path."""
    args.kme = bool(args.kme_a or args.kme_b)
    if not args.kme:
        if args.tls_dir or args.key_store_dir:
            p.error("--tls-dir and --key-store-dir need --kme-a and --kme-b")
        return
    if not (args.kme_a and args.kme_b):
        p.error("give both --kme-a and --kme-b (each KME delivers what its peer hands out)")
    for flag, address in (("--kme-a", args.kme_a), ("--kme-b", args.kme_b)):
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit() or int(port) > 65535:
            p.error(f"{flag} {address}: must be HOST:PORT (port 0..65535)")
    if args.kme_a == args.kme_b and not args.kme_a.endswith(":0"):
        p.error("--kme-a and --kme-b need different addresses")
    if args.link_key_period < 2:
        p.error("--link-key-period 1 leaves no key for applications: a KME needs 2 or more")
    if not args.tls_dir:
        p.error("the KMEs need --tls-dir (fiberkey-tool kme-pki DIR makes one)")
    for name in KME_FILES:
        cli.check_readable(p, "--tls-dir", os.path.join(args.tls_dir, name))
    for flag, sae in (("--sae-a", args.sae_a), ("--sae-b", args.sae_b)):
        if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", sae):
            p.error(f"{flag} {sae!r}: an SAE ID is 1..64 of A-Z a-z 0-9 _ . -")
    if args.sae_a == args.sae_b:
        p.error("--sae-a and --sae-b must differ")
    cli.check_directory(p, "--key-store-dir", args.key_store_dir)


def key_encryption_key(path):
    """The KEK file at path, made (32 bytes from the OS CSPRNG, mode 0600, never through a
    link) when missing."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        return path
    with os.fdopen(fd, "wb") as f:
        f.write(os.urandom(32))
    return path


def correlation(x, y):
    """Pearson's r, or None where it is not defined: too few values, or one side constant
    (a direct channel adds no noise, so negotiated rounds count no errors)."""
    if len(x) <= 2 or np.std(x) == 0 or np.std(y) == 0:
        return None
    return float(np.corrcoef(x, y)[0, 1])


def memory_mib():
    """(resident, peak resident) of this process in MiB, from /proc."""
    fields = {}
    with open("/proc/self/status") as f:
        for line in f:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = int(value.split()[0]) / 1024.0
    return fields.get("VmRSS", 0.0), fields.get("VmHWM", 0.0)


def say(args, text):
    if not args.quiet:
        print(text, file=sys.stderr, flush=True)


def field(msg, name):
    return pmt.to_python(pmt.dict_ref(msg, pmt.intern(name), pmt.PMT_NIL))


class round_recorder(gr.basic_block):
    """Collects each node's per-round counts, and Eve's estimates, from message ports.
    Counts are paired by direction and sequence as they come, so memory stays flat on long
    runs."""

    # Sequences are 16-bit; an unpaired count older than this many rounds is forgotten.
    horizon = 4096

    def __init__(self):
        gr.basic_block.__init__(self, "fiberkey_sim_round_recorder", None, None)
        self.lock = threading.Lock()
        self.pending = {d: {} for d in (0, 1)}     # seq -> (leader count, follower count, n)
        self.received = {d: 0 for d in (0, 1)}
        self.pairs = {d: [] for d in (0, 1)}       # (sequence, F1, F2)
        self.eve = {d: {} for d in (0, 1)}         # seq -> (her estimate, n)
        self.eve_pairs = {d: [] for d in (0, 1)}   # (sequence, F1, F2, estimate)
        # Pairs without her estimate yet: her observer may lag the nodes.
        self.unobserved = {d: {} for d in (0, 1)}  # seq -> (F1, F2, n)
        for port in ("rounds", "eve_rounds"):
            self.message_port_register_in(pmt.intern(port))
        self.set_msg_handler(pmt.intern("rounds"), self.on_round)
        self.set_msg_handler(pmt.intern("eve_rounds"), self.on_eve_round)

    def on_round(self, msg):
        d, seq, count = (field(msg, k) for k in ("direction", "sequence", "count"))
        leader = pmt.symbol_to_string(pmt.dict_ref(msg, pmt.intern("role"),
                                                   pmt.intern("?"))) == "leader"
        with self.lock:
            self.received[d] += 1
            table = self.pending[d]
            f1, f2, _ = table.get(seq, (None, None, 0))
            if leader:
                f1 = count
            else:
                f2 = count
            if f1 is not None and f2 is not None:
                del table[seq]
                self.pairs[d].append((seq, f1, f2))
                if seq in self.eve[d]:
                    self.eve_pairs[d].append((seq, f1, f2, self.eve[d].pop(seq)[0]))
                else:
                    self.unobserved[d][seq] = (f1, f2, self.received[d])
            else:
                table[seq] = (f1, f2, self.received[d])
            for t in (table, self.eve[d], self.unobserved[d]):
                if len(t) > 2 * self.horizon:
                    self.forget(t, self.received[d])

    def settle_eve(self, share=0.95, longest=10.0):
        """Waits (at most `longest` s) until her observer has caught up with the nodes'
        rounds: it runs in its own block and falls behind them on a loaded machine, and
        the report sets her rounds against theirs."""
        deadline = time.monotonic() + longest
        while time.monotonic() < deadline:
            with self.lock:
                seen = sum(len(p) for p in self.eve_pairs.values())
                formed = sum(len(p) for p in self.pairs.values())
            if seen >= share * formed:
                return
            time.sleep(0.05)

    def forget(self, table, now):
        for seq in [s for s, v in table.items() if now - v[-1] > self.horizon]:
            del table[seq]

    def on_eve_round(self, msg):
        d, seq, estimate = (field(msg, k) for k in ("direction", "sequence", "estimate"))
        with self.lock:
            if seq in self.unobserved[d]:
                f1, f2, _ = self.unobserved[d].pop(seq)
                self.eve_pairs[d].append((seq, f1, f2, estimate))
            else:
                self.eve[d][seq] = (estimate, self.received[d])


class key_recorder(gr.basic_block):
    """Collects every seed key at both ends with the time it came (simulated: frames
    received; and wall clock), and the post-processing messages for Eve. A block
    of its own, so that keys never wait behind thousands of rounds."""

    def __init__(self, frames_now, hide_application_keys=False):
        gr.basic_block.__init__(self, "fiberkey_sim_key_recorder", None, None)
        self.lock = threading.Lock()
        # With KMEs an application key goes to its SAEs alone: the report shows its ID
        # and a check value that tells whether both ends agree, never the key.
        self.hide_application_keys = hide_application_keys
        self.frames_now = frames_now
        self.start_wall = time.monotonic()
        self.keys = {}                           # (direction, node) -> [(index, hex, meta)]
        # (frames, wall, the key's last round sequence) when a key is agreed
        self.key_times = {d: [] for d in (0, 1)}
        # The post-processing messages that Eve reads in INT, in order: she replays the
        # leader's against her estimates, and reads the follower's kept-round bitmaps.
        self.leader_messages = {d: [] for d in (0, 1)}
        self.follower_messages = {d: [] for d in (0, 1)}
        self.message_port_register_in(pmt.intern("leader_messages"))
        self.set_msg_handler(pmt.intern("leader_messages"), self.on_leader_message)
        self.message_port_register_in(pmt.intern("follower_messages"))
        self.set_msg_handler(pmt.intern("follower_messages"), self.on_follower_message)
        for d in (0, 1):
            for node in "AB":
                port = f"keys_{DIRECTIONS[d]}_{node}"
                self.message_port_register_in(pmt.intern(port))
                # GNU Radio's gateway calls a handler by its name on this object.
                def handler(msg, d=d, node=node):
                    self.on_key(d, node, msg)
                handler.__name__ = f"on_{port}"
                setattr(self, handler.__name__, handler)
                self.set_msg_handler(pmt.intern(port), handler)
                self.keys[(d, node)] = []

    def on_leader_message(self, msg):
        d = field(pmt.car(msg), "stream") - 2  # the post-processors' streams: 2 AB, 3 BA
        if d in (0, 1):
            with self.lock:
                self.leader_messages[d].append(bytes(pmt.u8vector_elements(pmt.cdr(msg))))

    def settle(self, quiet=0.3, longest=3.0):
        """Returns once no message has come for `quiet` seconds (at most `longest`)."""
        def count():
            with self.lock:
                return sum(len(m) for m in self.leader_messages.values()) + \
                    sum(len(m) for m in self.follower_messages.values())
        end = time.monotonic() + longest
        seen = count()
        while time.monotonic() < end:
            time.sleep(quiet)
            now = count()
            if now == seen:
                return
            seen = now

    def on_follower_message(self, msg):
        d = field(pmt.car(msg), "stream") - 2
        if d in (0, 1):
            with self.lock:
                self.follower_messages[d].append(bytes(pmt.u8vector_elements(pmt.cdr(msg))))

    def on_key(self, d, node, msg):
        meta, data = pmt.car(msg), pmt.cdr(msg)
        key = bytes(pmt.u8vector_elements(data))
        info = {k: field(meta, k)
                for k in ("key_index", "rounds_used", "disagreement", "bits_leaked", "epsilon",
                          "last_round_sequence", "use", "key_id")}
        if self.hide_application_keys and info["use"] == "application":
            check = hashlib.sha256(b"fiberkey-sim key check" + key).hexdigest()[:16]
            key = f"application key {info['key_id']} (check {check})"
        else:
            key = key.hex()
        with self.lock:
            mine = self.keys[(d, node)]
            mine.append((info["key_index"], key, info))
            other = self.keys[(d, "B" if node == "A" else "A")]
            if len(mine) <= len(other):
                self.key_times[d].append((self.frames_now(), time.monotonic() - self.start_wall,
                                          info["last_round_sequence"]))

    def agreed_keys(self, d):
        with self.lock:
            return min(len(self.keys[(d, "A")]), len(self.keys[(d, "B")]))


class monitor_recorder(gr.basic_block):
    """The Link Monitors' windows and alarm events of both receivers, with the time each
    event came (frames received, wall clock)."""

    # Windows kept per direction for the report and the plot (a long run keeps the last).
    kept_windows = 20_000

    def __init__(self, frames_now, rounds_now):
        gr.basic_block.__init__(self, "fiberkey_sim_monitor_recorder", None, None)
        self.lock = threading.Lock()
        self.frames_now = frames_now
        self.rounds_now = rounds_now
        self.start_wall = time.monotonic()
        self.windows = {d: [] for d in (0, 1)}
        self.events = {d: [] for d in (0, 1)}
        for d in (0, 1):
            for kind, store in (("pm", self.windows), ("alarm", self.events)):
                port = f"{kind}_{DIRECTIONS[d]}"
                self.message_port_register_in(pmt.intern(port))

                def handler(msg, d=d, store=store, kind=kind):
                    item = pmt.to_python(msg)
                    item["wall_seconds"] = time.monotonic() - self.start_wall
                    item["frames_received"] = self.frames_now()
                    if kind == "alarm":
                        item["round_sequences"] = self.rounds_now()
                    with self.lock:
                        store[d].append(item)
                        del store[d][:-self.kept_windows]
                handler.__name__ = f"on_{port}"
                setattr(self, handler.__name__, handler)
                self.set_msg_handler(pmt.intern(port), handler)

    def snapshot(self, d):
        with self.lock:
            return list(self.windows[d]), list(self.events[d])


def sm2_identities(workdir):
    """Fresh SM2 identities for A and B, made by fiberkey-tool (private keys mode 0600)."""
    tool = os.environ.get("FIBERKEY_TOOL") or shutil.which("fiberkey-tool")
    if not tool:
        raise RuntimeError("fiberkey-tool not found (needed for --link-start sm2)")
    for name in ("node_a", "node_b"):
        subprocess.run([tool, "sm2-keygen", os.path.join(workdir, name)], check=True,
                       stdout=subprocess.DEVNULL)
    return {n: (os.path.join(workdir, f"node_{n.lower()}.key"),
                os.path.join(workdir, f"node_{'b' if n == 'A' else 'a'}.pub"))
            for n in "AB"}


class link_sim:
    """The flowgraph of the whole link, built from the module's blocks."""

    def __init__(self, args, workdir):
        self.args = args
        self.tb = gr.top_block("fiberkey_sim")
        seeded = args.seed != 0
        rng = np.random.default_rng(args.seed) if seeded else None

        def random_bytes(n):
            return rng.bytes(n) if seeded else os.urandom(n)

        pp = pp_settings(args)
        negotiate = args.rounds == "negotiated"
        self.monitoring = args.monitor == "on" and args.channel == "analog"
        # The negotiators run in both cases: their lock step (a frame out per frame in,
        # a fixed number in flight) paces the nodes, which an unpaced flowgraph would
        # otherwise fill with thousands of queued frames, delaying every INT message.
        # With model rounds the post-processors take theirs on the nodes' "pp_rounds".
        common = dict(fec=args.fec == "on", negotiate=True, bits=args.bits,
                      pipeline_frames=args.pipeline_frames,
                      post_process=True, pp_mode=fiberkey.quantizer_mode_name(pp.mode),
                      bits_per_round=pp.bits_per_round, batch_rounds=pp.batch_rounds,
                      alpha=pp.alpha, rekey=True,
                      rounds_source="negotiator" if negotiate else "external",
                      integrity=args.integrity == "on",
                      tap_guard=self.monitoring,
                      # A plain byte channel carries the line packed; the modulator
                      # and the line fault injector take one bit per byte.
                      packed_line=args.channel == "direct" and args.tamper == 0)
        if args.link_start == "sm2":
            ids = sm2_identities(workdir)
            node_keys = {n: dict(own_key_file=ids[n][0], peer_public_file=ids[n][1],
                                 own_id=f"node-{n}", peer_id=f"node-{'B' if n == 'A' else 'A'}")
                         for n in "AB"}
        else:
            psk = random_bytes(32).hex()
            node_keys = {n: dict(psk_hex=psk) for n in "AB"}
        common["link_key_period"] = args.link_key_period
        kme = {n: {} for n in "AB"}
        if args.kme:
            stores = args.key_store_dir or workdir
            for n, own, peer in (("A", args.sae_a, args.sae_b), ("B", args.sae_b, args.sae_a)):
                name = f"kme_{n.lower()}"
                kme[n] = dict(kme_listen=args.kme_a if n == "A" else args.kme_b,
                              kme_tls_dir=args.tls_dir, sae_id=own, peer_sae_id=peer,
                              kme_store=os.path.join(stores, name + ".sqlite"),
                              kme_kek_file=key_encryption_key(
                                  os.path.join(stores, name + ".kek")))
        self.nodes = {}
        for i, n in enumerate("AB"):
            self.nodes[n] = fiberkey.node(n, args.link_start,
                                          seed=(args.seed * 4 + i + 1) if seeded else 0,
                                          **node_keys[n], **common, **kme[n])

        self.profiled = []  # (name, block) for --profile
        self.rec = round_recorder()
        self.keyrec = key_recorder(self.frames_received, hide_application_keys=args.kme)
        self.monrec = monitor_recorder(self.frames_received, self.round_sequences)
        self.monitors = {}
        # With --eve-from-seconds: (wall seconds, each receiver's monitor's frame periods,
        # each leader's newest round sequence) when the taps went in.
        self.tap_inserted = None
        self.checkers = {}
        for n in "AB":
            node = self.nodes[n]
            pattern = b"\x5a" + random_bytes(PAYLOAD - 1)
            self.tb.connect(fiberkey.payload_source(pattern), (node, 0))
            peer = "B" if n == "A" else "A"
            checker = fiberkey.payload_check(pattern)
            self.tb.connect((self.nodes[peer], 1), checker)
            self.checkers[n + peer] = checker
            for part in ("mux", "tx_crypt", "encoder", "decoder", "rx_crypt", "demux",
                         "channel", "keys", "negotiator", "pp_own", "pp_peer"):
                self.profiled.append((f"{n}.{part}", getattr(node, part)))
            self.profiled.append((f"payload check at {peer}", checker))
            if negotiate:
                self.tb.msg_connect(node.negotiator, "rounds", self.rec, "rounds")
            self.tb.msg_connect(node.pp_own, "seed_keys", self.keyrec,
                                f"keys_{'AB' if n == 'A' else 'BA'}_{n}")
            self.tb.msg_connect(node.pp_peer, "seed_keys", self.keyrec,
                                f"keys_{'BA' if n == 'A' else 'AB'}_{n}")

        if not negotiate:
            # The post-processors take their rounds from the round-level model instead
            # (the nodes were built with rounds_source "external"): one round of each
            # direction for every frame that node A receives.
            # 32 rounds a message: one message per frame would cost more CPU than the
            # rounds themselves.
            model = fiberkey.model_rounds(args.bits, args.noise_low, args.noise_high, 1e-5,
                                          args.seed * 16 + 9 if seeded else 0, 32)
            self.tb.msg_connect(self.nodes["A"].demux, "blocks", model, "tick")
            for port, n in (("a", "A"), ("b", "B")):
                self.tb.msg_connect(model, port, self.nodes[n], "pp_rounds")

        self.links, self.syncs, self.noise, self.eve_decoders = {}, {}, {}, {}
        self.recordings = []
        self.eve_observer = None
        self.tamperers = {}
        for d, (tx, rx) in enumerate((("A", "B"), ("B", "A"))):
            line = (self.nodes[tx], 0)
            if args.tamper > 0:
                # Switched on once the link is keyed (run): link start is in the clear
                # and the SM2 exchange authenticates itself.
                tamperer = fiberkey.line_fault_injector(
                    seed=(args.seed * 16 + 4 * d + 3) if seeded else 0)
                self.tb.connect(line, tamperer)
                self.tamperers[d] = tamperer
                self.profiled.append((f"{DIRECTIONS[d]} tamperer", tamperer))
                line = tamperer
            if args.channel == "analog":
                self.build_fiber(d, line, rx, seeded)
            else:
                self.tb.connect(line, (self.nodes[rx], 1))

    def build_fiber(self, d, line, rx, seeded):
        a = self.args
        tx = "A" if d == 0 else "B"
        seed = a.seed * 16 + 4 * d if seeded else 0
        tap = a.eve != "none"
        modulator = fiberkey.ook_modulator(1, a.launch_dbm, a.extinction_db, 0.0)
        self.launch_powers = (modulator.power_one_w(), modulator.power_zero_w())
        fiber = fiberkey.fiber_link(a.length_km, a.attenuation_db_per_km, 1.0, 0.8,
                                    a.thermal_pa, 7.7, False, 20.0, 5.0, 50.0, tap,
                                    a.eve_tap_fraction, a.eve_position_km, a.eve_thermal_pa,
                                    seed + 1 if seeded else 0)
        sync = fiberkey.soft_frame_sync()
        noise = fiberkey.noise_injector(1, a.noise_law, a.noise_low, a.noise_high,
                                        seed + 2 if seeded else 0)
        slicer = fiberkey.slicer(1, 0, "tag")
        self.tb.connect(line, modulator, fiber, sync, noise, slicer, (self.nodes[rx], 1))
        self.links[d], self.syncs[d], self.noise[d] = fiber, sync, noise
        if tap and a.eve_from_seconds > 0:
            fiber.set_tap_active(False)  # run() puts the coupler in
        if self.monitoring:
            monitor = fiberkey.link_monitor(a.monitor_window_frames,
                                            learn_windows=a.monitor_learn_windows,
                                            step_db=a.tap_step_db)
            self.tb.connect(sync, monitor)
            self.tb.msg_connect(self.nodes[rx], "rx_frame_status", monitor, "frame_status")
            self.tb.msg_connect(self.nodes[rx], "rx_status", monitor, "status")
            self.tb.msg_connect(monitor, "alarm", self.nodes[rx], "tap_alarm")
            self.tb.msg_connect(monitor, "pm", self.monrec, f"pm_{DIRECTIONS[d]}")
            self.tb.msg_connect(monitor, "alarm", self.monrec, f"alarm_{DIRECTIONS[d]}")
            self.monitors[d] = monitor
            self.profiled.append((f"{DIRECTIONS[d]} link_monitor", monitor))
        for name, block in (("ook_modulator", modulator), ("fiber_link", fiber),
                            ("soft_frame_sync", sync), ("noise_injector", noise),
                            ("slicer", slicer)):
            self.profiled.append((f"{DIRECTIONS[d]} {name}", block))
        if a.record:
            os.makedirs(a.record, exist_ok=True)
            path = os.path.join(a.record, f"received_{DIRECTIONS[d]}.sigmf-data")
            # A gate rather than a head block: a finished branch would stall the fiber.
            gate = blocks.copy(gr.sizeof_float)
            sink = fiberkey.sigmf_sink(path, 11.043846e9, 1,
                                       f"fiberkey-sim: photocurrent at {rx}'s receiver, "
                                       f"direction {DIRECTIONS[d]}")
            self.tb.connect(fiber, gate, sink)
            self.recordings.append((gate, sink))
        if tap:
            self.build_eve_receiver(d, tx, fiber)

    def build_eve_receiver(self, d, tx, fiber):
        """Eve's own receiver on her tap of this fiber: frame sync, decisions, the G.709
        line decoder. With the session keys ("compromised") she decrypts with them as the
        legitimate receiver does, and her observer pairs what she reads on both fibers
        into estimates of each round's counts; without them she has ciphertext only."""
        a = self.args
        sync = fiberkey.soft_frame_sync()
        slicer = fiberkey.slicer(1, 0, "tag")
        decoder = fiberkey.line_decoder(a.fec == "on", 246)
        if a.eve_from_seconds > 0:  # dark until her coupler goes in: that is no news
            for block in (sync, decoder):
                block.set_log_level("error")
        self.tb.connect((fiber, 1), sync, slicer, decoder)
        self.eve_decoders[d] = decoder
        for name, block in (("soft_frame_sync", sync), ("slicer", slicer),
                            ("line_decoder", decoder)):
            self.profiled.append((f"Eve {DIRECTIONS[d]} {name}", block))
        frames = decoder
        if a.eve == "compromised":
            node = self.nodes[tx]
            # She reads what she can decrypt: the integrity tag protects the receivers,
            # not her (and her own bit errors would otherwise cost her frames).
            crypt = fiberkey.zuc_crypt(d, False, [], 0, "auto", a.link_start == "sm2", False)
            self.tb.msg_connect(node.keys, "tx_key", crypt, "key")
            self.tb.msg_connect(node.pp_own, "session_key", crypt, "key")
            self.tb.msg_connect(node.pp_own, "send", self.keyrec, "leader_messages")
            # The follower's answers travel in the other direction's INT, which she
            # decrypts as well: its kept-round bitmaps are public.
            follower = self.nodes["B" if tx == "A" else "A"]
            self.tb.msg_connect(follower.pp_peer, "send", self.keyrec, "follower_messages")
            self.tb.connect(decoder, crypt)
            frames = crypt
        demux = fiberkey.otu_demux()
        self.tb.connect(frames, demux, blocks.null_sink(1))
        if self.eve_observer is None:
            # She unbiases what she sees with her own error rate on the line.
            self.eve_observer = fiberkey.eve_observer(
                a.bits, max(fiber.expected_ber(*self.launch_powers, True), 1e-9))
            self.tb.msg_connect(self.eve_observer, "rounds", self.rec, "eve_rounds")
        self.tb.msg_connect(demux, "blocks", self.eve_observer, "from_a" if tx == "A" else "from_b")

    def counts(self, d):
        """(F1, F2) of direction d's rounds: as the nodes counted them, or with --rounds
        model a sample of the model that fed the post-processors."""
        if self.args.rounds == "model":
            cfg = fiberkey.round_model_config()
            cfg.bits = self.args.bits
            cfg.noise_ber_low, cfg.noise_ber_high = self.args.noise_low, self.args.noise_high
            cfg.link_ber = [1e-5, 1e-5]
            f1, f2, _ = fiberkey.round_model(cfg).generate(d, 20000)
            return np.column_stack([f1, f2]).astype(float)
        with self.rec.lock:
            return np.array([p[1:] for p in self.rec.pairs[d]], dtype=float).reshape(-1, 2)

    def frames_received(self):
        return min(n.decoder.frames() for n in self.nodes.values())

    def run(self):
        a = self.args
        self.tb.start()
        start = time.monotonic()
        last_report = start
        outcome = "keys"
        self.memory_at_first_key = self.memory_at_half = None
        try:
            while True:
                time.sleep(0.2)
                now = time.monotonic()
                elapsed = now - start
                agreed = [self.keyrec.agreed_keys(d) for d in (0, 1)]
                if self.memory_at_first_key is None and min(agreed) >= 1:
                    self.memory_at_first_key = memory_mib()
                if self.memory_at_half is None and min(agreed) >= max(2, a.keys // 2):
                    self.memory_at_half = memory_mib()
                self.start_tampering()
                self.insert_tap(elapsed)
                if a.seconds > 0 and elapsed >= a.seconds:
                    outcome = "seconds"
                    break
                if a.seconds <= 0 and min(agreed) >= a.keys:
                    break
                if a.seconds <= 0 and self.held_for(now) >= HELD_STOP_SECONDS:
                    outcome = "held"
                    break
                if elapsed >= a.timeout:
                    outcome = "timeout"
                    break
                self.stop_recordings()
                if now - last_report >= 5.0:
                    last_report = now
                    self.progress(elapsed, agreed)
            # The leader's last messages (the COMMIT of the batch that made the last key)
            # may still wait in the recorder's queue: Eve needs them.
            if a.eve == "compromised":
                self.keyrec.settle()
                self.rec.settle_eve()
            if outcome != "timeout":
                self.stop_tampering()
        finally:
            self.memory_at_end = memory_mib()
            self.tb.stop()
            self.tb.wait()
        self.wall = time.monotonic() - start
        return outcome

    def receivers(self, d):
        return self.nodes["B" if d == 0 else "A"].rx_crypt

    def round_sequences(self):
        """The newest round sequence each direction's leader has taken in."""
        if not all(hasattr(n, "pp_own") for n in self.nodes.values()):
            return [0, 0]
        return [self.nodes["A" if d == 0 else "B"].pp_own.latest_round_sequence()
                for d in (0, 1)]

    def held_for(self, now):
        """Seconds for which a tap alarm has held key agreement at both nodes."""
        held = self.monitoring and all(n.guard.held() for n in self.nodes.values())
        if not held:
            self.held_since = None
            return 0.0
        if getattr(self, "held_since", None) is None:
            self.held_since = now
        return now - self.held_since

    def insert_tap(self, elapsed):
        """Puts Eve's couplers in once --eve-from-seconds have passed and the monitors have
        their baselines (before, there is nothing to detect a change against)."""
        a = self.args
        if a.eve_from_seconds <= 0 or self.tap_inserted is not None \
                or elapsed < a.eve_from_seconds \
                or any(m.learning() for m in self.monitors.values()):
            return
        for fiber in self.links.values():
            fiber.set_tap_active(True)
        # Each monitor's own stream clock: what a Python handler stamps on the alarms
        # comes late when the machine is loaded (a CI run saw 1,000 frames late).
        frames = [self.monitors[d].frame_periods() if self.monitoring
                  else self.frames_received() for d in (0, 1)]
        self.tap_inserted = (elapsed, frames, self.round_sequences())
        say(a, f"[{elapsed:6.1f} s] Eve's {100 * a.eve_tap_fraction:g} % taps go in at "
               f"frame {min(frames):,}")

    def start_tampering(self):
        """Turns the attacker on once both receivers decrypt (the link is keyed)."""
        if not self.tamperers or getattr(self, "tampering", False):
            return
        if all(self.receivers(d).frames_processed() > 0 for d in (0, 1)):
            for t in self.tamperers.values():
                t.set_tamper_probability(self.args.tamper)
            self.tampering = True

    def stop_tampering(self, frames_after=64, longest=30.0):
        """Turns the attacker off and waits until every frame she touched has reached
        its receiver's crypt (frames_after more frames processed there), so that the
        tampered and rejected counts compare exactly."""
        if not self.tamperers:
            return
        for t in self.tamperers.values():
            t.set_tamper_probability(0.0)

        def handled(d):
            rx = self.receivers(d)
            return rx.frames_processed() + rx.frames_dropped()

        target = {d: handled(d) + frames_after for d in (0, 1)}
        deadline = time.monotonic() + longest
        while (any(handled(d) < target[d] for d in (0, 1))
               and time.monotonic() < deadline):
            time.sleep(0.05)

    def stop_recordings(self):
        """Shuts the gate of each capture once it holds --record-frames frames; what is
        already past the gate (a scheduler chunk or so) is still written, and the sink
        writes the metadata when the flowgraph stops."""
        wanted = self.args.record_frames * 8 * fiberkey.frame_layout.frame_bytes
        for gate, sink in self.recordings:
            if gate.enabled() and sink.samples_written() >= wanted:
                gate.set_enabled(False)

    def progress(self, elapsed, agreed):
        frames = self.frames_received()
        rounds = [self.nodes["A" if d == 0 else "B"].pp_own.rounds_in() for d in (0, 1)]
        state = "link start" if frames < 50 or max(rounds) == 0 else "growing keys"
        say(self.args, f"[{elapsed:6.1f} s] {state}: {frames:,} frames per direction "
                       f"({frames / max(elapsed, 1e-9):,.0f}/s), rounds AB {rounds[0]:,} "
                       f"BA {rounds[1]:,}, seed keys agreed AB {agreed[0]} BA {agreed[1]}"
                       + (f" (of {self.args.keys})" if self.args.seconds <= 0 else ""))


def direction_figures(sim, d, frames):
    a = sim.args
    rec = sim.rec
    leader, follower = ("A", "B") if d == 0 else ("B", "A")
    keys_a = sim.keyrec.keys[(d, "A")]
    keys_b = sim.keyrec.keys[(d, "B")]
    pairs = sim.counts(d)
    lead_pp = sim.nodes[leader].pp_own
    n_rounds = len(pairs) if a.rounds == "negotiated" else lead_pp.rounds_in()
    mi = (fiberkey.mutual_information(pairs[:, 0].astype(int).tolist(),
                                      pairs[:, 1].astype(int).tolist())
          if n_rounds > 100 else float("nan"))
    secret_per_round = lead_pp.secret_bits() / max(lead_pp.rounds_in(), 1)
    follower_keys = sim.keyrec.keys[(d, follower)]
    kdr = (float(np.mean([k[2]["disagreement"] for k in follower_keys]))
           if follower_keys else float("nan"))
    leaked = (float(np.mean([k[2]["bits_leaked"] for k in follower_keys]))
              if follower_keys else float("nan"))
    used = (float(np.mean([k[2]["rounds_used"] for k in follower_keys]))
            if follower_keys else float("nan"))
    simulated = frames / OTU2_FRAMES_PER_SECOND
    agreed = min(len(keys_a), len(keys_b))
    out = {
        "keys_at_A": [k[1] for k in keys_a],
        "keys_at_B": [k[1] for k in keys_b],
        "key_indices_at_A": [k[0] for k in keys_a],
        "key_indices_at_B": [k[0] for k in keys_b],
        "keys_agreed": agreed,
        "keys_mismatched": sum(keys_a[i][1] != keys_b[i][1] or keys_a[i][0] != keys_b[i][0]
                               for i in range(agreed)),
        "line_ber_expected": (sim.links[d].expected_ber(*sim.launch_powers)
                              if d in sim.links else 0.0),
        "rounds": n_rounds,
        "rounds_per_simulated_second": n_rounds / simulated if simulated else 0.0,
        "rounds_per_wall_second": n_rounds / sim.wall,
        "mean_f1": float(np.mean(pairs[:, 0])) if n_rounds else None,
        "mean_f2": float(np.mean(pairs[:, 1])) if n_rounds else None,
        "correlation_f1_f2": correlation(pairs[:, 0], pairs[:, 1]) if n_rounds else None,
        "raw_bits_per_round": None if patent_mode(a) else a.bits_per_round,
        "kdr": kdr,
        "bits_leaked_per_key": leaked,
        "rounds_used_per_key": used,
        "secret_bits": lead_pp.secret_bits(),
        "secret_bits_per_round": secret_per_round,
        "mutual_information_bits_per_round": mi,
        "secret_to_mutual_information": secret_per_round / mi if mi and mi == mi else None,
        "batches_failed": lead_pp.batches_failed() + sim.nodes[follower].pp_peer.batches_failed(),
        "keys_per_simulated_second": agreed / simulated if simulated else 0.0,
        "keys_per_wall_second": agreed / sim.wall,
        "payload_bytes_checked": sim.checkers[leader + follower].bytes_checked(),
        "payload_bytes_wrong": sim.checkers[leader + follower].bytes_wrong(),
        "frames_dropped": (sim.nodes[leader].tx_crypt.frames_dropped()
                           + sim.nodes[follower].rx_crypt.frames_dropped()),
        "integrity": a.integrity == "on",
        "frames_tampered": sim.tamperers[d].frames_tampered() if d in sim.tamperers else 0,
        "frames_rejected_by_tag": sim.nodes[follower].rx_crypt.frames_rejected_by_tag(),
        "frames_damaged": sim.nodes[follower].rx_crypt.frames_damaged(),
        "tag_alarm": sim.nodes[follower].rx_crypt.tag_alarm(),
    }
    if patent_mode(a) and follower_keys:
        out["raw_bits_per_round"] = used / a.batch_rounds if used == used else None
    if d in sim.eve_decoders:
        out["eve"] = eve_figures(sim, d, [bytes.fromhex(k[1]) for k in keys_a[:agreed]],
                                 [k[0] for k in keys_a[:agreed]])
    if d in sim.monitors:
        out["monitor"] = monitor_figures(sim, d)
    return out


def monitor_figures(sim, d):
    """What the Link Monitor on direction d's receiver saw: the figures of its windows
    (medians, the first window left out: it holds the frame sync's acquisition), the
    windows with each defect, the alarms, and whether key agreement is held."""
    windows, events = sim.monrec.snapshot(d)
    rx = "B" if d == 0 else "A"
    node = sim.nodes[rx]
    steady = windows[1:]

    def median(key):
        values = [w[key] for w in steady if w.get(key) is not None and math.isfinite(w[key])]
        return float(np.median(values)) if values else None

    frames = sum(w["frames"] for w in windows)
    corrected = sum(w["corrected_symbols"] for w in windows)
    return {
        "receiver": rx,
        "window_frames": sim.args.monitor_window_frames,
        "windows": sim.monitors[d].windows(),
        "power_dbm": median("power_dbm"),
        "level_power_dbm": median("level_power_dbm"),
        "extinction_ratio_db": median("extinction_ratio_db"),
        "q_factor": median("q_factor"),
        "pre_fec_ber": corrected / (frames * FEC_BITS_PER_FRAME) if frames else None,
        "uncorrectable_codewords": sum(w["uncorrectable_codewords"] for w in windows),
        "defect_windows": {k: sum(1 for w in windows if w[k])
                           for k in ("dlos", "dlof", "dlom", "ddeg")},
        "alarms": [{k: e.get(k) for k in ("window", "cause", "drop_db", "wall_seconds",
                                          "frames_received")}
                   for e in events if e["event"] == "tap_alarm"],
        "events": [e["event"] for e in events],
        "key_agreement_held": bool(node.guard and node.guard.held()),
        "rounds_held": node.pp_own.rounds_held() + node.pp_peer.rounds_held(),
        "series": [(w["window"], w["power_dbm"], w["pre_fec_ber"]) for w in windows],
    }


def after(sequence, base):
    """Round sequence numbers (1..65535, wrapping) in serial order: sequence is later."""
    return 0 < (sequence - base) % 65535 < 32768


def tap_figures(sim):
    """With --eve-from-seconds: when the taps went in, when each receiver's monitor
    raised its alarm, and the seed keys formed from rounds after the tap (the exposure
    the detection time implies) and after the first alarm (none: key agreement is held
    there). A key's rounds are known by its last round's sequence."""
    wall, frames, tap_sequences = sim.tap_inserted
    out = {"inserted_at_wall_seconds": wall, "inserted_at_frame": min(frames),
           "directions": {}}
    window = sim.args.monitor_window_frames

    def alarm_frame(e):  # an alarm is raised as its window closes
        return (e["window"] + 1) * window

    alarms = {d: [e for e in sim.monrec.snapshot(d)[1]
                  if e["event"] == "tap_alarm" and alarm_frame(e) > frames[d]]
              for d in (0, 1)}
    first_alarm = min((a[0] for a in alarms.values() if a),
                      key=lambda e: e["wall_seconds"], default=None)
    for d in (0, 1):
        with sim.keyrec.lock:
            keys = list(sim.keyrec.key_times[d])
        mine = alarms[d][0] if alarms[d] else None
        after_tap = [k for k in keys if after(k[2], tap_sequences[d])]
        after_alarm = [k for k in keys if first_alarm is not None
                       and after(k[2], first_alarm["round_sequences"][d])]
        detection = alarm_frame(mine) - frames[d] if mine else None
        out["directions"][DIRECTIONS[d]] = {
            "inserted_at_frame": frames[d],
            "alarm_at_frame": alarm_frame(mine) if mine else None,
            "detection_frames": detection,
            "detection_link_ms": detection / OTU2_FRAMES_PER_SECOND * 1e3 if mine else None,
            "cause": mine["cause"] if mine else None,
            "keys_agreed": len(keys),
            "keys_from_rounds_after_tap": len(after_tap),
            "keys_from_rounds_after_first_alarm": len(after_alarm),
        }
    return out

def pp_settings(args):
    """The post-processing settings of these arguments (the core's, in users' units)."""
    s = fiberkey.post_processing_settings(args.mode)
    s.batch_rounds = args.batch_rounds
    s.alpha = args.alpha
    return s


def pp_config(args, role, direction):
    """The core configuration that the key_post_processor block builds for these
    arguments (Eve replays the protocol with the same parameters): the core's one
    factory."""
    return fiberkey.make_post_processor_config(role, direction, pp_settings(args))


def pp_message(msg, fields):
    """A post-processing message as it travels in INT (fiberkey.pp_messages), or None
    when it is malformed; fields: (soft, disclosed levels) of the mode."""
    try:
        return fiberkey.pp_messages.decode(bytes(msg), *fields)
    except ValueError:
        return None


def eve_key_guesses(sim, d):
    """Eve's seed keys: she runs the follower's side of the post-processing on her own
    estimates of the counts, with every leader message that she read in INT (bitmaps,
    syndromes, hash seeds), in their order, each BITMAP once she has the rounds of its
    span. The rounds both ends keep are public (the follower's BITMAP_REPLY travels in INT
    too): a round they kept that she missed gets a guess, so that her string lines up with
    theirs. In the patent mode she keeps exactly those rounds: her values are placed far on her side
    of her own mean for the rounds both ends kept and at the centre for the others, so
    that her post-processor's guard band drops just these. Where her decoding fails the
    key confirmation she has no key, and her best guess is a coin toss per bit."""
    rec = sim.rec
    pairs = rec.pairs[d]
    eve_config = pp_config(sim.args, fiberkey.pp_role.follower, d)
    eve = fiberkey.post_processor(eve_config)
    modes = fiberkey.quantizer_mode
    fields = (eve_config.mode in (modes.soft, modes.multilevel), eve_config.disclosed_levels)
    kind = fiberkey.pp_messages.type
    estimates = {seq: est for seq, _, _, est in rec.eve_pairs[d]}
    messages = sim.keyrec.leader_messages[d]
    bitmaps = {}  # batch -> (first sequence, the leader's kept rounds)
    for msg in messages:
        m = pp_message(msg, fields)
        if m and m.head.kind == kind.bitmap:
            bitmaps[m.head.batch] = (m.content.first_sequence, list(m.content.kept))
    replies = {}  # batch -> the follower's kept rounds
    for msg in sim.keyrec.follower_messages[d]:
        m = pp_message(msg, fields)
        if m and m.head.kind == kind.bitmap_reply:
            replies[m.head.batch] = list(m.content.kept)
    # The rounds of each batch, by position: rounds come in sequence order, a batch after
    # the other, so each belongs to the current batch's span or the next one's.
    batches = sorted(bitmaps)
    spans = [{(bitmaps[b][0] + i) & 0xFFFF: i for i in range(len(bitmaps[b][1]))}
             for b in batches]
    members = [[] for _ in batches]
    k = 0
    for i, (seq, _, _) in enumerate(pairs):
        if k + 1 < len(spans) and seq not in spans[k] and seq in spans[k + 1]:
            k += 1
        if k < len(spans) and seq in spans[k]:
            members[k].append((i, seq))
    ready = {b: (members[k][-1][0] + 1 if members[k] else len(pairs))
             for k, b in enumerate(batches)}
    patent = patent_mode(sim.args)
    override = {}  # position in pairs -> the value she feeds there
    guesses = {}   # batch -> [(sequence, value)]: rounds both ends kept that she missed
    for k, b in enumerate(batches):
        rounds = [(i, seq) for i, seq in members[k] if seq in estimates]
        if b not in replies or not rounds:
            continue
        kept = [x & y for x, y in zip(bitmaps[b][1], replies[b])]
        centre = float(np.mean([estimates[seq] for _, seq in rounds]))
        if patent:
            for i, seq in rounds:
                side = 200 if estimates[seq] > centre else -200
                override[i] = 248 + side if kept[spans[k][seq]] else 248
        # Her string must line up with the ends': a round they kept and she missed gets
        # a guess.
        guesses[b] = [(seq, 448 if patent else int(round(centre)))
                      for seq, j in spans[k].items() if kept[j] and seq not in estimates]

    def due(msg):
        m = pp_message(msg, fields)
        return ready.get(m.head.batch, 0) if m and m.head.kind == kind.bitmap else 0

    def feed(msg):
        m = pp_message(msg, fields)
        if m and m.head.kind == kind.bitmap:
            for seq, value in guesses.get(m.head.batch, []):
                eve.add_round(seq, value)
        eve.handle_message(msg)

    m = 0
    for i, (seq, _, _) in enumerate(pairs):
        if seq in estimates:
            eve.add_round(seq, override.get(i, int(round(estimates[seq]))))
        while m < len(messages) and due(messages[m]) <= i + 1:
            feed(messages[m])
            m += 1
    for msg in messages[m:]:
        feed(msg)
    eve.take_messages()  # her answers go nowhere: she only listens
    return {k.key_index: k.key for k in eve.take_keys()}


def eve_figures(sim, d, keys, indices):
    """Her agreement with the final seed keys and her information about F1 and F2."""
    a = sim.args
    rec = sim.rec
    dec = sim.eve_decoders[d]
    e = np.array(rec.eve_pairs[d], dtype=float).reshape(-1, 4)
    guesses = eve_key_guesses(sim, d) if a.eve == "compromised" else {}
    coin = np.random.default_rng(a.seed + 99 if a.seed else None)
    right = total = 0
    for index, key in zip(indices, keys):
        guess = guesses.get(index) or coin.bytes(len(key))
        diff = np.unpackbits(np.frombuffer(bytes(x ^ y for x, y in zip(key, guess)), np.uint8))
        right += int(len(diff) - diff.sum())
        total += len(diff)

    def mi(x, y):
        return (fiberkey.mutual_information(np.round(x).astype(int).tolist(),
                                            y.astype(int).tolist()) if len(x) > 100 else 0.0)
    return {
        "model": a.eve,
        "tap_fraction": a.eve_tap_fraction,
        "position_km": a.eve_position_km,
        "thermal_noise_pa_per_rthz": a.eve_thermal_pa,
        "line_ber_expected": sim.links[d].expected_ber(*sim.launch_powers, True),
        "frames_decoded": dec.frames(),
        "rounds_observed": len(e),
        "keys_recovered": sum(guesses.get(i) == k for i, k in zip(indices, keys)),
        "key_bit_agreement": right / total if total else None,
        # Without the keys she observes no count at all: nothing to measure, zero.
        "mutual_information_bits_per_round": mi(e[:, 3], e[:, 1]) if len(e) else 0.0,
        "mutual_information_f2_bits_per_round": mi(e[:, 3], e[:, 2]) if len(e) else 0.0,
        "correlation_with_f1": correlation(e[:, 3], e[:, 1]) if len(e) else None,
    }


def results(sim, outcome):
    frames = sim.frames_received()
    a = sim.args
    return {
        "program": "fiberkey-sim",
        "mode": a.mode,
        "link_start": a.link_start,
        "channel": a.channel,
        "rounds_from": a.rounds,
        "fec": a.fec == "on",
        "seeded_for_tests": a.seed != 0,
        "stopped_by": outcome,
        "parameters": {"bits": a.bits, "batch_rounds": a.batch_rounds, "alpha": a.alpha,
                       "length_km": a.length_km, "launch_dbm": a.launch_dbm,
                       "noise_law": a.noise_law, "noise_low": a.noise_low,
                       "noise_high": a.noise_high, "eve": a.eve},
        "frames": frames,
        "simulated_seconds": frames / OTU2_FRAMES_PER_SECOND,
        "wall_seconds": sim.wall,
        "frames_per_wall_second": frames / sim.wall,
        "share_of_line_rate": frames / sim.wall / OTU2_FRAMES_PER_SECOND,
        # [resident, peak resident] memory (MiB) once both directions had their first
        # seed key, half their keys, and at the end. The flowgraph's buffers are touched
        # for the first time over the first few thousand frames; after that it is flat.
        "memory_mib": {"at_first_key": list(sim.memory_at_first_key or (None, None)),
                       "at_half_keys": list(sim.memory_at_half or (None, None)),
                       "at_end": list(sim.memory_at_end)},
        "directions": {DIRECTIONS[d]: direction_figures(sim, d, frames) for d in (0, 1)},
        **({"tap": tap_figures(sim)} if sim.tap_inserted else {}),
        **({"kme": kme_figures(sim)} if a.kme else {}),
        **({"profile": profile(sim)} if a.profile else {}),
    }


def kme_figures(sim):
    """Each node's KME: where it listens, the keys it holds and delivered."""
    out = {}
    for n, d in (("A", 0), ("B", 1)):
        k = sim.nodes[n].kme
        out[n] = {"port": k.port(), "master_of": DIRECTIONS[d],
                  "keys_to_hand_out": k.keys_available(d),
                  "keys_to_deliver": k.keys_available(1 - d),
                  "delivered_as_master": k.keys_delivered_as_master(),
                  "delivered_as_slave": k.keys_delivered_as_slave(),
                  "requests": k.requests(), "requests_refused": k.requests_refused(),
                  "application_keys": [sim.nodes[n].pp_own.app_keys(),
                                       sim.nodes[n].pp_peer.app_keys()]}
    return out


def profile(sim):
    """Each block's work time (GNU Radio's performance counters), hottest first."""
    tps = gr.high_res_timer_tps()
    # Message-only blocks (the INT channel, the post-processors) have no work calls:
    # GNU Radio's counters for them hold no time, or garbage.
    rows = [(name, block.pc_work_time_total() / tps) for name, block in sim.profiled
            if block.input_signature().max_streams() != 0
            or block.output_signature().max_streams() != 0]
    total = sum(t for _, t in rows) or 1.0
    return [{"block": name, "work_seconds": t, "share": t / total}
            for name, t in sorted(rows, key=lambda r: -r[1])]


def print_report(res):
    print(f"fiberkey-sim: mode {res['mode']}, link start {res['link_start']}, "
          f"FEC {'on' if res['fec'] else 'off'}"
          + (" (SEEDED: for tests only)" if res["seeded_for_tests"] else ""))
    print(f"  {res['frames']:,} frames per direction in {res['wall_seconds']:.1f} s "
          f"({res['frames_per_wall_second']:,.0f} frames/s, "
          f"{100 * res['share_of_line_rate']:.2f} % of OTU2 line rate); "
          f"{res['simulated_seconds'] * 1e3:.1f} ms of link time")
    mem = res["memory_mib"]
    if mem["at_first_key"][0] is not None:
        half = (f", {mem['at_half_keys'][0]:.0f} MiB at half the keys"
                if mem["at_half_keys"][0] is not None else "")
        print(f"  memory: resident {mem['at_first_key'][0]:.0f} MiB at the first keys{half}, "
              f"{mem['at_end'][0]:.0f} MiB at the end (peak {mem['at_end'][1]:.0f} MiB)")
    if "profile" in res:
        print("  hottest blocks (share of the work time of all blocks):")
        for row in res["profile"][:10]:
            print(f"    {row['block']:24s} {100 * row['share']:5.1f} %  "
                  f"({1e3 * row['work_seconds'] / max(res['frames'], 1):.3f} ms per frame)")
    for name, r in res["directions"].items():
        print(f"direction {name} ({name[0]} leads):")
        for i, (ka, kb) in enumerate(zip(r["keys_at_A"], r["keys_at_B"])):
            mark = "agreed" if ka == kb else "MISMATCH"
            print(f"  seed key {r['key_indices_at_A'][i]:3d}  {ka}  {mark}")
        mi = r["mutual_information_bits_per_round"]
        print(f"  rounds {r['rounds']:,} ({r['rounds_per_wall_second']:,.0f}/s wall, "
              f"{r['rounds_per_simulated_second']:,.0f}/s simulated), corr(F1,F2) "
              f"{r['correlation_f1_f2'] if r['correlation_f1_f2'] is not None else float('nan'):.3f}")
        print(f"  disagreement before correction {r['kdr']:.4f}, bits leaked per key "
              f"{r['bits_leaked_per_key']:.0f}, secret bits per round "
              f"{r['secret_bits_per_round']:.3f} of I(F1;F2) {mi:.3f}")
        print(f"  seed keys per simulated second {r['keys_per_simulated_second']:.1f}, "
              f"per wall-clock second {r['keys_per_wall_second']:.3f}; batches failed "
              f"{r['batches_failed']}; client bytes checked {r['payload_bytes_checked']:,}, "
              f"wrong {r['payload_bytes_wrong']}")
        if r["frames_tampered"] or r["frames_rejected_by_tag"]:
            print(f"  active attacker: {r['frames_tampered']:,} frames tampered, "
                  f"{r['frames_rejected_by_tag']:,} rejected by their integrity tag, tag alarm "
                  f"{'raised' if r['tag_alarm'] else 'not raised'}")
        if "monitor" in r:
            m = r["monitor"]
            fmt = lambda v, f: format(v, f) if v is not None else "n/a"  # noqa: E731
            print(f"  link monitor at {m['receiver']}: {fmt(m['power_dbm'], '.2f')} dBm, "
                  f"pre-FEC BER {fmt(m['pre_fec_ber'], '.2e')}, Q {fmt(m['q_factor'], '.2f')}, "
                  f"extinction {fmt(m['extinction_ratio_db'], '.1f')} dB over "
                  f"{m['windows']:,} windows; defect windows "
                  + ", ".join(f"{k} {v}" for k, v in m["defect_windows"].items())
                  + f"; tap alarms {len(m['alarms'])}"
                  + (", KEY AGREEMENT HELD" if m["key_agreement_held"] else ""))
            for al in m["alarms"]:
                print(f"    TAP ALARM at {al['wall_seconds']:.1f} s (frame "
                      f"{al['frames_received']:,}, window {al['window']}): {al['cause']}, "
                      f"{al['drop_db']:.3f} dB below the baseline")
        if "eve" in r:
            e = r["eve"]
            kba = e["key_bit_agreement"]
            print(f"  Eve ({e['model']}, {100 * e['tap_fraction']:g} % tap at "
                  f"{e['position_km']:g} km): {e['frames_decoded']:,} frames decoded, "
                  f"{e['rounds_observed']:,} rounds observed, I(her estimate; F1) "
                  f"{e['mutual_information_bits_per_round']:.3f} bits/round, seed keys "
                  f"recovered {e['keys_recovered']}, key bits right "
                  + (f"{kba:.3f}" if kba is not None else "n/a"))


def print_kme_report(res):
    for n, k in res["kme"].items():
        print(f"KME {n} (port {k['port']}, master of {k['master_of']}): "
              f"{k['keys_to_hand_out']} seed keys to hand out, {k['keys_to_deliver']} to "
              f"deliver; delivered {k['delivered_as_master']} as master, "
              f"{k['delivered_as_slave']} as slave; {k['requests']} requests "
              f"({k['requests_refused']} refused)")


def print_tap_report(res):
    t = res["tap"]
    print(f"taps inserted at {t['inserted_at_wall_seconds']:.1f} s, frame "
          f"{t['inserted_at_frame']:,}:")
    for name, r in t["directions"].items():
        exposure = (f"seed keys formed from rounds after the tap "
                    f"{r['keys_from_rounds_after_tap']}, after the first alarm "
                    f"{r['keys_from_rounds_after_first_alarm']}")
        if r["alarm_at_frame"] is None:
            print(f"  {name}: NO ALARM at this receiver; {exposure}")
            continue
        print(f"  {name}: alarm ({r['cause']}) {r['detection_frames']:,} frames later "
              f"({r['detection_link_ms']:.1f} ms of link time); {exposure}")


def guard_lines(values, args):
    """Where the quantizer cuts F at one end: the patent's guard band (mean +- alpha
    sigma), or the equiprobable bins' boundaries (empirical quantiles)."""
    if patent_mode(args):
        mu, sd = float(np.mean(values)), float(np.std(values))
        return [mu - args.alpha * sd, mu + args.alpha * sd], True
    q = args.bits_per_round
    return [float(np.quantile(values, k / 2 ** q)) for k in range(1, 2 ** q)], False


def plot(sim, res, path):
    import matplotlib
    import matplotlib.ticker
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    args = sim.args
    fig, ax = plt.subplots(2, 2, figsize=(13, 9.5))
    fig.suptitle(f"fiberkey-sim: nodes A and B over {args.length_km:g} km, mode {args.mode}, "
                 f"{res['frames']:,} frames ({res['simulated_seconds'] * 1e3:.0f} ms of link "
                 f"time)", fontsize=13)
    pairs = sim.counts(0)
    ab = res["directions"]["AB"]
    shown = pairs[:: max(1, len(pairs) // 4000)]

    a = ax[0, 0]
    a.scatter(shown[:, 0], shown[:, 1], s=4, alpha=0.35, color="tab:blue")
    if len(pairs):
        cuts1, band = guard_lines(pairs[:, 0], args)
        cuts2, _ = guard_lines(pairs[:, 1], args)
        if band:
            a.axvspan(*cuts1, color="tab:red", alpha=0.12, label="guard band at A (dropped)")
            a.axhspan(*cuts2, color="tab:orange", alpha=0.12, label="guard band at B (dropped)")
        else:
            for i, (c1, c2) in enumerate(zip(cuts1, cuts2)):
                a.axvline(c1, color="tab:red", lw=0.8, label="bin edges at A" if i == 0 else None)
                a.axhline(c2, color="tab:orange", lw=0.8,
                          label="bin edges at B" if i == 0 else None)
        a.legend(loc="upper left", fontsize=9)
    a.set_xlabel("F1: errors counted at A in a round")
    a.set_ylabel("F2: errors counted at B in the same round")
    corr = ab["correlation_f1_f2"]
    a.set_title(f"Direction AB: the same noise seen from both ends"
                + (f" (corr {corr:.3f})" if corr is not None else ""))

    a = ax[0, 1]
    if len(pairs):
        # Counts are integers: bin edges between them, a few counts wide.
        width = max(1, int(pairs.max()) // 60 + 1)
        bins = np.arange(-0.5, pairs.max() + width + 0.5, width)
        a.hist(pairs[:, 0], bins=bins, alpha=0.55, label="F1 at A", color="tab:blue")
        a.hist(pairs[:, 1], bins=bins, alpha=0.55, label="F2 at B", color="tab:green")
        cuts1, band = guard_lines(pairs[:, 0], args)
        if band:
            a.axvspan(*cuts1, color="tab:red", alpha=0.12, label="A's guard band")
        else:
            for i, c in enumerate(cuts1):
                a.axvline(c, color="tab:red", lw=0.8, label="A's bin edges" if i == 0 else None)
        a.legend(fontsize=9)
    a.set_xlabel("errors per round")
    a.set_ylabel("rounds")
    a.set_title("Histograms: key bits come from where F falls")

    a = ax[1, 0]
    for d, name in enumerate(DIRECTIONS):
        times = sim.keyrec.key_times[d]
        if times:
            t = [f / OTU2_FRAMES_PER_SECOND * 1e3 for f, *_ in times]
            a.step([0] + t, range(len(t) + 1), where="post",
                   label=f"{name}: {res['directions'][name]['secret_bits_per_round']:.2f} "
                         f"secret bits/round")
    a.set_xlabel("link time (ms at the OTU2 frame rate)")
    a.set_ylabel("256-bit seed keys agreed")
    a.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    a.set_title("Key yield: each seed key becomes the next session key")
    a.legend(fontsize=9)

    a = ax[1, 1]
    eve = ab.get("eve")
    if eve and sim.rec.eve_pairs[0]:
        e = np.array(sim.rec.eve_pairs[0], dtype=float)
        e = e[:: max(1, len(e) // 4000)]
        a.scatter(e[:, 1], e[:, 3], s=4, alpha=0.35, color="tab:purple")
        a.set_xlabel("F1 at A")
        a.set_ylabel("Eve's estimate")
        a.set_title(f"Eve ({eve['model']}): key bits right "
                    f"{eve.get('key_bit_agreement', float('nan')):.3f}, "
                    f"I(est;F1) {eve.get('mutual_information_bits_per_round', float('nan')):.2f} "
                    f"bits/round")
    elif eve:
        a.axis("off")
        a.text(0.02, 0.6, f"Eve ({eve['model']}): tapped {100 * eve['tap_fraction']:g} % of the "
                          f"light at {eve['position_km']:g} km\nand decoded "
                          f"{eve['frames_decoded']:,} frames of ciphertext.\n"
                          f"Without the session keys she learns nothing about F1, F2:\n"
                          f"her key bits are right {eve.get('key_bit_agreement', 0.5):.3f} "
                          f"of the time (a coin: 0.5).", fontsize=11, va="top")
    else:
        a.axis("off")
        a.text(0.02, 0.6, "No eavesdropper in this run.\n"
                          "fiberkey-sim --eve tap | compromised\nadds one and plots her view.",
                          fontsize=11, va="top")
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    fig.savefig(path, dpi=90)
    plt.close(fig)


def check(res, args):
    """Problems that make the run a failure (exit status 1)."""
    problems = []
    for name, r in res["directions"].items():
        if r["keys_mismatched"]:
            problems.append(f"{name}: {r['keys_mismatched']} seed keys differ between A and B")
        # Without FEC the line's own bit errors (BER about 1e-5) reach the client bytes;
        # with it, none may.
        if r["payload_bytes_wrong"] and args.fec == "on":
            problems.append(f"{name}: {r['payload_bytes_wrong']} client bytes wrong")
        if r["payload_bytes_checked"] == 0:
            problems.append(f"{name}: no client byte arrived")
        if r["frames_rejected_by_tag"] != r["frames_tampered"]:
            problems.append(f"{name}: {r['frames_tampered']} frames tampered, "
                            f"{r['frames_rejected_by_tag']} rejected by their tag")
        if args.seconds <= 0 and r["keys_agreed"] < args.keys and \
                res["stopped_by"] != "held":
            problems.append(f"{name}: {r['keys_agreed']} of {args.keys} seed keys")
    return problems


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    if args.list_modes:
        for name in MODE_HELP:
            print(f"{name:<13} {MODE_HELP[name]}")
        return 0
    if args.profile:
        os.environ["GR_CONF_PERFCOUNTERS_ON"] = "True"  # read as each block is made
    if not args.verbose:  # the level a block's logger takes when it is made
        gr.logging().set_default_level(gr.log_levels.warn)
    if args.seed:
        print("fiberkey-sim: --seed fixes the randomness: FOR TESTS ONLY, these keys are "
              "not secret", file=sys.stderr)
    # Python blocks (the recorders) share the GIL with the scheduler's Python calls: hand
    # it over often, or each waits up to 5 ms per turn.
    sys.setswitchinterval(2e-4)
    with tempfile.TemporaryDirectory(prefix="fiberkey-sim-") as workdir:
        try:
            sim = link_sim(args, workdir)
        except (ValueError, RuntimeError) as e:
            # A value a block refused that the ranges above let through: still a bad
            # argument, said in one line.
            print(f"fiberkey-sim: error: {e}", file=sys.stderr)
            return 2
        say(args, f"fiberkey-sim: nodes A and B over {args.length_km:g} km, mode {args.mode}, "
                  f"n = {args.batch_rounds}, m = {args.bits}; link start by {args.link_start}; "
                  + (f"until {args.keys} seed keys per direction" if args.seconds <= 0
                     else f"for {args.seconds:g} s"))
        outcome = sim.run()
    res = results(sim, outcome)
    print_report(res)
    if "tap" in res:
        print_tap_report(res)
    if "kme" in res:
        print_kme_report(res)
    if outcome == "held":
        print("fiberkey-sim: stopped: key agreement held by a tap alarm (no seed key is "
              "formed from rounds after it)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1)
    if args.plot:
        plot(sim, res, args.plot)
        say(args, f"fiberkey-sim: figures in {args.plot}")
    problems = check(res, args)
    if outcome == "timeout":
        problems.append(f"timed out after {args.timeout:g} s")
    for p in problems:
        print(f"fiberkey-sim: FAILED: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
