/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "otu_demux_impl.h"

#include <fiberkey/int_block.h>
#include <fiberkey/otu_frame.h>
#include <gnuradio/fiberkey/frame_tags.h>
#include <gnuradio/io_signature.h>

#include <algorithm>
#include <array>

namespace gr {
namespace fiberkey {

namespace fl = ::fiberkey::frame_layout;

otu_demux::sptr otu_demux::make() { return gnuradio::make_block_sptr<otu_demux_impl>(); }

otu_demux_impl::otu_demux_impl()
    : gr::block("otu_demux",
                gr::io_signature::make(1, 1, fl::frame_item_bytes),
                gr::io_signature::make(1, 1, sizeof(uint8_t))),
      d_neg_port(pmt::mp("neg")),
      d_int_port(pmt::mp("int")),
      d_frame_port(pmt::mp("blocks")),
      d_corrected_key(pmt::mp("corrected_symbols")),
      d_int_ok_key(pmt::mp("int_ok"))
{
    set_tag_propagation_policy(TPP_DONT);
    set_output_multiple(static_cast<int>(fl::payload_bytes));
    // GNU Radio sizes the input buffer from the rate: at the default 1:1 an output
    // multiple of 15,232 would make it 30,466 frames (515 MB).
    set_relative_rate(fl::payload_bytes, 1);
    // Room for many frames per call: fewer scheduler wake-ups per frame.
    set_min_output_buffer(0, 64 * fl::payload_bytes);
    message_port_register_out(d_neg_port);
    message_port_register_out(d_int_port);
    message_port_register_out(d_frame_port);
}

void otu_demux_impl::forecast(int noutput_items, gr_vector_int& ninput_items_required)
{
    ninput_items_required[0] = noutput_items / static_cast<int>(fl::payload_bytes);
}

void otu_demux_impl::publish_blocks(const uint8_t* frame,
                                    const pmt::pmt_t& counter,
                                    const pmt::pmt_t& epoch)
{
    pmt::pmt_t meta = pmt::make_dict();
    meta = pmt::dict_add(meta, frame_tags::frame_counter(), counter);
    meta = pmt::dict_add(meta, frame_tags::key_epoch(), epoch);
    // A PDU per frame costs: none is built for a port nobody listens to.
    if (!pmt::is_null(message_subscribers(d_neg_port)))
        message_port_pub(
            d_neg_port,
            pmt::cons(meta, pmt::init_u8vector(fl::block_bytes, frame + fl::neg.offset)));

    // RS first, so that the records are parsed from the corrected bytes; a block that
    // does not decode, or whose records do not all parse, is dropped whole.
    const ::fiberkey::otu_frame::const_frame_ref whole(frame, fl::frame_bytes);
    std::array<uint8_t, fl::block_bytes + fl::int_info_bytes> both{};
    const auto neg = ::fiberkey::otu_frame::neg_block(whole);
    std::copy(neg.begin(), neg.end(), both.begin());
    const auto decoded = ::fiberkey::otu_frame::decode_int(whole);
    bool int_ok = false;
    if (!decoded.ok()) {
        ++d_uncorrectable;
    } else if (const auto parsed = ::fiberkey::parse_int_info(decoded.info);
               !parsed.ok()) {
        ++d_rejected;
        d_logger->debug("INT block rejected: {}", ::fiberkey::to_string(parsed.error));
    } else {
        ++d_accepted;
        int_ok = true;
        std::copy(
            decoded.info.begin(), decoded.info.end(), both.begin() + fl::block_bytes);
        message_port_pub(
            d_int_port,
            pmt::cons(
                pmt::dict_add(meta, d_corrected_key, pmt::from_long(decoded.corrected)),
                pmt::init_u8vector(decoded.info.size(), decoded.info.data())));
    }
    // Both blocks of the frame in one PDU, for a consumer that needs them together.
    message_port_pub(d_frame_port,
                     pmt::cons(pmt::dict_add(meta, d_int_ok_key, pmt::from_bool(int_ok)),
                               pmt::init_u8vector(both.size(), both.data())));
}

int otu_demux_impl::general_work(int noutput_items,
                                 gr_vector_int& ninput_items,
                                 gr_vector_const_void_star& input_items,
                                 gr_vector_void_star& output_items)
{
    const auto* in = static_cast<const uint8_t*>(input_items[0]);
    auto* out = static_cast<uint8_t*>(output_items[0]);
    const int n =
        std::min(ninput_items[0], noutput_items / static_cast<int>(fl::payload_bytes));

    std::vector<gr::tag_t> tags;
    get_tags_in_window(tags, 0, 0, n);
    std::sort(tags.begin(), tags.end(), gr::tag_t::offset_compare);
    auto tag = tags.begin();
    for (int i = 0; i < n; ++i) {
        const uint8_t* frame = in + static_cast<size_t>(i) * fl::frame_item_bytes;
        uint8_t* payload = out + static_cast<size_t>(i) * fl::payload_bytes;
        ::fiberkey::otu_frame::read_payload(
            ::fiberkey::otu_frame::const_frame_ref(frame, fl::frame_bytes),
            ::fiberkey::otu_frame::payload_ref(payload, fl::payload_bytes));

        pmt::pmt_t counter = pmt::PMT_NIL, epoch = pmt::from_long(0);
        pmt::pmt_t uncorrectable = pmt::PMT_NIL;
        const uint64_t offset = nitems_read(0) + i;
        for (; tag != tags.end() && tag->offset == offset; ++tag) {
            if (pmt::eq(tag->key, frame_tags::frame_counter()))
                counter = tag->value;
            else if (pmt::eq(tag->key, frame_tags::key_epoch()))
                epoch = tag->value;
            else if (pmt::eq(tag->key, frame_tags::fec_uncorrectable()))
                uncorrectable = tag->value;
        }
        const uint64_t out_offset =
            nitems_written(0) + static_cast<uint64_t>(i) * fl::payload_bytes;
        if (!pmt::is_null(counter))
            add_item_tag(0, out_offset, frame_tags::frame_counter(), counter);
        // Payload from a frame the line FEC could not wholly correct: the client is told.
        if (!pmt::is_null(uncorrectable)) {
            add_item_tag(0, out_offset, frame_tags::fec_uncorrectable(), uncorrectable);
            ++d_marked;
        }
        publish_blocks(frame, counter, epoch);
        ++d_frames;
    }
    consume_each(n);
    return n * static_cast<int>(fl::payload_bytes);
}

} // namespace fiberkey
} // namespace gr
