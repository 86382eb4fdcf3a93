#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""What the command-line tools share: bad arguments are refused at once, in one line on
stderr with exit status 2, before any work; the ranges of numeric options are said; files
to be written are checked writable, files to be read readable, so that no run is lost to
a typo at its end."""
import argparse
import math
import os
import stat


# The round-level model's and post-processing's options, as fiberkey-sweep and
# fiberkey-randomness share them: option -> (low, high, what).
MODEL_RANGES = {
    "m": (8, 496, "bits per array"),
    "n": (64, 131072, "rounds per batch"),
    "noise_low": (1e-9, 0.4999, "a bit error rate"),
    "noise_high": (1e-9, 0.4999, "a bit error rate"),
    "link_ber": (0.0, 0.4999, "a bit error rate"),
}


class parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr and exit status 2 (the usage
    is for --help)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def check_ranges(p, args, ranges):
    """Every option of ranges ({dest: (low, high, what)}) finite and within [low, high];
    None (not given) passes."""
    for name, (low, high, what) in ranges.items():
        v = getattr(args, name)
        if v is None:
            continue
        values = v if isinstance(v, list) else [v]
        for x in values:
            if not (math.isfinite(x) and low <= x <= high):
                p.error(f"--{name.replace('_', '-')} must be in [{low:,}, {high:,}] ({what}), "
                        f"got {x!r}")


def check_writable(p, flag, path):
    """path can be written: its directory exists and is writable, and it is not a
    directory nor a file we may not write."""
    if not path:
        return
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        p.error(f"{flag} {path}: is a directory")
    if not os.path.isdir(folder):
        p.error(f"{flag} {path}: no directory {folder}")
    if not os.access(folder, os.W_OK | os.X_OK) or (
            os.path.exists(path) and not os.access(path, os.W_OK)):
        p.error(f"{flag} {path}: not writable")


def check_directory(p, flag, path):
    """path is (made) a writable directory."""
    if not path:
        return
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as e:
        p.error(f"{flag} {path}: {e.strerror}")
    if not os.access(path, os.W_OK | os.X_OK):
        p.error(f"{flag} {path}: not writable")


def check_readable(p, flag, path):
    """path is a regular file we may read (a FIFO or a directory is refused: reading it
    could hang or fail late)."""
    if not path:
        return
    try:
        mode = os.stat(path).st_mode
    except OSError as e:
        p.error(f"{flag} {path}: {e.strerror}")
    if not stat.S_ISREG(mode):
        p.error(f"{flag} {path}: not a regular file")
    if not os.access(path, os.R_OK):
        p.error(f"{flag} {path}: not readable")
