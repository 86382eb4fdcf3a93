/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_MESSAGE_WAIT_H
#define INCLUDED_FIBERKEY_MESSAGE_WAIT_H

#include <gnuradio/block.h>
#include <gnuradio/block_detail.h>

namespace gr {
namespace fiberkey {

/*!
 * Parks the thread of \p block, from its general_work, until a message is posted to the
 * block or its input grows, at most \p limit_ms. For a stream block whose output waits
 * on messages (the mux waits for NEG blocks): a general_work that returns 0 with its
 * input full is called again at once by the thread-per-block scheduler
 * (READY_NO_OUTPUT), a spin that took a quarter of the link's CPU and kept waking the
 * upstream source. The scheduler clears input_changed before it dispatches the queued
 * messages and sets it on every post and every upstream write, so no wake-up is lost.
 * The limit bounds the delay of a change that posts nothing (a setter called from
 * another thread) and of stop(): the wait must not be an interruption point, since an
 * interruption thrown out of general_work leaves the scheduler's count of the work
 * call's buffers raised, and after top_block::lock()/unlock() (buffers reused) the next
 * work call would wait on it for ever. The pending interruption ends the thread at the
 * scheduler's next interruption point instead.
 */
inline void wait_for_message_or_input(gr::block& block, long limit_ms)
{
    const block_detail_sptr detail = block.detail();
    if (!detail)
        return;
    tpb_detail& tpb = detail->d_tpb;
    const boost::this_thread::disable_interruption not_here;
    gr::thread::scoped_lock guard(tpb.mutex);
    if (!tpb.input_changed)
        tpb.input_cond.timed_wait(guard, boost::posix_time::milliseconds(limit_ms));
}

} // namespace fiberkey
} // namespace gr

#endif
