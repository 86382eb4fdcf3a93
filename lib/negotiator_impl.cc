/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "negotiator_impl.h"
#include "blocks_pdu.h"

#include <fiberkey/frame_layout.h>
#include <fiberkey/int_block.h>
#include <fiberkey/neg_block.h>
#include <fiberkey/random_source.h>
#include <gnuradio/fiberkey/frame_tags.h>
#include <gnuradio/io_signature.h>

#include <algorithm>
#include <stdexcept>

namespace gr {
namespace fiberkey {

namespace fl = ::fiberkey::frame_layout;

namespace {
uint8_t parse_direction(const std::string& node)
{
    if (node != "A" && node != "B")
        throw std::invalid_argument("negotiator: node must be \"A\" or \"B\"");
    return node == "A" ? 0 : 1;
}

::fiberkey::negotiator_config core_config(uint8_t direction, int bits)
{
    if (bits < 8 || bits > static_cast<int>(fl::nd_array_bytes * 8) || bits % 8 != 0)
        throw std::invalid_argument(
            "negotiator: bits (m) must be a multiple of 8 in 8..496");
    ::fiberkey::negotiator_config c;
    c.direction = direction;
    c.bits = static_cast<unsigned>(bits);
    return c;
}

std::unique_ptr<::fiberkey::random_source> random_for(uint64_t seed)
{
    if (seed == 0)
        return std::make_unique<::fiberkey::csprng_random_source>();
    return std::make_unique<::fiberkey::test_only_seeded_random_source>(seed);
}

uint64_t total_drops(const ::fiberkey::negotiator_counters& c)
{
    const auto& l = c.leader;
    const auto& f = c.follower;
    return l.queue_full + l.no_response + l.numbering_mismatch + l.missing_c2 +
           l.follower_lost + l.verdict_missed + f.queue_full + f.numbering_mismatch +
           f.missing_c1;
}
} // namespace

negotiator::sptr
negotiator::make(const std::string& node, int bits, uint64_t seed, int pipeline_frames)
{
    return gnuradio::make_block_sptr<negotiator_impl>(node, bits, seed, pipeline_frames);
}

negotiator_impl::negotiator_impl(const std::string& node,
                                 int bits,
                                 uint64_t seed,
                                 int pipeline_frames)
    : gr::block(
          "negotiator", gr::io_signature::make(0, 0, 0), gr::io_signature::make(0, 0, 0)),
      d_direction(parse_direction(node)),
      d_pipeline_frames(pipeline_frames),
      d_core(core_config(d_direction, bits), random_for(seed)),
      d_neg_port(pmt::mp("neg")),
      d_int_key(pmt::mp("int")),
      d_rounds_port(pmt::mp("rounds")),
      d_int_ok_key(pmt::mp("int_ok"))
{
    if (pipeline_frames < 0 || pipeline_frames > 4096)
        throw std::invalid_argument("negotiator: pipeline_frames must be 0..4096");
    if (seed != 0)
        d_logger->warn("seed {}: predictable arrays FOR TESTS ONLY, not for a real link",
                       seed);
    d_inputs.add("rx", [this](const pmt::pmt_t& m) { on_rx(m); });
    // Any change of the receiver's alignment: the mux kept time by line periods while
    // out of frame, so the counter gap across it is not to be made up.
    d_inputs.add("rx_status", [this](const pmt::pmt_t&) {
        gr::thread::scoped_lock guard(d_setlock);
        d_last_counter.reset();
    });
    message_port_register_out(d_neg_port);
    message_port_register_out(d_rounds_port);
}

uint64_t negotiator_impl::rounds_completed() const
{
    gr::thread::scoped_lock guard(const_cast<gr::thread::mutex&>(d_setlock));
    const auto& c = d_core.counters();
    return c.rounds_completed_as_leader + c.rounds_completed_as_follower;
}

uint64_t negotiator_impl::frames_received() const
{
    gr::thread::scoped_lock guard(const_cast<gr::thread::mutex&>(d_setlock));
    return d_core.counters().frames_received;
}

uint64_t negotiator_impl::frames_made_up() const
{
    gr::thread::scoped_lock guard(const_cast<gr::thread::mutex&>(d_setlock));
    return d_frames_made_up;
}

uint64_t negotiator_impl::rounds_dropped() const
{
    gr::thread::scoped_lock guard(const_cast<gr::thread::mutex&>(d_setlock));
    return total_drops(d_core.counters());
}

bool negotiator_impl::start()
{
    gr::thread::scoped_lock guard(d_setlock);
    for (int i = 0; i < d_pipeline_frames; ++i)
        send_next();
    return block::start();
}

void negotiator_impl::send_next()
{
    const auto next = d_core.transmit();
    std::vector<uint8_t> neg_block(fl::block_bytes);
    ::fiberkey::neg_block::encode(
        next.neg, std::span<uint8_t, fl::block_bytes>(neg_block.data(), fl::block_bytes));
    ::fiberkey::int_writer writer;
    for (const auto& r : next.int_records)
        if (!writer.add(r))
            d_logger->warn("INT records of a round do not fit one block");
    // The INT records ride with their NEG block: the peer checks the NEG numbering
    // against the round record of the same frame.
    pmt::pmt_t meta = pmt::make_dict();
    if (writer.used() > 0) {
        const auto bytes = writer.records();
        meta = pmt::dict_add(
            meta, d_int_key, pmt::init_u8vector(bytes.size(), bytes.data()));
    }
    message_port_pub(d_neg_port,
                     pmt::cons(meta, pmt::init_u8vector(neg_block.size(), neg_block)));
}

void negotiator_impl::on_rx(const pmt::pmt_t& msg)
{
    const auto frame = parse_blocks_pdu(msg, d_int_ok_key);
    if (!frame)
        throw message_refused(blocks_pdu_expected);

    const pmt::pmt_t counter =
        pmt::dict_ref(pmt::car(msg), frame_tags::frame_counter(), pmt::PMT_NIL);
    std::vector<::fiberkey::completed_round> done;
    {
        gr::thread::scoped_lock guard(d_setlock);
        d_core.receive(frame->neg, frame->records.records);
        done = d_core.take_completed();
        // One received frame, one frame to send: a new round every frame.
        send_next();
        // In lock step every frame lost on the way would take one frame out of the
        // pipeline for good, and after pipeline_frames losses both nodes would wait for
        // each other: the frames the peer's counter skipped are made up here. A longer
        // gap is an outage or a restart, not frames lost from the pipeline; a gap across
        // an out-of-frame spell is not counted (rx_status), since the mux kept time by
        // line periods meanwhile (otu_mux).
        if (d_pipeline_frames > 0 && pmt::is_uint64(counter)) {
            const auto c = static_cast<uint32_t>(pmt::to_uint64(counter));
            if (d_last_counter) {
                const uint32_t gap = c - *d_last_counter - 1;
                if (gap > 0 && gap <= static_cast<uint32_t>(d_pipeline_frames)) {
                    for (uint32_t i = 0; i < gap; ++i)
                        send_next();
                    d_frames_made_up += gap;
                }
            }
            d_last_counter = c;
        }
    }
    for (const auto& r : done) {
        const uint32_t count = r.count;
        message_port_pub(d_rounds_port,
                         rounds_message(r.direction,
                                        r.sequence,
                                        std::span(&count, 1),
                                        r.direction == d_direction));
    }
}

} // namespace fiberkey
} // namespace gr
