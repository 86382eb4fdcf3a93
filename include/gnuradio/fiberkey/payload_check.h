/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_PAYLOAD_CHECK_H
#define INCLUDED_FIBERKEY_PAYLOAD_CHECK_H

#include <gnuradio/fiberkey/api.h>
#include <gnuradio/sync_block.h>

#include <cstdint>
#include <vector>

namespace gr {
namespace fiberkey {

/*!
 * \brief Client payload check: received client bytes in, compared with the pattern the
 * sender repeats (a bit error ratio tester for the OPU payload).
 * \ingroup fiberkey
 *
 * \details
 * Zero bytes before the first non-zero byte are idle (frames sent in the clear at link
 * start carry zeros). From there the input is compared with the pattern, repeated with
 * its own length as period: with one frame's payload (15,232 bytes) as the pattern, a
 * frame lost whole does not shift the comparison of the frames after it. Counters are
 * read from any thread.
 */
class FIBERKEY_API payload_check : virtual public gr::sync_block
{
public:
    typedef std::shared_ptr<payload_check> sptr;

    //! \param pattern what the sender repeats; not empty, first byte not zero
    static sptr make(const std::vector<uint8_t>& pattern);

    virtual uint64_t idle_bytes() const = 0; //!< zeros before the pattern started
    virtual uint64_t bytes_checked() const = 0;
    virtual uint64_t bytes_wrong() const = 0;
    virtual uint64_t bits_wrong() const = 0;
    virtual bool started() const = 0;
};

} // namespace fiberkey
} // namespace gr

#endif /* INCLUDED_FIBERKEY_PAYLOAD_CHECK_H */
