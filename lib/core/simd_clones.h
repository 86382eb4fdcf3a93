/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_SIMD_CLONES_H
#define FIBERKEY_CORE_SIMD_CLONES_H

/*!
 * FIBERKEY_SIMD_CLONES on a per-sample loop: GCC compiles it for AVX-512, AVX2 and the
 * baseline, and the loader picks the best one the CPU runs (an ifunc). The files that
 * use it are built with -ffp-contract=off, so that every clone gives the same bits and a
 * seeded run is the same on every machine.
 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define FIBERKEY_SIMD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define FIBERKEY_SIMD_CLONES
#endif

#endif
