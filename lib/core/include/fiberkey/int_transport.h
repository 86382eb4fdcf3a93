/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_INT_TRANSPORT_H
#define FIBERKEY_CORE_INT_TRANSPORT_H

#include <fiberkey/frame_layout.h>
#include <fiberkey/int_block.h>

#include <array>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

namespace fiberkey {

//! One post-processing message, as handed to send() and out of poll_delivered().
struct int_message {
    std::uint8_t stream = 0;
    std::vector<std::uint8_t> data;

    bool operator==(const int_message&) const = default;
};

/*!
 * \brief A reliable message channel over the fragment and ack records of the INT blocks
 * (int_block.h), which are lost whole, with their frame or when RS cannot correct them.
 *
 * Sending. send() numbers a message with its stream's next 16-bit message sequence
 * (wrapping) and cuts it into at most 255 fragments of equal size, the last one shorter.
 * fill(), called once per transmitted frame, puts into whatever room the other INT users
 * left: pending acks first, then fragments of unacknowledged messages, oldest message
 * first, at most config::window messages in flight per stream. A message goes out whole,
 * fragment by fragment; when no ack has come a retransmission timeout after its last
 * fragment, it goes out whole again: an ack covers a whole message, so the sender cannot
 * tell which fragments were lost.
 *
 * The timeout adapts to the round trip, counted in frames, as TCP's does (RFC 6298): the
 * frames from a message's last fragment to its ack are smoothed (srtt, rttvar) and the
 * timeout is srtt + max(2, 4 rttvar) within [min_retransmit_frames,
 * retransmit_after_frames], or retransmit_after_frames before the first sample. Karn's
 * rule: the ack of a message sent more than once may answer any of its passes, so it only
 * counts when its time since the last pass exceeds srtt (a lower bound of a round trip
 * that has grown). Each expiry of a message doubles that message's own timeout, up to
 * retransmit_after_frames. The round trip through GNU Radio's buffers depends on the
 * flowgraph; a fixed timer had to be set far above it, and then every lost fragment held
 * its message, often a step of the key post-processing, back for a thousand frames.
 *
 * Receiving. receive() reassembles, delivers every complete message once and acks it. A
 * fragment of a message already delivered is dropped and the message acked again, since
 * the first ack may have been lost. Per stream, the delivered sequences among the
 * duplicate_window sequences (modulo 2^16) up to the most advanced one are remembered; a
 * fragment further behind can only be an old duplicate (an honest sender has at most
 * `window` messages in flight) and is dropped without an ack. Messages are delivered in
 * order of completion, which with window > 1 need not be the order of sending.
 *
 * Memory. At most max_pending_messages messages held for sending, max_partial_messages
 * partial messages of at most max_message_bytes each (the least recently fed one gives
 * way to a new one), max_delivered_messages not yet polled (a message completed beyond
 * that is dropped unacknowledged, so that its sender sends it again) and
 * max_pending_acks acks. Both ends need the same max_message_bytes, and
 * max_partial_messages should cover window times the streams in use.
 *
 * reset(), when the peer restarted (it then numbers its messages from 0 again and has
 * forgotten everything), drops what this end was sending, its partial messages, its
 * pending acks and the duplicate history; delivered messages not yet polled stay, and
 * the sequence numbering of this end runs on. What the peer sees:
 *  - none of the messages dropped here is sent again, from any fragment; a peer that did
 *    not restart may already have delivered some of them (its acks for them arrive here
 *    as ignored acks), or holds part of one, which it keeps until a new partial message
 *    needs its place;
 *  - its new messages are taken whatever their sequence, since the history is gone;
 *  - because the numbering here runs on, no late ack from before the reset can
 *    acknowledge a message sent after it;
 *  - a message the peer sent before the reset, still in transit or still being
 *    retransmitted by a peer that did not restart, can be delivered here once more.
 * Without reset(), the new messages of a restarted peer whose sequences fall behind
 * the history here are dropped as old duplicates (acked, or unacked when too far behind).
 */
class int_transport
{
public:
    //! Largest fragment data: one fragment record filling a whole INT block.
    static constexpr std::size_t max_fragment_bytes = frame_layout::int_info_bytes -
                                                      int_writer::header_bytes -
                                                      int_writer::fragment_fields_bytes;
    static constexpr std::size_t max_fragments = 255;
    //! 255 fragments of 232 bytes: 59,160 bytes.
    static constexpr std::size_t max_message_bytes_limit =
        max_fragments * max_fragment_bytes;
    //! Sequences per stream remembered for duplicate suppression.
    static constexpr std::size_t duplicate_window = 1024;

    struct config {
        std::size_t max_message_bytes = max_message_bytes_limit;
        /*!
         * Data bytes per fragment, 1..232; a message longer than 255 of them gets larger
         * fragments, which fit in fewer frames. The default makes a 71-byte record, which
         * fits in the 78 bytes the negotiator usually leaves (negotiator.h).
         */
        std::size_t fragment_bytes = 64;
        unsigned window = 4; //!< messages in flight per stream, 1..duplicate_window
        //! The longest retransmission timeout, and the timeout before the round trip
        //! is measured: it should exceed the round trip in frames.
        unsigned retransmit_after_frames = 64;
        //! The shortest retransmission timeout (retransmit_after_frames if that is less).
        unsigned min_retransmit_frames = 4;
        std::size_t max_pending_messages = 64; //!< queued and in flight, all streams
        std::size_t max_partial_messages = 8;
        std::size_t max_delivered_messages = 64;
        std::size_t max_pending_acks = 64;
    };

