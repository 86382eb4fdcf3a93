/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/signal_levels.h>

#include <algorithm>
#include <cmath>

namespace fiberkey {

std::optional<robust_spread> robust_spread::of(const float* x,
                                               std::size_t n,
                                               std::size_t stride,
                                               std::vector<float>& scratch)
{
    scratch.clear();
    for (std::size_t i = 0; i < n; ++i)
        if (std::isfinite(x[i * stride])) // NaN would break nth_element's ordering
            scratch.push_back(x[i * stride]);
    if (scratch.empty())
        return std::nullopt;
    const auto at = [&](std::size_t k) {
        std::nth_element(scratch.begin(), scratch.begin() + k, scratch.end());
        return static_cast<double>(scratch[k]);
    };
    const std::size_t m = scratch.size();
    const double lower = at(m / 4);
    return robust_spread{ lower, at(m - 1 - m / 4) };
}

} // namespace fiberkey
