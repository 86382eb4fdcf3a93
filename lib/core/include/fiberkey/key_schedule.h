/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_KEY_SCHEDULE_H
#define FIBERKEY_CORE_KEY_SCHEDULE_H

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace fiberkey {

using session_key = std::array<std::uint8_t, 16>;

/*!
 * \brief Which session key encrypts or decrypts a frame, and the guard that keeps any
 * (key, COUNT, BEARER, DIRECTION) tuple from being used twice.
 *
 * Keys carry a 2-bit epoch (sent in clear in the OTU overhead) and the frame counter at
 * which they take effect, so that both ends switch on the same frame.
 *
 * Transmit side: a pending key becomes active on the first frame whose counter has
 * reached its start counter, and the key it replaces is wiped at once. Under one key the
 * frame counter must strictly advance (modulo 2^32, measured from the key's first frame,
 * by less than 2^31 at a time);
 * a frame that would repeat a counter is refused, so after 2^32 frames under one key every
 * frame is refused until a new key takes effect.
 *
 * Keys take effect in the order they were installed, each one epoch after the one before
 * (modulo 4), and a transmitter activates at most one per frame, so the epoch in the
 * clear overhead steps by one at a time and always names one key. A key installed without
 * a start counter waits until the active key has covered min_frames_per_key frame
 * counters: a receiver can then lose every frame of four epochs in a row (and mistake the
 * fourth for the first) only after more than 3 x min_frames_per_key lost frames.
 *
 * Receive side: a frame under the active epoch uses the active key; a frame under one of
 * the next three epochs activates that key in line (refused while its counter lies before
 * that key's start), and wipes the keys before it, whose frames were all lost. The
 * previous key is wiped once the new one has decrypted retire_after consecutive frames;
 * until then late frames of the previous epoch still decrypt.
 */
class key_schedule
{
public:
    enum class role { transmit, receive };
    enum class verdict { ok, no_key, before_start, counter_reused, exhausted };

    static constexpr unsigned epochs = 4;
    static constexpr std::size_t max_pending = 64;
    static constexpr unsigned retire_after = 8;
    static constexpr std::uint64_t min_frames_per_key =
        16; //!< transmit, no start counter
    static constexpr std::uint64_t frames_per_key = std::uint64_t(1) << 32;
    static constexpr std::uint64_t max_jump = std::uint64_t(1)
                                              << 31; //!< transmit counter step

    explicit key_schedule(role r) : d_role(r) {}
    ~key_schedule();
    key_schedule(const key_schedule&) = delete;
    key_schedule& operator=(const key_schedule&) = delete;

    /*!
     * Installs \p key for \p epoch (0..3), in effect from frame \p start_counter on, or
     * from the next frame when no start is given (link start, where both ends switch on
     * their own: the receiver follows the epoch and the clear flag of each frame).
     * Throws std::invalid_argument when the epoch is out of range, is not the one after
     * the last key installed, or when max_pending keys already wait.
     *
     * Receive side only: a key for the epoch of one of the last three pending keys
     * supersedes that key and those after it, which are wiped; the number superseded is
     * returned (0 otherwise). A restarted post-processor re-issues the key indices its
     * predecessor emitted but never had acknowledged: the transmitter, which switches on
     * the acknowledgement only, never used those keys, and it will use the new ones.
     */
    std::size_t install(std::span<const std::uint8_t, 16> key,
                        unsigned epoch,
                        std::optional<std::uint32_t> start_counter);

    //! Wipes the key of \p epoch (loaded, pending or active): that epoch has no key.
    void revoke(unsigned epoch);

    struct selection {
        verdict result;
        const session_key* key; //!< valid until the next call; nullptr unless ok
        unsigned epoch;
    };

    //! Transmit side: the key for the frame with this counter (activating a pending one).
    selection for_transmit(std::uint32_t counter);
    //! Receive side: the key for a frame that arrived with this counter and epoch (the
    //! first of receive_candidates), taken.
    selection for_receive(std::uint32_t counter, unsigned epoch);

    /*!
     * Receive side: the keys a frame under \p epoch may be under, as advances: -1 the
     * previous key (a late frame), 0 the active key, k >= 1 the k-th pending key. The
     * epoch names one key as long as the transmitter cannot have gone four keys further
     * since the last frame received; after a longer gap (more than 3 x
     * min_frames_per_key counters while four keys took effect) every fourth key in line
     * is a candidate too, and the caller tells them apart by what decrypts (the frame's
     * integrity tag, or its INT block's RS code). Smallest advance first; result
     * before_start or no_key when there is none.
     */
    struct receive_options {
        verdict result;
        std::vector<int> advances;
    };
    receive_options receive_candidates(std::uint32_t counter, unsigned epoch) const;
    //! The key of one candidate, nothing changed.
    selection candidate_key(unsigned epoch, int advance) const;
    //! Takes the candidate that decrypted the frame: activates it (wiping the keys before
    //! it) and retires the previous key in time.
    void accept_receive(std::uint32_t counter, unsigned epoch, int advance);

    /*!
     * Receive side, for frames with an integrity tag: the key that for_receive would
     * give, without changing anything (no key activated, wiped or retired), so that a
     * forged frame under another epoch cannot make the receiver drop its keys. Once the
     * frame's tag holds, accept_receive does what for_receive would have done.
     */
    selection peek_receive(std::uint32_t counter, unsigned epoch) const;
    void accept_receive(std::uint32_t counter, unsigned epoch);

    //! Transmit side: frames left under the active key before it is exhausted.
    std::uint64_t frames_left() const;
    std::optional<unsigned> active_epoch() const;
    std::size_t pending() const { return d_pending.size(); }

    static std::string to_string(verdict v);

private:
    std::size_t supersede(unsigned epoch);

    struct slot {
        session_key key{};
        std::optional<std::uint32_t> start;
        bool loaded = false;
    };
    struct pending_key {
        session_key key;
        unsigned epoch;
        std::optional<std::uint32_t> start;
    };
    static bool reached(std::uint32_t counter, std::uint32_t start);
    void wipe(slot& s);

    role d_role;
    std::array<slot, epochs> d_slots{};
    std::deque<pending_key> d_pending; // in the order they take effect
    std::optional<unsigned> d_active;  // epoch of the key in use
    std::uint32_t d_first_counter = 0; // transmit: first frame under the active key
    std::uint64_t d_next_distance = 0; // transmit: smallest counter distance still unused
    std::optional<unsigned> d_previous;          // receive: epoch to retire
    unsigned d_frames_since_switch = 0;          // receive
    std::optional<std::uint32_t> d_last_counter; // receive: last frame taken
};

} // namespace fiberkey

#endif
