/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "blocks_pdu.h"
#include "message_inputs.h"
#include <fiberkey/lab_pattern.h>
#include <fiberkey/secure_memory.h>
#include <gnuradio/fiberkey/frame_tags.h>
#include <gnuradio/fiberkey/pattern_rounds.h>
#include <gnuradio/io_signature.h>

#include <atomic>
#include <stdexcept>
#include <string>

namespace gr {
namespace fiberkey {

namespace fk = ::fiberkey;

class pattern_rounds_impl : public message_input_block<pattern_rounds>
{
public:
    pattern_rounds_impl(fk::lab_pattern a, fk::lab_pattern b)
        : gr::block("pattern_rounds",
                    gr::io_signature::make(0, 0, 0),
                    gr::io_signature::make(0, 0, 0)),
          d_keys{ a.session_key, b.session_key },
          d_first_counters{ a.first_counter, b.first_counter },
          d_rounds(std::move(a), std::move(b)),
          d_ports{ pmt::mp("a"), pmt::mp("b") },
          d_key_ports{ pmt::mp("key_a"), pmt::mp("key_b") }
    {
        for (const auto& p : d_key_ports)
            message_port_register_out(p);
        d_inputs.add("neg_at_a", [this](const pmt::pmt_t& m) { on_neg('A', m); });
        d_inputs.add("neg_at_b", [this](const pmt::pmt_t& m) { on_neg('B', m); });
        for (const auto& p : d_ports)
            message_port_register_out(p);
        // GNU Radio ends a message-only block at the first "done" of an upstream block:
        // here the faster receiver's, while the other's rounds still come, and then the
        // post-processors downstream, in the middle of their last exchange. This block
        // runs until the flowgraph is stopped (fiberkey.wait_for_captures).
        const pmt::pmt_t system_port = pmt::mp("system"), done = pmt::mp("done");
        set_msg_handler(system_port, [this, done](const pmt::pmt_t& msg) {
            if (!(pmt::is_pair(msg) && pmt::eqv(pmt::car(msg), done)))
                system_handler(msg);
        });
    }

    //! The patterns' session keys to the receivers' ZUC Frame Crypts, before any frame.
    bool start() override
    {
        for (int i = 0; i < 2; ++i)
            message_port_pub(d_key_ports[i], key_pdu(d_keys[i], d_first_counters[i]));
        return block::start();
    }

    ~pattern_rounds_impl() override
    {
        for (auto& k : d_keys)
            fk::secure_wipe(k);
    }

    uint64_t rounds() const override { return d_formed; }
    uint64_t frames() const override { return d_rounds.frames(); }
    uint64_t repeated() const override { return d_repeated; }
    uint64_t outside_pattern() const override { return d_outside; }

private:
    void on_neg(char at, const pmt::pmt_t& msg)
    {
        constexpr std::size_t block = fk::frame_layout::block_bytes;
        if (!is_byte_pdu(msg) || pmt::length(pmt::cdr(msg)) != block)
            throw message_refused("expected a demux 'neg' PDU: 255 bytes, meta "
                                  "frame_counter");
        const auto counter = meta_uint64(pmt::car(msg), frame_tags::frame_counter());
        if (!counter.ok() || counter.value > UINT32_MAX)
            throw message_refused("a 'neg' PDU's frame_counter must be an integer "
                                  "0..4294967295");
        size_t len = 0;
        const uint8_t* data = pmt::u8vector_elements(pmt::cdr(msg), len);
        const auto r = d_rounds.add(at,
                                    static_cast<uint32_t>(counter.value),
                                    std::span<const uint8_t>(data, len));
        d_repeated = d_rounds.repeated();
        d_outside = d_rounds.outside_pattern();
        if (!r)
            return;
        // Node A leads AB (direction 0), node B leads BA.
        const uint32_t ab_a = r->ab_at_a, ba_a = r->ba_at_a, ab_b = r->ab_at_b,
                       ba_b = r->ba_at_b;
        message_port_pub(d_ports[0],
                         rounds_message(0, r->sequence, std::span(&ab_a, 1), true));
        message_port_pub(d_ports[0],
                         rounds_message(1, r->sequence, std::span(&ba_a, 1), false));
        message_port_pub(d_ports[1],
                         rounds_message(0, r->sequence, std::span(&ab_b, 1), false));
        message_port_pub(d_ports[1],
                         rounds_message(1, r->sequence, std::span(&ba_b, 1), true));
        ++d_formed;
    }

    //! A ZUC Frame Crypt's key message: the pattern's session key, epoch 0, from its
    //! first frame.
    static pmt::pmt_t key_pdu(const std::array<uint8_t, 16>& key, uint32_t first_counter)
    {
        pmt::pmt_t meta = pmt::make_dict();
        meta = pmt::dict_add(meta, frame_tags::epoch(), pmt::from_uint64(0));
        meta = pmt::dict_add(
            meta, frame_tags::start_counter(), pmt::from_uint64(first_counter));
        return pmt::cons(meta, pmt::init_u8vector(key.size(), key.data()));
    }

    std::array<std::array<uint8_t, 16>, 2> d_keys; // wiped on destruction
    const std::array<uint32_t, 2> d_first_counters;
    fk::lab_rounds d_rounds; // the message thread only
    const std::array<pmt::pmt_t, 2> d_ports, d_key_ports;
    std::atomic<uint64_t> d_formed{ 0 }, d_repeated{ 0 }, d_outside{ 0 };
};

namespace {
fk::lab_pattern read_pattern(const std::string& prefix, char node)
{
    try {
        auto p = fk::lab_pattern::read(prefix);
        if (p.node != node)
            throw std::invalid_argument("pattern_rounds: " + prefix + " is node " +
                                        std::string(1, p.node) + "'s pattern, not " +
                                        std::string(1, node) + "'s");
        return p;
    } catch (const fk::lab_pattern_error& e) {
        throw std::invalid_argument(std::string("pattern_rounds: ") + e.what());
    }
}
} // namespace

pattern_rounds::sptr pattern_rounds::make(const std::string& pattern_a,
                                          const std::string& pattern_b)
{
    return gnuradio::make_block_sptr<pattern_rounds_impl>(read_pattern(pattern_a, 'A'),
                                                          read_pattern(pattern_b, 'B'));
}

} // namespace fiberkey
} // namespace gr
