/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "zuc_crypt_impl.h"

#include "blocks_pdu.h"

#include <fiberkey/secure_memory.h>
#include <gnuradio/fiberkey/frame_tags.h>
#include <gnuradio/io_signature.h>

#include <cstring>
#include <stdexcept>

namespace gr {
namespace fiberkey {

namespace layout = ::fiberkey::frame_layout;
using ::fiberkey::key_schedule;

namespace {
std::span<const uint8_t, 16> key_span(const std::vector<uint8_t>& key)
{
    if (key.size() != 16)
        throw std::invalid_argument("zuc_crypt: a session key is 16 bytes, got " +
                                    std::to_string(key.size()));
    return std::span<const uint8_t, 16>(key.data(), 16);
}

void check_epoch(long epoch)
{
    if (epoch < 0 || epoch >= static_cast<long>(key_schedule::epochs))
        throw std::invalid_argument("zuc_crypt: the key epoch is 0..3");
}
} // namespace

zuc_crypt::sptr zuc_crypt::make(int direction,
                                bool transmit,
                                const std::vector<uint8_t>& key,
                                int epoch,
                                const std::string& backend,
                                bool allow_clear,
                                bool integrity,
                                double tag_alarm_threshold)
{
    return gnuradio::make_block_sptr<zuc_crypt_impl>(direction,
                                                     transmit,
                                                     key,
                                                     epoch,
                                                     backend,
                                                     allow_clear,
                                                     integrity,
                                                     tag_alarm_threshold);
}

zuc_crypt_impl::zuc_crypt_impl(int direction,
                               bool transmit,
                               const std::vector<uint8_t>& key,
                               int epoch,
                               const std::string& backend,
                               bool allow_clear,
                               bool integrity,
                               double tag_alarm_threshold)
    : gr::block("zuc_crypt",
                gr::io_signature::make(1, 1, layout::frame_item_bytes),
                gr::io_signature::make(1, 1, layout::frame_item_bytes)),
      d_direction(static_cast<unsigned>(direction)),
      d_transmit(transmit),
      d_integrity(integrity),
      d_link_start(allow_clear),
      d_cipher(::fiberkey::parse_zuc_backend(backend)),
      d_schedule(transmit ? key_schedule::role::transmit : key_schedule::role::receive),
      d_events_port(pmt::mp("events")),
      d_event_key(pmt::mp("event")),
      d_reason_key(pmt::mp("reason"))
{
    if (direction != 0 && direction != 1)
        throw std::invalid_argument("zuc_crypt: direction is 0 (A to B) or 1 (B to A)");
    check_epoch(epoch);
    set_tag_alarm_threshold(tag_alarm_threshold);
    if (!key.empty())
        d_schedule.install(key_span(key), static_cast<unsigned>(epoch), 0);

    set_tag_propagation_policy(TPP_DONT);
    // Room for work in chunks of several frames: fewer thread wake-ups per frame.
    set_min_output_buffer(0, frames_per_buffer);
    d_inputs.add("key", [this](const pmt::pmt_t& msg) { handle_key(msg); });
    message_port_register_out(d_events_port);
}

void zuc_crypt_impl::set_key(const std::vector<uint8_t>& key,
                             int epoch,
                             uint64_t start_counter)
{
    if (start_counter > UINT32_MAX)
        throw std::invalid_argument("zuc_crypt: the frame counter is 32 bits");
    install(key, epoch, static_cast<uint32_t>(start_counter));
}

void zuc_crypt_impl::install(const std::vector<uint8_t>& key,
                             int epoch,
                             std::optional<uint32_t> start_counter)
{
    check_epoch(epoch);
    gr::thread::scoped_lock guard(d_setlock);
    const auto superseded =
        d_schedule.install(key_span(key), static_cast<unsigned>(epoch), start_counter);
    if (superseded > 0) {
        d_logger->info("direction {}: a key re-issued for epoch {} supersedes {} pending",
                       d_direction,
                       epoch,
                       superseded);
        report("key_superseded", 0, static_cast<unsigned>(epoch), "");
    }
}

void zuc_crypt_impl::handle_key(const pmt::pmt_t& msg)
{
    // A bad key message is refused and reported: the link keeps its current key.
    try {
        if (!is_byte_pdu(msg))
            throw std::invalid_argument("expected a PDU (meta dict, u8vector key)");
        const pmt::pmt_t meta = pmt::car(msg);
        const auto epoch = meta_uint64(meta, frame_tags::epoch());
        const auto start = meta_uint64(meta, frame_tags::start_counter());
        if (!epoch.ok() || epoch.value >= key_schedule::epochs)
            throw std::invalid_argument("meta 'epoch' must be an integer 0..3");
        if (start.found == meta_value<uint64_t>::kind::wrong_type ||
            (start.ok() && start.value > UINT32_MAX))
            throw std::invalid_argument(
                "meta 'start_counter' must be a frame counter 0..4294967295");
        const long e = static_cast<long>(epoch.value);
        std::vector<uint8_t> key = pmt::u8vector_elements(pmt::cdr(msg));
        if (key.empty()) { // an empty key revokes the epoch's key
            gr::thread::scoped_lock guard(d_setlock);
            d_schedule.revoke(static_cast<unsigned>(e));
            d_logger->debug("direction {}: key of epoch {} revoked", d_direction, e);
            report("key_revoked", 0, static_cast<unsigned>(e), "");
            return;
        }
        try {
            if (!start.ok())
                install(key, static_cast<int>(e), std::nullopt);
            else
                set_key(key, static_cast<int>(e), start.value);
        } catch (...) {
            ::fiberkey::secure_wipe(key);
            throw;
        }
        ::fiberkey::secure_wipe(key);
    } catch (const std::exception& ex) {
        report("key_rejected", 0, 0, ex.what());
        throw;
    }
}

void zuc_crypt_impl::report(const char* event,
                            uint64_t counter,
                            unsigned epoch,
                            const std::string& why)
{
    pmt::pmt_t d = pmt::make_dict();
    d = pmt::dict_add(d, d_event_key, pmt::mp(event));
    d = pmt::dict_add(d, frame_tags::frame_counter(), pmt::from_uint64(counter));
    d = pmt::dict_add(d, frame_tags::epoch(), pmt::from_long(epoch));
    d = pmt::dict_add(d, frame_tags::direction(), pmt::from_long(d_direction));
    if (!why.empty())
        d = pmt::dict_add(d, d_reason_key, pmt::mp(why));
    message_port_pub(d_events_port, d);
}

void zuc_crypt_impl::drop(uint64_t counter, unsigned epoch, const std::string& why)
{
    ++d_dropped;
    if (why != d_last_drop) {
        report("frame_dropped", counter, epoch, why);
        d_last_drop = why;
    }
    if (const auto unlogged = d_drop_log.admit(why))
        d_logger->warn(
            "frame {} dropped: {}{}", counter, why, log_limiter::more_since(*unlogged));
}

void zuc_crypt_impl::set_tag_alarm_threshold(double fraction)
{
    if (!(fraction >= 0.0 && fraction < 1.0))
        throw std::invalid_argument("zuc_crypt: the tag alarm threshold is in [0, 1)");
    d_alarm_threshold = fraction;
}

void zuc_crypt_impl::record_tag(bool failed, uint32_t counter, unsigned epoch)
{
    d_window[d_window_next] = failed;
    d_window_next = (d_window_next + 1) % alarm_window;
    const std::size_t failures = d_window.count();
    if (!d_alarm && failures > d_alarm_threshold * static_cast<double>(alarm_window)) {
        d_alarm = true;
        d_logger->warn("direction {}: tag alarm at frame {}: {} of the last {} frames "
                       "failed their integrity tag",
                       d_direction,
                       counter,
                       failures,
                       alarm_window);
        report("tag_alarm", counter, epoch, std::to_string(failures) + " failures");
    } else if (d_alarm && failures == 0) {
        d_alarm = false;
        d_logger->info(
            "direction {}: tag alarm cleared at frame {}", d_direction, counter);
        report("tag_alarm_cleared", counter, epoch, "");
    }
}

bool zuc_crypt_impl::authentic(uint8_t* frame,
                               const ::fiberkey::session_key& key,
                               uint32_t counter,
                               unsigned epoch,
                               bool fec_failed)
{
    using namespace ::fiberkey;
    const otu_frame::frame_ref whole(frame, layout::frame_bytes);
    const auto int_block = otu_frame::decode_int(whole);
    if (!int_block.ok()) { // the tag cannot be checked: a line fault, not a verdict
        ++d_damaged;
        drop(counter, epoch, "INT block uncorrectable");
        return false;
    }
    const bool ok = d_tagger.verify(whole, int_block.info, key, counter, d_direction);
    if (!ok && fec_failed) {
        ++d_damaged;
        drop(counter, epoch, "uncorrectable codewords");
        return false;
    }
    record_tag(!ok, counter, epoch);
    if (!ok) {
        ++d_rejected_by_tag;
        ++d_dropped;
        report("frame_rejected_by_tag", counter, epoch, "integrity tag mismatch");
    }
    return ok;
}

int zuc_crypt_impl::pick_key(const uint8_t* src,
                             uint8_t* dst,
                             uint32_t counter,
                             unsigned epoch,
                             const std::vector<int>& advances)
{
    // After a long gap the epoch may name several keys in line: the frame is under the
    // one with which its INT block decodes (and, with integrity, its tag holds). A wrong
    // key decodes as RS(255,239) with a probability of about 2e-6.
    using namespace ::fiberkey;
    const otu_frame::frame_ref whole(dst, layout::frame_bytes);
    for (const int a : advances) {
        const auto key = d_schedule.candidate_key(epoch, a).key;
        d_cipher.crypt(std::span<const uint8_t>(src, layout::frame_bytes),
                       std::span<uint8_t>(dst, layout::frame_bytes),
                       *key,
                       counter,
                       d_direction);
        const auto int_block = otu_frame::decode_int(whole);
        if (!int_block.ok() ||
            (d_integrity &&
             !d_tagger.verify(whole, int_block.info, *key, counter, d_direction)))
            continue;
        if (a != advances.front())
            d_logger->info("direction {}: frame {} after a gap is {} keys on (epoch {})",
                           d_direction,
                           counter,
                           a,
                           epoch);
        return a;
    }
    return advances.front();
}

void zuc_crypt_impl::emit(uint32_t counter,
                          unsigned epoch,
                          const std::vector<const gr::tag_t*>& others,
                          int produced)
{
    const uint64_t offset = nitems_written(0) + produced;
    add_item_tag(0, offset, frame_tags::frame_counter(), pmt::from_uint64(counter));
    add_item_tag(0, offset, frame_tags::key_epoch(), pmt::from_long(epoch));
    for (const auto* t : others)
        add_item_tag(0, offset, t->key, t->value, t->srcid);
}

uint64_t zuc_crypt_impl::frames_left() const
{
    gr::thread::scoped_lock guard(const_cast<gr::thread::mutex&>(d_setlock));
    return d_schedule.frames_left();
}

std::string zuc_crypt_impl::backend() const
{
    return ::fiberkey::to_string(d_cipher.backend());
}

void zuc_crypt_impl::forecast(int noutput_items, gr_vector_int& ninput_items_required)
{
    ninput_items_required[0] = noutput_items;
}

int zuc_crypt_impl::general_work(int noutput_items,
                                 gr_vector_int& ninput_items,
                                 gr_vector_const_void_star& input_items,
                                 gr_vector_void_star& output_items)
{
    const auto* in = static_cast<const uint8_t*>(input_items[0]);
    auto* out = static_cast<uint8_t*>(output_items[0]);
    const int n = std::min(noutput_items, ninput_items[0]);
    const uint64_t first = nitems_read(0);

    std::vector<gr::tag_t> tags;
    get_tags_in_window(tags, 0, 0, n);
    auto tag = tags.begin();

    gr::thread::scoped_lock guard(d_setlock);
    int produced = 0;
    for (int i = 0; i < n; ++i) {
        const uint64_t offset = first + i;
        std::optional<uint64_t> counter;
        std::optional<long> epoch_tag;
        bool fec_failed = false;
        std::vector<const gr::tag_t*> others;
        for (; tag != tags.end() && tag->offset == offset; ++tag) {
            if (pmt::eq(tag->key, frame_tags::frame_counter()) &&
                pmt::is_uint64(tag->value))
                counter = pmt::to_uint64(tag->value);
            else if (pmt::eq(tag->key, frame_tags::key_epoch()) &&
                     pmt::is_integer(tag->value))
                epoch_tag = pmt::to_long(tag->value);
            else if (pmt::eq(tag->key, frame_tags::fec_uncorrectable())) {
                fec_failed = true;
                others.push_back(&*tag); // the demux and the client are told too
            } else if (!pmt::eq(tag->key, frame_tags::key_epoch()))
                others.push_back(&*tag);
        }
        const uint8_t* src = in + static_cast<size_t>(i) * layout::frame_item_bytes;
        uint8_t* dst = out + static_cast<size_t>(produced) * layout::frame_item_bytes;
        std::memset(dst + layout::frame_bytes, 0, layout::frame_item_padding);
        if (!counter || *counter > UINT32_MAX) {
            drop(counter.value_or(0), 0, "no 32-bit frame_counter tag");
            continue;
        }
        const auto count = static_cast<uint32_t>(*counter);
        const auto header = ::fiberkey::otu_frame::read_header(src);
        const unsigned rx_epoch =
            epoch_tag ? static_cast<unsigned>(*epoch_tag & 3) : header.epoch;

        if (!d_transmit && header.clear) {
            if (!d_link_start.clear_allowed()) {
                // A clear flag in a frame with failed codewords may be a bit error.
                if (fec_failed)
                    ++d_damaged;
                drop(count,
                     rx_epoch,
                     fec_failed ? "uncorrectable codewords" : "clear frame refused");
                continue;
            }
            std::memcpy(dst, src, layout::frame_bytes);
            ++d_clear;
            emit(count, rx_epoch, others, produced++);
            continue;
        }
        // With integrity a received frame changes the key schedule only once its tag
        // holds: a forged epoch must not make the receiver switch or wipe keys.
        const bool verify = !d_transmit && d_integrity;
        int advance = 0; // receive: which of the keys the epoch may name
        key_schedule::selection sel{ key_schedule::verdict::no_key, nullptr, rx_epoch };
        if (d_transmit) {
            sel = d_schedule.for_transmit(count);
        } else if (const auto options = d_schedule.receive_candidates(count, rx_epoch);
                   options.result != key_schedule::verdict::ok) {
            sel.result = options.result;
        } else {
            advance = options.advances.size() == 1
                          ? options.advances.front()
                          : pick_key(src, dst, count, rx_epoch, options.advances);
            sel = d_schedule.candidate_key(rx_epoch, advance);
        }
        if (sel.result == key_schedule::verdict::no_key && d_transmit &&
            d_link_start.clear_allowed()) {
            std::memcpy(dst, src, layout::frame_bytes);
            ::fiberkey::otu_frame::make_clear(
                ::fiberkey::otu_frame::frame_ref(dst, layout::frame_bytes));
            ++d_clear;
            emit(count, 0, others, produced++);
            continue;
        }
        if (sel.result != key_schedule::verdict::ok) {
            drop(count, sel.epoch, key_schedule::to_string(sel.result));
            continue;
        }
        const std::span<uint8_t> out_frame(dst, layout::frame_bytes);
        if (d_transmit && d_integrity) { // sealed in the clear, then encrypted with it
            std::memcpy(dst, src, layout::frame_bytes);
            d_tagger.seal(::fiberkey::otu_frame::frame_ref(dst, layout::frame_bytes),
                          *sel.key,
                          count,
                          d_direction);
            d_cipher.crypt(out_frame, *sel.key, count, d_direction);
        } else {
            d_cipher.crypt(std::span<const uint8_t>(src, layout::frame_bytes),
                           out_frame,
                           *sel.key,
                           count,
                           d_direction);
        }
        if (verify && !authentic(dst, *sel.key, count, sel.epoch, fec_failed))
            continue;
        if (!d_transmit)
            d_schedule.accept_receive(count, rx_epoch, advance);
        d_last_drop.clear();
        d_link_start.keyed();
        if (d_last_epoch != sel.epoch) {
            d_logger->debug("direction {}: key epoch {} in effect from frame {}",
                            d_direction,
                            sel.epoch,
                            count);
            report("key_activated", count, sel.epoch, "");
            d_last_epoch = sel.epoch;
        }
        if (d_transmit) // the epoch byte is in the clear overhead
            ::fiberkey::otu_frame::mark_epoch(dst, sel.epoch);
        ++d_processed;
        emit(count, sel.epoch, others, produced++);
    }
    consume_each(n);
    return produced;
}

} // namespace fiberkey
} // namespace gr
