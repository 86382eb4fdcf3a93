/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// The codec of one codeword, and encode and decode over a frame through the active
// kernel; the kernels and their dispatch are in g709_fec_*.cc (g709_fec_kernels.h).
#include "g709_fec_kernels.h"

#include <algorithm>
#include <array>
#include <bit>
#include <memory>
#include <stdexcept>

extern "C" {
#include <gnuradio/fec/rs.h>
}

namespace fiberkey {

namespace rs255 {

namespace {
// The codec's tables are read-only after init_rs_char, and encode/decode keep their
// state on the stack, so one instance serves every thread.
void* codec()
{
    struct deleter {
        void operator()(void* rs) const { free_rs_char(rs); }
    };
    static const std::unique_ptr<void, deleter> rs(init_rs_char(8, 0x11d, 0, 1, 16));
    if (!rs)
        throw std::runtime_error("rs255: init_rs_char failed");
    return rs.get();
}
} // namespace

void encode(std::span<const std::uint8_t, k> info,
            std::span<std::uint8_t, parity_bytes> parity)
{
    // The portable kernel's division LFSR, one table lookup per symbol: several times
    // faster than the codec's encoder (the tests check the two agree).
    g709_fec::kernels::lfsr_words p{};
    for (const std::uint8_t d : info)
        g709_fec::kernels::lfsr_step(p, d);
    for (std::size_t j = 0; j < parity_bytes; ++j)
        parity[j] = g709_fec::kernels::lfsr_byte(p, j);
}

int decode(std::span<std::uint8_t, n> codeword)
{
    // Nearly every codeword arrives clean: all 255 symbols through the LFSR leave
    // r(x) x^16 mod g(x), zero exactly when the syndromes are (g(0) != 0), at a fraction
    // of the cost of the codec's syndromes.
    g709_fec::kernels::lfsr_words p{};
    for (const std::uint8_t d : codeword)
        g709_fec::kernels::lfsr_step(p, d);
    if ((p.low | p.high) == 0)
        return 0;
    std::array<std::uint8_t, n> received;
    std::copy(codeword.begin(), codeword.end(), received.begin());
    const int corrected = decode_rs_char(codec(), codeword.data(), nullptr, 0);
    if (corrected == 0)
        return 0;
    // The codec can give up after applying some corrections, and beyond its capacity
    // its result is not guaranteed to be a codeword: re-encode to make sure.
    bool valid = corrected > 0 && corrected <= t;
    if (valid) {
        std::array<std::uint8_t, parity_bytes> parity;
        encode(codeword.first<k>(), parity);
        valid = std::equal(parity.begin(), parity.end(), codeword.begin() + k);
    }
    if (!valid) {
        std::copy(received.begin(), received.end(), codeword.begin());
        return -1;
    }
    return corrected;
}

} // namespace rs255

fec_counts& fec_counts::operator+=(const fec_counts& o)
{
    corrected_symbols += o.corrected_symbols;
    corrected_codewords += o.corrected_codewords;
    uncorrectable_codewords += o.uncorrectable_codewords;
    uncorrectable_mask |= o.uncorrectable_mask;
    return *this;
}

namespace g709_fec {

namespace {
void check_size(std::span<std::uint8_t> frame)
{
    if (frame.size() != frame_layout::frame_bytes)
        throw std::invalid_argument("g709_fec: a frame is 16,830 bytes");
}

static_assert(column(codewords_per_row - 1, rs255::n - 1) == frame_layout::columns - 1);
static_assert(column(0, rs255::k) == frame_layout::fec_columns.offset);

// Hands codeword x of row \p r (at \p row) to the full decoder.
void correct(std::uint8_t* row, std::size_t r, std::size_t x, fec_counts& counts)
{
    std::array<std::uint8_t, rs255::n> cw;
    for (std::size_t i = 0; i < rs255::n; ++i)
        cw[i] = row[column(x, i)];
    const int corrected = rs255::decode(cw);
    if (corrected < 0) {
        ++counts.uncorrectable_codewords;
        counts.uncorrectable_mask |= std::uint64_t{ 1 } << (codewords_per_row * r + x);
    } else if (corrected > 0) {
        ++counts.corrected_codewords;
        counts.corrected_symbols += static_cast<std::size_t>(corrected);
        for (std::size_t i = 0; i < rs255::n; ++i)
            row[column(x, i)] = cw[i];
    }
}
} // namespace

void encode(std::span<std::uint8_t> frame)
{
    check_size(frame);
    const auto& f = kernels::active();
    for (std::size_t r = 0; r < frame_layout::rows; r += f.rows)
        f.encode(frame.data() + frame_layout::at(r, 0));
}

fec_counts decode(std::span<std::uint8_t> frame)
{
    check_size(frame);
    const auto& f = kernels::active();
    fec_counts counts;
    for (std::size_t r = 0; r < frame_layout::rows; r += f.rows) {
        std::uint8_t* first_row = frame.data() + frame_layout::at(r, 0);
        // Codewords with all-zero syndromes, nearly all of them, need nothing more.
        for (auto dirty = f.dirty(first_row); dirty != 0; dirty &= dirty - 1) {
            const auto lane = static_cast<std::size_t>(std::countr_zero(dirty));
            const std::size_t row = lane / codewords_per_row;
            correct(first_row + frame_layout::columns * row,
                    r + row,
                    lane % codewords_per_row,
                    counts);
        }
    }
    return counts;
}

} // namespace g709_fec
} // namespace fiberkey
