/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_BENCH_QUIET_MAIN_H
#define FIBERKEY_BENCH_QUIET_MAIN_H

#include <gnuradio/logger.h>

#include <benchmark/benchmark.h>

// BENCHMARK_MAIN with GNU Radio's logging at warnings: some peer blocks log every match.
#define FIBERKEY_BENCHMARK_MAIN()                                        \
    int main(int argc, char** argv)                                      \
    {                                                                    \
        gr::logging::singleton().set_default_level(spdlog::level::warn); \
        benchmark::Initialize(&argc, argv);                              \
        benchmark::RunSpecifiedBenchmarks();                             \
        benchmark::Shutdown();                                           \
        return 0;                                                        \
    }

#endif
