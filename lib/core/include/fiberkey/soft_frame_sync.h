/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_SOFT_FRAME_SYNC_H
#define FIBERKEY_CORE_SOFT_FRAME_SYNC_H

#include <fiberkey/frame_layout.h>
#include <fiberkey/signal_levels.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace fiberkey {

struct soft_frame_sync_config {
    //! Hunting: FAS bits that may be wrong in the hard-decided pre-filter, 0 .. 12.
    unsigned max_hunt_bit_errors = 4;
    //! Normalised correlation with the FAS that counts as a FAS, (0, 1].
    double min_correlation = 0.6;
    //! Weight of each frame's level estimate in the running one, (0, 1]; 1 keeps none.
    double level_smoothing = 0.25;
};

//! A frame found in the sample stream.
struct frame_start {
    //! Stream index of the first sample of the first FAS bit.
    std::uint64_t sample = 0;
    //! Levels and threshold for deciding this frame (running estimates).
    signal_levels levels;
    //! Estimated rms noise on ones and on zeros.
    double sigma_one = 0.0;
    double sigma_zero = 0.0;
    //! Normalised correlation of this frame's FAS with the FAS in the locked polarity.
    double correlation = 0.0;
    //! The samples are upside down: decide 1 below the threshold.
    bool inverted = false;
    //! The FAS was missed (1 to 4 times in a row): still in frame, levels not updated.
    bool fas_ok = true;
};

enum class sync_event_kind : std::uint8_t {
    in_frame,     //!< a FAS was confirmed one frame after it was found
    out_of_frame, //!< five consecutive FAS were missed
};

struct sync_event {
    sync_event_kind kind;
    //! Stream index of the FAS that confirmed, or of the fifth missed one.
    std::uint64_t sample;
};

struct soft_frame_sync_counters {
    std::uint64_t samples = 0;
    std::uint64_t frames = 0;
    std::uint64_t missed_fas = 0;
    std::uint64_t in_frame = 0;
    std::uint64_t out_of_frame = 0;
    std::uint64_t candidates = 0;         //!< FAS candidates found while hunting
    std::uint64_t dropped_candidates = 0; //!< found while max_candidates were pending
};

/*!
 * \brief Frame alignment on soft samples, one per bit (protocol.md section 3, G.798).
 *
 * Works on any amplitude, DC offset and polarity. Hunting, every sample is decided
 * against a running level, the mean of recent blocks' midhinges (the line is scrambled,
 * hence balanced; one wild sample cannot move a midhinge), and the last 48
 * decisions are compared with the FAS and with its complement; a close match is a
 * candidate when the normalised correlation of its 48 samples with the FAS (mapped to
 * +-1; FAS has 24 ones, so the mean drops out) reaches min_correlation, its sign giving
 * the polarity. A candidate confirmed one frame (134,640 bits) later with the same
 * polarity puts the sync in frame. In frame only the expected FAS is checked, so the
 * cost per sample is nearly nil; five consecutive misses put it out of frame, and
 * hunting resumes after the fifth missed FAS.
 *
 * Levels: the 24 one-bits and 24 zero-bits of the FAS give both levels; the next 8
 * overhead bytes (row 0, columns 6-13: scrambled but not encrypted, values unknown) are
 * classified by the nearer level and added. Their means and rms spreads are smoothed
 * over frames; the threshold is the Gaussian optimum between the levels.
 *
 * A frame is reported once its first 14 bytes (112 samples) have been consumed. Memory
 * is fixed: the last 112 samples and max_candidates candidates.
 */
class soft_frame_sync
{
public:
    static constexpr std::size_t frame_bits = frame_layout::frame_bytes * 8;
    static constexpr std::size_t fas_bits = frame_layout::fas.length * 8;
    static constexpr std::size_t report_bits = frame_layout::clear_overhead_columns * 8;
    static constexpr unsigned misses_to_out_of_frame = 5;
    static constexpr std::size_t max_candidates = 16;

    //! Throws std::invalid_argument for settings outside the documented ranges.
    explicit soft_frame_sync(const soft_frame_sync_config& config = {});

    /*!
     * Consumes n samples, appending to `frames` every frame whose first 112 samples
     * complete here, and to `events` (when given) the changes of state.
     */
    void process(const float* in,
                 std::size_t n,
                 std::vector<frame_start>& frames,
                 std::vector<sync_event>* events = nullptr);

    bool in_frame() const { return d_in_frame; }
    const soft_frame_sync_counters& counters() const { return d_counters; }
    //! Back to hunting, forgetting levels and candidates; the stream index continues.
    void reset();

private:
    struct candidate {
        std::uint64_t sample;
        bool inverted;
    };
    std::size_t hunt(const float* in,
                     std::size_t first,
                     std::size_t n,
                     std::vector<frame_start>& frames,
                     std::vector<sync_event>* events);
    std::size_t follow(const float* in,
                       std::size_t n,
                       std::vector<frame_start>& frames,
                       std::vector<sync_event>* events);
    //! Hunts over [first, end); stops early after a candidate that sets a new deadline.
    std::size_t scan(const float* in, std::size_t first, std::size_t end);
    void
    gather(const float* in, std::uint64_t sample, std::size_t count, float* out) const;
    //! Keeps a FAS candidate; true when it is now the oldest one.
    bool found(const float* in, std::uint64_t sample, bool inverted);
    void report(const float* x,
                std::uint64_t sample,
                double corr,
                bool fas_ok,
                std::vector<frame_start>& frames);
    void update_levels(const float* x);
    void enter_hunt(std::uint64_t from);
    void keep_history(const float* in, std::size_t n);

    soft_frame_sync_config d_config;
    soft_frame_sync_counters d_counters;
    std::uint64_t d_chunk_start = 0; // stream index of in[0] during process()

    // Hunting.
    bool d_in_frame = false;
    double d_dc = 0.0;            // decision level
    std::size_t d_dc_samples = 0; // samples behind it
    std::vector<float> d_scratch; // for robust_spread
    std::uint64_t d_reg = 0;
    std::uint64_t d_scan_from = 0; // first sample that feeds d_reg after a restart
    std::array<candidate, max_candidates> d_candidates{};
    std::size_t d_candidate_head = 0;
    std::size_t d_candidate_count = 0;

    // In frame.
    bool d_inverted = false;
    std::uint64_t d_next_fas = 0;
    unsigned d_misses = 0;
    bool d_levels_valid = false;
    level_measurement d_levels;

    std::array<float, report_bits> d_history{}; // the report_bits samples before in[0]
};

} // namespace fiberkey

#endif
