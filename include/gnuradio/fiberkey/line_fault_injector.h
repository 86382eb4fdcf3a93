/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_LINE_FAULT_INJECTOR_H
#define INCLUDED_FIBERKEY_LINE_FAULT_INJECTOR_H

#include <gnuradio/block.h>
#include <gnuradio/fiberkey/api.h>

#include <cstdint>
#include <string>

namespace gr {
namespace fiberkey {

/*!
 * \brief Faults on the hard line bits between two nodes: lost frames, error bursts, an
 * outage, corrupted INT blocks (docs/faults.md).
 * \ingroup fiberkey
 *
 * \details
 * Bits in and out, one per byte (a line encoder's unpacked output), frame-aligned: frame
 * period k starts at input bit phase_bits + k * 134,640. Random faults act on the frame
 * periods [active_from_frame, active_from_frame + active_frames) (active_frames 0: from
 * active_from_frame on):
 *  - drop_probability: the frame is removed whole (the output is shorter);
 *  - bursts_per_frame, burst_bits: error bursts at geometric intervals, each replacing
 *    burst_bits consecutive bits by random bits;
 *  - int_loss_probability: every byte of the frame's INT block gets a random non-zero
 *    error. G.709 FEC does not cover the appended INT block, so this beats INT's own
 *    RS(255,239) with line FEC on or off;
 *  - tamper_probability: an active attacker flips 1 to 16 ciphertext bits of the
 *    payload, of the INT information, or of both, and changes the G.709 and INT RS
 *    parity to match, so that the line code sees no error (only the frame's integrity
 *    tag can tell).
 * The outage replaces the bits of outage_frames frame periods from outage_start_frame on
 * by zeros or random bits ("zeros" or "random"): 5 frames or more put the receiver out
 * of frame, 246 or more into loss of frame.
 *
 * seed 0: faults drawn from a CSPRNG keyed from OS entropy; any other value makes the
 * fault pattern reproducible, for tests (logged). Stream tags are not passed on (the
 * line decoder finds its frames by the FAS).
 */
class FIBERKEY_API line_fault_injector : virtual public gr::block
{
public:
    typedef std::shared_ptr<line_fault_injector> sptr;

    /*!
     * \brief Makes a line_fault_injector: byte in, byte out (one line bit per byte).
     *
     * Frame periods are counted from the first frame period of the stream (0). A bad
     * value throws std::invalid_argument.
     *
     * \param drop_probability probability that a frame (in the active window) is removed
     *        whole from the output, in [0, 1]
     * \param bursts_per_frame mean number of error bursts starting per frame period, in
     *        [0, 1000]
     * \param burst_bits length of each burst in line bits, 1..134,640 when
     *        bursts_per_frame > 0 (ignored, but not negative, otherwise)
     * \param int_loss_probability probability that a frame's INT block is corrupted
     *        beyond its RS code, in [0, 1]
     * \param active_from_frame first frame period in which the random faults act
     * \param active_frames number of frame periods in which they act; 0: no end
     * \param outage_start_frame first frame period of the outage
     * \param outage_frames length of the outage in frame periods; 0: no outage
     * \param outage_fill what replaces the bits of the outage: "zeros" or "random"
     * \param phase_bits input bit at which frame period 0 starts (the first FAS bit, if
     *        the input is frame-aligned from there on)
     * \param seed 0: faults from a CSPRNG keyed from OS entropy; any other value: a
     *        reproducible fault pattern, for tests
     * \param tamper_probability probability that an attacker rewrites a frame (in the
     *        active window, when not dropped or INT-corrupted), in [0, 1]
     */
    static sptr make(double drop_probability = 0.0,
                     double bursts_per_frame = 0.0,
                     int burst_bits = 0,
                     double int_loss_probability = 0.0,
                     uint64_t active_from_frame = 0,
                     uint64_t active_frames = 0,
                     uint64_t outage_start_frame = 0,
                     uint64_t outage_frames = 0,
                     const std::string& outage_fill = "zeros",
                     uint64_t phase_bits = 0,
                     uint64_t seed = 0,
                     double tamper_probability = 0.0);

    /*!
     * Runtime settings: each takes effect from the next frame period (see make; a bad
     * value throws std::invalid_argument and changes nothing).
     */
    virtual void set_drop_probability(double p) = 0;
    virtual void set_bursts(double bursts_per_frame, int burst_bits) = 0;
    virtual void set_int_loss_probability(double p) = 0;
    virtual void set_tamper_probability(double p) = 0;
    virtual void set_active_window(uint64_t active_from_frame,
                                   uint64_t active_frames) = 0;
    virtual void set_outage(uint64_t outage_start_frame,
                            uint64_t outage_frames,
                            const std::string& outage_fill) = 0;

    //! Frame periods begun.
    virtual uint64_t frames() const = 0;
    virtual uint64_t frames_dropped() const = 0;
    //! Bursts that reached the output, and the bits they changed.
    virtual uint64_t bursts() const = 0;
    virtual uint64_t bit_errors() const = 0;
    virtual uint64_t outage_frames() const = 0;
    virtual uint64_t int_corrupted() const = 0;
    //! Frames the attacker rewrote, and the line bits she changed (parity included).
    virtual uint64_t frames_tampered() const = 0;
    virtual uint64_t tampered_bits() const = 0;
    virtual bool test_seeded() const = 0;
};

} // namespace fiberkey
} // namespace gr

#endif /* INCLUDED_FIBERKEY_LINE_FAULT_INJECTOR_H */
