#!/usr/bin/python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""fiberkey-lab: seed keys from a lab's own captures (README, "Lab testbed").

pattern: what a node's transmitter sends for N consecutive frames, for a pulse-pattern
generator or an AWG to play: fresh random NEG arrays in ND1 and ND2 of every frame with
the sequence numbers a live link uses, encrypted under the session key by the module's
zuc_crypt, G.709 FEC and scrambler by its line_encoder; plus PREFIX.json, the manifest
the keys step needs, and PREFIX.neg, the plaintext NEG blocks (secret: 0600).

keys: runs each node's receiver on the capture of the peer's pattern (fiberkey-replay:
clock recovery, frame sync, the local noise injector on the NEG samples, slicer, line
decoder, ZUC, demux), forms every round of protocol.md section 5 from the patterns'
arrays and the decisions (the INT feedback, digital and RS-protected, is passed in
process), and post-processes both directions to seed keys.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading

import numpy as np
import pmt

from gnuradio import blocks, gr
from gnuradio import fiberkey
from gnuradio.fiberkey import cli, post_processing

FRAME = fiberkey.frame_layout.frame_bytes
ITEM = fiberkey.frame_layout.frame_item_bytes
BLOCK = 255
ARRAY = fiberkey.neg_block.array_bytes
MAX_FRAMES = 65535  # one send sequence per frame, no wrap within a pattern
MANIFEST_VERSION = 1
# Levels of the waveform formats: what the manifest states and the capture side expects.
LEVELS = {"bits": None, "u8": {"zero": 0, "one": 1}, "i8": {"zero": -127, "one": 127},
          "f32": {"zero": -1.0, "one": 1.0}}
SUFFIX = {"bits": ".bits", "u8": ".u8", "i8": ".i8", "f32": ".f32"}


def fail(text, status=1):
    print(f"fiberkey-lab: {text}", file=sys.stderr)
    sys.exit(status)


def sequence(i):
    """The send sequence of a pattern's frame i, and the peer sequence its ND2 answers."""
    return i % 65535 + 1


class pattern_frames(gr.sync_block):
    """The pattern's plaintext frames, tagged with their counters, for zuc_crypt."""

    def __init__(self, blocks_of, first_counter):
        gr.sync_block.__init__(self, "pattern_frames", [], [(np.uint8, ITEM)])
        self.blocks_of, self.first = blocks_of, first_counter
        self.next = 0
        self.counter_key = pmt.intern("frame_counter")
        self.epoch_key = pmt.intern("key_epoch")

    def work(self, input_items, output_items):
        out = output_items[0]
        n = min(len(out), len(self.blocks_of) - self.next)
        if n <= 0:
            return -1
        for k in range(n):
            i = self.next + k
            frame = fiberkey.otu_frame.build(self.first + i, 0, b"", self.blocks_of[i], b"")
            out[k, :FRAME] = np.frombuffer(frame, dtype=np.uint8)
            out[k, FRAME:] = 0
            offset = self.nitems_written(0) + k
            self.add_item_tag(0, offset, self.counter_key,
                              pmt.from_uint64(self.first + i))
            self.add_item_tag(0, offset, self.epoch_key, pmt.from_long(0))
        self.next += n
        return n


