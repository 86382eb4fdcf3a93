/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_SIGMF_SOURCE_H
#define INCLUDED_FIBERKEY_SIGMF_SOURCE_H

#include <gnuradio/fiberkey/api.h>
#include <gnuradio/sync_block.h>

#include <cstdint>
#include <string>

namespace gr {
namespace fiberkey {

/*!
 * \brief Plays a recording: a SigMF recording or a raw float32 / int16 / int8 file, as
 * floats.
 * \ingroup fiberkey
 *
 * \details
 * format "sigmf" reads BASE.sigmf-meta (checked) and BASE.sigmf-data (rf32_le, ri16_le,
 * ri8, or cf32_le, ci16_le, ci8 of which the real part is played; integers with full
 * scale to +-1); a recording made elsewhere needs no fiberkey fields; with
 * frame_tags each frame annotation becomes a "frame_counter" tag (uint64) on its
 * sample. "f32" reads raw little-endian float32, "i16" raw little-endian int16 and "i8"
 * raw int8 (a scope's native format), both times scale. The source ends at the end of the file. Only regular files are read (a FIFO or a
 * directory is refused at construction), and a non-finite sample (NaN, infinity: a
 * corrupt capture) is replaced by the last finite one and counted (nonfinite_samples).
 */
class FIBERKEY_API sigmf_source : virtual public gr::sync_block
{
public:
    typedef std::shared_ptr<sigmf_source> sptr;

    /*!
     * \brief Makes a sigmf_source: no input, float out.
     *
     * \param filename sigmf: BASE, or BASE.sigmf-data / BASE.sigmf-meta; otherwise the
     *        sample file. A missing or bad file throws at construction; empty: no file
     *        yet, and starting the flowgraph then throws
     * \param format "sigmf", "f32", "i16" or "i8"
     * \param frame_tags sigmf only: put a "frame_counter" tag (uint64) on the sample of
     *        each frame annotation
     * \param scale i16 and i8: the factor applied to each sample (finite; the default
     *        1/32768 brings int16 full scale to 1.0; 1/128 does for int8)
     */
    static sptr make(const std::string& filename = "",
                     const std::string& format = "sigmf",
                     bool frame_tags = false,
                     double scale = 1.0 / 32768);

    virtual uint64_t total_samples() const = 0;
    //! From the metadata; 0 for raw files.
    virtual double sample_rate() const = 0;
    //! fiberkey:bit_rate (or the sample rate over fiberkey:samples_per_bit); 0 when the
    //! recording gives neither, and for raw files.
    virtual double bit_rate() const = 0;
    //! The recording's fiberkey:samples_per_bit; 0 when it does not say (a recording
    //! made elsewhere, or a non-integer oversampling: sample_rate() / bit_rate()).
    //! Raw files: 1.
    virtual int samples_per_bit() const = 0;
    virtual uint64_t frame_annotations() const = 0;
    //! Non-finite samples replaced so far.
    virtual uint64_t nonfinite_samples() const = 0;
};

} // namespace fiberkey
} // namespace gr

#endif /* INCLUDED_FIBERKEY_SIGMF_SOURCE_H */
