/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// The portable kernel: the 16 codewords of a row in step, one table lookup per symbol.
#include "g709_fec_kernels.h"

namespace fiberkey::g709_fec::kernels {

namespace {

// The LFSR states of the 16 codewords of \p row after their first \p symbols symbols.
std::array<lfsr_words, codewords_per_row> lfsr_states(const std::uint8_t* row,
                                                      std::size_t symbols)
{
    std::array<lfsr_words, codewords_per_row> states{};
    for (std::size_t s = 0; s < symbols; ++s)
        for (std::size_t x = 0; x < codewords_per_row; ++x)
            lfsr_step(states[x], row[column(x, s)]);
    return states;
}

} // namespace

void encode_generic(std::uint8_t* row)
{
    const auto states = lfsr_states(row, rs255::k);
    for (std::size_t x = 0; x < codewords_per_row; ++x) {
        for (std::size_t j = 0; j < rs255::parity_bytes; ++j)
            row[column(x, rs255::k + j)] = lfsr_byte(states[x], j);
    }
}

// Fed all 255 symbols, the LFSR holds r(x) x^16 mod g(x), zero exactly when g(x)
// divides r(x) (g(0) != 0): the same test as all-zero syndromes.
std::uint64_t dirty_generic(const std::uint8_t* row)
{
    const auto states = lfsr_states(row, rs255::n);
    std::uint64_t dirty = 0;
    for (std::size_t x = 0; x < codewords_per_row; ++x)
        if ((states[x].low | states[x].high) != 0)
            dirty |= std::uint64_t{ 1 } << x;
    return dirty;
}

} // namespace fiberkey::g709_fec::kernels
