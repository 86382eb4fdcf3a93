/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_PAYLOAD_SOURCE_H
#define INCLUDED_FIBERKEY_PAYLOAD_SOURCE_H

#include <gnuradio/fiberkey/api.h>
#include <gnuradio/sync_block.h>

#include <cstdint>
#include <vector>

namespace gr {
namespace fiberkey {

/*!
 * \brief Client payload source: client bytes out, a pattern repeated without end (the
 * sender's side of the Client Payload Check).
 * \ingroup fiberkey
 *
 * \details
 * Feeds an OTU Frame Mux (or a node's client input) with the pattern the Client Payload
 * Check at the far end expects. It does what a repeating Vector Source does, a whole
 * run per copy instead of a byte per step: at the digital link's rate that byte loop
 * took 7 % of the CPU.
 */
class FIBERKEY_API payload_source : virtual public gr::sync_block
{
public:
    typedef std::shared_ptr<payload_source> sptr;

    //! \param pattern the bytes repeated; not empty, first byte not zero
    static sptr make(const std::vector<uint8_t>& pattern);
};

} // namespace fiberkey
} // namespace gr

#endif /* INCLUDED_FIBERKEY_PAYLOAD_SOURCE_H */
