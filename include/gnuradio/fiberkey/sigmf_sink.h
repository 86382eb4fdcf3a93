/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_SIGMF_SINK_H
#define INCLUDED_FIBERKEY_SIGMF_SINK_H

#include <gnuradio/fiberkey/api.h>
#include <gnuradio/sync_block.h>

#include <cstdint>
#include <string>

namespace gr {
namespace fiberkey {

/*!
 * \brief Records float samples as SigMF: BASE.sigmf-data (rf32_le) and BASE.sigmf-meta.
 * \ingroup fiberkey
 *
 * \details
 * The metadata hold core:sample_rate (bit_rate x samples_per_bit), fiberkey:bit_rate,
 * fiberkey:samples_per_bit, the description, and one annotation per "frame_start" tag
 * (core:sample_start, fiberkey:frame_counter: the value of a "frame_counter" tag on the
 * same sample, else the number of frames annotated before). A "frame_counter" tag alone
 * is annotated too. The data file is created at construction (or at start when the
 * name was empty then); the metadata are written when the flowgraph stops.
 */
class FIBERKEY_API sigmf_sink : virtual public gr::sync_block
{
public:
    typedef std::shared_ptr<sigmf_sink> sptr;

    /*!
     * \brief Makes a sigmf_sink: float in, no output.
     *
     * \param filename BASE, or BASE.sigmf-data / BASE.sigmf-meta (the suffix is dropped);
     *        empty: no file yet, and starting the flowgraph then throws
     * \param bit_rate line bit rate in bit/s, > 0 (default: OTU2, 11.043846 Gbit/s)
     * \param samples_per_bit samples per line bit in the recording, 1..1024
     * \param description written as core:description; left out when empty
     */
    static sptr make(const std::string& filename = "",
                     double bit_rate = 11.043846e9,
                     int samples_per_bit = 1,
                     const std::string& description = "");

    virtual uint64_t samples_written() const = 0;
    virtual uint64_t frames_annotated() const = 0;
    //! Writes the metadata now (stop() does it too); later samples are refused.
    virtual void close() = 0;
};

} // namespace fiberkey
} // namespace gr

#endif /* INCLUDED_FIBERKEY_SIGMF_SINK_H */
