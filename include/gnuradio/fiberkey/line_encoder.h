/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_LINE_ENCODER_H
#define INCLUDED_FIBERKEY_LINE_ENCODER_H

#include <gnuradio/fiberkey/api.h>
#include <gnuradio/sync_interpolator.h>

namespace gr {
namespace fiberkey {

/*!
 * \brief G.709 line coding of encrypted frames: FEC, scrambler, bits.
 * \ingroup fiberkey
 *
 * \details
 * Frames in (16,830-byte items); optionally the G.709 RS(255,239) FEC (16
 * byte-interleaved codewords per row over columns 0-3823, parity in 3824-4079; with FEC
 * off the parity columns are zero); then the frame-synchronous scrambler
 * 1 + x + x^3 + x^12 + x^16 over every byte but the FAS; then the bits, MSB first:
 * unpacked (one bit per byte, 134,640 items per frame) or packed (16,830 bytes per
 * frame). Frame tags move to the first output item of their frame.
 */
class FIBERKEY_API line_encoder : virtual public gr::sync_interpolator
{
public:
    typedef std::shared_ptr<line_encoder> sptr;

    /*!
     * \brief Makes a line_encoder: one 16,830-byte vector (a frame) in, bytes out
     * (interpolation 134,640, or 16,830 when packed).
     *
     * \param fec compute the RS(255,239) parity into columns 3824-4079; false: those
     *        columns are sent as zeros. Settable with set_fec().
     * \param packed false: one bit per output byte (0 or 1), MSB first; true: the
     *        scrambled frame bytes as they are
     */
    static sptr make(bool fec = true, bool packed = false);

    virtual void set_fec(bool fec) = 0;
    virtual bool fec() const = 0;
};

} // namespace fiberkey
} // namespace gr

#endif
