/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "level_normalizer_impl.h"
#include <gnuradio/io_signature.h>

#include <stdexcept>

namespace gr {
namespace fiberkey {

level_normalizer::sptr level_normalizer::make(int learn_samples, double tracking_samples)
{
    return gnuradio::make_block_sptr<level_normalizer_impl>(learn_samples,
                                                            tracking_samples);
}

namespace {
::fiberkey::level_normalizer_config config(int learn_samples, double tracking_samples)
{
    if (learn_samples < 16)
        throw std::invalid_argument("level_normalizer: learn_samples must be >= 16");
    return { static_cast<std::size_t>(learn_samples), tracking_samples };
}
} // namespace

level_normalizer_impl::level_normalizer_impl(int learn_samples, double tracking_samples)
    : gr::block("level_normalizer",
                gr::io_signature::make(1, 1, sizeof(float)),
                gr::io_signature::make(1, 1, sizeof(float))),
      d_core(config(learn_samples, tracking_samples))
{
}

void level_normalizer_impl::forecast(int noutput_items,
                                     gr_vector_int& ninput_items_required)
{
    gr::thread::scoped_lock guard(d_setlock);
    // Learning takes any input; the learned window drains without any.
    ninput_items_required[0] = !d_core.learned()      ? 1
                               : d_core.pending() > 0 ? 0
                                                      : noutput_items;
}

int level_normalizer_impl::general_work(int noutput_items,
                                        gr_vector_int& ninput_items,
                                        gr_vector_const_void_star& input_items,
                                        gr_vector_void_star& output_items)
{
    const auto* in = static_cast<const float*>(input_items[0]);
    auto* out = static_cast<float*>(output_items[0]);
    gr::thread::scoped_lock guard(d_setlock);
    const auto p = d_core.process(
        std::span<const float>(in, static_cast<std::size_t>(ninput_items[0])),
        std::span<float>(out, static_cast<std::size_t>(noutput_items)));
    consume_each(static_cast<int>(p.consumed));
    return static_cast<int>(p.written);
}

} // namespace fiberkey
} // namespace gr
