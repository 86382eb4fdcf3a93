#!/usr/bin/env python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""The GRC C++ output of our blocks builds and runs against an installed module.

Installs the module from the build tree into WORK/prefix (cmake --install), generates C++
from a flowgraph with grcc (block definitions from that prefix), configures the generated
project with CMAKE_PREFIX_PATH=WORK/prefix (its CMakeLists calls
find_package(gnuradio-fiberkey), as GRC writes it), builds it and runs it in WORK/run.

The flowgraph (grc/tests/fiberkey_cpp_chain.grc) sends FRAMES frames of client bytes
(the Client Payload Source's 1, 2, 3 repeated) through the OTU mux, ZUC encryption, the
G.709 line encoder, the OOK laser, the fiber with Eve's tap, the soft frame sync, the
local noise, the slicer, the fault injector (no faults), the line decoder, ZUC
decryption and the demux into client_out.bin; Eve's tap goes to a SigMF recording, the
message blocks hang off the demux and the decoder. Its source is finite, so it ends by
itself. Checks: exit 0, whole frames of that pattern out (the first frame goes to frame
alignment and the last one stays in the sync's delay), the recording holds every
frame, the key exchange ran.

Then another project the way another module would use us: find_package(gnuradio-fiberkey)
alone (its config finds GNU Radio and OpenSSL), a program linking
gnuradio::gnuradio-fiberkey that makes two blocks, built and run.

Usage: grc_cpp_flowgraph.py --build-dir BUILD --grc FILE.grc --work DIR
                            [--cxx-compiler CXX] [--frames N]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

PAYLOAD = 15232          # client bytes per frame
SAMPLES_PER_FRAME = 134640  # line bits per frame, one sample per bit


def run(cmd, timeout, **kw):
    print("+", " ".join(cmd), flush=True)
    t = time.monotonic()
    try:
        p = subprocess.run(cmd, timeout=timeout, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, **kw)
    except subprocess.TimeoutExpired as e:
        print(e.stdout or "")
        sys.exit(f"FAIL: {cmd[0]} still running after {timeout} s")
    if p.returncode != 0:
        print(p.stdout)
        sys.exit(f"FAIL: {cmd[0]} exited {p.returncode}")
    print(f"  ({time.monotonic() - t:.1f} s)", flush=True)
    return p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--grc", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--cxx-compiler", default="")
    ap.add_argument("--frames", type=int, default=10)
    a = ap.parse_args()
    start = time.monotonic()

    work = os.path.abspath(a.work)
    shutil.rmtree(work, ignore_errors=True)
    prefix, gen, build, rundir = (os.path.join(work, d) for d in ("prefix", "gen", "build", "run"))
    os.makedirs(rundir)

    run(["cmake", "--install", a.build_dir, "--prefix", prefix], 120)
    # lib/cmake/gnuradio-fiberkey (GNUInstallDirs: lib/<multiarch>/cmake/... under /usr).
    if not any("gnuradio-fiberkeyConfig.cmake" in fs and "gnuradio-fiberkeyTargets.cmake" in fs
               for _, _, fs in os.walk(os.path.join(prefix, "lib"))):
        sys.exit("FAIL: the package config of gnuradio-fiberkey is not installed")

    env = dict(os.environ, GRC_BLOCKS_PATH=os.path.join(prefix, "share", "gnuradio", "grc",
                                                          "blocks"))
    run(["grcc", "-o", gen, a.grc], 120, env=env)
    name = os.path.splitext(os.path.basename(a.grc))[0]
    src = os.path.join(gen, name)
    with open(os.path.join(src, "CMakeLists.txt")) as f:
        if "find_package(gnuradio-fiberkey)" not in f.read():
            sys.exit("FAIL: the generated CMakeLists.txt does not find gnuradio-fiberkey")

    configure = ["cmake", "-S", src, "-B", build, "-DCMAKE_BUILD_TYPE=Release",
                 "-DCMAKE_PREFIX_PATH=" + prefix]
    if a.cxx_compiler:
        configure.append("-DCMAKE_CXX_COMPILER=" + a.cxx_compiler)
    run(configure, 120)
    run(["cmake", "--build", build, "-j2"], 300)

    # The SigMF Source replays a raw float32 file: zeros, in which it finds no frame.
    with open(os.path.join(rundir, "raw_in.f32"), "wb") as f:
        f.write(bytes(4 * 20000))
    out = run([os.path.join(build, name), "--frames", str(a.frames)], 120, cwd=rundir)

    with open(os.path.join(rundir, "client_out.bin"), "rb") as f:
        client = f.read()
    frames = len(client) // PAYLOAD
    print(f"client frames out: {frames} of {a.frames} ({len(client)} bytes)")
    if len(client) % PAYLOAD:
        sys.exit("FAIL: client output is not whole frames")
    if not a.frames - 3 <= frames <= a.frames:
        sys.exit(f"FAIL: expected {a.frames - 3}..{a.frames} frames through the link")
    # The frames lost at the start shift the pattern's phase, nothing else.
    laps = (len(client) // 3 + 2) * bytes([1, 2, 3])
    if not any(client == laps[p:p + len(client)] for p in range(3)):
        sys.exit("FAIL: the client bytes did not come back as sent (1, 2, 3 repeated)")

    with open(os.path.join(rundir, "eve_tap.sigmf-meta")) as f:
        meta = json.load(f)
    size = os.path.getsize(os.path.join(rundir, "eve_tap.sigmf-data"))
    print(f"Eve's recording: {size // 4} samples, {len(meta.get('annotations', []))} "
          "frame annotations")
    if size != 4 * SAMPLES_PER_FRAME * a.frames:
        sys.exit("FAIL: the recording of Eve's tap does not hold every frame")
    if "initial session keys agreed" not in out:
        sys.exit("FAIL: the key exchange block did not run")

    consumer = os.path.join(work, "consumer")
    os.makedirs(consumer)
    with open(os.path.join(consumer, "CMakeLists.txt"), "w") as f:
        f.write(CONSUMER_CMAKE)
    with open(os.path.join(consumer, "consumer.cc"), "w") as f:
        f.write(CONSUMER_CC)
    configure = ["cmake", "-S", consumer, "-B", os.path.join(consumer, "build"),
                 "-DCMAKE_BUILD_TYPE=Release", "-DCMAKE_PREFIX_PATH=" + prefix]
    if a.cxx_compiler:
        configure.append("-DCMAKE_CXX_COMPILER=" + a.cxx_compiler)
    run(configure, 120)
    run(["cmake", "--build", os.path.join(consumer, "build"), "-j2"], 300)
    out = run([os.path.join(consumer, "build", "consumer")], 60)
    if "zuc_crypt otu_mux" not in out:
        sys.exit("FAIL: the consumer program did not make the blocks")
    print(f"PASS in {time.monotonic() - start:.1f} s")


CONSUMER_CMAKE = """cmake_minimum_required(VERSION 3.16)
project(fiberkey_consumer CXX)
find_package(gnuradio-fiberkey 0.1 REQUIRED)
add_executable(consumer consumer.cc)
target_link_libraries(consumer PRIVATE gnuradio::gnuradio-fiberkey)
"""

CONSUMER_CC = """#include <gnuradio/fiberkey/otu_mux.h>
#include <gnuradio/fiberkey/zuc_crypt.h>
#include <iostream>

int main()
{
    auto crypt = gr::fiberkey::zuc_crypt::make(0, true, std::vector<uint8_t>(16, 1));
    auto mux = gr::fiberkey::otu_mux::make();
    std::cout << crypt->name() << " " << mux->name() << std::endl;
}
"""


if __name__ == "__main__":
    main()