def make_pattern(args):
    seeded = args.seed != 0
    rng = np.random.default_rng(args.seed) if seeded else None

    def random_bytes(n):
        return rng.bytes(n) if seeded else os.urandom(n)

    if seeded:
        print("fiberkey-lab: --seed fixes the arrays and the key: FOR TESTS ONLY",
              file=sys.stderr)
    key = bytes.fromhex(args.session_key) if args.session_key else random_bytes(16)
    direction = 0 if args.node == "A" else 1
    # Every frame: ND1 with fresh X1, X2 under send sequence s = i + 1, ND2 with fresh
    # Y1, Y2 answering the peer's round of the same sequence.
    neg = []
    for i in range(args.frames):
        x1, x2, y1, y2 = (random_bytes(ARRAY) for _ in range(4))
        s = sequence(i)
        neg.append(fiberkey.neg_block.encode(s, x1, x2, s, y1, y2))
    secret_mode = 0o600
    arrays_path = args.out + ".neg"
    with open(os.open(arrays_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, secret_mode),
              "wb") as f:
        f.write(b"".join(neg))
    os.chmod(arrays_path, secret_mode)

    signal_path = args.out + SUFFIX[args.format]
    tb = gr.top_block("fiberkey_lab_pattern")
    src = pattern_frames(neg, args.first_counter)
    crypt = fiberkey.zuc_crypt(direction, True, list(key), 0, "auto", False,
                               args.integrity == "on")
    packed = args.format == "bits"
    encoder = fiberkey.line_encoder(args.fec == "on", packed)
    tb.connect(src, crypt, encoder)
    if args.format in ("bits", "u8"):
        tb.connect(encoder, blocks.file_sink(gr.sizeof_char, signal_path))
    else:
        lv = LEVELS[args.format]
        # NRZ: bit b -> zero + b (one - zero), each bit K samples.
        to_float = blocks.uchar_to_float()
        scale = blocks.multiply_const_ff(float(lv["one"] - lv["zero"]))
        offset = blocks.add_const_ff(float(lv["zero"]))
        chain = [encoder, to_float, scale, offset]
        if args.samples_per_bit > 1:
            chain.append(blocks.repeat(gr.sizeof_float, args.samples_per_bit))
        if args.format == "i8":
            chain.append(blocks.float_to_char(1, 1.0))
            chain.append(blocks.file_sink(gr.sizeof_char, signal_path))
        else:
            chain.append(blocks.file_sink(gr.sizeof_float, signal_path))
        tb.connect(*chain)
    tb.run()
    if crypt.frames_processed() != args.frames:
        fail(f"zuc_crypt encrypted {crypt.frames_processed()} of {args.frames} frames")

    manifest = {
        "fiberkey_lab_pattern": MANIFEST_VERSION,
        "node": args.node,
        "direction": direction,
        "frames": args.frames,
        "first_counter": args.first_counter,
        "session_key": key.hex(),
        "epoch": 0,
        "m": ARRAY * 8,
        "fec": args.fec == "on",
        "integrity": args.integrity == "on",
        "payload": "zeros",
        "sequences": "frame i: ND1 send sequence i % 65535 + 1; ND2 answers the peer's "
                     "send sequence i % 65535 + 1",
        "format": args.format,
        "samples_per_bit": args.samples_per_bit,
        "levels": LEVELS[args.format],
        "bit_order": "MSB first" if packed else None,
        "line_bit_rate": fiberkey.frame_layout.line_bit_rate,
        "line_bits": args.frames * FRAME * 8,
        "signal_file": os.path.basename(signal_path),
        "arrays_file": os.path.basename(arrays_path),
        "arrays_sha256": hashlib.sha256(b"".join(neg)).hexdigest(),
        "seeded": seeded,
    }
    manifest_path = args.out + ".json"
    with open(os.open(manifest_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, secret_mode),
              "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    os.chmod(manifest_path, secret_mode)
    print(f"node {args.node}: {args.frames} frames (counters {args.first_counter}.."
          f"{args.first_counter + args.frames - 1}), {manifest['line_bits']:,} line bits "
          f"-> {signal_path} ({args.format}"
          f"{f', {args.samples_per_bit} samples per bit' if args.format in ('i8', 'f32') else ''})"
          f"; manifest {manifest_path}, arrays {arrays_path} (secret, 0600)")
    return 0


def load_pattern(p, flag, prefix, node):
    """The manifest and the plaintext NEG blocks of a pattern, checked (fields, length
    and SHA-256 of the arrays: fiberkey.lab_pattern)."""
    path = prefix if prefix.endswith(".json") else prefix + ".json"
    cli.check_readable(p, flag, path)
    try:
        pattern = fiberkey.lab_pattern.read(path)
    except ValueError as e:
        p.error(f"{flag} {e}")
    if pattern.node != node:
        p.error(f"{flag} {path}: the pattern of node {pattern.node}, not {node}")
    return pattern


def segmented(args, capture):
    """Whether a capture is segmented: by the options, or by its SigMF metadata."""
    if args.segment_samples is not None:
        return True
    if args.format != "sigmf":
        return False
    meta = capture.removesuffix(".sigmf-data").removesuffix(".sigmf-meta") \
        .removesuffix(".sigmf") + ".sigmf-meta"
    try:
        with open(meta) as f:
            return "fiberkey:segment_first_bit" in json.load(f).get("global", {})
    except (OSError, ValueError, AttributeError):
        return False  # fiberkey-replay says what is wrong with it


def replay_tool():
    return os.environ.get("FIBERKEY_REPLAY") or shutil.which("fiberkey-replay") or \
        fail("fiberkey-replay not found (install gr-fiberkey, or set FIBERKEY_REPLAY)")


def run_receiver(args, label, capture, pattern, workdir, seed):
    """fiberkey-replay on one capture: its figures (JSON) and decided NEG blocks by
    frame counter; progress and errors go to stderr with the receiver's name."""
    neg_path = os.path.join(workdir, f"{label}.neg")
    json_path = os.path.join(workdir, f"{label}.json")
    # The key by a file in the private work directory: a command line is public.
    key_path = os.path.join(workdir, f"{label}.key")
    with open(os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
        f.write(pattern.session_key.hex() + "\n")
    cmd = [replay_tool(), capture, "--format", args.format,
           "--key-file", key_path, "--direction", str(pattern.direction),
           "--fec", "on" if pattern.fec else "off",
           "--integrity", "on" if pattern.integrity else "off",
           "--noise-law", args.noise_law, "--noise-low", repr(args.noise_low),
           "--noise-high", repr(args.noise_high),
           "--neg-out", neg_path, "--json", json_path]
    for flag, value in (("--rate", args.rate), ("--samples-per-bit", args.samples_per_bit),
                        ("--bit-rate", args.bit_rate), ("--scale", args.scale),
                        ("--segment-samples", args.segment_samples),
                        ("--segment-first-bit", args.segment_first_bit),
                        ("--segment-search", args.segment_search)):
        if value is not None:
            cmd += [flag, repr(value)]
    if segmented(args, capture):
        # Segments carry no counter: the pattern says which frames they may hold.
        cmd += ["--pattern-counters", f"{pattern.first_counter}:{pattern.frames}"]
    if seed:
        cmd += ["--noise-seed", str(seed)]
    if not args.quiet:
        cmd.append("--progress")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out = {}

    def relay():
        for line in proc.stderr:
            if not args.quiet or not line.startswith("progress:"):
                print(f"{label}: {line.rstrip()}", file=sys.stderr, flush=True)

    t = threading.Thread(target=relay)
    t.start()
    out["stdout"] = proc.stdout.read()
    proc.wait()
    t.join()
    out["status"] = proc.returncode
    if proc.returncode not in (0, 3):
        fail(f"{label}: fiberkey-replay {capture} failed (exit {proc.returncode}); "
             f"its report:\n{out['stdout']}")
    with open(json_path) as f:
        out["figures"] = json.load(f)
    records = []
    if os.path.exists(neg_path):
        with open(neg_path, "rb") as f:
            data = f.read()
        step = 4 + BLOCK
        records = [(int.from_bytes(data[i:i + 4], "big"), data[i + 4:i + step])
                   for i in range(0, len(data) - len(data) % step, step)]
    out["records"] = records
    return out


def form_rounds(a, b, at_a, at_b):
    """Counts and sequences of both directions from both patterns and the decided NEG
    blocks (records (counter, block) of the receiver at A, of B's frames, and at B), by
    fiberkey.lab_rounds: a round whose frames a receiver did not decode is lost; a frame
    received again (a generator looping its pattern) counts once."""
    rounds = fiberkey.lab_rounds(a, b)
    formed = [r for at, records in (("A", at_a), ("B", at_b)) for c, block in records
              if (r := rounds.add(at, c, block)) is not None]
    formed.sort(key=lambda r: r["index"])
    seqs = [r["sequence"] for r in formed]
    lost = rounds.frames() - len(formed)
    return {"AB": ([r["ab_at_a"] for r in formed], [r["ab_at_b"] for r in formed], seqs, lost),
            "BA": ([r["ba_at_b"] for r in formed], [r["ba_at_a"] for r in formed], seqs, lost)}


def direction_figures(d, leader_name, f1, f2, seqs, lost, settings):
    figures = post_processing.count_figures(f1, f2)
    result = post_processing.agree(f1, f2, settings, d, seqs)
    keys = {leader_name: result.leader_keys,
            ("B" if leader_name == "A" else "A"): result.follower_keys}
    stats = result.leader.stats()
    rounds = max(len(f1), 1)
    mi = figures["mutual_information_bits_per_round"]
    secret = stats.secret_bits / rounds
    follower_keys = result.follower_keys
    mean = (lambda name: float(np.mean([getattr(k, name) for k in follower_keys]))
            if follower_keys else float("nan"))
    figures.update({
        "keys_at_A": [k.key.hex() for k in keys["A"]],
        "keys_at_B": [k.key.hex() for k in keys["B"]],
        "key_indices_at_A": [k.key_index for k in keys["A"]],
        "key_indices_at_B": [k.key_index for k in keys["B"]],
        "keys_agreed": len(result.paired()),
        "keys_mismatched": result.mismatched(),
        "rounds_lost": lost,
        "kdr": mean("disagreement"),
        "bits_leaked_per_key": mean("bits_leaked"),
        "rounds_used_per_key": mean("rounds_used"),
        "secret_bits": stats.secret_bits,
        "secret_bits_per_round": secret,
        # Over the rounds of the batches begun: a short capture's unfinished last batch
        # would otherwise read as lost yield.
        "secret_bits_per_batched_round": (
            stats.secret_bits / (stats.batches_started * settings.batch_rounds)
            if stats.batches_started else None),
        "secret_to_mutual_information": secret / mi if mi and mi == mi else None,
        "batches_failed": stats.batches_failed + result.follower.stats().batches_failed,
    })
    return figures


def plot(res, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
    for ax, d in zip(axes, ("AB", "BA")):
        f1, f2 = res["counts"][d]
        if f1:
            # Rounds per cell on a log scale: most rounds sit at low noise.
            ax.hist2d(f1, f2, bins=min(40, max(5, int(np.ptp(f1)) + 1)), cmap="viridis",
                      cmin=1, norm=matplotlib.colors.LogNorm())
        r = res["directions"][d]
        corr = r["correlation_f1_f2"]
        ax.set_title(f"{d}: {r['rounds']} rounds, corr {corr if corr is not None else float('nan'):.2f}"
                     f", {r['keys_agreed']} seed keys")
        ax.set_xlabel("F1 (leader)")
        ax.set_ylabel("F2 (follower)")
    fig.suptitle("fiberkey-lab: error counts of each round, from the captures")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def make_keys(args):
    p = args.parser
    a = load_pattern(p, "--pattern-a", args.pattern_a, "A")
    b = load_pattern(p, "--pattern-b", args.pattern_b, "B")
    seeded = args.seed != 0
    if seeded:
        print("fiberkey-lab: --seed fixes the local noise: FOR TESTS ONLY", file=sys.stderr)
    settings = fiberkey.post_processing_settings(args.mode)
    settings.batch_rounds = args.batch_rounds
    with tempfile.TemporaryDirectory(prefix="fiberkey-lab-") as work:
        os.chmod(work, 0o700)
        results = {}
        # Both receivers at once: two cores, two captures.
        jobs = [("at B", args.at_b, a, args.seed * 2 + 1 if seeded else 0),
                ("at A", args.at_a, b, args.seed * 2 + 2 if seeded else 0)]
        threads = [threading.Thread(target=lambda j=j: results.__setitem__(
            j[0], run_receiver(args, j[0], j[1], j[2], work, j[3]))) for j in jobs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if len(results) != 2:
            fail("a receiver failed")
    res = {"captures": {}, "directions": {}, "counts": {}}
    for label, pattern in (("at B", a), ("at A", b)):
        r = results[label]
        fig = r["figures"]
        counters = [c for c, _ in r["records"]]
        distinct = set(counters)
        fig["frames_in_pattern"] = pattern.frames
        fig["frames_with_neg"] = len(distinct)
        # A generator that loops its pattern sends each frame's arrays again: a round is
        # formed once, from the first time its frame was received.
        fig["frames_repeated"] = len(counters) - len(distinct)
        fig["frames_matching_pattern"] = sum(
            1 for c in distinct
            if pattern.first_counter <= c < pattern.first_counter + pattern.frames)
        res["captures"][label.replace(" ", "_")] = fig
        if fig["frames_matching_pattern"] == 0:
            fail(f"{label}: no frame of node {pattern.node}'s pattern decoded from "
                 f"{fig['file']} ({fig.get('frames_decoded', 0)} frames decoded, "
                 f"{fig.get('frames_dropped', 0)} dropped: a capture of another pattern or "
                 f"key?)\n{r['stdout']}", 3)
    counts = form_rounds(a, b, results["at A"]["records"], results["at B"]["records"])
    for d, name, leader in ((0, "AB", "A"), (1, "BA", "B")):
        f1, f2, seqs, lost = counts[name]
        res["counts"][name] = (f1, f2)
        res["directions"][name] = direction_figures(d, leader, f1, f2, seqs, lost, settings)
    res["settings"] = {"mode": settings.mode_spec, "batch_rounds": settings.batch_rounds,
                       "noise_law": args.noise_law, "noise_low": args.noise_low,
                       "noise_high": args.noise_high}
    report(res, args)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({k: v for k, v in res.items() if k != "counts"}, f, indent=2)
            f.write("\n")
    if args.plot:
        plot(res, args.plot)
    mismatched = sum(r["keys_mismatched"] for r in res["directions"].values())
    return 1 if mismatched else 0


def report(res, args):
    for label, c in res["captures"].items():
        ppm = c.get("clock_offset_ppm")
        ber = c.get("line_ber_estimate")
        if c.get("segmented"):
            found = (f"{c['segments']} segments, {c['segments_decided']} decided "
                     f"({c['frames_skipped']} frames skipped)")
            line = "line BER from the known NEG bits"
        else:
            found = f"{c['frames_found']} frames found, {c['frames_decoded']} decoded"
            line = (f"FEC corrected {c['corrected_symbols']} bytes, "
                    f"{c['uncorrectable_codewords']} codewords lost, line BER")
        print(f"capture {label.replace('_', ' ')}: {c['file']}: {found}, "
              f"{c['frames_matching_pattern']} of the pattern's {c['frames_in_pattern']} with "
              f"NEG; {c['samples_per_bit_found']:.5g} samples per bit"
              f"{f' ({ppm:+.0f} ppm)' if ppm is not None else ''}; {line}"
              f"{f' ~{ber:.2g}' if ber is not None else ''}")
    for d, r in res["directions"].items():
        corr = r["correlation_f1_f2"]
        mi = r["mutual_information_bits_per_round"]
        print(f"{d}: {r['rounds']} rounds ({r['rounds_lost']} lost), corr(F1,F2) "
              f"{corr if corr is not None else float('nan'):.3f}, I(F1;F2) {mi:.3f} "
              f"bits/round, secret {r['secret_bits_per_round']:.3f} bits/round "
              f"({r['secret_bits_per_batched_round'] or 0.0:.3f} over the batches), "
              f"{r['keys_agreed']} seed keys agreed, {r['keys_mismatched']} mismatched")
        if not args.quiet:
            for i, k in zip(r["key_indices_at_A"], r["keys_at_A"]):
                print(f"  key {i}: {k}")


def parse_args(argv):
    p = cli.parser(prog="fiberkey-lab",
                   description="Seed keys from a lab's captures: transmit patterns, then "
                               "keys from the captures of both directions.")
    sub = p.add_subparsers(dest="step", required=True)
    pat = sub.add_parser("pattern", help="write a node's transmit pattern and manifest")
    pat.error = p.error
    pat.add_argument("--node", choices=("A", "B"), required=True)
    pat.add_argument("--frames", type=int, required=True,
                     help=f"consecutive frames, 1..{MAX_FRAMES} (a key needs about 1,000 "
                          f"rounds at the default batch: one round per frame)")
    pat.add_argument("--out", required=True, metavar="PREFIX",
                     help="writes PREFIX.json, PREFIX.neg and PREFIX.<format>")
    pat.add_argument("--format", choices=tuple(SUFFIX), default="bits",
                     help="bits: line bits packed MSB first; u8: one bit per byte; i8, "
                          "f32: NRZ samples (levels in the manifest)")
    pat.add_argument("--samples-per-bit", type=int, default=1,
                     help="samples per bit of i8 and f32 (1..64)")
    pat.add_argument("--session-key", metavar="HEX",
                     help="the node's 128-bit transmit session key (default: a fresh one "
                          "from the OS's CSPRNG)")
    pat.add_argument("--first-counter", type=int, default=0,
                     help="frame counter of the first frame (never reuse a counter range "
                          "under one key)")
    pat.add_argument("--fec", choices=("on", "off"), default="on")
    pat.add_argument("--integrity", choices=("on", "off"), default="on")
    pat.add_argument("--seed", type=int, default=0,
                     help="fixed arrays and key: FOR TESTS ONLY (0: the OS's CSPRNG)")

    k = sub.add_parser("keys", help="seed keys from the captures of both patterns")
    k.error = p.error
    k.add_argument("--pattern-a", required=True, metavar="PREFIX")
    k.add_argument("--pattern-b", required=True, metavar="PREFIX")
    k.add_argument("--at-b", required=True, metavar="CAPTURE",
                   help="B's receiver's capture of A's pattern")
    k.add_argument("--at-a", required=True, metavar="CAPTURE",
                   help="A's receiver's capture of B's pattern")
    cap = k.add_argument_group("captures (as fiberkey-replay takes them)")
    cap.add_argument("--format", choices=("sigmf", "f32", "i16", "i8"), default="sigmf")
    cap.add_argument("--rate", type=float, help="samples per second of raw captures")
    cap.add_argument("--samples-per-bit", type=float)
    cap.add_argument("--bit-rate", type=float)
    cap.add_argument("--scale", type=float)
    cap.add_argument("--segment-samples", type=int, metavar="N",
                     help="segmented captures (one scope segment per frame, holding its "
                          "NEG block): samples per segment")
    cap.add_argument("--segment-first-bit", type=float, metavar="B",
                     help="the frame's line bit at each segment's first sample (NEG is "
                          "bits 130560..132599 of a frame)")
    cap.add_argument("--segment-search", type=int, metavar="BITS",
                     help="bits either side of B where NEG is looked for (default 64)")
    k.add_argument("--mode", default="multilevel",
                   help="post-processing mode (fiberkey-sim's; default multilevel)")
    k.add_argument("--batch-rounds", type=int, default=1000, help="n, rounds per batch")
    k.add_argument("--noise-law", default="ber_log_uniform",
                   help="the receivers' local noise, as fiberkey-sim's")
    k.add_argument("--noise-low", type=float, default=1e-3)
    k.add_argument("--noise-high", type=float, default=0.2)
    k.add_argument("--json", metavar="FILE")
    k.add_argument("--plot", metavar="FILE.png")
    k.add_argument("--quiet", action="store_true", help="no progress, no keys printed")
    k.add_argument("--seed", type=int, default=0,
                   help="fixed local noise: FOR TESTS ONLY (0: the OS's CSPRNG)")
    args = p.parse_args(argv)
    args.parser = p
    if args.step == "pattern":
        if not 1 <= args.frames <= MAX_FRAMES:
            p.error(f"--frames must be in 1..{MAX_FRAMES}, got {args.frames}")
        if not 1 <= args.samples_per_bit <= 64:
            p.error(f"--samples-per-bit must be in 1..64, got {args.samples_per_bit}")
        if args.samples_per_bit > 1 and args.format in ("bits", "u8"):
            p.error("--samples-per-bit is for the waveform formats i8 and f32")
        if not 0 <= args.first_counter <= 2**32 - args.frames:
            p.error("--first-counter: the pattern's counters must fit in 32 bits")
        if args.session_key is not None:
            try:
                if len(bytes.fromhex(args.session_key)) != 16:
                    raise ValueError
            except ValueError:
                p.error("--session-key must be 32 hex digits (128 bits)")
        if not 0 <= args.seed < 2**31:
            p.error(f"--seed must be in 0..{2**31 - 1}")
        cli.check_directory(p, "--out", os.path.dirname(os.path.abspath(args.out)))
        if os.path.isdir(args.out):
            p.error(f"--out {args.out}: a directory; give a prefix such as {args.out}/a")
    else:
        try:
            fiberkey.parse_pp_mode(args.mode)
        except ValueError as e:
            p.error(f"--mode: {e}")
        cli.check_ranges(p, args, {"noise_low": cli.MODEL_RANGES["noise_low"],
                                   "noise_high": cli.MODEL_RANGES["noise_high"]})
        if not cli.MODEL_RANGES["n"][0] <= args.batch_rounds <= cli.MODEL_RANGES["n"][1]:
            p.error(f"--batch-rounds must be in {cli.MODEL_RANGES['n'][0]}.."
                    f"{cli.MODEL_RANGES['n'][1]}")
        for flag, path in (("--at-b", args.at_b), ("--at-a", args.at_a)):
            data = path
            if args.format == "sigmf" and not path.endswith(".sigmf-data"):
                data = path.removesuffix(".sigmf-meta").removesuffix(".sigmf") + ".sigmf-data"
            cli.check_readable(p, flag, data)
        if (args.segment_samples is None) != (args.segment_first_bit is None):
            p.error("--segment-samples and --segment-first-bit go together")
        if args.segment_search is not None and args.segment_samples is None:
            p.error("--segment-search goes with --segment-samples")
        cli.check_writable(p, "--json", args.json)
        cli.check_writable(p, "--plot", args.plot)
        if not 0 <= args.seed < 2**28:
            p.error(f"--seed must be in 0..{2**28 - 1}")
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    gr.logging().set_default_level(gr.log_levels.warn)  # the tool reports what counts
    return make_pattern(args) if args.step == "pattern" else make_keys(args)


if __name__ == "__main__":
    sys.exit(main())
