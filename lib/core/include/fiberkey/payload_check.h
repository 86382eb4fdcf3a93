/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_PAYLOAD_CHECK_H
#define FIBERKEY_CORE_PAYLOAD_CHECK_H

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace fiberkey {

/*!
 * \brief Checks received client bytes against the pattern the sender repeats: a bit
 * error ratio tester for the OPU payload.
 *
 * Zero bytes before the first non-zero byte are idle (the frames sent in the clear at
 * link start carry no client bytes, and a link not yet up delivers nothing else). The
 * pattern, whose first byte is not zero, starts at that byte and repeats with its own
 * length as period: with one frame's payload (15,232 bytes) as the pattern, a frame lost
 * whole does not shift the comparison of the frames after it.
 */
class payload_check
{
public:
    struct counters {
        std::uint64_t idle_bytes = 0; //!< zeros before the pattern started
        std::uint64_t bytes = 0;      //!< bytes compared with the pattern
        std::uint64_t bytes_wrong = 0;
        std::uint64_t bits_wrong = 0;
        bool started = false;
    };

    //! Throws std::invalid_argument on an empty pattern or one that starts with zero.
    explicit payload_check(std::vector<std::uint8_t> pattern);

    //! Takes the next received bytes, in any chunks: the counters do not depend on them.
    void process(std::span<const std::uint8_t> received);

    const counters& counts() const { return d_counts; }
    std::size_t period() const { return d_pattern.size(); }

private:
    std::vector<std::uint8_t> d_pattern;
    std::size_t d_offset = 0; // where in the pattern the next byte falls
    counters d_counts;
};

/*!
 * \brief The sender's side of payload_check: client bytes that repeat the pattern, from
 * wherever the last call stopped, copied in whole runs (GNU Radio's repeating Vector
 * Source copies one byte per step, 7 % of the digital link's CPU).
 */
class payload_source
{
public:
    //! Throws std::invalid_argument on an empty pattern or one that starts with zero.
    explicit payload_source(std::vector<std::uint8_t> pattern);

    //! Writes the next out.size() bytes of the repeated pattern.
    void fill(std::span<std::uint8_t> out);

    std::size_t period() const { return d_pattern.size(); }

private:
    std::vector<std::uint8_t> d_pattern;
    std::size_t d_offset = 0; // where in the pattern the next byte comes from
};

} // namespace fiberkey

#endif
