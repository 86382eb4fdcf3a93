/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_SIGMF_SINK_IMPL_H
#define INCLUDED_FIBERKEY_SIGMF_SINK_IMPL_H

#include <fiberkey/sigmf.h>
#include <gnuradio/fiberkey/sigmf_sink.h>

#include <atomic>
#include <memory>

namespace gr {
namespace fiberkey {

class sigmf_sink_impl : public sigmf_sink
{
public:
    sigmf_sink_impl(const std::string& filename, const ::fiberkey::sigmf_metadata& meta);

    uint64_t samples_written() const override { return d_written; }
    uint64_t frames_annotated() const override { return d_annotated; }
    void close() override;

    bool start() override;
    bool stop() override;
    int work(int noutput_items,
             gr_vector_const_void_star& input_items,
             gr_vector_void_star& output_items) override;

private:
    const std::string d_filename;
    const ::fiberkey::sigmf_metadata d_meta;
    std::unique_ptr<::fiberkey::sigmf_writer> d_writer; // guarded by d_setlock
    bool d_closed = false;
    std::atomic<uint64_t> d_written{ 0 };
    std::atomic<uint64_t> d_annotated{ 0 };
};

} // namespace fiberkey
} // namespace gr

#endif
