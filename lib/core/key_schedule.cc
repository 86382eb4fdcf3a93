/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/key_schedule.h>
#include <fiberkey/secure_memory.h>

#include <algorithm>
#include <stdexcept>

namespace fiberkey {

key_schedule::~key_schedule()
{
    for (auto& s : d_slots)
        wipe(s);
    for (auto& p : d_pending)
        secure_wipe(p.key);
}

std::string key_schedule::to_string(verdict v)
{
    switch (v) {
    case verdict::ok:
        return "ok";
    case verdict::no_key:
        return "no key for this epoch";
    case verdict::before_start:
        return "frame counter before the key's start";
    case verdict::counter_reused:
        return "frame counter already used under this key";
    case verdict::exhausted:
        return "2^32 frames sent under this key: re-key required";
    }
    return "unknown";
}

bool key_schedule::reached(std::uint32_t counter, std::uint32_t start)
{
    // Counters wrap: "reached" means at most half the counter space ahead.
    return static_cast<std::int32_t>(counter - start) >= 0;
}

void key_schedule::wipe(slot& s)
{
    secure_wipe(s.key);
    s.loaded = false;
}

std::size_t key_schedule::install(std::span<const std::uint8_t, 16> key,
                                  unsigned epoch,
                                  std::optional<std::uint32_t> start_counter)
{
    if (epoch >= epochs)
        throw std::invalid_argument("key_schedule: the epoch is 2 bits (0..3)");
    // Keys take effect in the order they are installed, each one epoch after the one
    // before it, so that the 2-bit epoch of a frame always names one key.
    const std::optional<unsigned> last =
        d_pending.empty() ? d_active : std::optional<unsigned>(d_pending.back().epoch);
    std::size_t superseded = 0;
    if (last && epoch != (*last + 1) % epochs && d_role == role::receive)
        superseded = supersede(epoch);
    if (last && epoch != (*last + 1) % epochs && superseded == 0)
        throw std::invalid_argument("key_schedule: epoch " + std::to_string(epoch) +
                                    " after epoch " + std::to_string(*last) +
                                    "; keys must follow each other (" +
                                    std::to_string((*last + 1) % epochs) + " next)");
    if (d_pending.size() >= max_pending)
        throw std::invalid_argument("key_schedule: too many keys pending");
    session_key k;
    std::copy(key.begin(), key.end(), k.begin());
    d_pending.push_back({ k, epoch, start_counter });
    secure_wipe(k);
    return superseded;
}

std::size_t key_schedule::supersede(unsigned epoch)
{
    // Only the last epochs - 1 pending keys: further back, an epoch names another key.
    const std::size_t tail = std::min<std::size_t>(d_pending.size(), epochs - 1);
    for (std::size_t i = d_pending.size() - tail; i < d_pending.size(); ++i) {
        if (d_pending[i].epoch != epoch)
            continue;
        const std::size_t n = d_pending.size() - i;
        while (d_pending.size() > i) {
            secure_wipe(d_pending.back().key);
            d_pending.pop_back();
        }
        return n;
    }
    return 0;
}

key_schedule::selection key_schedule::for_transmit(std::uint32_t counter)
{
    // Activate the next pending key whose start has been reached: one per frame, so
    // that the epoch in the clear overhead only ever steps by one (a receiver takes a
    // jump for a channel error). Keys without a start hold the one before them for
    // min_frames_per_key counters, so that a few lost frames cannot hide whole epochs.
    const auto due = [&](const pending_key& p) {
        return p.start
                   ? reached(counter, *p.start)
                   : !d_active || static_cast<std::uint32_t>(counter - d_first_counter) >=
                                      min_frames_per_key;
    };
    if (!d_pending.empty() && due(d_pending.front())) {
        pending_key& p = d_pending.front();
        if (d_active)
            wipe(d_slots[*d_active]);
        slot& s = d_slots[p.epoch];
        s.key = p.key;
        s.start = p.start;
        s.loaded = true;
        secure_wipe(p.key);
        d_active = p.epoch;
        d_first_counter = counter;
        d_next_distance = 0;
        d_pending.pop_front();
    }
    if (!d_active)
        return { verdict::no_key, nullptr, 0 };
    if (d_next_distance >= frames_per_key)
        return { verdict::exhausted, nullptr, *d_active };
    const std::uint64_t distance = static_cast<std::uint32_t>(counter - d_first_counter);
    // Behind the last frame, or so far ahead that it is really behind: refused, since
    // a transmitter's counter only advances.
    if (distance < d_next_distance ||
        (d_next_distance > 0 && distance - (d_next_distance - 1) >= max_jump))
        return { verdict::counter_reused, nullptr, *d_active };
    d_next_distance = distance + 1;
    return { verdict::ok, &d_slots[*d_active].key, *d_active };
}

key_schedule::receive_options key_schedule::receive_candidates(std::uint32_t counter,
                                                               unsigned epoch) const
{
    receive_options out{ verdict::no_key, {} };
    if (epoch >= epochs)
        return out;
    if (d_previous == epoch) // a late frame under the key being retired
        out.advances.push_back(-1);
    if (d_active == epoch)
        out.advances.push_back(0);
    // The transmitter keeps each key for min_frames_per_key counters: after a gap of g
    // counters it can be at most g / min_frames_per_key + 1 keys further on. Up to three
    // keys ahead the epoch names one key; beyond, every fourth key has the same epoch.
    std::uint32_t gap = 0;
    if (d_last_counter && reached(counter, *d_last_counter))
        gap = counter - *d_last_counter;
    const std::size_t reach = std::min<std::size_t>(
        d_pending.size(),
        std::max<std::uint64_t>(epochs - 1, gap / min_frames_per_key + 1));
    for (std::size_t i = 0; i < reach; ++i) {
        const pending_key& p = d_pending[i];
        if (p.epoch != epoch)
            continue;
        if (p.start && !reached(counter, *p.start)) {
            out.result = verdict::before_start;
            continue;
        }
        out.advances.push_back(static_cast<int>(i) + 1);
    }
    if (!out.advances.empty())
        out.result = verdict::ok;
    return out;
}

key_schedule::selection key_schedule::candidate_key(unsigned epoch, int advance) const
{
    if (advance <= 0)
        return { verdict::ok, &d_slots[epoch].key, epoch };
    return { verdict::ok, &d_pending[static_cast<std::size_t>(advance) - 1].key, epoch };
}

void key_schedule::accept_receive(std::uint32_t counter, unsigned epoch, int advance)
{
    if (advance < 0) // a late frame under the previous key: nothing changes
        return;
    if (!d_last_counter || reached(counter, *d_last_counter))
        d_last_counter = counter;
    if (advance > 0) {
        // The key in line, and those before it wiped: they were in effect only for frames
        // that never arrived (a transmitter can hold a key for a single frame), and
        // without skipping them one lost frame would leave the receiver waiting for
        // their epoch for ever.
        const pending_key& p = d_pending[static_cast<std::size_t>(advance) - 1];
        if (d_previous)
            wipe(d_slots[*d_previous]);
        slot& s = d_slots[epoch];
        s.key = p.key;
        s.start = p.start;
        s.loaded = true;
        for (int i = 0; i < advance; ++i) {
            secure_wipe(d_pending.front().key);
            d_pending.pop_front();
        }
        d_previous = d_active;
        d_active = epoch;
        d_frames_since_switch = 0;
    }
    if (d_previous && ++d_frames_since_switch >= retire_after) {
        wipe(d_slots[*d_previous]);
        d_previous.reset();
    }
}

key_schedule::selection key_schedule::peek_receive(std::uint32_t counter,
                                                   unsigned epoch) const
{
    const auto options = receive_candidates(counter, epoch);
    if (options.result != verdict::ok)
        return { options.result, nullptr, epoch };
    return candidate_key(epoch, options.advances.front());
}

void key_schedule::accept_receive(std::uint32_t counter, unsigned epoch)
{
    const auto options = receive_candidates(counter, epoch);
    if (options.result == verdict::ok)
        accept_receive(counter, epoch, options.advances.front());
}

key_schedule::selection key_schedule::for_receive(std::uint32_t counter, unsigned epoch)
{
    const auto options = receive_candidates(counter, epoch);
    if (options.result != verdict::ok)
        return { options.result, nullptr, epoch };
    accept_receive(counter, epoch, options.advances.front());
    return { verdict::ok, &d_slots[epoch].key, epoch };
}

void key_schedule::revoke(unsigned epoch)
{
    if (epoch >= epochs)
        throw std::invalid_argument("key_schedule: the epoch is 2 bits (0..3)");
    wipe(d_slots[epoch]);
    for (auto it = d_pending.begin(); it != d_pending.end();) {
        if (it->epoch == epoch) {
            secure_wipe(it->key);
            it = d_pending.erase(it);
        } else {
            ++it;
        }
    }
    if (d_active == epoch)
        d_active.reset();
    if (d_previous == epoch)
        d_previous.reset();
}

std::uint64_t key_schedule::frames_left() const
{
    if (d_role != role::transmit || !d_active)
        return 0;
    return frames_per_key - d_next_distance;
}

std::optional<unsigned> key_schedule::active_epoch() const { return d_active; }

} // namespace fiberkey
