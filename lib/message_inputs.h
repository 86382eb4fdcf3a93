/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_MESSAGE_INPUTS_H
#define INCLUDED_FIBERKEY_MESSAGE_INPUTS_H

#include <gnuradio/basic_block.h>
#include <gnuradio/logger.h>
#include <pmt/pmt.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace gr {
namespace fiberkey {

/*!
 * Decides which of many alike log lines are written: each cause the first time, then one
 * line per \p quiet more of it, saying how many went unlogged (a line that loses a third
 * of its frames, or a sender that floods a port, must not flood stderr).
 */
class log_limiter
{
public:
    static constexpr uint64_t default_quiet = 1000;
    static constexpr std::size_t max_causes = 64;

    explicit log_limiter(uint64_t quiet = default_quiet) : d_quiet(quiet) {}

    /*!
     * One more event of \p cause. Returns nothing when it goes unlogged, else the number
     * of its events left unlogged since its last line (0 the first time).
     */
    std::optional<uint64_t> admit(const std::string& cause);

    //! " (N more since the last such line)", or nothing when \p unlogged is 0.
    static std::string more_since(uint64_t unlogged);

private:
    uint64_t d_quiet;
    std::map<std::string, uint64_t> d_unlogged; // by cause, since its last line
};

//! What a handler throws for a message it cannot take: says what it expected.
class message_refused : public std::invalid_argument
{
public:
    using std::invalid_argument::invalid_argument;
};

/*!
 * The message inputs of a block. Each handler added here runs guarded: whatever it throws
 * (message_refused, pmt::wrong_type, std::bad_alloc for a huge blob) refuses that one
 * message, which is counted and logged, and never leaves the handler, where GNU Radio
 * would end the block's thread and the flowgraph would run on with the block dead.
 * Messages meant for another user of a shared port are not refusals: the handler returns.
 */
class message_inputs
{
public:
    using handler = std::function<void(const pmt::pmt_t&)>;

    //! \p block and \p logger outlive this object (it is a member of the block).
    message_inputs(gr::basic_block& block, gr::logger_ptr logger)
        : d_block(block), d_logger(std::move(logger))
    {
    }

    //! Registers input port \p port on the block with \p h as its guarded handler.
    void add(const std::string& port, handler h);

    //! Runs the handler of \p port on \p msg, as GNU Radio's block thread does.
    void deliver(const pmt::pmt_t& port, const pmt::pmt_t& msg);

    //! Messages delivered to the handlers (so far, all ports).
    uint64_t received() const { return d_received; }
    //! Messages refused: malformed, or no room for them (so far, all ports).
    uint64_t refused() const { return d_refused; }

private:
    void run(const pmt::pmt_t& port, const handler& h, const pmt::pmt_t& msg);

    gr::basic_block& d_block;
    gr::logger_ptr d_logger;
    std::map<pmt::pmt_t, handler, pmt::comparator> d_handlers;
    std::atomic<uint64_t> d_received{ 0 };
    std::atomic<uint64_t> d_refused{ 0 };
    log_limiter d_log; // used by the block thread only
};

/*!
 * The implementation base of a block interface \p Block that has message inputs: the
 * block's message_inputs and its message_counters. The block's constructor adds its
 * handlers with d_inputs.add().
 */
template <typename Block>
class message_input_block : public Block
{
public:
    uint64_t messages_received() const override { return d_inputs.received(); }
    uint64_t messages_refused() const override { return d_inputs.refused(); }

    //! The inputs themselves, for tests and fuzzing that call handlers directly.
    message_inputs& inputs() { return d_inputs; }

protected:
    // The most derived class has constructed gr::basic_block (a virtual base) already.
    message_input_block() : d_inputs(*this, this->d_logger) {}

    message_inputs d_inputs;
};

} // namespace fiberkey
} // namespace gr

#endif
