/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_SIGMF_SOURCE_IMPL_H
#define INCLUDED_FIBERKEY_SIGMF_SOURCE_IMPL_H

#include <fiberkey/sigmf.h>
#include <gnuradio/fiberkey/sigmf_source.h>

#include <atomic>
#include <memory>

namespace gr {
namespace fiberkey {

class sigmf_source_impl : public sigmf_source
{
public:
    sigmf_source_impl(const std::string& filename,
                      const std::string& format,
                      bool frame_tags,
                      double scale);

    uint64_t total_samples() const override { return d_total; }
    double sample_rate() const override { return d_meta.sample_rate; }
    double bit_rate() const override { return d_meta.bit_rate; }
    int samples_per_bit() const override
    {
        return static_cast<int>(d_meta.samples_per_bit);
    }
    uint64_t frame_annotations() const override { return d_meta.frames.size(); }
    uint64_t nonfinite_samples() const override { return d_nonfinite; }

    bool start() override;
    int work(int noutput_items,
             gr_vector_const_void_star& input_items,
             gr_vector_void_star& output_items) override;

private:
    void open();

    const std::string d_filename;
    const std::string d_format;
    const bool d_frame_tags;
    const float d_scale;
    ::fiberkey::sigmf_metadata d_meta;
    uint64_t d_total = 0;
    std::unique_ptr<::fiberkey::sigmf_reader> d_sigmf;
    std::unique_ptr<::fiberkey::sample_file_reader> d_raw;
    std::atomic<uint64_t> d_nonfinite{ 0 }; // of this run, read by other threads
    std::size_t d_next_frame = 0;           // next annotation to tag
    uint64_t d_run_start = 0; // stream index of the file's first sample in this run
};

} // namespace fiberkey
} // namespace gr

#endif
