/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "round_counts_impl.h"
#include "blocks_pdu.h"

#include <gnuradio/io_signature.h>

#include <stdexcept>

namespace gr {
namespace fiberkey {

round_counts::sptr round_counts::make(int queue_depth)
{
    return gnuradio::make_block_sptr<round_counts_impl>(queue_depth);
}

round_counts_impl::round_counts_impl(int queue_depth)
    : gr::block("round_counts",
                gr::io_signature::make(0, 0, 0),
                gr::io_signature::make(2, 2, sizeof(float))),
      d_depth(queue_depth > 0 ? static_cast<std::size_t>(queue_depth) : 1),
      d_direction_key(pmt::mp("direction")),
      d_sequence_key(pmt::mp("sequence")),
      d_count_key(pmt::mp("count"))
{
    if (queue_depth < 1)
        throw std::invalid_argument("round_counts: queue_depth must be >= 1");
    d_inputs.add("rounds", [this](const pmt::pmt_t& m) { on_round(m); });
}

void round_counts_impl::on_round(const pmt::pmt_t& msg)
{
    const auto rounds = parse_round(msg, d_direction_key, d_sequence_key, d_count_key);
    gr::thread::scoped_lock guard(d_setlock);
    auto& q = d_queues[rounds.direction];
    for (std::size_t i = 0; i < rounds.size; ++i) {
        if (q.size() >= d_depth) {
            q.pop_front();
            ++d_dropped;
        }
        q.push_back({ rounds.sequence_of(i), static_cast<float>(rounds.count_of(i)) });
    }
}

int round_counts_impl::general_work(int noutput_items,
                                    gr_vector_int&,
                                    gr_vector_const_void_star&,
                                    gr_vector_void_star& output_items)
{
    gr::thread::scoped_lock guard(d_setlock);
    for (int d = 0; d < 2; ++d) {
        auto* out = static_cast<float*>(output_items[d]);
        auto& q = d_queues[d];
        int n = 0;
        for (; n < noutput_items && !q.empty(); ++n, q.pop_front()) {
            out[n] = q.front().count;
            add_item_tag(d,
                         nitems_written(d) + n,
                         d_sequence_key,
                         pmt::from_long(q.front().sequence));
        }
        produce(d, n);
    }
    return WORK_CALLED_PRODUCE;
}

} // namespace fiberkey
} // namespace gr
