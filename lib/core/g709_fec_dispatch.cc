/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// Which kernel encode and decode use: the fastest one this CPU runs, chosen once.
#include "g709_fec_kernels.h"

#include <atomic>
#include <iterator>
#include <stdexcept>

namespace fiberkey::g709_fec {

using detail::kernel;

namespace {

// Indexed by detail::kernel.
constexpr kernels::functions table[] = {
    { 1, kernels::encode_generic, kernels::dirty_generic },
#ifdef FIBERKEY_G709_X86
    { kernels::ssse3_rows, kernels::encode_ssse3, kernels::dirty_ssse3 },
    { kernels::avx2_rows, kernels::encode_avx2, kernels::dirty_avx2 },
    { kernels::avx2_rows, kernels::encode_gfni_avx2, kernels::dirty_gfni_avx2 },
    { kernels::avx512_rows, kernels::encode_avx512, kernels::dirty_avx512 },
    { kernels::avx512_rows, kernels::encode_gfni_avx512, kernels::dirty_gfni_avx512 },
#endif
};

bool cpu_runs(kernel k)
{
#ifdef FIBERKEY_G709_X86
    __builtin_cpu_init();
    const bool gfni = __builtin_cpu_supports("gfni");
    switch (k) {
    case kernel::scalar:
        return true;
    case kernel::ssse3:
        return __builtin_cpu_supports("ssse3");
    case kernel::avx2:
        return __builtin_cpu_supports("avx2");
    case kernel::gfni_avx2:
        return gfni && __builtin_cpu_supports("avx2");
    case kernel::avx512:
        return __builtin_cpu_supports("avx512bw");
    case kernel::gfni_avx512:
        return gfni && __builtin_cpu_supports("avx512bw");
    }
    return false;
#else
    return k == kernel::scalar;
#endif
}

// Fastest first, as bench/bench_fec measured them (docs/performance.md): GFNI's one
// affine instruction per multiplication beats two PSHUFB lookups at any width, so
// gfni_avx2 goes before avx512 (a CPU with both runs gfni_avx512 anyway).
constexpr kernel by_speed[] = { kernel::gfni_avx512, kernel::gfni_avx2, kernel::avx512,
                                kernel::avx2,        kernel::ssse3,     kernel::scalar };

kernel fastest()
{
    for (const auto k : by_speed)
        if (static_cast<std::size_t>(k) < std::size(table) && cpu_runs(k))
            return k;
    return kernel::scalar;
}

std::atomic<kernel>& chosen()
{
    static std::atomic<kernel> k{ fastest() };
    return k;
}

} // namespace

const kernels::functions& kernels::active()
{
    return table[static_cast<std::size_t>(chosen().load(std::memory_order_relaxed))];
}

namespace detail {

const char* to_string(kernel k)
{
    switch (k) {
    case kernel::scalar:
        return "scalar";
    case kernel::ssse3:
        return "ssse3";
    case kernel::avx2:
        return "avx2";
    case kernel::gfni_avx2:
        return "gfni_avx2";
    case kernel::avx512:
        return "avx512";
    case kernel::gfni_avx512:
        return "gfni_avx512";
    }
    return "unknown";
}

bool supported(kernel k)
{
    return static_cast<std::size_t>(k) < std::size(table) && cpu_runs(k);
}

kernel active_kernel() { return chosen().load(std::memory_order_relaxed); }

void force_kernel(kernel k)
{
    if (!supported(k))
        throw std::invalid_argument("g709_fec: kernel not supported here");
    chosen().store(k, std::memory_order_relaxed);
}

} // namespace detail
} // namespace fiberkey::g709_fec
