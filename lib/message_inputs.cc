/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "message_inputs.h"

#include <boost/thread/exceptions.hpp>

#include <cxxabi.h>

namespace gr {
namespace fiberkey {

std::optional<uint64_t> log_limiter::admit(const std::string& cause)
{
    // Causes whose text varies (a size, a value) must not grow the map without bound:
    // past max_causes, new ones share one entry.
    const bool known = d_unlogged.count(cause) > 0;
    auto [unlogged, first] =
        d_unlogged.try_emplace(known || d_unlogged.size() < max_causes ? cause : "", 0);
    if (!first && unlogged->second < d_quiet) {
        ++unlogged->second;
        return std::nullopt;
    }
    return std::exchange(unlogged->second, 0);
}

std::string log_limiter::more_since(uint64_t unlogged)
{
    if (unlogged == 0)
        return {};
    return " (" + std::to_string(unlogged) + " more since the last such line)";
}

void message_inputs::add(const std::string& port, handler h)
{
    const pmt::pmt_t id = pmt::mp(port);
    d_block.message_port_register_in(id);
    // A map node stays put: GNU Radio's thread calls the handler without a look-up.
    const handler& stored = d_handlers[id] = std::move(h);
    d_block.set_msg_handler(
        id, [this, id, &stored](const pmt::pmt_t& msg) { run(id, stored, msg); });
}

void message_inputs::deliver(const pmt::pmt_t& port, const pmt::pmt_t& msg)
{
    if (const auto it = d_handlers.find(port); it != d_handlers.end())
        run(port, it->second, msg);
}

void message_inputs::run(const pmt::pmt_t& port, const handler& h, const pmt::pmt_t& msg)
{
    ++d_received;
    std::string why;
    try {
        if (!msg) // a C++ sender's empty pmt_t: every pmt:: function would dereference it
            throw message_refused("a null PMT");
        h(msg);
        return;
    } catch (const boost::thread_interrupted&) {
        throw; // the flowgraph stopping the block's thread, not a refusal
    } catch (abi::__forced_unwind&) {
        throw; // thread cancellation must unwind
    } catch (const std::exception& e) {
        why = e.what();
    } catch (...) {
        why = "an unknown exception";
    }
    ++d_refused;
    const std::string name = pmt::symbol_to_string(port);
    if (const auto unlogged = d_log.admit(name + ": " + why))
        d_logger->warn(
            "{}: message refused: {}{}", name, why, log_limiter::more_since(*unlogged));
}

} // namespace fiberkey
} // namespace gr
