/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gnuradio/fiberkey/message_counters.h>

#include <pybind11/pybind11.h>

namespace py = pybind11;

void bind_core(py::module& m);
void bind_faults(py::module& m);
void bind_framing(py::module& m);
void bind_key_service(py::module& m);
void bind_link(py::module& m);
void bind_model(py::module& m);
void bind_monitor(py::module& m);
void bind_phy(py::module& m);
void bind_pp_messages(py::module& m);
void bind_randomness(py::module& m);
void bind_zuc_crypt(py::module& m);

PYBIND11_MODULE(fiberkey_python, m)
{
    // The block classes derive from gnuradio.gr's bound types.
    py::module::import("gnuradio.gr");
    // A base of every block with message inputs: bound before them.
    py::class_<gr::fiberkey::message_counters,
               std::shared_ptr<gr::fiberkey::message_counters>>(
        m, "message_counters", "The counters of a block's message inputs.")
        .def("messages_received",
             &gr::fiberkey::message_counters::messages_received,
             "Messages delivered to the block's message inputs, all ports.")
        .def("messages_refused",
             &gr::fiberkey::message_counters::messages_refused,
             "Of those, the messages refused: malformed, or no room for them "
             "(counted and logged, never fatal to the block).");
    bind_core(m);
    bind_faults(m);
    bind_framing(m);
    bind_key_service(m);
    bind_link(m);
    bind_model(m);
    bind_monitor(m);
    bind_phy(m);
    bind_pp_messages(m);
    bind_randomness(m);
    bind_zuc_crypt(m);
}
