/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <pybind11/pybind11.h>

namespace py = pybind11;

void bind_core(py::module& m);
void bind_faults(py::module& m);
void bind_framing(py::module& m);
void bind_link(py::module& m);
void bind_model(py::module& m);
void bind_phy(py::module& m);
void bind_pp_messages(py::module& m);
void bind_randomness(py::module& m);
void bind_zuc_crypt(py::module& m);

PYBIND11_MODULE(fiberkey_python, m)
{
    // The block classes derive from gnuradio.gr's bound types.
    py::module::import("gnuradio.gr");
    bind_core(m);
    bind_faults(m);
    bind_framing(m);
    bind_link(m);
    bind_model(m);
    bind_phy(m);
    bind_pp_messages(m);
    bind_randomness(m);
    bind_zuc_crypt(m);
}
