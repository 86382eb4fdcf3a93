/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_MESSAGE_COUNTERS_H
#define INCLUDED_FIBERKEY_MESSAGE_COUNTERS_H

#include <gnuradio/fiberkey/api.h>

#include <cstdint>

namespace gr {
namespace fiberkey {

/*!
 * \brief The counters every block with message inputs has.
 * \ingroup fiberkey
 *
 * \details
 * A message a handler cannot take is refused: one that is malformed (not a PMT of the
 * documented shape, a metadata entry of the wrong type, a value out of range) or that
 * finds no room (a queue of messages to send already full). It is counted here and
 * logged (each cause once, then once per 1,000 more), never an exception that ends the
 * block's thread.
 * Messages meant for another user of a shared port (another INT stream, the other
 * direction's rounds) are not refusals. In GRC, a Function Probe on the block reads them.
 */
class FIBERKEY_API message_counters
{
public:
    virtual ~message_counters() = default;

    //! Messages delivered to the block's message inputs, all ports.
    virtual uint64_t messages_received() const = 0;
    //! Of those, the messages refused (malformed, or no room for them).
    virtual uint64_t messages_refused() const = 0;
};

} // namespace fiberkey
} // namespace gr

#endif
