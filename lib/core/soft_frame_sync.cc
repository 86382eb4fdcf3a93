/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/soft_frame_sync.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace fiberkey {

namespace {

using frame_layout::fas_word;
constexpr std::uint64_t fas_mask = (std::uint64_t{ 1 } << soft_frame_sync::fas_bits) - 1;

constexpr bool fas_bit(std::size_t i)
{
    return (fas_word >> (soft_frame_sync::fas_bits - 1 - i)) & 1;
}

constexpr std::size_t count_fas_ones()
{
    std::size_t n = 0;
    for (std::size_t i = 0; i < soft_frame_sync::fas_bits; ++i)
        n += fas_bit(i);
    return n;
}
// Balanced: correlating with +-1 removes the DC offset by itself.
static_assert(2 * count_fas_ones() == soft_frame_sync::fas_bits);

// The hunting decision level: a running mean of the blocks' midhinges over up to
// dc_memory samples, updated every dc_block samples. The midhinge, not the mean: one
// glitch (3e38, an infinity) in a capture must not move the level off the signal. It is
// taken over every dc_stride-th sample (cheap, and as robust), of blocks of at least
// dc_min_block samples (the quartiles of three samples are their extremes).
constexpr std::size_t dc_block = 1024;
constexpr std::size_t dc_memory = 4096;
constexpr std::size_t dc_stride = 32;
constexpr std::size_t dc_min_block = 64;

//! Normalised correlation of 48 samples with the FAS as +-1, in [-1, 1].
double fas_correlation(const float* x)
{
    double signed_sum = 0.0, sum = 0.0;
    for (std::size_t i = 0; i < soft_frame_sync::fas_bits; ++i) {
        signed_sum += fas_bit(i) ? x[i] : -x[i];
        sum += x[i];
    }
    const double mean = sum / soft_frame_sync::fas_bits;
    double spread = 0.0;
    for (std::size_t i = 0; i < soft_frame_sync::fas_bits; ++i)
        spread += (x[i] - mean) * (x[i] - mean);
    if (spread == 0.0)
        return 0.0;
    return signed_sum / std::sqrt(soft_frame_sync::fas_bits * spread);
}

} // namespace

soft_frame_sync::soft_frame_sync(const soft_frame_sync_config& config) : d_config(config)
{
    if (config.max_hunt_bit_errors > 12)
        throw std::invalid_argument(
            "soft_frame_sync: max_hunt_bit_errors must be at most 12");
    if (!(config.min_correlation > 0.0 && config.min_correlation <= 1.0))
        throw std::invalid_argument("soft_frame_sync: min_correlation must be in (0, 1]");
    if (!(config.level_smoothing > 0.0 && config.level_smoothing <= 1.0))
        throw std::invalid_argument("soft_frame_sync: level_smoothing must be in (0, 1]");
}

void soft_frame_sync::reset()
{
    d_levels_valid = false;
    d_dc_samples = 0;
    enter_hunt(d_counters.samples);
}

void soft_frame_sync::enter_hunt(std::uint64_t from)
{
    d_in_frame = false;
    d_reg = 0;
    d_scan_from = from;
    d_candidate_count = 0;
    if (d_levels_valid) {
        // The last levels are a better decision level than a fresh mean.
        d_dc = 0.5 * (d_levels.one + d_levels.zero);
        d_dc_samples = dc_memory;
    }
}

void soft_frame_sync::process(const float* in,
                              std::size_t n,
                              std::vector<frame_start>& frames,
                              std::vector<sync_event>* events)
{
    d_chunk_start = d_counters.samples;
    std::size_t i = 0;
    while (i < n)
        i = d_in_frame ? follow(in, n, frames, events) : hunt(in, i, n, frames, events);
    keep_history(in, n);
    d_counters.samples += n;
}

void soft_frame_sync::keep_history(const float* in, std::size_t n)
{
    if (n >= report_bits) {
        std::memcpy(d_history.data(), in + n - report_bits, sizeof d_history);
    } else {
        std::memmove(
            d_history.data(), d_history.data() + n, (report_bits - n) * sizeof(float));
        std::memcpy(d_history.data() + report_bits - n, in, n * sizeof(float));
    }
}

void soft_frame_sync::gather(const float* in,
                             std::uint64_t sample,
                             std::size_t count,
                             float* out) const
{
    // Callers ask only for the last report_bits samples before in[0] or for in[].
    for (std::size_t k = 0; k < count; ++k) {
        const std::uint64_t j = sample + k;
        out[k] = j >= d_chunk_start ? in[j - d_chunk_start]
                                    : d_history[report_bits - (d_chunk_start - j)];
    }
}

std::size_t soft_frame_sync::hunt(const float* in,
                                  std::size_t first,
                                  std::size_t n,
                                  std::vector<frame_start>& frames,
                                  std::vector<sync_event>* events)
{
    std::size_t i = first;
    while (i < n) {
        // The oldest candidate is judged once the first 112 samples of the frame after
        // it are in.
        std::size_t end = n;
        std::uint64_t deadline = 0;
        if (d_candidate_count > 0) {
            deadline = d_candidates[d_candidate_head].sample + frame_bits + report_bits;
            end = static_cast<std::size_t>(
                std::min<std::uint64_t>(n, deadline - d_chunk_start));
        }
        i = scan(in, i, end);
        if (d_candidate_count == 0 || d_chunk_start + i != deadline)
            continue;
        const candidate c = d_candidates[d_candidate_head];
        d_candidate_head = (d_candidate_head + 1) % max_candidates;
        --d_candidate_count;
        const std::uint64_t repeat = c.sample + frame_bits;
        std::array<float, report_bits> x;
        gather(in, repeat, report_bits, x.data());
        const double r = fas_correlation(x.data());
        if (std::fabs(r) < d_config.min_correlation || (r < 0) != c.inverted)
            continue;
        d_in_frame = true;
        d_inverted = c.inverted;
        d_misses = 0;
        d_candidate_count = 0;
        d_levels_valid = false;
        ++d_counters.in_frame;
        if (events)
            events->push_back({ sync_event_kind::in_frame, repeat });
        report(x.data(), repeat, std::fabs(r), true, frames);
        d_next_fas = repeat + frame_bits;
        return i;
    }
    return n;
}

std::size_t soft_frame_sync::scan(const float* in, std::size_t first, std::size_t end)
{
    const unsigned tolerance = d_config.max_hunt_bit_errors;
    for (std::size_t i = first; i < end;) {
        const std::size_t m = std::min(end - i, dc_block);
        const auto block_level =
            m >= dc_min_block
                ? robust_spread::of(in + i, m / dc_stride, dc_stride, d_scratch)
                : std::nullopt;
        // Cumulative at first, exponential once dc_memory samples are in.
        const auto fold = [&](std::size_t taken) {
            const double kept = static_cast<double>(std::min(d_dc_samples, dc_memory));
            d_dc = (d_dc * kept + block_level->middle() * static_cast<double>(taken)) /
                   (kept + static_cast<double>(taken));
            d_dc_samples = static_cast<std::size_t>(kept) + taken;
        };
        // Until a whole block is behind the level, a block's own level counts before it
        // is scanned: a tiny first chunk must not set the level for the next block.
        const bool folded = block_level && d_dc_samples < dc_block;
        if (folded)
            fold(m);
        const auto dc = static_cast<float>(d_dc);
        std::uint64_t reg = d_reg;
        bool new_deadline = false;
        std::size_t k = i;
        while (k < i + m && !new_deadline) {
            reg = (reg << 1) | static_cast<std::uint64_t>(in[k] > dc);
            const std::uint64_t end_of_window = d_chunk_start + ++k;
            if (end_of_window < d_scan_from + fas_bits)
                continue; // the register is not full of this stream's bits yet
            const auto distance =
                static_cast<unsigned>(std::popcount((reg ^ fas_word) & fas_mask));
            if (distance <= tolerance)
                new_deadline = found(in, end_of_window - fas_bits, false);
            else if (distance >= fas_bits - tolerance)
                new_deadline = found(in, end_of_window - fas_bits, true);
        }
        d_reg = reg;
        if (block_level && !folded)
            fold(k - i);
        i = k;
        if (new_deadline)
            return i;
    }
    return end;
}

bool soft_frame_sync::found(const float* in, std::uint64_t sample, bool inverted)
{
    std::array<float, fas_bits> x;
    gather(in, sample, fas_bits, x.data());
    const double r = fas_correlation(x.data());
    if (std::fabs(r) < d_config.min_correlation || (r < 0) != inverted)
        return false;
    ++d_counters.candidates;
    if (d_candidate_count == max_candidates) {
        ++d_counters.dropped_candidates;
        return false;
    }
    d_candidates[(d_candidate_head + d_candidate_count) % max_candidates] = { sample,
                                                                              inverted };
    return ++d_candidate_count == 1;
}

std::size_t soft_frame_sync::follow(const float* in,
                                    std::size_t n,
                                    std::vector<frame_start>& frames,
                                    std::vector<sync_event>* events)
{
    for (;;) {
        const std::uint64_t complete = d_next_fas + report_bits;
        if (complete > d_chunk_start + n)
            return n;
        std::array<float, report_bits> x;
        gather(in, d_next_fas, report_bits, x.data());
        double r = fas_correlation(x.data());
        if (d_inverted)
            r = -r;
        const bool fas_ok = r >= d_config.min_correlation;
        if (fas_ok) {
            d_misses = 0;
        } else {
            ++d_counters.missed_fas;
            if (++d_misses == misses_to_out_of_frame) {
                ++d_counters.out_of_frame;
                if (events)
                    events->push_back({ sync_event_kind::out_of_frame, d_next_fas });
                enter_hunt(complete);
                return static_cast<std::size_t>(complete - d_chunk_start);
            }
        }
        report(x.data(), d_next_fas, r, fas_ok, frames);
        d_next_fas += frame_bits;
    }
}

void soft_frame_sync::update_levels(const float* x)
{
    // FAS: the known bits. Overhead bytes after it: whichever level is nearer, unless
    // far outside the eye (a glitch, not a bit: it would drag a level away for long).
    static constexpr auto fas_known = [] {
        std::array<std::int8_t, fas_bits> bits{};
        for (std::size_t i = 0; i < fas_bits; ++i)
            bits[i] = fas_bit(i);
        return bits;
    }();
    const auto m = level_measurement::of({ x, report_bits }, fas_known);
    if (!m)
        return; // a glitch inside the FAS itself: these levels are not kept
    if (!d_levels_valid) {
        d_levels = *m;
        d_levels_valid = true;
    } else {
        const double w = d_config.level_smoothing;
        d_levels.one += w * (m->one - d_levels.one);
        d_levels.zero += w * (m->zero - d_levels.zero);
        d_levels.var_one += w * (m->var_one - d_levels.var_one);
        d_levels.var_zero += w * (m->var_zero - d_levels.var_zero);
    }
}

void soft_frame_sync::report(const float* x,
                             std::uint64_t sample,
                             double corr,
                             bool fas_ok,
                             std::vector<frame_start>& frames)
{
    if (fas_ok)
        update_levels(x);
    frame_start f;
    f.sample = sample;
    f.levels = d_levels.decision_levels();
    f.sigma_one = f.levels.sigma_one;
    f.sigma_zero = f.levels.sigma_zero;
    f.correlation = corr;
    f.inverted = d_inverted;
    f.fas_ok = fas_ok;
    frames.push_back(f);
    ++d_counters.frames;
}

} // namespace fiberkey
