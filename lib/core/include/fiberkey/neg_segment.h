/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_NEG_SEGMENT_H
#define FIBERKEY_CORE_NEG_SEGMENT_H

#include <fiberkey/frame_cipher.h>
#include <fiberkey/frame_layout.h>
#include <fiberkey/noise_injector.h>
#include <fiberkey/signal_levels.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

namespace fiberkey {

//! How a segmented capture was taken: one segment per frame, around its NEG block.
struct neg_segment_config {
    //! Samples per line bit, as the capture's rates say: 1, or 2 and more (a bit clock
    //! is then recovered in every segment).
    double samples_per_bit = 1.0;
    //! The frame's line bit (0: the first FAS bit; NEG starts at bit 130,560) at the
    //! first sample of every segment, where the trigger puts it. Fractions allowed.
    double first_bit = 0.0;
    //! Trigger uncertainty: the NEG block is looked for this many bits either side.
    unsigned search_bits = 64;
    //! The receiver's local noise on the ND1 and ND2 samples, as a node adds it.
    bool local_noise = true;
    noise_distribution noise;
};

//! A frame a segment may hold: its counter and the NEG sequence numbers it carries.
struct neg_frame_id {
    std::uint32_t counter = 0;
    std::uint16_t send_seq = 0;     //!< 0: no ND1
    std::uint16_t response_seq = 0; //!< 0: no ND2
};

enum class neg_segment_status : std::uint8_t {
    decided,     //!< the NEG block was found and decided
    too_short,   //!< the segment cannot hold NEG at any searched position
    no_signal,   //!< no bit clock or no two levels in the segment
    not_aligned, //!< no candidate frame's known NEG bits were found
};

//! What one segment gave.
struct neg_segment_result {
    neg_segment_status status = neg_segment_status::not_aligned;
    //! Index of the frame found, into the receiver's frames.
    std::size_t frame = 0;
    //! Found by its exact known bits among all frames, not near the expected one.
    bool searched = false;
    //! The NEG block as decided, decrypted (plaintext; secret).
    std::array<std::uint8_t, frame_layout::block_bytes> neg{};
    //! NEG's first bit relative to where the trigger put it, in bits.
    long bit_offset = 0;
    bool inverted = false;
    //! Of the known NEG bits (status, sequence numbers, reserved bytes), how many were
    //! decided wrong (before the local noise, which never touches them).
    unsigned known_bit_errors = 0;
    //! Samples from the segment's start to its first bit boundary.
    double clock_phase = 0.0;
    signal_levels levels;
    frame_noise noise;
};

/*!
 * \brief The receiver of one node for a segmented capture: a scope's segmented memory,
 * triggered once per frame, recording the NEG block of every frame and not much more.
 *
 * A segment holds no frame alignment word, so the NEG block is found by its known bits:
 * the status byte, the two sequence numbers and the reserved bytes, which the frame
 * counter and the session key turn into known line bits (56 of them, scrambled and
 * encrypted, all outside the ND1 and ND2 arrays). The arrays are never used to find or
 * decide anything: they are sliced as a node's receiver slices them.
 *
 * The frames a capture may hold are given up front (a lab pattern, which a generator
 * plays in a loop, so that the first segment may hold any of them). A segment is first
 * matched against the frame expected (the one after the last segment's) and the next
 * few (missed triggers), allowing a few bit errors; failing that, against all frames by
 * an exact match of its known bits (a table lookup per position).
 *
 * Per segment: the bit clock's phase from the clock tone that the squared differences of
 * NRZ samples carry (a loop has no time to lock in a few thousand bits), the samples at
 * the bit centres by cubic interpolation, the NEG block by its known bits within
 * +-search_bits of the trigger's position (both polarities), the levels from the known
 * bits and the rest (as soft_frame_sync measures them), the local noise on ND1 and ND2
 * (noise_injector), the decisions at the Gaussian optimum threshold, then descrambling
 * and ZUC decryption under the frame's counter.
 *
 * The session key and all keystream are wiped on destruction.
 */
class neg_segment_receiver
{
public:
    //! Known line bits per frame.
    static constexpr std::size_t known_bits = 56;
    //! Near the expected frame, a NEG block is taken where at most this many of its
    //! known bits disagree: at a line BER of 1e-3 more errors occur in 4 blocks of 10^9;
    //! a wrong position or frame (random line bits) matches that well with a
    //! probability of 6e-12.
    static constexpr unsigned max_known_bit_errors = 4;
    //! The frames after the expected one that are tried before a search of all.
    static constexpr std::size_t missed_triggers_tried = 4;

