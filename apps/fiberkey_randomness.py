#!/usr/bin/python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""fiberkey-randomness: NIST SP 800-22 over seed keys from the round-level model.

It draws rounds of direction AB from the round-level model, runs the leader's and the
follower's key post-processing back to back (every message delivered), keeps the seed keys
both ends agree on, concatenates them into one bit string and cuts it into SEQUENCES
sequences of SEQUENCE_BITS bits. Each of the SP's 15 tests runs on every sequence it applies
to at that length (section 2's minimum lengths; random excursions only on sequences with
J >= 500 cycles), and each row (a test, or one template or state of it) is judged by the
SP's section 4.2: the proportion of sequences with P >= alpha within
(1 - alpha) +- 3 sqrt(alpha (1 - alpha) / m), and the P-values uniform, P-value_T >= 0.0001
(computed for m >= 55 sequences, as the SP asks). With some 190 rows at alpha = 0.01 a
truly random source fails a few rows by chance (about 3 for m = 100); the run is accepted
when the failing rows stay within what chance gives with probability 0.999. It exits
non-zero otherwise or when a key mismatches. --dieharder runs dieharder's tests that fit
the key file as a second opinion.
"""
import argparse
import math
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

from gnuradio import fiberkey
from gnuradio.fiberkey import cli

sts = fiberkey.nist_sts
KEY_BITS = 256


def plan(n):
    """The tests that apply to n-bit sequences, with the SP's parameters for that n.

    Each entry: (name, minimum n, function of the bit array returning [(variant, P)]).
    """
    log2n = int(math.floor(math.log2(n)))
    serial_m = min(16, log2n - 3)  # SP 2.11.7: m < floor(log2 n) - 2
    apen_m = min(10, log2n - 6)  # SP 2.12.7: m < floor(log2 n) - 5
    block_m = max(20, n // 99 + 1)  # SP 2.2.7: M >= 20, M > 0.01 n, N < 100

    def one(r):
        return [("", r.p_value)]

    def excursions(r):
        if not r.applicable:
            return []
        return [(f"x={x:+d}", res.p_value) for x, res in zip(r.states, r.results)]

    tests = [
        ("Frequency", 100, lambda e: one(sts.frequency(e))),
        (f"BlockFrequency M={block_m}", 100, lambda e: one(sts.block_frequency(e, block_m))),
        ("CumulativeSums", 100,
         lambda e: [(v, r.p_value) for v, r in zip(("forward", "backward"), sts.cumulative_sums(e))]),
        ("Runs", 100, lambda e: one(sts.runs(e))),
        ("LongestRun", 128, lambda e: one(sts.longest_run_of_ones(e))),
        ("Rank 32x32", 38 * 32 * 32, lambda e: one(sts.binary_matrix_rank(e, 32, 32))),
        ("FFT", 1000, lambda e: one(sts.discrete_fourier_transform(e))),
        ("NonOverlappingTemplate m=9 N=8", 8 * 1032, lambda e: [
            (f"#{i + 1}", r.p_value) for i, r in enumerate(sts.non_overlapping_templates(e, 9, 8))]),
        ("OverlappingTemplate m=9 M=1032", 1000000,
         lambda e: one(sts.overlapping_template(e, 9, 1032, 5))),
        ("Universal", 387840, lambda e: one(sts.universal(e))),
        ("LinearComplexity M=500", 1000000, lambda e: one(sts.linear_complexity(e, 500))),
        (f"Serial m={serial_m}", 100,
         lambda e: [(v, r.p_value) for v, r in zip(("P1", "P2"), sts.serial(e, serial_m))]),
        (f"ApproximateEntropy m={apen_m}", 100, lambda e: one(sts.approximate_entropy(e, apen_m))),
        ("RandomExcursions", 1000000, lambda e: excursions(sts.random_excursions(e))),
        ("RandomExcursionsVariant", 1000000,
         lambda e: excursions(sts.random_excursions_variant(e))),
    ]
    return [(name, fn) for name, minimum, fn in tests if n >= minimum], \
        [(name, minimum) for name, minimum, fn in tests if n < minimum]


def generate_keys(args):
    model_cfg = fiberkey.round_model_config()
    model_cfg.bits = args.m
    model_cfg.link_ber = [args.link_ber, args.link_ber]
    model_cfg.noise_ber_low = args.noise_low
    model_cfg.noise_ber_high = args.noise_high
    settings = fiberkey.post_processing_settings()
    settings.mode, settings.bits_per_round = fiberkey.parse_pp_mode(args.mode, args.q or 0)
    settings.batch_rounds = args.n
    settings.alpha = args.alpha_guard
    # As the key_post_processor block builds it; model_seed_keys sets the role per end.
    c = fiberkey.make_post_processor_config(fiberkey.pp_role.leader, 0, settings)
    keys = math.ceil(args.sequences * args.sequence_bits / KEY_BITS)
    return fiberkey.model_seed_keys(model_cfg, c, keys, args.seed)


def binomial_cdf(k, m, p):
    return sum(math.comb(m, i) * p ** i * (1 - p) ** (m - i) for i in range(k + 1))


def second_level(rows, alpha):
    """rows: {(test, variant): [P, ...]} -> list of judged rows.

    Each row also carries the probability that a truly random generator fails it
    (exact binomial for the proportion, 10^-4 for the uniformity).
    """
    out = []
    for (test, variant), ps in rows.items():
        m = len(ps)
        passed = sum(p >= alpha for p in ps)
        rng = sts.passing_proportion_range(m, alpha)
        proportion_ok = rng.low <= passed / m <= rng.high
        p_t = sts.uniformity_p_value(ps) if m >= 55 else None
        uniform_ok = p_t is None or p_t >= 0.0001
        # Failing sequences allowed: the most f with (m - f) / m >= low.
        allowed = math.floor(m * (1 - rng.low) + 1e-9)
        chance = 1 - binomial_cdf(allowed, m, alpha) + (1e-4 if p_t is not None else 0.0)
        out.append(dict(test=test, variant=variant, sequences=m, passed=passed,
                        low=rng.low, p_t=p_t, ok=proportion_ok and uniform_ok, chance=chance))
    return out


def chance_bound(judged, level=0.999):
    """Expected failing rows for a random generator, and the number of failing rows that
    chance alone stays within with probability `level` (Poisson, rows taken independent).
    """
    mean = sum(r["chance"] for r in judged)
    k, cdf, term = 0, math.exp(-mean), math.exp(-mean)
    while cdf < level:
        k += 1
        term *= mean / k
        cdf += term
    return mean, k


# dieharder tests whose data need fits a key file of a few to a few hundred Mbit: each
# reads at most about 4 32-bit words per tsample and psample, measured on this dieharder
# (3.31.1) with file input, and gives sound P-values from the tsamples given
# (diehard_runs fails /dev/urandom's bytes below about 10^4 tsamples). A run that still
# rewinds the file is reported and not counted. The others need far more data: birthdays,
# ranks, OPSO, DNA, ... tens of millions to billions of words at their defaults, and Byte
# Distribution fails /dev/urandom's bytes at the tsamples a 25 Mbit file allows.
DIEHARDER_TESTS = [
    # (dieharder -d number, name, words per tsample, fewest tsamples)
    (100, "sts_monobit", 4, 1000),
    (101, "sts_runs", 4, 1000),
    (102, "sts_serial", 4, 1000),
    (15, "diehard_runs", 4, 10000),
]


def run_dieharder(path, words):
    """Runs each fitting test with psamples x tsamples chosen to read at most the file."""
    dieharder = shutil.which("dieharder")
    if not dieharder:
        print("dieharder: not installed (Debian package dieharder)")
        return True
    ok = True
    print(f"\ndieharder on {path} ({words} 32-bit words), file input, no rewinds:")
    for number, name, per_sample, min_tsamples in DIEHARDER_TESTS:
        tsamples = max(min_tsamples, words // (100 * per_sample))
        psamples = min(100, words // (tsamples * per_sample))
        if psamples < 10:
            print(f"  {name}: skipped, the file is too small")
            continue
        cmd = [dieharder, "-g", "201", "-f", path, "-d", str(number), "-p", str(psamples),
               "-t", str(tsamples)]
        res = subprocess.run(cmd, capture_output=True, text=True, check=False)
        text = res.stdout + res.stderr
        if "rewound" in text.lower():
            print(f"  {name}: the file rewound; result not counted")
            continue
        for line in text.splitlines():
            fields = [f.strip() for f in line.split("|")]
            if len(fields) == 6 and fields[0] == name:
                print(f"  {name:16s} ntup {fields[1]:>2s} tsamples {fields[2]:>9s} "
                      f"psamples {fields[3]:>4s} p {fields[4]:>10s} {fields[5]}")
                ok = ok and fields[5] != "FAILED"
    return ok


# Ranges of the numeric options (fiberkey.cli).
RANGES = {
    "sequences": (1, 1_000_000, "sequences"),
    "sequence_bits": (100, 1_000_000_000, "bits per sequence"),
    "seed": (0, 2**62, "a test seed"),
    "alpha": (1e-9, 0.5, "a significance level"),
    "alpha_guard": (0.0, 10.0, "standard deviations"),
    **cli.MODEL_RANGES,
}


def main(argv=None):
    p = cli.parser(prog="fiberkey-randomness", description=__doc__,
                   formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sequences", type=int, default=100, help="sequences m (SP: >= 1/alpha)")
    p.add_argument("--sequence-bits", type=int, default=1000000,
                   help="bits per sequence n (the SP's full suite needs 10^6)")
    p.add_argument("--seed", type=int,
                   help="fixed seed for the model and the post-processing (tests only; "
                        "default: the CSPRNG)")
    p.add_argument("--alpha", type=float, default=0.01, help="significance level")
    p.add_argument("--mode", default="multilevel",
                   help="post-processing mode: patent, equiprobable[:q] or soft[:q], q = 1..4, "
                        "or multilevel[:q], q = 3..5 (default multilevel, the link's: q = 4; "
                        "soft: q = 3; equiprobable: q = 2)")
    p.add_argument("--q", type=int, choices=(1, 2, 3, 4),
                   help="bits per round for a soft or equiprobable --mode given without :q "
                        "(default: the mode's own)")
    p.add_argument("--m", type=int, default=496, help="array length m (bits)")
    p.add_argument("--n", type=int, default=1000, help="rounds per batch")
    p.add_argument("--alpha-guard", type=float, default=0.5, help="patent mode's guard band")
    p.add_argument("--noise-low", type=float, default=1e-3)
    p.add_argument("--noise-high", type=float, default=0.2)
    p.add_argument("--link-ber", type=float, default=1e-5)
    p.add_argument("--keys-out", help="write the concatenated seed keys here (binary)")
    p.add_argument("--keys-in",
                   help="test the keys of an earlier --keys-out instead of drawing new ones")
    p.add_argument("--dieharder", action="store_true",
                   help="also run dieharder's fitting tests on the key file")
    p.add_argument("--all-rows", action="store_true",
                   help="print every row (each template and state), not one per test")
    args = p.parse_args(argv)
    cli.check_ranges(p, args, RANGES)
    if args.noise_low > args.noise_high:
        p.error(f"--noise-low ({args.noise_low:g}) must not exceed --noise-high "
                f"({args.noise_high:g})")
    cli.check_readable(p, "--keys-in", args.keys_in)
    cli.check_writable(p, "--keys-out", args.keys_out)
    try:
        fiberkey.parse_pp_mode(args.mode, args.q or 0)
    except ValueError as e:
        p.error(str(e))

    total_bits = args.sequences * args.sequence_bits
    mismatched = 0
    if args.keys_in:
        with open(args.keys_in, "rb") as f:
            key_bytes = f.read()
        print(f"fiberkey-randomness: {len(key_bytes) // 32} seed keys from {args.keys_in}")
    else:
        t0 = time.monotonic()
        run = generate_keys(args)
        key_bytes = run.keys
        mismatched = run.mismatched
        print(f"fiberkey-randomness: {run.key_count} seed keys ({8 * len(key_bytes)} bits) "
              f"from {run.rounds} model rounds, {args.mode} mode, n = {args.n}; "
              f"mismatched keys {run.mismatched}, failed batches {run.batches_failed}; "
              f"{time.monotonic() - t0:.1f} s; "
              f"seed {'CSPRNG' if args.seed is None else args.seed}")
    if 8 * len(key_bytes) < total_bits:
        print("fewer agreed key bits than asked for", file=sys.stderr)
        return 1
    bits = np.unpackbits(np.frombuffer(key_bytes, dtype=np.uint8))[:total_bits]

    tests, skipped = plan(args.sequence_bits)
    t0 = time.monotonic()
    rows = {}
    for s in range(args.sequences):
        e = np.ascontiguousarray(bits[s * args.sequence_bits:(s + 1) * args.sequence_bits])
        for name, fn in tests:
            for variant, pv in fn(e):
                rows.setdefault((name, variant), []).append(pv)
    t_sts = time.monotonic() - t0
    judged = second_level(rows, args.alpha)

    print(f"SP 800-22 over {args.sequences} sequences of {args.sequence_bits} bits "
          f"(alpha = {args.alpha}), {t_sts:.1f} s")
    print(f"{'test':34s} {'rows':>5s} {'seqs':>5s} {'min pass':>9s} {'needed':>7s} "
          f"{'min P_T':>9s} {'result':>6s}")
    by_test = {}
    for r in judged:
        by_test.setdefault(r["test"], []).append(r)
    for name, _ in tests:
        rs = by_test.get(name, [])
        if not rs:
            print(f"{name:34s} no sequence qualified (random excursions need J >= 500)")
            continue
        shown = rs if args.all_rows else [None]
        for r in shown:
            group = [r] if r else rs
            label = f"{name} {r['variant']}" if r else name
            worst = min(group, key=lambda x: x["passed"] / x["sequences"])
            p_ts = [x["p_t"] for x in group if x["p_t"] is not None]
            min_pt = f"{min(p_ts):9.6f}" if p_ts else f"{'n/a':>9s}"
            bad = sum(not x["ok"] for x in group)
            print(f"{label:34s} {len(group):5d} {worst['sequences']:5d} "
                  f"{worst['passed']:>4d}/{worst['sequences']:<4d} {worst['low']:7.4f} {min_pt} "
                  f"{'pass' if bad == 0 else f'{bad} FAIL':>6s}")
    for name, minimum in skipped:
        print(f"{name:34s} not run: the SP asks n >= {minimum}")
    failed = [r for r in judged if not r["ok"]]
    mean, bound = chance_bound(judged)
    print(f"rows: {len(judged)}, failing the SP's criteria: {len(failed)} "
          f"(a random generator fails {mean:.2f} on average, at most {bound} "
          f"with probability 0.999)")
    for r in failed:
        p_t = "n/a" if r["p_t"] is None else f"{r['p_t']:.6f}"
        print(f"  FAIL {r['test']} {r['variant']}: {r['passed']}/{r['sequences']} "
              f"(needs {r['low']:.4f}), P_T {p_t}")

    ok = len(failed) <= bound and mismatched == 0
    if args.keys_out and not args.keys_in:
        with open(args.keys_out, "wb") as f:
            f.write(key_bytes)
    if args.dieharder:
        path = args.keys_in or args.keys_out
        if path:
            ok = run_dieharder(path, len(key_bytes) // 4) and ok
        else:
            with tempfile.NamedTemporaryFile(suffix=".keys") as f:
                f.write(key_bytes)
                f.flush()
                ok = run_dieharder(f.name, len(key_bytes) // 4) and ok
    print("randomness criteria: " + ("met" if ok else "NOT met"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
