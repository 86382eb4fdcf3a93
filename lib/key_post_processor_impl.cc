/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "key_post_processor_impl.h"

#include "blocks_pdu.h"

#include <fiberkey/int_transport.h>
#include <fiberkey/post_processing_settings.h>
#include <fiberkey/secure_memory.h>
#include <fiberkey/session_key.h>
#include <gnuradio/fiberkey/frame_tags.h>
#include <gnuradio/io_signature.h>

#include <algorithm>
#include <stdexcept>

namespace gr {
namespace fiberkey {

namespace fk = ::fiberkey;


namespace {
constexpr long first_stream = 2; // INT stream of direction AB; BA uses 3

// The messages go over the INT channel (int_channel), which carries at most 59,160
// bytes: a batch whose SYNDROME could be longer is refused with the longest that fits.
void check_fits_int(const fk::post_processor_config& c)
{
    constexpr auto limit = fk::int_transport::max_message_bytes_limit;
    if (c.largest_message_bytes() <= limit)
        return;
    auto shorter = c;
    std::size_t low = 64, high = c.batch_rounds; // fits at low, not at high
    while (high - low > 1) {
        shorter.batch_rounds = (low + high) / 2;
        (shorter.largest_message_bytes() <= limit ? low : high) = shorter.batch_rounds;
    }
    throw std::invalid_argument(
        "batch_rounds " + std::to_string(c.batch_rounds) + ": a SYNDROME of " +
        std::to_string(c.largest_message_bytes()) +
        " bytes would not fit the INT channel's " + std::to_string(limit) + "; at most " +
        std::to_string(low) + " rounds per batch in this mode");
}

// The block's arguments through the core's one factory (post_processing_settings.h), so
// that the block, fiberkey.node and the tools build the same configuration.
fk::post_processor_config config(int direction,
                                 bool leader,
                                 const std::string& mode,
                                 int bits_per_round,
                                 int batch_rounds,
                                 double alpha,
                                 double log2_epsilon)
{
    try {
        // Negative counts become 0 (bits per round: 7) and a negative direction a huge
        // one: the factory refuses them by name. Bits per round 0 is the mode's own.
        fk::post_processing_settings s;
        s.mode = fk::parse_quantizer_mode(mode);
        s.bits_per_round = bits_per_round == 0  ? fk::default_bits_per_round(s.mode)
                           : bits_per_round < 0 ? 7u
                                                : static_cast<unsigned>(bits_per_round);
        s.batch_rounds = static_cast<std::size_t>(std::max(batch_rounds, 0));
        s.alpha = alpha;
        s.log2_epsilon = log2_epsilon;
        auto c = fk::make_post_processor_config(leader ? fk::pp_role::leader
                                                       : fk::pp_role::follower,
                                                static_cast<unsigned>(direction),
                                                s);
        check_fits_int(c);
        return c;
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("key_post_processor: ") + e.what());
    }
}
} // namespace

key_post_processor::sptr key_post_processor::make(int direction,
                                                  bool leader,
                                                  const std::string& mode,
                                                  int bits_per_round,
                                                  int batch_rounds,
                                                  double alpha,
                                                  double log2_epsilon,
                                                  bool rekey,
                                                  int link_key_period)
{
    return gnuradio::make_block_sptr<key_post_processor_impl>(direction,
                                                              leader,
                                                              mode,
                                                              bits_per_round,
                                                              batch_rounds,
                                                              alpha,
                                                              log2_epsilon,
                                                              rekey,
                                                              link_key_period);
}

key_post_processor_impl::key_post_processor_impl(int direction,
                                                 bool leader,
                                                 const std::string& mode,
                                                 int bits_per_round,
                                                 int batch_rounds,
                                                 double alpha,
                                                 double log2_epsilon,
                                                 bool rekey,
                                                 int link_key_period)
    : gr::block("key_post_processor",
                gr::io_signature::make(0, 0, 0),
                gr::io_signature::make(0, 0, 0)),
      d_direction(static_cast<uint8_t>(direction)),
      d_rekey(rekey),
      d_split(static_cast<uint32_t>(std::max(link_key_period, 0))),
      d_stream(first_stream + direction),
      d_pp(config(
          direction, leader, mode, bits_per_round, batch_rounds, alpha, log2_epsilon)),
      d_send_port(pmt::mp("send")),
      d_keys_port(pmt::mp("seed_keys")),
      d_app_keys_port(pmt::mp("app_keys")),
      d_session_port(pmt::mp("session_key")),
      d_status_port(pmt::mp("status")),
      d_direction_key(pmt::mp("direction")),
      d_sequence_key(pmt::mp("sequence")),
      d_count_key(pmt::mp("count")),
      d_stream_key(pmt::mp("stream"))
{
    d_inputs.add("rounds", [this](const pmt::pmt_t& m) { on_round(m); });
    d_inputs.add("recv", [this](const pmt::pmt_t& m) { on_recv(m); });
    d_inputs.add("hold", [this](const pmt::pmt_t& m) { on_hold(m); });
    message_port_register_out(d_send_port);
    message_port_register_out(d_keys_port);
    message_port_register_out(d_app_keys_port);
    message_port_register_out(d_session_port);
    message_port_register_out(d_status_port);
}

uint64_t key_post_processor_impl::keys() const
{
    gr::thread::scoped_lock guard(const_cast<gr::thread::mutex&>(d_setlock));
    return d_pp.stats().keys_emitted;
}

uint64_t key_post_processor_impl::batches_failed() const
{
    gr::thread::scoped_lock guard(const_cast<gr::thread::mutex&>(d_setlock));
    return d_pp.stats().batches_failed;
}

uint64_t key_post_processor_impl::secret_bits() const
{
    gr::thread::scoped_lock guard(const_cast<gr::thread::mutex&>(d_setlock));
    return d_pp.stats().secret_bits;
}

uint64_t key_post_processor_impl::rounds_in() const
{
    gr::thread::scoped_lock guard(const_cast<gr::thread::mutex&>(d_setlock));
    return d_pp.stats().rounds_in;
}

uint64_t key_post_processor_impl::app_keys() const
{
    gr::thread::scoped_lock guard(const_cast<gr::thread::mutex&>(d_setlock));
    return d_app_keys;
}

uint64_t key_post_processor_impl::app_keys_dropped() const
{
    gr::thread::scoped_lock guard(const_cast<gr::thread::mutex&>(d_setlock));
    return d_app_keys_dropped;
}

void key_post_processor_impl::on_round(const pmt::pmt_t& msg)
{
    const auto rounds = parse_round(msg, d_direction_key, d_sequence_key, d_count_key);
    if (rounds.direction != d_direction)
        return; // the other direction's rounds
    gr::thread::scoped_lock guard(d_setlock);
    for (std::size_t i = 0; i < rounds.size; ++i)
        d_pp.add_round(rounds.sequence_of(i), rounds.count_of(i));
    flush();
}

void key_post_processor_impl::on_hold(const pmt::pmt_t& msg)
{
    if (!pmt::is_bool(msg))
        throw message_refused("hold: expected #t (hold) or #f (release)");
    set_hold(pmt::to_bool(msg));
}

void key_post_processor_impl::set_hold(bool hold)
{
    gr::thread::scoped_lock guard(d_setlock);
    if (hold == d_pp.held())
        return;
    d_pp.set_hold(hold);
    if (hold)
        d_logger->warn("direction {}: key agreement held (tap alarm); rounds discarded",
                       d_direction == 0 ? "AB" : "BA");
    else
        d_logger->info("direction {}: key agreement resumed",
                       d_direction == 0 ? "AB" : "BA");
    flush();
}

bool key_post_processor_impl::held() const
{
    gr::thread::scoped_lock guard(const_cast<gr::thread::mutex&>(d_setlock));
    return d_pp.held();
}

uint64_t key_post_processor_impl::rounds_held() const
{
    gr::thread::scoped_lock guard(const_cast<gr::thread::mutex&>(d_setlock));
    return d_pp.stats().rounds_held;
}

int key_post_processor_impl::latest_round_sequence() const
{
    gr::thread::scoped_lock guard(const_cast<gr::thread::mutex&>(d_setlock));
    return d_pp.latest_round_sequence();
}

void key_post_processor_impl::on_recv(const pmt::pmt_t& msg)
{
    const auto data = int_stream_message(msg, d_stream_key, d_stream);
    if (!data)
        return; // another user of the channel
    gr::thread::scoped_lock guard(d_setlock);
    const auto verdict = d_pp.handle_message(*data);
    if (!verdict.accepted)
        d_logger->debug("message rejected: {}", verdict.reason);
    flush();
}

std::optional<std::string>
key_post_processor_impl::application_key_id(const fk::seed_key& k)
{
    if (!d_namer || d_namer->link_index() != d_split.link_key_of(k.key_index))
        return std::nullopt;
    return fk::uuid_text(d_namer->id(k.direction, k.key_index, k.stream_position));
}

void key_post_processor_impl::publish_session_key(const fk::seed_key& k)
{
    auto session = fk::session_key::derive(k.key, k.direction, k.key_index + 1);
    pmt::pmt_t m = pmt::dict_add(pmt::make_dict(),
                                 frame_tags::epoch(),
                                 pmt::from_long(d_split.link_epoch(k.key_index)));
    message_port_pub(d_session_port,
                     pmt::cons(m, pmt::init_u8vector(session.size(), session.data())));
    fk::secure_wipe(session);
}

void key_post_processor_impl::flush()
{
    // Keys before messages: a follower installs its receive key before its KEY_ACK goes
    // out, so the leader, which switches only on that acknowledgement, never encrypts
    // under a key that the receiver does not hold yet.
    for (auto& k : d_pp.take_keys()) {
        const bool link = d_split.for_link(k.key_index);
        std::optional<std::string> id;
        if (!link) {
            id = application_key_id(k);
            if (!id) {
                ++d_app_keys_dropped;
                d_logger->warn("direction {}: application key {} dropped: this end never "
                               "formed link key {}, which names it",
                               d_direction == 0 ? "AB" : "BA",
                               k.key_index,
                               d_split.link_key_of(k.key_index));
            }
        }
        pmt::pmt_t meta = pmt::make_dict();
        meta = pmt::dict_add(meta, d_direction_key, pmt::from_long(k.direction));
        if (link)
            meta = pmt::dict_add(meta,
                                 frame_tags::epoch(),
                                 pmt::from_long(d_split.link_epoch(k.key_index)));
        meta = pmt::dict_add(meta, pmt::mp("key_index"), pmt::from_long(k.key_index));
        meta =
            pmt::dict_add(meta, pmt::mp("use"), pmt::mp(link ? "link" : "application"));
        if (id)
            meta = pmt::dict_add(meta, pmt::mp("key_id"), pmt::mp(*id));
        meta =
            pmt::dict_add(meta, pmt::mp("rounds_used"), pmt::from_uint64(k.rounds_used));
        meta = pmt::dict_add(
            meta, pmt::mp("disagreement"), pmt::from_double(k.disagreement));
        meta =
            pmt::dict_add(meta, pmt::mp("bits_leaked"), pmt::from_uint64(k.bits_leaked));
        meta = pmt::dict_add(meta, pmt::mp("epsilon"), pmt::from_double(k.epsilon));
        meta = pmt::dict_add(
            meta, pmt::mp("last_round_sequence"), pmt::from_long(k.last_round_sequence));
        const pmt::pmt_t pdu =
            pmt::cons(meta, pmt::init_u8vector(k.key.size(), k.key.data()));
        message_port_pub(d_keys_port, pdu);
        if (id) {
            ++d_app_keys;
            message_port_pub(d_app_keys_port, pdu);
        }
        if (link) {
            d_namer.emplace(k.key, k.key_index);
            if (d_rekey)
                publish_session_key(k);
        }
    }
    for (const auto& msg : d_pp.take_messages()) {
        pmt::pmt_t meta =
            pmt::dict_add(pmt::make_dict(), d_stream_key, pmt::from_long(d_stream));
        message_port_pub(d_send_port,
                         pmt::cons(meta, pmt::init_u8vector(msg.size(), msg)));
    }
    for (const auto& r : d_pp.take_reports()) {
        if (!r.reason.empty()) {
            pmt::pmt_t d = pmt::dict_add(
                pmt::make_dict(), pmt::mp("batch"), pmt::from_long(r.batch));
            d = pmt::dict_add(d, pmt::mp("reason"), pmt::mp(r.reason));
            message_port_pub(d_status_port, d);
        }
    }
}

} // namespace fiberkey
} // namespace gr
