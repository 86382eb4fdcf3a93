#!/usr/bin/python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""fiberkey-sweep: key yield against one parameter, from the round-level model.

For each value of the swept parameter it draws rounds of direction AB from the
round-level model (F1 at the leader, F2 at the follower), runs the leader's and the
follower's key post-processing back to back (every message delivered), checks that every
seed key agrees at both ends, and reports secret bits per round against I(F1;F2), the
syndrome bits per round that reconciliation disclosed (syn/rnd; the CSV has the
multilevel mode's disclosed levels too), and what the key makes at the OTU2 line rate
(one round per frame and direction, 82,025 a second): seed keys per second, and how
long the rounds of the first key take to collect (whole batches: longer batches yield
more per round but make the first key wait). It can write the table as CSV and plot it
(PNG; sweeping n, with that trade-off beside it).
"""
import argparse
import csv
import math
import sys

import numpy as np

from gnuradio import fiberkey
from gnuradio.fiberkey import cli, post_processing

ROUNDS_PER_SECOND = 82025.0  # OTU2 frames per second: one round each, per direction
SEED_KEY_BITS = 256

PARAMETERS = {
    "m": "array length m (bits)",
    "n": "rounds per batch n",
    "alpha": "guard band alpha (patent mode)",
    "noise-high": "upper end of the local-noise BER range",
}


def draw_rounds(args, value):
    model_cfg = fiberkey.round_model_config()
    model_cfg.bits = int(value) if args.param == "m" else args.m
    model_cfg.link_ber = [args.link_ber, args.link_ber]
    model_cfg.noise_ber_low = args.noise_low
    model_cfg.noise_ber_high = value if args.param == "noise-high" else args.noise_high
    model = fiberkey.round_model(model_cfg)
    f1, f2, _ = model.generate(0, args.rounds)
    return f1, f2


def parse_mode(text, default_q=None):
    """(quantizer_mode, q) of a mode spec in the core's grammar: 'patent',
    'equiprobable[:q]', 'soft[:q]' or 'multilevel[:q]' (fiberkey.parse_pp_mode); without
    ':q' the --q option if given (not for multilevel), else the mode's default (multilevel
    4, soft 3, equiprobable 2)."""
    try:
        return fiberkey.parse_pp_mode(text, default_q or 0)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e))


def run_point(args, value, f1, f2, mi, mode, q):
    settings = fiberkey.post_processing_settings()
    settings.mode = mode
    settings.bits_per_round = q
    settings.batch_rounds = int(value) if args.param == "n" else args.n
    settings.alpha = value if args.param == "alpha" else args.alpha
    # As the key_post_processor block builds it (abandon_after_rounds = 8 n: unreachable
    # here, where messages are delivered synchronously every 50 rounds).
    result = post_processing.agree(f1, f2, settings)
    keys_l, leader = result.leader_keys, result.leader
    paired = len(result.paired())
    mismatched = result.mismatched()
    stats = leader.stats()
    secret = stats.secret_bits / args.rounds
    # Where the symbols' bits went, over the batches that gave key: the syndromes and the
    # levels disclosed in the clear (the multilevel mode's), per round like the key.
    reports = [r for r in leader.take_reports() if r.reconciled]
    syndrome = sum(r.leak.syndrome_bits for r in reports) / args.rounds
    disclosed = sum(r.leak.disclosed_bits for r in reports) / args.rounds
    kdr = float(np.mean([k.disagreement for k in keys_l])) if keys_l else float("nan")
    # The first key waits for whole batches until they have yielded its 256 bits.
    n = settings.batch_rounds
    batches = math.ceil(SEED_KEY_BITS / (secret * n)) if secret > 0 else math.inf
    return {
        "value": value,
        "mode": fiberkey.format_pp_mode(mode, q),
        "secret_bits_per_round": secret,
        "mutual_information_bits_per_round": mi,
        "ratio": secret / mi if mi > 0 else float("nan"),
        "keys_per_second": secret * ROUNDS_PER_SECOND / SEED_KEY_BITS,
        "first_key_ms": batches * n / ROUNDS_PER_SECOND * 1e3,
        "kdr": kdr,
        "syndrome_bits_per_round": syndrome,
        "disclosed_bits_per_round": disclosed,
        "keys": paired,
        "mismatched_keys": mismatched,
        "batches": stats.batches_started,
        "batches_failed": stats.batches_failed,
        "blocks_dropped": stats.blocks_dropped,
        "corr": float(np.corrcoef(f1, f2)[0, 1]),
    }


# Ranges of the numeric options and of each swept parameter's values (fiberkey.cli).
RANGES = {
    "rounds": (100, 100_000_000, "rounds per point"),
    "alpha": (0.0, 10.0, "standard deviations"),
    **cli.MODEL_RANGES,
}
VALUE_RANGES = {"m": RANGES["m"], "n": RANGES["n"], "alpha": RANGES["alpha"],
                "noise-high": RANGES["noise_high"]}


def main(argv=None):
    p = cli.parser(prog="fiberkey-sweep", description=__doc__,
                   formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--param", choices=sorted(PARAMETERS), default="alpha",
                   help="the parameter to sweep")
    p.add_argument("--values", type=float, nargs="+",
                   help="its values (default: a range that suits the parameter)")
    p.add_argument("--rounds", type=int, default=20000, help="rounds per point")
    p.add_argument("--mode", nargs="+", default=["patent"],
                   help="one or more of patent (the patent's guard band, 1 bit per "
                   "round), equiprobable (q Gray-coded bits per round, hard-decision "
                   "decoding), soft (the same bits, soft-decision decoding from the "
                   "follower's own counts), multilevel (q levels of equiprobable bins, the "
                   "lowest disclosed (q - 2 at q = 3 and 4, 2 at q = 5), the others "
                   "decoded with soft information given them), each optionally with :q "
                   "(e.g. soft:2; default q: "
                   "multilevel 4 (3..5), soft 3, equiprobable 2); all modes of a point run "
                   "on the same rounds")
    p.add_argument("--q", type=int, choices=(1, 2, 3, 4),
                   help="bits per round for the equiprobable and soft modes given without "
                   ":q (default: each mode's own)")
    p.add_argument("--m", type=int, default=496)
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--alpha", type=float, default=0.5)
    p.add_argument("--noise-low", type=float, default=1e-3)
    p.add_argument("--noise-high", type=float, default=0.2)
    p.add_argument("--link-ber", type=float, default=1e-5)
    p.add_argument("--csv", help="write the table here")
    p.add_argument("--plot", help="write a PNG plot here")
    args = p.parse_args(argv)
    defaults = {"m": [64, 128, 248, 496], "n": [500, 1000, 2000, 4000],
                "alpha": [0.0, 0.25, 0.5, 0.75, 1.0], "noise-high": [0.05, 0.1, 0.2, 0.3]}
    values = args.values or defaults[args.param]
    try:
        modes = [parse_mode(m, args.q) for m in args.mode]
    except argparse.ArgumentTypeError as e:
        p.error(str(e))
    cli.check_ranges(p, args, RANGES)
    low, high, what = VALUE_RANGES[args.param]
    for v in values:
        if not low <= v <= high or (args.param in ("m", "n") and v != int(v)):
            p.error(f"--values: {args.param} must be in [{low:,}, {high:,}] ({what}"
                    f"{', whole numbers' if args.param in ('m', 'n') else ''}), got {v:g}")
        if args.param == "noise-high" and v < args.noise_low:
            p.error(f"--values: noise-high {v:g} is below --noise-low {args.noise_low:g}")
    if args.param != "noise-high" and args.noise_low > args.noise_high:
        p.error(f"--noise-low ({args.noise_low:g}) must not exceed --noise-high "
                f"({args.noise_high:g})")
    cli.check_writable(p, "--csv", args.csv)
    cli.check_writable(p, "--plot", args.plot)

    rows = []
    print(f"fiberkey-sweep: {PARAMETERS[args.param]}, {args.rounds} rounds per point, "
          f"modes {' '.join(args.mode)}", flush=True)
    print(f"{'value':>10} {'mode':>14} {'secret/round':>12} {'I(F1;F2)':>9} {'ratio':>7} "
          f"{'KDR':>7} {'syn/rnd':>7} {'keys':>5} {'failed':>6} {'dropped':>7} "
          f"{'corr':>6} "
          f"{'keys/s':>7} {'1st key ms':>10}")
    for v in values:
        f1, f2 = draw_rounds(args, v)
        mi = fiberkey.mutual_information(f1.tolist(), f2.tolist())
        for mode, q in modes:
            r = run_point(args, v, f1, f2, mi, mode, q)
            rows.append(r)
            print(f"{v:>10g} {r['mode']:>14} {r['secret_bits_per_round']:>12.4f} "
                  f"{r['mutual_information_bits_per_round']:>9.3f} {r['ratio']:>7.3f} "
                  f"{r['kdr']:>7.4f} {r['syndrome_bits_per_round']:>7.4f} "
                  f"{r['keys']:>5d} {r['batches_failed']:>6d} {r['blocks_dropped']:>7d} "
                  f"{r['corr']:>6.3f} {r['keys_per_second']:>7.0f} "
                  f"{r['first_key_ms']:>10.1f}", flush=True)
    bad = sum(r["mismatched_keys"] for r in rows)
    print(f"mismatched seed keys: {bad}")

    if args.csv:
        with open(args.csv, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
    if args.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        trade_off = args.param == "n"
        fig, axes = plt.subplots(1, 2 if trade_off else 1,
                                 figsize=(13 if trade_off else 7, 4.5), squeeze=False)
        ax = axes[0][0]
        for label in dict.fromkeys(r["mode"] for r in rows):
            mine = [r for r in rows if r["mode"] == label]
            ax.plot([r["value"] for r in mine], [r["secret_bits_per_round"] for r in mine],
                    "o-", label=f"secret bits per round, {label}")
        first = [r for r in rows if r["mode"] == rows[0]["mode"]]
        ax.plot([r["value"] for r in first],
                [r["mutual_information_bits_per_round"] for r in first], "s--",
                label="I(F1;F2): what the counts share")
        if trade_off:
            ax.set_xscale("log")  # batches from hundreds to a hundred thousand rounds
        ax.set_xlabel(PARAMETERS[args.param])
        ax.set_ylabel("bits per round")
        ax.set_title(f"Key yield, {args.rounds} rounds per point")
        ax.grid(True, alpha=0.3)
        ax.legend()
        if trade_off:
            ax2 = axes[0][1]
            for label in dict.fromkeys(r["mode"] for r in rows):
                mine = [r for r in rows if r["mode"] == label and
                        math.isfinite(r["first_key_ms"])]
                ax2.plot([r["first_key_ms"] for r in mine],
                         [r["keys_per_second"] for r in mine], "o-", label=label)
                for r in mine:
                    ax2.annotate(f"n={r['value']:g}", (r["first_key_ms"], r["keys_per_second"]),
                                 textcoords="offset points", xytext=(4, 4), fontsize=8)
            ax2.set_xscale("log")
            ax2.set_xlabel("rounds of the first seed key at the OTU2 line rate (ms)")
            ax2.set_ylabel("seed keys per second at the line rate")
            ax2.set_title("Batch length: key rate against latency to the first key")
            ax2.grid(True, alpha=0.3, which="both")
            ax2.legend()
        fig.tight_layout()
        fig.savefig(args.plot, dpi=110)
        print(f"plot: {args.plot}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
