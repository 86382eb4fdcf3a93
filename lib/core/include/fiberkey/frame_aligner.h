/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_FRAME_ALIGNER_H
#define FIBERKEY_CORE_FRAME_ALIGNER_H

#include <fiberkey/frame_layout.h>

#include <array>
#include <cstdint>
#include <optional>
#include <span>

namespace fiberkey {

enum class align_event : std::uint8_t {
    in_frame,              //!< a FAS was found and confirmed one frame later
    out_of_frame,          //!< 5 consecutive frames missed their FAS
    loss_of_frame,         //!< out of frame for lof_frames frame periods (integrated)
    loss_of_frame_cleared, //!< in frame again for lof_frames consecutive frames
};

const char* to_string(align_event e);

struct frame_aligner_config {
    //! Frame periods out of frame before loss of frame: G.798's 3 ms is 246 frames of
    //! 12.19 us. At least 1.
    unsigned lof_frames = 246;
    //! In frame, check only OA1 OA2 OA2 (FAS bytes 2..4, 0-based) as G.798 does, so that
    //! line errors in the other three bytes do not count as a missed FAS.
    bool check_fas_subset = true;
};

struct frame_aligner_counters {
    std::uint64_t bits = 0;        //!< consumed so far: the stream position
    std::uint64_t hunted_bits = 0; //!< consumed out of frame, hence dropped
    std::uint64_t frames = 0;      //!< emitted
    std::uint64_t missed_fas = 0;  //!< FAS checks failed in frame
    std::uint64_t in_frame = 0;    //!< events of each kind
    std::uint64_t out_of_frame = 0;
    std::uint64_t loss_of_frame = 0;
};

/*!
 * \brief G.798-style frame alignment of the extended OTU2 frame (protocol.md section 3)
 * on a bit stream, at any bit offset.
 *
 * Out of frame it hunts bit by bit for the full 6-byte FAS (48 bits make false
 * candidates in 16,830 bytes of scrambled data practically impossible; G.798 allows any
 * 4-byte subset) and goes in frame when a candidate is seen again exactly one frame
 * (134,640 bits) later; several candidates are followed at once, so a false one does
 * not hide the true one. In frame it only packs bits into bytes (packed input is
 * copied, or shifted when the frame does not start on a byte boundary) and checks the
 * FAS at each frame start; 5 consecutive misses put it out of frame, and the frame with the
 * fifth miss is dropped. Frames with 1 to 4 misses are still emitted, marked.
 * Loss of frame integrates out-of-frame time as G.798's dLOF: the count is only reset
 * after lof_frames consecutive frames in frame. It starts out of frame, without loss of
 * frame.
 *
 * Pull interface: push_bits()/push_bytes() consume input until an output (a frame or
 * an event) is pending and return how much they took; they take nothing more until
 * the caller has popped every event and the frame. Events pending together with a frame
 * happened no later than the frame's last bit. Memory is fixed at construction: one
 * frame, a few bits of a split byte and 16 candidates.
 */
class frame_aligner
{
public:
    static constexpr std::size_t frame_bits = frame_layout::frame_bytes * 8;
    static constexpr unsigned misses_to_out_of_frame = 5;
    static constexpr std::size_t max_candidates = 16;

    explicit frame_aligner(const frame_aligner_config& config = {});

    //! Consumes unpacked bits, one per byte in its LSB (GNU Radio's unpacked convention).
    std::size_t push_bits(std::span<const std::uint8_t> bits);
    //! Consumes packed bytes, MSB first. A byte whose first bits complete an output
    //! counts as consumed; its other bits go first into the next push (even an empty
    //! one).
    std::size_t push_bytes(std::span<const std::uint8_t> bytes);

    std::optional<align_event> pop_event();

    bool has_frame() const { return d_has_frame; }
    //! The aligned frame (16,830 bytes, FAS first), valid while has_frame().
    std::span<const std::uint8_t> frame() const { return d_frame; }
    //! Stream position (in bits) of the first FAS bit of frame().
    std::uint64_t frame_start() const { return d_frame_start; }
    //! Whether frame() passed its FAS check.
    bool frame_fas_ok() const { return d_fas_ok; }
    void pop_frame() { d_has_frame = false; }

    bool in_frame() const { return d_in_frame; }
    bool loss_of_frame() const { return d_lof; }
    const frame_aligner_counters& counters() const { return d_counters; }

private:
    bool output_pending() const { return d_has_frame || d_event_count > 0; }
    std::size_t consume(const std::uint8_t* bits, std::size_t n);
    bool drain_leftover();
    std::size_t hunt(const std::uint8_t* bits, std::size_t n);
    void found_fas(std::uint64_t end);
    void enter_hunt();
    std::size_t follow(const std::uint8_t* bits, std::size_t n);
    std::size_t follow_bytes(const std::uint8_t* bytes, std::size_t n);
    void pack(const std::uint8_t* bits, std::size_t n);
    void pack_one(std::uint8_t bit);
    void check_fas();
    void complete_frame();
    void emit(align_event e);

    frame_aligner_config d_config;
    frame_aligner_counters d_counters;
    bool d_in_frame = false;
    bool d_lof = false;

    // Hunting: the last 48 bits, and stream positions where a FAS is expected to end.
    std::uint64_t d_reg = 0;
    std::array<std::uint64_t, max_candidates> d_candidates{};
    std::size_t d_candidate_head = 0;
    std::size_t d_candidate_count = 0;

    // Loss of frame: out-of-frame time and consecutive in-frame frames.
    std::uint64_t d_oof_bits = 0;
    std::uint64_t d_oof_periods = 0;
    std::uint64_t d_if_frames = 0;

    // In frame: the frame being filled.
    std::array<std::uint8_t, frame_layout::frame_bytes> d_frame{};
    std::size_t d_pos = 0; // bits of d_frame filled
    unsigned d_acc = 0;    // bits of the byte being filled
    unsigned d_misses = 0;
    bool d_fas_ok = false;
    bool d_has_frame = false;
    std::uint64_t d_frame_start = 0;

    // At most two at once: loss of frame and in frame on the same bit.
    std::array<align_event, 2> d_events{};
    std::size_t d_event_count = 0;

    // Bits of a packed byte left over when an output stopped push_bytes().
    std::array<std::uint8_t, 7> d_leftover{};
    std::size_t d_leftover_count = 0;
};

} // namespace fiberkey

#endif
