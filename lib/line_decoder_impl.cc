/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "line_decoder_impl.h"

#include <fiberkey/frame_layout.h>
#include <fiberkey/g709_fec.h>
#include <fiberkey/g709_scrambler.h>
#include <fiberkey/otu_frame.h>
#include <gnuradio/fiberkey/frame_tags.h>
#include <gnuradio/io_signature.h>

#include <cstring>
#include <stdexcept>

namespace gr {
namespace fiberkey {

namespace fl = ::fiberkey::frame_layout;
using ::fiberkey::align_event;

line_decoder::sptr line_decoder::make(bool fec, int lof_frames, bool packed)
{
    return gnuradio::make_block_sptr<line_decoder_impl>(fec, lof_frames, packed);
}

namespace {
::fiberkey::frame_aligner_config aligner_config(int lof_frames)
{
    if (lof_frames < 1)
        throw std::invalid_argument("line_decoder: lof_frames must be at least 1");
    ::fiberkey::frame_aligner_config c;
    c.lof_frames = static_cast<unsigned>(lof_frames);
    return c;
}
} // namespace

line_decoder_impl::line_decoder_impl(bool fec, int lof_frames, bool packed)
    : gr::block("line_decoder",
                gr::io_signature::make(1, 1, sizeof(uint8_t)),
                gr::io_signature::make(1, 1, fl::frame_item_bytes)),
      d_fec(fec),
      d_packed(packed),
      d_aligner(aligner_config(lof_frames)),
      d_frame(fl::frame_bytes),
      d_status_port(pmt::mp("status")),
      d_periods_port(pmt::mp("line_periods")),
      d_frame_status_port(pmt::mp("frame_status")),
      d_outage_key(pmt::mp("outage")),
      d_lock_key(pmt::mp("lock"))
{
    set_tag_propagation_policy(TPP_DONT);
    set_min_output_buffer(0, 64);
    message_port_register_out(d_status_port);
    message_port_register_out(d_periods_port);
    message_port_register_out(d_frame_status_port);
}

void line_decoder_impl::set_fec(bool fec)
{
    gr::thread::scoped_lock guard(d_setlock);
    d_fec = fec;
}

void line_decoder_impl::forecast(int noutput_items, gr_vector_int& ninput_items_required)
{
    // The aligner streams: any amount of bits makes progress, so ask for a modest chunk
    // that every upstream buffer can hold.
    (void)noutput_items;
    ninput_items_required[0] = d_packed ? 512 : 4096;
}

void line_decoder_impl::handle_event(align_event e)
{
    const char* name = ::fiberkey::to_string(e);
    if (e == align_event::in_frame || e == align_event::loss_of_frame_cleared)
        d_logger->info("frame alignment: {}", name);
    else
        d_logger->warn("frame alignment: {}", name);
    d_in_frame = d_aligner.in_frame();
    if (e == align_event::out_of_frame)
        ++d_spell;
    if (e == align_event::out_of_frame || e == align_event::in_frame)
        d_unframed_bits = 0;
    if (e == align_event::out_of_frame || e == align_event::loss_of_frame)
        d_tracker.reset();
    d_pending_lock = pmt::mp(name);
    pmt::pmt_t d = pmt::make_dict();
    d = pmt::dict_add(d, d_lock_key, d_pending_lock);
    d = pmt::dict_add(d, d_outage_key, pmt::from_uint64(d_spell));
    d = pmt::dict_add(
        d, pmt::mp("bit_position"), pmt::from_uint64(d_aligner.counters().bits));
    message_port_pub(d_status_port, d);
}

bool line_decoder_impl::finish_frame(uint8_t* out, uint64_t out_offset)
{
    std::memcpy(d_frame.data(), d_aligner.frame().data(), fl::frame_bytes);
    d_aligner.pop_frame();
    ::fiberkey::g709_scrambler::apply(d_frame);
    using tracker = ::fiberkey::frame_counter_tracker;
    tracker::trust trusted{}; // nothing without FEC
    uint64_t uncorrectable = 0, corrected = 0;
    if (d_fec) {
        const auto c = ::fiberkey::g709_fec::decode(d_frame);
        corrected = c.corrected_symbols;
        d_corrected += c.corrected_symbols;
        uncorrectable = c.uncorrectable_codewords;
        d_uncorrectable += uncorrectable;
        trusted = tracker::trust_from_fec(c.uncorrectable_mask);
    }
    const auto header = ::fiberkey::otu_frame::read_header(d_frame.data());
    // Built only for a subscriber (a link monitor): a message per frame is not free.
    if (!pmt::is_null(message_subscribers(d_frame_status_port)))
        message_port_pub(d_frame_status_port,
                         pmt::init_u64vector(4,
                                             std::vector<uint64_t>{ d_fec ? 1u : 0u,
                                                                    corrected,
                                                                    uncorrectable,
                                                                    d_frame[fl::mfas] }));
    const auto view = d_tracker.on_frame(header.counter, header.epoch, trusted);
    if (!view) {
        ++d_unconfirmed;
        return false;
    }
    std::memcpy(out, d_frame.data(), fl::frame_bytes);
    std::memset(out + fl::frame_bytes, 0, fl::frame_item_padding);
    add_item_tag(
        0, out_offset, frame_tags::frame_counter(), pmt::from_uint64(view->counter));
    add_item_tag(0, out_offset, frame_tags::key_epoch(), pmt::from_long(view->epoch));
    if (uncorrectable > 0) // a later integrity failure is then no sign of tampering
        add_item_tag(0,
                     out_offset,
                     frame_tags::fec_uncorrectable(),
                     pmt::from_uint64(uncorrectable));
    if (!pmt::is_null(d_pending_lock)) {
        add_item_tag(0, out_offset, d_lock_key, d_pending_lock);
        d_pending_lock = pmt::PMT_NIL;
    }
    ++d_frames;
    return true;
}

int line_decoder_impl::general_work(int noutput_items,
                                    gr_vector_int& ninput_items,
                                    gr_vector_const_void_star& input_items,
                                    gr_vector_void_star& output_items)
{
    const auto* in = static_cast<const uint8_t*>(input_items[0]);
    auto* out = static_cast<uint8_t*>(output_items[0]);
    const auto available = static_cast<std::size_t>(ninput_items[0]);

    gr::thread::scoped_lock guard(d_setlock);
    std::size_t consumed = 0;
    int produced = 0;
    while (produced < noutput_items) {
        while (auto e = d_aligner.pop_event())
            handle_event(*e);
        if (d_aligner.has_frame()) {
            if (finish_frame(out + static_cast<size_t>(produced) * fl::frame_item_bytes,
                             nitems_written(0) + produced))
                ++produced;
            continue;
        }
        if (consumed == available)
            break;
        const std::span<const uint8_t> rest(in + consumed, available - consumed);
        const std::size_t n =
            d_packed ? d_aligner.push_bytes(rest) : d_aligner.push_bits(rest);
        if (n == 0 && !d_aligner.has_frame())
            break; // nothing taken and nothing to emit: never spin
        consumed += n;
        // Out of frame, one message per frame period of line bits: the only clock a
        // transmitter in lock step with this receiver has while no frame comes in. (The
        // bits of a push that changed the state are dropped by handle_event.)
        if (!d_aligner.in_frame()) {
            constexpr uint64_t period = ::fiberkey::frame_aligner::frame_bits;
            for (d_unframed_bits += d_packed ? 8 * n : n; d_unframed_bits >= period;
                 d_unframed_bits -= period)
                message_port_pub(d_periods_port, pmt::from_uint64(d_spell));
        }
    }
    consume_each(static_cast<int>(consumed));
    return produced;
}

} // namespace fiberkey
} // namespace gr
