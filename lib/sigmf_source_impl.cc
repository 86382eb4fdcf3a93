/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sigmf_source_impl.h"

#include <gnuradio/fiberkey/frame_tags.h>
#include <gnuradio/io_signature.h>

#include <cmath>
#include <stdexcept>

namespace gr {
namespace fiberkey {

namespace fk = ::fiberkey;

sigmf_source::sptr sigmf_source::make(const std::string& filename,
                                      const std::string& format,
                                      bool frame_tags,
                                      double scale)
{
    if (format != "sigmf" && format != "f32" && format != "i16" && format != "i8")
        throw std::invalid_argument(
            "sigmf_source: format is sigmf, f32, i16 or i8, got '" + format + "'");
    if (!std::isfinite(scale))
        throw std::invalid_argument("sigmf_source: scale must be finite");
    return gnuradio::make_block_sptr<sigmf_source_impl>(
        filename, format, frame_tags, scale);
}

sigmf_source_impl::sigmf_source_impl(const std::string& filename,
                                     const std::string& format,
                                     bool frame_tags,
                                     double scale)
    : gr::sync_block("sigmf_source",
                     gr::io_signature::make(0, 0, 0),
                     gr::io_signature::make(1, 1, sizeof(float))),
      d_filename(filename),
      d_format(format),
      d_frame_tags(frame_tags),
      d_scale(static_cast<float>(scale))
{
    // A missing or bad file is an error at construction; an empty name waits for start.
    if (!d_filename.empty())
        open();
}

void sigmf_source_impl::open()
{
    d_raw.reset();
    d_sigmf.reset();
    d_next_frame = 0;
    if (d_format == "sigmf") {
        d_sigmf = std::make_unique<fk::sigmf_reader>(d_filename);
        d_meta = d_sigmf->metadata();
        d_total = d_sigmf->total_samples();
    } else {
        d_raw = std::make_unique<fk::sample_file_reader>(
            d_filename,
            d_format == "f32"   ? fk::sample_file_reader::format::f32_le
            : d_format == "i16" ? fk::sample_file_reader::format::i16_le
                                : fk::sample_file_reader::format::i8,
            d_scale);
        d_meta = fk::sigmf_metadata{};
        d_meta.samples_per_bit = 1;
        d_total = d_raw->total_samples();
    }
}

bool sigmf_source_impl::start()
{
    if (d_filename.empty())
        throw std::runtime_error("sigmf_source: no file name");
    if (nitems_written(0) > 0 || (!d_sigmf && !d_raw))
        open(); // a second run plays the file again
    d_run_start = nitems_written(0);
    return true;
}

int sigmf_source_impl::work(int noutput_items,
                            gr_vector_const_void_star&,
                            gr_vector_void_star& output_items)
{
    auto* out = static_cast<float*>(output_items[0]);
    const auto n = static_cast<std::size_t>(noutput_items);
    const std::size_t got = d_sigmf ? d_sigmf->read(out, n) : d_raw->read(out, n);
    d_nonfinite = d_sigmf ? d_sigmf->nonfinite_samples() : d_raw->nonfinite_samples();
    if (got == 0)
        return WORK_DONE;
    if (d_frame_tags) {
        const uint64_t first = nitems_written(0);
        // Positions in the file: the stream index of this run minus where it started.
        const uint64_t file_first = first - d_run_start;
        while (d_next_frame < d_meta.frames.size() &&
               d_meta.frames[d_next_frame].sample_start < file_first + got) {
            const auto& f = d_meta.frames[d_next_frame++];
            if (f.sample_start >= file_first)
                add_item_tag(0,
                             d_run_start + f.sample_start,
                             frame_tags::frame_counter(),
                             pmt::from_uint64(f.frame_counter));
        }
    }
    return static_cast<int>(got);
}

} // namespace fiberkey
} // namespace gr
