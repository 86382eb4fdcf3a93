/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// The segmented-capture receiver: neg_segment_receiver::decide and
// measure_samples_per_bit on a segment of any samples, under any layout settings.
//
// Input: settings (u8: samples per bit from {1, 2, 2.37, 4.527}, bit 2 the local noise;
// u16 and u8: the trigger's first bit, NEG's first bit +-1,024 with a fraction; u8: the
// search in bits; u8: frames in the pattern, 1..16; u8: the frame expected; u8: the
// scale), then int8 samples (at most 65,536), each divided by the scale.
// Checks, besides the sanitizers: nothing but the documented statuses; a decided block
// names a frame of the pattern, at most 4 wrong known bits (none when found by the
// search of the whole pattern), a position within the search, a threshold between its
// levels; a measured bit clock within 0.5 % of the nominal (in frequency).
#include "fuzz_input.h"

#include <fiberkey/neg_segment.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

using namespace fiberkey;

namespace {
constexpr std::array<std::uint8_t, 16> key{
    7, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3
};
constexpr std::array<double, 4> samples_per_bit{ 1.0, 2.0, 2.37, 4.527 };
constexpr std::size_t max_samples = 1 << 16;
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    fuzz::input in(data, size);
    const std::uint8_t settings = in.u8();
    const double sps = samples_per_bit[settings & 3];
    const double first_bit = static_cast<double>(frame_layout::neg.offset * 8) - 1024.0 +
                             in.u16() % 2048 + in.u8() / 256.0;
    const unsigned search = in.u8();
    const std::size_t frames = in.u8() % 16 + 1;
    const std::size_t expected = in.u8() % frames;
    const float scale = 1.0f + in.u8();
    std::vector<neg_frame_id> ids;
    for (std::size_t i = 0; i < frames; ++i)
        ids.push_back({ static_cast<std::uint32_t>(i),
                        static_cast<std::uint16_t>(i + 1),
                        static_cast<std::uint16_t>(i + 1) });
    const auto raw = in.bytes(max_samples);
    std::vector<float> segment(raw.size());
    std::transform(raw.begin(), raw.end(), segment.begin(), [scale](std::uint8_t b) {
        return static_cast<float>(static_cast<std::int8_t>(b)) / scale;
    });

    neg_segment_config config{ .samples_per_bit = sps,
                               .first_bit = first_bit,
                               .search_bits = search,
                               .local_noise = (settings & 4) != 0,
                               .noise = {} };
    neg_segment_receiver rx(config, key, 0, ids, gaussian_source::from_test_seed(1));
    const auto r = rx.decide(segment, expected);
    FUZZ_CHECK(r.status == neg_segment_status::decided ||
               r.status == neg_segment_status::too_short ||
               r.status == neg_segment_status::no_signal ||
               r.status == neg_segment_status::not_aligned);
    if (r.status == neg_segment_status::decided) {
        FUZZ_CHECK(r.frame < frames);
        FUZZ_CHECK(r.known_bit_errors <= neg_segment_receiver::max_known_bit_errors);
        FUZZ_CHECK(!r.searched || r.known_bit_errors == 0);
        FUZZ_CHECK(std::labs(r.bit_offset) <= static_cast<long>(search));
        FUZZ_CHECK(r.levels.threshold >= std::min(r.levels.one, r.levels.zero) &&
                   r.levels.threshold <= std::max(r.levels.one, r.levels.zero));
    }
    if (const auto m = neg_segment_receiver::measure_samples_per_bit(segment, sps))
        FUZZ_CHECK(std::fabs(sps / *m - 1.0) <= 0.005 + 1e-12);
    return 0;
}
