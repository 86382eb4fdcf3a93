/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_ZUC_CRYPT_H
#define INCLUDED_FIBERKEY_ZUC_CRYPT_H

#include <gnuradio/block.h>
#include <gnuradio/fiberkey/api.h>
#include <gnuradio/fiberkey/message_counters.h>

#include <cstdint>
#include <string>
#include <vector>

namespace gr {
namespace fiberkey {

/*!
 * \brief ZUC-128 (128-EEA3) encryption of an extended OTU2 frame stream.
 * \ingroup fiberkey
 *
 * \details
 * Input and output are frame streams: one item is one 16,830-byte frame carrying the
 * "frame_counter" and "key_epoch" tags. The covered bytes (rows up to the FEC columns
 * except the clear row-0 overhead, plus NEG and INT) are cut into 16 lanes; lane i is
 * 128-EEA3 with COUNT = frame counter, BEARER = i and DIRECTION as set.
 *
 * Transmit mode: the key in effect for the frame's counter encrypts it and its epoch is
 * written to the clear overhead (row 0, column 13, bits 0-1) and to the key_epoch tag.
 * Receive mode: the frame's key_epoch tag selects the key that decrypts it.
 *
 * Session keys arrive on the "key" message port as a PDU: meta dict with "epoch" (0..3)
 * and "start_counter" (the frame counter at which the key takes effect; without it, from
 * the next frame on), data a u8vector of 16 bytes; an empty u8vector revokes (wipes) the
 * epoch's key. The switch is hitless: both ends switch on the same frame. A key that is
 * replaced is wiped. A receiver takes a key re-issued for a pending epoch (a restarted
 * post-processor's) in place of the pending one ("key_superseded" event). A transmitter never reuses a (key, COUNT, BEARER, DIRECTION)
 * tuple: frames that would, and frames with no key, are dropped, counted, and reported
 * on the "events" port.
 *
 * Link start (allow_clear): before its first key a transmitter sends frames in the clear,
 * marked by flag bit 2 of row 0 column 13, so that the SM2 exchange can run over the link
 * itself; a receiver passes such frames through until it has decrypted its first frame,
 * and refuses them (dropped, counted) from then on. Without allow_clear nothing is ever
 * sent or accepted in the clear. A clear frame carries the overhead and the INT block
 * only: its payload and NEG are zeroed.
 *
 * Integrity (on by default): the transmitter seals every encrypted frame with a 64-bit
 * ZUC-256 MAC over its payload, overhead and INT information (never NEG), keyed from the
 * session key, with the frame counter and direction in its IV (core class frame_tag); the
 * tag travels encrypted in ODU overhead bytes GCC1, GCC2 and APS/PCC. The receiver
 * decrypts, RS-checks the INT block and verifies the tag before the frame goes on: a
 * frame whose tag fails is dropped and counted (frames_rejected_by_tag), and nothing of it
 * reaches the demux, the client, the negotiator or the post-processor. A frame under a
 * new key epoch switches the receiver's keys only once its tag holds. Frames whose line
 * FEC found uncorrectable codewords ("fec_uncorrectable" tag from the Line Decoder) or
 * whose INT block is beyond its RS code are dropped under those names instead, not
 * counted as tag failures (a clear flag in a frame with uncorrectable codewords too: it
 * may be a bit error). A frame that goes on keeps its "fec_uncorrectable" tag. When
 * more than tag_alarm_threshold of the last 1,024 authenticated frames failed their
 * tag, the "events" port reports "tag_alarm" (an
 * active attacker, or a peer without integrity); "tag_alarm_cleared" when the window
 * holds no failure again. Both ends must agree on integrity: the frame carries no flag
 * that an attacker could clear.
 */
class FIBERKEY_API zuc_crypt : virtual public gr::block, public message_counters
{
public:
    typedef std::shared_ptr<zuc_crypt> sptr;

    /*!
     * \brief Makes a zuc_crypt: one 16,830-byte vector (a frame) in, one out; message
     * port "key" in, "events" out. A bad value throws std::invalid_argument.
     *
     * \param direction 0 for A to B, 1 for B to A (the EEA3 DIRECTION bit)
     * \param transmit true to encrypt outgoing frames, false to decrypt received ones
     * \param key initial session key, 16 bytes, in effect from frame counter 0; empty to
     *        wait for one on "key"
     * \param epoch the initial key's epoch, 0..3 (checked even when key is empty)
     * \param backend "auto" (the fastest available), "portable" or "ipsec-mb" (only when
     *        the module was built with libipsec-mb)
     * \param allow_clear pass frames in the clear until the first key has been used
     *        (link start: otu_frame::link_start_policy)
     * \param integrity seal (transmit) or verify (receive) every encrypted frame's
     *        integrity tag; both ends must agree
     * \param tag_alarm_threshold receive: the fraction of the last 1,024 authenticated
     *        frames whose tag may fail before the alarm rises, in [0, 1)
     */
    static sptr make(int direction,
                     bool transmit,
                     const std::vector<uint8_t>& key = {},
                     int epoch = 0,
                     const std::string& backend = "auto",
                     bool allow_clear = false,
                     bool integrity = true,
                     double tag_alarm_threshold = 0.001);

    //! Installs a session key in effect from frame \p start_counter (as the "key" port).
    virtual void
    set_key(const std::vector<uint8_t>& key, int epoch, uint64_t start_counter) = 0;

    virtual uint64_t frames_processed() const = 0;
    virtual uint64_t frames_dropped() const = 0;
    //! Frames sent or accepted in the clear at link start.
    virtual uint64_t frames_clear() const = 0;
    //! Transmit mode: frames that the active key can still encrypt.
    virtual uint64_t frames_left() const = 0;
    virtual std::string backend() const = 0;

    virtual bool integrity() const = 0;
    //! Receive mode: frames dropped because their integrity tag failed.
    virtual uint64_t frames_rejected_by_tag() const = 0;
    /*!
     * Receive mode with integrity: frames dropped because the line damaged them beyond
     * its codes (INT beyond RS, or uncorrectable G.709 codewords and a failed tag); their
     * tag could not speak for them. Counted in frames_dropped() too.
     */
    virtual uint64_t frames_damaged() const = 0;
    //! Receive mode: whether the tag-failure alarm is raised.
    virtual bool tag_alarm() const = 0;
    //! As make's tag_alarm_threshold (default 0.001: a second failure in the window).
    virtual void set_tag_alarm_threshold(double fraction) = 0;
    virtual double tag_alarm_threshold() const = 0;
};

} // namespace fiberkey
} // namespace gr

#endif /* INCLUDED_FIBERKEY_ZUC_CRYPT_H */
