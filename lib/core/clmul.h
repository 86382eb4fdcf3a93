/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// Private to the core: whether carry-less multiplication (PCLMULQDQ, with SSE4.1 for
// its word extracts) may be used, for the ZUC MAC and the Toeplitz hash.
#ifndef FIBERKEY_CORE_CLMUL_H
#define FIBERKEY_CORE_CLMUL_H

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define FIBERKEY_HAVE_CLMUL 1
#define FIBERKEY_CLMUL_TARGET __attribute__((target("pclmul,sse4.1")))
#include <immintrin.h>

namespace fiberkey {

//! The CPU has PCLMULQDQ and SSE4.1 (checked once).
inline bool cpu_has_clmul()
{
    static const bool has = [] {
        __builtin_cpu_init();
        return __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
    }();
    return has;
}

} // namespace fiberkey
#endif

#endif
