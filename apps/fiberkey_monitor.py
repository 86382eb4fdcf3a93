#!/usr/bin/python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""fiberkey-monitor: how well the Link Monitor's tap detector sees a tap, and how often it
cries wolf, on hours of a drifting link.

The fast monitor model (fiberkey.monitor_model) gives one receiver's performance windows
(one second of line time each: received power, pre-FEC BER) through a fiber whose loss
wanders (a random walk and temperature-driven steps) and an optional passive tap; the
tap detector (fiberkey.tap_detector) watches them with the settings a Link Monitor block
takes. For each tap size and position it runs many trials: the link starts, the detector
learns its baseline, the link runs on for a random while, the tap goes in, and the time
to the alarm is measured (no alarm within --limit-seconds: a miss). Then it runs --runs
links, --hours in all, without a tap, each from its commissioning (learning), and counts
the alarms (each cleared at once, as an operator would): the level rule compares with the
commissioned power, so its false alarms depend on how long a link runs between
commissionings, which --runs sets. The table goes to stdout (Markdown), optionally JSON
and a PNG.
"""
import argparse
import json
import sys

import numpy as np

from gnuradio import fiberkey
from gnuradio.fiberkey import cli

RANGES = {
    "trials": (1, 1_000_000, "trials per tap"),
    "hours": (0.0, 1e6, "hours of link time"),
    "runs": (1, 1_000_000, "links"),
    "limit_seconds": (1, 1e6, "seconds after the tap"),
    "step_db": (0.001, 10.0, "dB"),
    "learn_windows": (2, 1_000_000, "windows"),
    "baseline_windows": (1.0, 1e7, "windows"),
    "decision": (0.01, 1e4, "log-likelihood ratio"),
    "level_margin_db": (0.0, 100.0, "dB (0: off)"),
    "drift_db_per_rthour": (0.0, 100.0, "dB per square-root hour"),
    "thermal_steps_per_hour": (0.0, 3600.0, "per hour"),
    "thermal_step_db": (0.0, 100.0, "dB rms"),
    "thermal_step_seconds": (0.0, 1e6, "seconds"),
    "power_reading_db": (0.0, 10.0, "dB rms"),
    "length_km": (0.01, 200.0, "km"),
    "eve_thermal_pa": (0.01, 10_000.0, "pA/sqrt(Hz)"),
}


def parse_args(argv):
    p = cli.parser(prog="fiberkey-monitor", description=__doc__,
                   formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--taps", type=float, nargs="+", default=[0.01, 0.02, 0.05, 0.10, 0.25],
                   metavar="F", help="tap fractions (default 0.01 0.02 0.05 0.1 0.25)")
    p.add_argument("--positions-km", type=float, nargs="+", default=[1.0, 5.0, 9.0],
                   metavar="KM", help="tap positions from the transmitter (default 1 5 9)")
    p.add_argument("--length-km", type=float, default=10.0)
    p.add_argument("--eve-thermal-pa", type=float, default=2.0,
                   help="Eve's receiver noise, for her line BER in the table (default 2 "
                        "pA/sqrt(Hz), as fiberkey-sim's)")
    p.add_argument("--trials", type=int, default=200, help="trials per tap and position")
    p.add_argument("--limit-seconds", type=float, default=600.0,
                   help="a tap not seen within this long is a miss (default 600)")
    p.add_argument("--hours", type=float, default=1000.0,
                   help="hours of link time without a tap, for the false alarms")
    p.add_argument("--runs", type=int, default=100,
                   help="independent links the hours are split into, each from its "
                        "commissioning (default 100: 10 hours each at the default hours)")
    det = p.add_argument_group("tap detector (the Link Monitor block's parameters)")
    det.add_argument("--step-db", type=float, default=0.1)
    det.add_argument("--learn-windows", type=int, default=60)
    det.add_argument("--baseline-windows", type=float, default=10.0)
    det.add_argument("--decision", type=float, default=20.0)
    det.add_argument("--level-margin-db", type=float, default=1.0)
    drift = p.add_argument_group("the link's drift (assumptions: set them to your plant)")
    drift.add_argument("--drift-db-per-rthour", type=float, default=0.1)
    drift.add_argument("--thermal-steps-per-hour", type=float, default=1.0)
    drift.add_argument("--thermal-step-db", type=float, default=0.05)
    drift.add_argument("--thermal-step-seconds", type=float, default=60.0)
    drift.add_argument("--power-reading-db", type=float, default=0.01,
                       help="repeatability of the received-power reading (default 0.01 dB)")
    p.add_argument("--seed", type=int, default=0,
                   help="fixes the drift and the noise for a reproducible table (0: OS "
                        "entropy); this is physics, not key material")
    p.add_argument("--json", metavar="FILE")
    p.add_argument("--plot", metavar="FILE.png")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    args = p.parse_args(argv)
    cli.check_ranges(p, args, RANGES)
    for f in args.taps:
        if not 0 < f < 1:
            p.error(f"--taps must be fractions in (0, 1), got {f!r}")
    for km in args.positions_km:
        if not 0 <= km <= args.length_km:
            p.error(f"--positions-km must lie on the fiber (0..{args.length_km:g}), got {km!r}")
    if args.seed < 0:
        p.error(f"--seed must be >= 0, got {args.seed}")
    cli.check_writable(p, "--json", args.json)
    cli.check_writable(p, "--plot", args.plot)
    return args


def model_config(args):
    c = fiberkey.monitor_model_config()
    c.length_km = args.length_km
    c.power_reading_sigma_db = args.power_reading_db
    d = fiberkey.link_drift_config()
    d.random_walk_db_per_rthour = args.drift_db_per_rthour
    d.thermal_steps_per_hour = args.thermal_steps_per_hour
    d.thermal_step_sigma_db = args.thermal_step_db
    d.thermal_step_seconds = args.thermal_step_seconds
    c.drift = d
    return c


def detector_config(args):
    c = fiberkey.tap_detector_config()
    c.learn_windows = args.learn_windows
    c.baseline_windows = args.baseline_windows
    c.step_db = args.step_db
    c.decision = args.decision
    c.level_margin_db = args.level_margin_db
    return c


class seeds:
    """Distinct seeds for every model run (0 throughout: OS entropy)."""

    def __init__(self, base):
        self.base, self.n = base, 0

    def next(self):
        self.n += 1
        return 0 if self.base == 0 else self.base * 1_000_003 + self.n


def detection_trial(args, fraction, seed, rng):
    """Seconds from the tap to the alarm, or None for a miss."""
    model = fiberkey.monitor_model(model_config(args), seed)
    det = fiberkey.tap_detector(detector_config(args))
    # Learning, then a random while (up to ten minutes) for the drift to move.
    for _ in range(args.learn_windows + int(rng.integers(0, 600))):
        if det.observe(model.next()) is not None:
            det.clear()  # a false alarm before the tap: the operator clears it
    model.set_tap(fraction)
    for second in range(1, int(args.limit_seconds) + 1):
        alarm = det.observe(model.next())
        if alarm is not None:
            return second, alarm.cause
    return None, None


def false_alarms(args, seed):
    causes = {}
    windows = int(args.hours * 3600 / args.runs)
    for run in range(args.runs):
        model = fiberkey.monitor_model(model_config(args), seed.next())
        det = fiberkey.tap_detector(detector_config(args))
        for _ in range(windows):
            alarm = det.observe(model.next())
            if alarm is not None:
                causes[alarm.cause] = causes.get(alarm.cause, 0) + 1
                det.clear()
        if not args.quiet and (run + 1) % max(1, args.runs // 10) == 0:
            print(f"  false alarms: {run + 1} of {args.runs} links", file=sys.stderr,
                  flush=True)
    return causes


def eve_line_ber(args, fraction, position_km):
    """Eve's and the receiver's line BER with the tap (the fiber link's physics)."""
    mod = fiberkey.ook_modulator()
    link = fiberkey.fiber_link(length_km=args.length_km, eve_tap=True,
                               eve_tap_fraction=fraction, eve_position_km=position_km,
                               eve_thermal_noise_pa_per_rthz=args.eve_thermal_pa)
    p1, p0 = mod.power_one_w(), mod.power_zero_w()
    return link.expected_ber(p1, p0, True), link.expected_ber(p1, p0)


def run(args):
    rng = np.random.default_rng(args.seed if args.seed else None)
    seed = seeds(args.seed)
    rows = []
    for fraction in args.taps:
        for km in args.positions_km:
            times, causes = [], {}
            for _ in range(args.trials):
                t, cause = detection_trial(args, fraction, seed.next(), rng)
                times.append(t)
                if cause:
                    causes[cause] = causes.get(cause, 0) + 1
            seen = [t for t in times if t is not None]
            eve_ber, rx_ber = eve_line_ber(args, fraction, km)
            rows.append({
                "tap": fraction, "position_km": km,
                "loss_db": -10 * np.log10(1 - fraction),
                "receiver_line_ber": rx_ber, "eve_line_ber": eve_ber,
                "trials": args.trials, "detected": len(seen),
                "probability_of_detection": len(seen) / args.trials,
                "mean_seconds_to_detect": float(np.mean(seen)) if seen else None,
                "max_seconds_to_detect": max(seen) if seen else None,
                "causes": causes,
            })
            if not args.quiet:
                r = rows[-1]
                print(f"  tap {100 * fraction:g} % at {km:g} km: detected "
                      f"{r['detected']} of {args.trials}", file=sys.stderr, flush=True)
    causes = false_alarms(args, seed) if args.hours > 0 else {}
    total = sum(causes.values())
    return {
        "program": "fiberkey-monitor",
        "seeded": args.seed != 0,
        "detector": {k: getattr(args, k) for k in ("step_db", "learn_windows",
                                                    "baseline_windows", "decision",
                                                    "level_margin_db")},
        "drift": {k: getattr(args, k) for k in ("drift_db_per_rthour",
                                                 "thermal_steps_per_hour",
                                                 "thermal_step_db", "thermal_step_seconds",
                                                 "power_reading_db")},
        "limit_seconds": args.limit_seconds,
        "detection": rows,
        "false_alarms": {"hours": args.hours, "runs": args.runs, "alarms": total,
                         "per_hour": total / args.hours if args.hours else None,
                         "causes": causes},
    }


def print_table(res):
    d = res["detector"]
    print(f"tap detector: step {d['step_db']:g} dB, baseline {d['baseline_windows']:g} s, "
          f"decision {d['decision']:g}, level margin {d['level_margin_db']:g} dB; drift "
          + ", ".join(f"{k} {v:g}" for k, v in res["drift"].items()))
    print()
    print("| tap | at | loss | receiver's line BER | Eve's line BER | detected "
          f"(within {res['limit_seconds']:g} s) | mean time to detect | by |")
    print("|---|---|---|---|---|---|---|---|")
    for r in res["detection"]:
        mean = (f"{r['mean_seconds_to_detect']:.1f} s" if r["mean_seconds_to_detect"]
                is not None else "-")
        by = ", ".join(f"{k} {v}" for k, v in sorted(r["causes"].items())) or "-"
        print(f"| {100 * r['tap']:g} % | {r['position_km']:g} km | {r['loss_db']:.3f} dB | "
              f"{r['receiver_line_ber']:.1e} | {r['eve_line_ber']:.1e} | "
              f"{r['detected']} of {r['trials']} ({100 * r['probability_of_detection']:.0f} %) "
              f"| {mean} | {by} |")
    fa = res["false_alarms"]
    if fa["hours"]:
        by = ", ".join(f"{k} {v}" for k, v in sorted(fa["causes"].items())) or "none"
        print()
        print(f"false alarms without a tap: {fa['alarms']} in {fa['hours']:,.0f} hours "
              f"of {fa['runs']} links ({fa['per_hour']:.4f} per hour; {by})")


def plot(args, res, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 2, figsize=(13, 4.8))
    # An hour of the link with a 2 % tap going in at 40 minutes.
    model = fiberkey.monitor_model(model_config(args), args.seed * 7 + 1 if args.seed else 0)
    det = fiberkey.tap_detector(detector_config(args))
    t, power, qdb, alarm_at = [], [], [], None
    for second in range(3600):
        if second == 2400:
            model.set_tap(0.02)
        w = model.next()
        a = det.observe(w)
        if a is not None and alarm_at is None:
            alarm_at = second
        t.append(second / 60)
        power.append(w.power_dbm)
        qdb.append(fiberkey.q_db_from_ber(w.pre_fec_ber) or np.nan)
    a = ax[0]
    a.plot(t, power, lw=0.6, label="received power (dBm)")
    a.set_xlabel("minutes")
    a.set_ylabel("dBm")
    b = a.twinx()
    b.plot(t, qdb, lw=0.6, color="tab:orange", label="10 log10 Q from the pre-FEC BER")
    b.set_ylabel("dB (Q)")
    a.axvline(40, color="k", ls=":", label="2 % tap goes in")
    if alarm_at is not None:
        a.axvline(alarm_at / 60, color="r", ls="--", label="alarm")
    lines = a.get_legend_handles_labels()
    twin = b.get_legend_handles_labels()
    # On the twin axes, which are drawn over the first.
    b.legend(lines[0] + twin[0], lines[1] + twin[1], loc="upper left", fontsize=8,
             framealpha=0.95)
    a.set_title("An hour of a drifting link, one window per second")
    a = ax[1]
    for km in args.positions_km:
        rows = [r for r in res["detection"] if r["position_km"] == km]
        a.plot([100 * r["tap"] for r in rows],
               [100 * r["probability_of_detection"] for r in rows], "o-", label=f"at {km:g} km")
    a.set_xscale("log")
    a.set_xlabel("tap (% of the light)")
    a.set_ylabel(f"detected within {res['limit_seconds']:g} s (%)")
    fa = res["false_alarms"]
    a.set_title(f"Detection; {fa['per_hour']:.3f} false alarms per hour"
                if fa["hours"] else "Detection")
    a.legend()
    a.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    res = run(args)
    print_table(res)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1)
    if args.plot:
        plot(args, res, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
