/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sigmf_sink_impl.h"

#include <gnuradio/fiberkey/frame_tags.h>
#include <gnuradio/io_signature.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>

namespace gr {
namespace fiberkey {

namespace fk = ::fiberkey;

sigmf_sink::sptr sigmf_sink::make(const std::string& filename,
                                  double bit_rate,
                                  int samples_per_bit,
                                  const std::string& description)
{
    if (!(bit_rate > 0.0) || !std::isfinite(bit_rate))
        throw std::invalid_argument("sigmf_sink: bit_rate must be positive");
    if (samples_per_bit < 1 || samples_per_bit > 1024)
        throw std::invalid_argument("sigmf_sink: samples_per_bit must be in 1..1024");
    fk::sigmf_metadata meta;
    meta.bit_rate = bit_rate;
    meta.samples_per_bit = static_cast<unsigned>(samples_per_bit);
    meta.sample_rate = bit_rate * samples_per_bit;
    meta.description = description;
    fk::to_sigmf_json(meta); // throws std::invalid_argument for what a reader refuses
    return gnuradio::make_block_sptr<sigmf_sink_impl>(filename, meta);
}

sigmf_sink_impl::sigmf_sink_impl(const std::string& filename,
                                 const fk::sigmf_metadata& meta)
    : gr::sync_block("sigmf_sink",
                     gr::io_signature::make(1, 1, sizeof(float)),
                     gr::io_signature::make(0, 0, 0)),
      d_filename(filename),
      d_meta(meta)
{
    if (!d_filename.empty())
        d_writer = std::make_unique<fk::sigmf_writer>(d_filename, d_meta);
}

bool sigmf_sink_impl::start()
{
    gr::thread::scoped_lock guard(d_setlock);
    if (d_filename.empty())
        throw std::runtime_error("sigmf_sink: no file name");
    if (!d_writer) { // a second run records afresh
        d_writer = std::make_unique<fk::sigmf_writer>(d_filename, d_meta);
        d_written = 0;
        d_annotated = 0;
    }
    d_closed = false;
    return true;
}

void sigmf_sink_impl::close()
{
    gr::thread::scoped_lock guard(d_setlock);
    if (d_writer && !d_closed) {
        d_writer->close();
        d_logger->info("{}: {} samples, {} frame annotations",
                       d_filename,
                       d_written.load(),
                       d_annotated.load());
    }
    d_closed = true;
}

bool sigmf_sink_impl::stop()
{
    close();
    gr::thread::scoped_lock guard(d_setlock);
    d_writer.reset();
    return true;
}

int sigmf_sink_impl::work(int noutput_items,
                          gr_vector_const_void_star& input_items,
                          gr_vector_void_star&)
{
    const auto* in = static_cast<const float*>(input_items[0]);
    const uint64_t first = nitems_read(0);

    gr::thread::scoped_lock guard(d_setlock);
    if (!d_writer || d_closed)
        throw std::runtime_error("sigmf_sink: samples after close()");

    std::vector<gr::tag_t> tags;
    get_tags_in_range(tags, 0, first, first + noutput_items);
    std::sort(tags.begin(), tags.end(), gr::tag_t::offset_compare);
    // One annotation per sample that carries a frame_start or a frame_counter tag.
    for (std::size_t i = 0; i < tags.size();) {
        const uint64_t at = tags[i].offset;
        bool frame = false;
        std::optional<uint64_t> counter;
        for (; i < tags.size() && tags[i].offset == at; ++i) {
            if (pmt::eq(tags[i].key, frame_tags::frame_start()))
                frame = true;
            else if (pmt::eq(tags[i].key, frame_tags::frame_counter()) &&
                     (pmt::is_uint64(tags[i].value) || pmt::is_integer(tags[i].value))) {
                frame = true;
                counter = pmt::to_uint64(tags[i].value);
            }
        }
        if (frame) {
            d_writer->annotate_frame(
                at, static_cast<uint32_t>(counter.value_or(d_annotated.load())));
            ++d_annotated;
        }
    }
    d_writer->write(in, static_cast<std::size_t>(noutput_items));
    d_written += static_cast<uint64_t>(noutput_items);
    return noutput_items;
}

} // namespace fiberkey
} // namespace gr
