/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/signal_levels.h>
#include <fiberkey/slicer.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace fiberkey {

namespace {

// Separate loops for the common case: a unit stride is what the compiler vectorises.
void compare_contiguous(
    const float* in, std::uint8_t* out, std::size_t n, float threshold, std::uint8_t flip)
{
    for (std::size_t i = 0; i < n; ++i)
        out[i] = static_cast<std::uint8_t>(in[i] > threshold) ^ flip;
}

void compare_strided(const float* in,
                     std::size_t stride,
                     std::uint8_t* out,
                     std::size_t n,
                     float threshold,
                     std::uint8_t flip)
{
    for (std::size_t i = 0; i < n; ++i)
        out[i] = static_cast<std::uint8_t>(in[i * stride] > threshold) ^ flip;
}

} // namespace

slicer::slicer(const slicer_config& config)
    : d_sps(config.samples_per_bit),
      d_adaptive(config.adaptive),
      d_rate(config.adaptation_rate),
      d_threshold(config.threshold),
      d_inverted(config.inverted),
      d_skip(config.sample_phase)
{
    if (config.samples_per_bit == 0)
        throw std::invalid_argument("slicer: samples_per_bit must be at least 1");
    if (config.sample_phase >= config.samples_per_bit)
        throw std::invalid_argument(
            "slicer: sample_phase " + std::to_string(config.sample_phase) +
            " must be below samples_per_bit " + std::to_string(config.samples_per_bit));
    if (!(config.adaptation_rate > 0.0f && config.adaptation_rate <= 1.0f))
        throw std::invalid_argument("slicer: adaptation_rate must be in (0, 1]");
    if (!std::isfinite(config.threshold))
        throw std::invalid_argument("slicer: threshold must be finite");
}

void slicer::set_threshold(float threshold)
{
    d_threshold = threshold;
    d_levels_known = false;
}

void slicer::set_sample_phase(unsigned phase)
{
    if (phase >= d_sps)
        throw std::invalid_argument("slicer: sample phase must be below samples_per_bit");
    d_skip = phase;
}

std::size_t slicer::process(const float* in, std::uint8_t* out, std::size_t n)
{
    if (d_skip >= n) {
        d_skip -= n;
        return 0;
    }
    const std::size_t count = (n - d_skip - 1) / d_sps + 1;
    const float* first = in + d_skip;
    if (!d_adaptive) {
        decide(first, d_sps, out, count);
    } else {
        for (std::size_t done = 0; done < count; done += adapt_block) {
            const std::size_t m = std::min(adapt_block, count - done);
            const float* block_in = first + done * d_sps;
            double low = d_level_low, high = d_level_high;
            if (!d_levels_known) {
                // Start from the block's midhinge: between the levels on balanced data.
                const auto spread = robust_spread::of(block_in, m, d_sps, d_scratch);
                if (!spread) { // nothing finite to learn from
                    decide(block_in, d_sps, out + done, m);
                    continue;
                }
                d_threshold = static_cast<float>(spread->middle());
                low = spread->lower_quartile;
                high = spread->upper_quartile;
            }
            const double reach = plausible_eye_openings * (high - low);
            decide(block_in, d_sps, out + done, m);
            adapt(out + done,
                  block_in,
                  d_sps,
                  m,
                  static_cast<float>(low - reach),
                  static_cast<float>(high + reach));
        }
    }
    d_skip = d_skip + count * d_sps - n;
    return count;
}

void slicer::decide(const float* in, std::size_t stride, std::uint8_t* out, std::size_t n)
{
    const auto flip = static_cast<std::uint8_t>(d_inverted);
    if (stride == 1)
        compare_contiguous(in, out, n, d_threshold, flip);
    else
        compare_strided(in, stride, out, n, d_threshold, flip);
}

void slicer::adapt(const std::uint8_t* bits,
                   const float* in,
                   std::size_t stride,
                   std::size_t n,
                   float lowest,
                   float highest)
{
    // Branch-free sums in eight independent lanes, so that they run in parallel. A sample
    // outside [lowest, highest] is clamped to it (NaN to lowest): a glitch moves a level
    // by a bounded step.
    const auto flip = static_cast<std::uint8_t>(d_inverted);
    constexpr std::size_t lanes = 8;
    float all[lanes] = {}, high_lanes[lanes] = {};
    std::size_t n_high = 0;
    const auto add = [&](std::size_t k, float x, std::uint8_t bit) {
        const float clamped = std::min(highest, std::max(lowest, x));
        const unsigned above = bit ^ flip;
        all[k] += clamped;
        high_lanes[k] += clamped * static_cast<float>(above);
        n_high += above;
    };
    std::size_t i = 0;
    for (; i + lanes <= n; i += lanes)
        for (std::size_t k = 0; k < lanes; ++k)
            add(k, in[(i + k) * stride], bits[i + k]);
    for (; i < n; ++i)
        add(0, in[i * stride], bits[i]);
    double high = 0.0, low = 0.0;
    for (std::size_t k = 0; k < lanes; ++k) {
        high += high_lanes[k];
        low += all[k] - high_lanes[k];
    }
    const std::size_t n_low = n - n_high;
    // One level absent block after block: the other is stale (a signal that came up or
    // moved, a burst of wild samples learnt as a level, a swing that collapsed), since
    // scrambled data never holds one level for long. Learn afresh.
    if (n_high == 0 || n_low == 0) {
        if (++d_one_sided_blocks == max_one_sided_blocks) {
            d_one_sided_blocks = 0;
            d_levels_known = false;
            return;
        }
    } else {
        d_one_sided_blocks = 0;
    }
    const float mean_high = n_high ? static_cast<float>(high / n_high) : d_threshold;
    const float mean_low = n_low ? static_cast<float>(low / n_low) : d_threshold;
    if (!d_levels_known) {
        d_level_high = mean_high;
        d_level_low = mean_low;
        d_levels_known = true;
    } else {
        if (n_high)
            d_level_high += d_rate * (mean_high - d_level_high);
        if (n_low)
            d_level_low += d_rate * (mean_low - d_level_low);
    }
    d_threshold = 0.5f * (d_level_high + d_level_low);
    if (!std::isfinite(d_threshold))
        d_levels_known = false;
}

} // namespace fiberkey
