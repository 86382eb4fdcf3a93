/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/level_normalizer.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace fiberkey {

namespace {
// Normalised samples beyond this many half eye openings from the middle are glitches.
constexpr double max_output = 4.0;
} // namespace

level_normalizer::level_normalizer(const level_normalizer_config& config)
    : d_config(config),
      d_rate(config.tracking_samples > 0 ? 1.0 / config.tracking_samples : 0.0)
{
    if (config.learn_samples < 16)
        throw std::invalid_argument("level_normalizer: learn_samples must be >= 16");
    if (!(config.tracking_samples >= 0) || !std::isfinite(config.tracking_samples))
        throw std::invalid_argument(
            "level_normalizer: tracking_samples must be finite and >= 0");
    d_window.reserve(config.learn_samples);
}

void level_normalizer::learn()
{
    // Non-finite samples were stored as NaN: leave them out of the percentiles.
    std::vector<float> finite;
    finite.reserve(d_window.size());
    for (const float x : d_window)
        if (std::isfinite(x))
            finite.push_back(x);
    if (finite.empty()) {
        d_low = d_high = 0.0;
    } else {
        const auto at = [&finite](double q) {
            auto k =
                finite.begin() + static_cast<std::ptrdiff_t>(q * (finite.size() - 1));
            std::nth_element(finite.begin(), k, finite.end());
            return static_cast<double>(*k);
        };
        d_low = at(0.1);
        d_high = at(0.9);
    }
    d_learned = true;
}

float level_normalizer::normalise(float x)
{
    if (!std::isfinite(x)) {
        ++d_nonfinite;
        return 0.0f;
    }
    const double middle = 0.5 * (d_low + d_high);
    const double half = 0.5 * (d_high - d_low);
    if (!(half > 0.0))
        return 0.0f;
    // Each level follows the samples on its side of the middle; a sample far outside
    // the eye (a glitch, a clipped burst) counts as if at its edge, and comes out there,
    // so that it moves nothing downstream far either.
    const double y = std::clamp((x - middle) / half, -max_output, max_output);
    const double clamped = middle + y * half;
    if (y > 0)
        d_high += d_rate * (clamped - d_high);
    else
        d_low += d_rate * (clamped - d_low);
    return static_cast<float>(y);
}

level_normalizer::progress level_normalizer::process(std::span<const float> in,
                                                     std::span<float> out)
{
    std::size_t used = 0, written = 0;
    while (!d_learned && used < in.size()) {
        d_window.push_back(in[used++]);
        if (d_window.size() == d_config.learn_samples)
            learn();
    }
    if (!d_learned)
        return { used, 0 };
    for (; d_drained < d_window.size() && written < out.size(); ++d_drained)
        out[written++] = normalise(d_window[d_drained]);
    if (pending() > 0)
        return { used, written };
    if (!d_window.empty()) { // drained: the window's memory is not needed again
        d_window.clear();
        d_window.shrink_to_fit();
        d_drained = 0;
    }
    for (; used < in.size() && written < out.size(); ++used)
        out[written++] = normalise(in[used]);
    return { used, written };
}

} // namespace fiberkey