    struct counters {
        std::uint64_t messages_sent = 0; //!< taken by send()
        std::uint64_t messages_delivered = 0;
        std::uint64_t messages_dropped = 0; //!< unacknowledged at reset()
        std::uint64_t fragments_sent = 0;   //!< retransmissions included
        std::uint64_t fragments_retransmitted = 0;
        //! Of a delivered message, or already held.
        std::uint64_t duplicate_fragments = 0;
        std::uint64_t stale_fragments = 0; //!< behind the duplicate window
        std::uint64_t inconsistent_fragments = 0;
        std::uint64_t partials_evicted = 0; //!< gave way to a newer partial message
        std::uint64_t queue_overflows = 0;  //!< send() refused
        std::uint64_t delivery_overflows = 0;
        std::uint64_t acks_sent = 0;
        std::uint64_t acks_received = 0; //!< acknowledged a message in flight
        std::uint64_t acks_ignored = 0;  //!< duplicate or unknown
        std::uint64_t acks_dropped = 0;  //!< pending-ack list full
    };

    int_transport() : int_transport(config{}) {}
    //! Throws std::invalid_argument for a setting out of its range.
    explicit int_transport(const config& c);

    /*!
     * Queues \p message on \p stream. Returns false, and counts, when
     * max_pending_messages are already held. Throws std::invalid_argument beyond
     * max_message_bytes.
     */
    bool send(std::uint8_t stream, std::vector<std::uint8_t> message);

    //! Once per transmitted frame: adds acks and fragments while they fit in \p w.
    void fill(int_writer& w);

    //! Every record of an accepted INT block; all but fragments and acks are ignored.
    void receive(const int_record& r);

    //! The messages completed since the last call, in order of completion.
    std::vector<int_message> poll_delivered();

    void reset();

    const counters& stats() const { return d_stats; }

    //! The retransmission timeout now, in frames.
    unsigned retransmit_timeout() const;
    //! The smoothed round trip in frames; 0 before the first sample.
    double round_trip_frames() const { return d_srtt; }

    // Occupancy, to check the memory bounds.
    std::size_t pending_messages() const { return d_outgoing.size(); }
    std::size_t partial_messages() const { return d_partials.size(); }
    std::size_t buffered_fragments() const;
    std::size_t buffered_bytes() const;
    std::size_t pending_acks() const { return d_acks.size(); }

private:
    struct outgoing {
        std::uint8_t stream;
        std::uint16_t seq;
        std::vector<std::uint8_t> data;
        std::size_t fragment_bytes;
        unsigned count;
        bool in_flight = false;
        bool retransmitting = false;
        unsigned next_index = 0; //!< of the pass under way; count when it is done
        std::uint64_t pass_done_frame = 0;
        unsigned expiries = 0; //!< each doubles this message's timeout
    };

    struct partial {
        std::uint8_t stream;
        std::uint16_t seq;
        unsigned count;
        std::vector<std::vector<std::uint8_t>> pieces;
        std::vector<bool> held;
        unsigned held_count = 0;
        std::size_t bytes = 0;
        std::optional<std::size_t> inner_size; //!< of every fragment but the last
        std::uint64_t last_fed = 0;
    };

    struct history {
        bool started = false;
        std::uint16_t newest = 0;
        std::bitset<duplicate_window> delivered; //!< bit i: sequence newest - i
    };

    enum class seq_status { fresh, delivered, stale };

    void on_fragment(const int_fragment& f);
    void on_ack(const int_ack& a);
    bool consistent(const partial& p, const int_fragment& f) const;
    void complete(std::vector<partial>::iterator p);
    std::vector<partial>::iterator make_partial(const int_fragment& f);
    seq_status classify(std::uint8_t stream, std::uint16_t seq) const;
    void mark_delivered(std::uint8_t stream, std::uint16_t seq);
    void schedule_ack(std::uint8_t stream, std::uint16_t seq);
    void round_trip_sample(std::uint64_t frames);
    unsigned timeout_for(const outgoing& m) const;

    static constexpr std::size_t stream_count = 256;

    config d_config;
    counters d_stats;
    std::uint64_t d_frame = 0; // fill() calls so far
    double d_srtt = 0.0;       // smoothed round trip, frames (0: no sample yet)
    double d_rttvar = 0.0;
    std::uint64_t d_feed_tick = 0; // fragments taken so far, to age partial messages

    std::vector<outgoing> d_outgoing; // in order of send()
    std::array<std::uint16_t, stream_count> d_next_seq{};
    std::array<unsigned, stream_count> d_in_flight{};

    std::vector<partial> d_partials;
    std::vector<history> d_history; // per stream
    std::deque<int_ack> d_acks;
    std::vector<int_message> d_delivered;
};

} // namespace fiberkey

#endif