    /*!
     * Throws std::invalid_argument for samples_per_bit below 1, in (1, 2), or above
     * 1024, a first_bit that is not finite, search_bits above 100,000, a direction
     * other than 0 and 1, no frames or more than 2^20 of them, or a bad noise
     * distribution. Computes the known bits of every frame (one ZUC frame each).
     */
    neg_segment_receiver(const neg_segment_config& config,
                         std::span<const std::uint8_t, 16> key,
                         unsigned direction,
                         std::span<const neg_frame_id> frames,
                         gaussian_source noise = gaussian_source());
    ~neg_segment_receiver();
    neg_segment_receiver(const neg_segment_receiver&) = delete;
    neg_segment_receiver& operator=(const neg_segment_receiver&) = delete;

    /*!
     * The samples per bit that a segment's clock tone shows, near \p nominal (at most
     * 0.5 % off it): the tone's phase drift across the segment. For the clock offset
     * between a scope and a pattern generator, which the segments share; the median over
     * many segments is precise to a few ppm. nullopt below
     * min_measured_samples_per_bit, for a segment shorter than 256 bits, or without a
     * clear tone.
     */
    static std::optional<double> measure_samples_per_bit(std::span<const float> segment,
                                                         double nominal);
    //! Below this the clock tone sits too near half the sample rate for its drift to
    //! say which way the clock is off: measure_samples_per_bit gives nullopt.
    static constexpr double min_measured_samples_per_bit = 2.2;

    //! Takes effect from the next segment; the same range as the config.
    void set_samples_per_bit(double samples_per_bit);
    double samples_per_bit() const { return d_sps; }

    //! The samples a segment needs at least to hold NEG.
    std::size_t min_segment_samples() const;

    /*!
     * Decides the NEG block of one segment, looking first for frame \p expected (an
     * index into the frames; the frames after it count as missed triggers), then for
     * any frame. Non-finite samples make the segment fail (no_signal). The local noise
     * is drawn only for a segment that was aligned.
     */
    neg_segment_result decide(std::span<const float> segment, std::size_t expected);

private:
    struct alignment {
        long first_bit_index; // frame bit of soft[0]
        bool inverted;
        unsigned errors;
        std::size_t frame;
    };
    //! The soft values at the bit centres; false when there is no clock or no signal.
    bool bit_centres(std::span<const float> segment);
    //! Where frame \p f's known bits fit, with at most max_known_bit_errors errors.
    std::optional<alignment>
    align(std::size_t f, long nominal_first_index, double middle) const;
    //! The one frame and position whose known bits the segment shows exactly.
    std::optional<alignment> search(long nominal_first_index, double middle) const;
    //! The positions of soft[] where NEG may start: NEG inside, within the search.
    std::pair<long, long> candidate_firsts(long nominal_first_index) const;
    bool known_bit(std::size_t f, std::size_t q) const;
    //! keystream ^ scrambler over NEG for frame \p f.
    void neg_mask(std::size_t f);

    neg_segment_config d_config;
    double d_sps;
    std::array<std::uint8_t, 16> d_key;
    unsigned d_direction;
    std::vector<neg_frame_id> d_frames;
    frame_cipher d_cipher;
    noise_injector d_noise;
    //! Per frame: its known line bits, packed in the low 56 bits (first bit highest).
    std::vector<std::uint64_t> d_known;
    //! (known bits, frame), sorted by the bits; frames sharing their known bits (never
    //! seen: 2^-56 a pair) are left out.
    std::vector<std::pair<std::uint64_t, std::size_t>> d_by_known;
    std::vector<std::uint8_t> d_frame; // keystream frame (secret, wiped)
    std::array<std::uint8_t, frame_layout::block_bytes> d_neg_mask{};
    std::vector<float> d_soft;
    std::vector<float> d_scratch; // robust_spread's sorted copy of d_soft
    double d_phase = 0.0;
};

} // namespace fiberkey

#endif
