/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_BENCH_FRAME_SOURCE_H
#define FIBERKEY_BENCH_FRAME_SOURCE_H

#include <fiberkey/frame_layout.h>
#include <gnuradio/fiberkey/frame_tags.h>
#include <gnuradio/io_signature.h>
#include <gnuradio/sync_block.h>

#include <algorithm>
#include <vector>

namespace fiberkey_bench {

namespace fl = fiberkey::frame_layout;

// A source of a fixed number of frames with frame_counter and key_epoch tags, as the mux
// produces them. It writes a fixed pattern into the first laps of its output buffer, so
// that the block under test reads written, mapped memory; later laps only add tags, so
// that the source costs next to nothing and the figure is the block's.
class tagged_frames : public gr::sync_block
{
public:
    explicit tagged_frames(uint64_t frames)
        : gr::sync_block("tagged_frames",
                         gr::io_signature::make(0, 0, 0),
                         gr::io_signature::make(1, 1, fl::frame_item_bytes)),
          d_frames(frames),
          d_pattern(fl::frame_item_bytes, 0)
    {
        for (std::size_t i = 0; i < fl::frame_bytes; ++i)
            d_pattern[i] = static_cast<uint8_t>(i * 131 + 7);
        set_min_output_buffer(0, buffer_frames); // as zuc_crypt does
    }
    int work(int n, gr_vector_const_void_star&, gr_vector_void_star& out) override
    {
        const uint64_t first = nitems_written(0);
        if (first >= d_frames)
            return WORK_DONE;
        n = static_cast<int>(std::min<uint64_t>(n, d_frames - first));
        auto* o = static_cast<uint8_t*>(out[0]);
        for (int i = 0; i < n; ++i) {
            if (first + i < written_laps)
                std::copy(d_pattern.begin(),
                          d_pattern.end(),
                          o + size_t(i) * fl::frame_item_bytes);
            add_item_tag(0,
                         first + i,
                         gr::fiberkey::frame_tags::frame_counter(),
                         pmt::from_uint64(first + i));
            add_item_tag(
                0, first + i, gr::fiberkey::frame_tags::key_epoch(), pmt::from_long(0));
        }
        return n;
    }

private:
    static constexpr int buffer_frames = 64;
    static constexpr uint64_t written_laps = 4 * buffer_frames;
    const uint64_t d_frames;
    std::vector<uint8_t> d_pattern;
};

} // namespace fiberkey_bench

#endif
