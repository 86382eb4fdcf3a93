/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_ZUC_CRYPT_H
#define INCLUDED_FIBERKEY_ZUC_CRYPT_H

#include <gnuradio/block.h>
#include <gnuradio/fiberkey/api.h>

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
 * replaced is wiped. A transmitter never reuses a (key, COUNT, BEARER, DIRECTION)
 * tuple: frames that would, and frames with no key, are dropped, counted, and reported
 * on the "events" port.
 *
 * Link start (allow_clear): before its first key a transmitter sends frames in the clear,
 * marked by flag bit 2 of row 0 column 13, so that the SM2 exchange can run over the link
 * itself; a receiver passes such frames through until it has decrypted its first frame,
 * and refuses them (dropped, counted) from then on. Without allow_clear nothing is ever
 * sent or accepted in the clear. A clear frame carries the overhead and the INT block
 * only: its payload and NEG are zeroed.
 */
class FIBERKEY_API zuc_crypt : virtual public gr::block
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
     */
    static sptr make(int direction,
                     bool transmit,
                     const std::vector<uint8_t>& key = {},
                     int epoch = 0,
                     const std::string& backend = "auto",
                     bool allow_clear = false);

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
};

} // namespace fiberkey
} // namespace gr

#endif /* INCLUDED_FIBERKEY_ZUC_CRYPT_H */
