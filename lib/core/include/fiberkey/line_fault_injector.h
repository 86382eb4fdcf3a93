/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_LINE_FAULT_INJECTOR_H
#define FIBERKEY_CORE_LINE_FAULT_INJECTOR_H

#include <fiberkey/frame_layout.h>
#include <fiberkey/gaussian_source.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace fiberkey {

//! What the line carries during an outage.
enum class outage_fill : std::uint8_t { zeros, random };

//! Parses "zeros" or "random"; throws std::invalid_argument otherwise.
outage_fill parse_outage_fill(const std::string& name);

struct line_fault_config {
    // Random faults, drawn afresh for every frame period of the active window.
    double drop_probability = 0.0;       //!< the frame is removed whole from the line
    double bursts_per_frame = 0.0;       //!< mean error bursts starting per frame period
    std::size_t burst_bits = 0;          //!< length of a burst in line bits
    double int_loss_probability = 0.0;   //!< the frame's INT block corrupted beyond RS
    double tamper_probability = 0.0;     //!< an active attacker rewrites the frame
    std::uint64_t active_from_frame = 0; //!< first frame period with random faults
    std::uint64_t active_frames = 0; //!< frame periods with random faults; 0 = for ever

    // One outage: these frame periods carry no signal.
    std::uint64_t outage_start_frame = 0;
    std::uint64_t outage_frames = 0; //!< 0 = no outage
    outage_fill fill = outage_fill::zeros;

    //! Input bits before the first FAS bit: they pass untouched. 0 behind a line encoder.
    std::uint64_t phase_bits = 0;

    //! Throws std::invalid_argument on a probability outside [0, 1], a negative or
    //! absurd burst rate, bursts without a length or longer than a frame.
    void validate() const;
};

struct line_fault_counters {
    std::uint64_t bits_in = 0;
    std::uint64_t bits_out = 0;
    std::uint64_t frames = 0;          //!< frame periods begun
    std::uint64_t frames_dropped = 0;  //!< removed from the line
    std::uint64_t bursts = 0;          //!< begun in the active window
    std::uint64_t bit_errors = 0;      //!< line bits that a burst changed
    std::uint64_t outage_frames = 0;   //!< frame periods begun in the outage
    std::uint64_t int_corrupted = 0;   //!< INT blocks corrupted
    std::uint64_t frames_tampered = 0; //!< frames rewritten by the attacker
    std::uint64_t tampered_bits =
        0; //!< line bits she changed, FEC and RS parity included
};

/*!
 * \brief Faults on the hard line bits between two nodes, for testing how the link
 * recovers (docs/faults.md).
 *
 * Bits in and out are unpacked, one per byte in its LSB, as the line encoder sends them;
 * the input is frame-aligned: frame period k covers input bits phase_bits + k * 134,640
 * onward. Per frame period, in this order of precedence:
 *  - in the outage (outage_start_frame, outage_frames): every bit is replaced by 0 or by
 *    a random bit; the receiver misses its FAS and, after 5 frames, goes out of frame;
 *  - in the active window: the frame is dropped with drop_probability (its bits vanish:
 *    the output is shorter, the next frame follows at once, so alignment holds but the
 *    frame counter jumps);
 *  - else, with int_loss_probability, every byte of its INT block is XORed with a random
 *    non-zero byte. G.709 FEC covers the OTU rows only, never the appended NEG and INT,
 *    so this reaches INT's own RS(255,239) with or without line FEC: 255 byte errors are
 *    far beyond its 8, and RS reports the block uncorrectable (it miscorrects with
 *    probability about 2e-5, which the INT record checks and the post-processor's
 *    message checks and key confirmation then catch);
 *  - else, with tamper_probability, an active attacker rewrites the frame without a
 *    trace in the line code: 1 to 16 bits of the payload columns, of the INT information
 *    bytes, or of both (a third of the frames each), flipped in the ciphertext, and the
 *    G.709 parity of the changed codewords and INT's RS parity changed to match. Both
 *    codes are linear and the scrambler additive, so the flips and the parity changes
 *    are one XOR pattern, added as the frame streams by; the receiver's FEC sees no
 *    error and only the frame's integrity tag (frame_tag) can tell.
 * Error bursts start at geometric intervals in line bits (mean 134,640 / bursts_per_frame
 * between the end of one burst and the start of the next); a burst replaces burst_bits
 * consecutive line bits by random bits, so about half of them are errors. Only bursts
 * that start in a frame period of the active window take effect; a dropped frame's bits
 * take their bursts with them.
 *
 * Randomness: a CSPRNG keyed from OS entropy unless a test seed is given. With a test
 * seed the fault pattern depends only on the seed and the configuration, not on how the
 * input is cut into calls: frame decisions, bursts and outage fill each have their own
 * stream.
 */
class line_fault_injector
{
public:
    static constexpr std::size_t frame_bits = frame_layout::frame_bytes * 8;

    //! Throws std::invalid_argument on a bad configuration (see validate()).
    explicit line_fault_injector(const line_fault_config& config,
                                 std::optional<std::uint64_t> test_seed = std::nullopt);

    /*!
     * Passes \p in through the faults into \p out, which has room for in.size() bits and
     * may be in.data() itself. Returns the bits written: fewer than taken when frames
     * were dropped.
     */
    std::size_t process(std::span<const std::uint8_t> in, std::uint8_t* out);

    /*!
     * Takes \p config from the next frame period on; phase_bits keeps its value (the
     * input's framing cannot change), a burst under way ends as begun, and with a new
     * burst rate the next burst is drawn afresh. Throws std::invalid_argument (and keeps
     * the old configuration) on a bad one.
     */
    void reconfigure(const line_fault_config& config);

    const line_fault_counters& counters() const { return d_counters; }
    const line_fault_config& config() const { return d_config; }
    bool test_seeded() const { return d_test_seeded; }

private:
    //! One byte of the frame XORed with a value, in frame order.
    struct byte_xor {
        std::uint32_t offset;
        std::uint8_t value;
    };
    struct frame_plan {
        bool dropped = false;
        bool outage = false;
        std::vector<byte_xor> changes; // sorted by offset
    };

    bool active(std::uint64_t frame) const;
    void begin_frame(std::uint64_t frame);
    void plan_int_loss();
    void plan_tamper();
    //! Faults of the current frame on out[0, n), input positions [position, +n).
    void frame_faults(std::uint8_t* out, std::uint64_t position, std::size_t n);
    void bursts(std::uint8_t* out, std::uint64_t position, std::size_t n);
    void next_burst(std::uint64_t after);
    void random_bits(gaussian_source& source, std::uint8_t* out, std::size_t n);

    line_fault_config d_config;
    bool d_test_seeded;
    gaussian_source d_frame_random;
    gaussian_source d_burst_random;
    gaussian_source d_fill_random;
    line_fault_counters d_counters;
    std::uint64_t d_position = 0; // input bits consumed
    frame_plan d_plan;
    // The current or next burst, in input bit positions.
    std::uint64_t d_burst_start = 0;
    std::uint64_t d_burst_end = 0;
    bool d_burst_counted = false;
    std::array<std::uint8_t, 4096> d_scratch{};
    std::vector<std::uint8_t> d_delta; // a tampered frame's XOR pattern, frame-sized
};

} // namespace fiberkey

#endif
