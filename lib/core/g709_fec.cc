/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/frame_layout.h>
#include <fiberkey/g709_fec.h>

#include <algorithm>
#include <array>
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
    // encode_rs_char takes a non-const pointer but only reads the data.
    encode_rs_char(codec(), const_cast<std::uint8_t*>(info.data()), parity.data());
}

int decode(std::span<std::uint8_t, n> codeword)
{
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
} // namespace

void encode(std::span<std::uint8_t> frame)
{
    check_size(frame);
    std::array<std::uint8_t, rs255::k> info;
    std::array<std::uint8_t, rs255::parity_bytes> parity;
    for (std::size_t r = 0; r < frame_layout::rows; ++r) {
        std::uint8_t* row = frame.data() + frame_layout::at(r, 0);
        for (std::size_t x = 0; x < codewords_per_row; ++x) {
            for (std::size_t i = 0; i < rs255::k; ++i)
                info[i] = row[column(x, i)];
            rs255::encode(info, parity);
            for (std::size_t i = 0; i < rs255::parity_bytes; ++i)
                row[column(x, rs255::k + i)] = parity[i];
        }
    }
}

fec_counts decode(std::span<std::uint8_t> frame)
{
    check_size(frame);
    fec_counts counts;
    std::array<std::uint8_t, rs255::n> cw;
    for (std::size_t r = 0; r < frame_layout::rows; ++r) {
        std::uint8_t* row = frame.data() + frame_layout::at(r, 0);
        for (std::size_t x = 0; x < codewords_per_row; ++x) {
            for (std::size_t i = 0; i < rs255::n; ++i)
                cw[i] = row[column(x, i)];
            const int corrected = rs255::decode(cw);
            if (corrected < 0) {
                ++counts.uncorrectable_codewords;
            } else if (corrected > 0) {
                ++counts.corrected_codewords;
                counts.corrected_symbols += static_cast<std::size_t>(corrected);
                for (std::size_t i = 0; i < rs255::n; ++i)
                    row[column(x, i)] = cw[i];
            }
        }
    }
    return counts;
}

} // namespace g709_fec
} // namespace fiberkey
