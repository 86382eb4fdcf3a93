/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_LAB_PATTERN_H
#define FIBERKEY_CORE_LAB_PATTERN_H

#include <fiberkey/frame_layout.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace fiberkey {

//! A pattern that cannot be used; what() names the file and the field.
class lab_pattern_error : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/*!
 * \brief A node's transmit pattern for the lab (fiberkey-lab pattern, README "Lab
 * testbed"): frame i has counter first_counter + i and ND1 and ND2 with send and
 * response sequence i % 65535 + 1. Secret: the key and the arrays are wiped on
 * destruction.
 */
struct lab_pattern {
    static constexpr int manifest_version = 1;
    static constexpr std::size_t max_frames = 65535;

    char node = 'A'; //!< 'A' or 'B'
    unsigned direction = 0;
    std::uint32_t frames = 0;
    std::uint32_t first_counter = 0;
    std::array<std::uint8_t, 16> session_key{};
    bool fec = true;
    bool integrity = true;
    //! The plaintext NEG block of every frame, 255 bytes each.
    std::vector<std::uint8_t> blocks;

    lab_pattern() = default;
    lab_pattern(const lab_pattern&) = default;
    lab_pattern& operator=(const lab_pattern&) = default;
    ~lab_pattern();

    std::span<const std::uint8_t, frame_layout::block_bytes> block(std::size_t i) const
    {
        return std::span<const std::uint8_t, frame_layout::block_bytes>(
            blocks.data() + i * frame_layout::block_bytes, frame_layout::block_bytes);
    }
    //! The sequence number frame i carries in ND1 and ND2.
    static std::uint16_t sequence(std::size_t i)
    {
        return static_cast<std::uint16_t>(i % max_frames + 1);
    }

    /*!
     * Reads PREFIX.json (PREFIX may end in .json) and the arrays file it names, in the
     * same directory: every field checked, the arrays' length and SHA-256 against the
     * manifest (a pattern changed after the fact is refused). Throws lab_pattern_error.
     */
    static lab_pattern read(const std::string& prefix);
};

//! The counts of one round index, both directions (AB led by A, BA led by B).
struct lab_round_counts {
    std::size_t index = 0;      //!< frame i of both patterns
    std::uint16_t sequence = 0; //!< the rounds' sequence number
    std::uint32_t ab_at_a = 0;  //!< F1 of AB (A leads)
    std::uint32_t ab_at_b = 0;  //!< F2 of AB
    std::uint32_t ba_at_b = 0;  //!< F1 of BA (B leads)
    std::uint32_t ba_at_a = 0;  //!< F2 of BA
};

/*!
 * \brief The rounds of a lab run, from both patterns and what each receiver decided
 * (docs/protocol-choices.md, "Lab patterns and keys from captures").
 *
 * Round i of both directions needs frame i of A's pattern as decided at B and frame i of
 * B's pattern as decided at A; the feedback C1 and C2 that INT carries on a live link is
 * computed here from those decisions and the patterns' own arrays (round_arithmetic), as
 * the nodes would. Decisions may come in any order, from either receiver; a frame
 * decided twice (a generator looping its pattern) counts once, from its first decision.
 * Memory: the decisions still waiting for their partner, at most the patterns' frames.
 */
class lab_rounds
{
public:
    //! Throws std::invalid_argument unless \p a is node A's pattern and \p b node B's.
    lab_rounds(lab_pattern a, lab_pattern b);
    ~lab_rounds();
    lab_rounds(const lab_rounds&) = delete;
    lab_rounds& operator=(const lab_rounds&) = delete;

    /*!
     * A NEG block decided by the receiver at node \p at ('A': of B's frames, 'B': of A's)
     * for the frame with \p counter. Returns the round it completes, if any. A counter
     * outside the peer's pattern, or a frame already decided, is counted and ignored.
     */
    std::optional<lab_round_counts>
    add(char at, std::uint32_t counter, std::span<const std::uint8_t> decided);

    //! Round indices both patterns have.
    std::size_t frames() const { return d_decided[0].size(); }
    std::size_t rounds() const { return d_rounds; }
    std::size_t repeated() const { return d_repeated; }
    std::size_t outside_pattern() const { return d_outside; }

private:
    lab_pattern d_pattern[2];                            // A, B
    std::vector<std::vector<std::uint8_t>> d_decided[2]; // at A, at B; by index
    std::vector<bool> d_seen[2];
    std::size_t d_rounds = 0;
    std::size_t d_repeated = 0;
    std::size_t d_outside = 0;
};

} // namespace fiberkey

#endif
