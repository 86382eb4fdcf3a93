/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gnuradio/fiberkey/line_fault_injector.h>

#include <pybind11/pybind11.h>

namespace py = pybind11;
using namespace gr::fiberkey;

void bind_faults(py::module& m)
{
    py::class_<line_fault_injector,
               gr::block,
               gr::basic_block,
               std::shared_ptr<line_fault_injector>>(
        m,
        "line_fault_injector",
        "Faults on the hard line bits: lost frames, error bursts, an outage, lost INT blocks, tampering.")
        .def(py::init(&line_fault_injector::make),
             py::arg("drop_probability") = 0.0,
             py::arg("bursts_per_frame") = 0.0,
             py::arg("burst_bits") = 0,
             py::arg("int_loss_probability") = 0.0,
             py::arg("active_from_frame") = 0,
             py::arg("active_frames") = 0,
             py::arg("outage_start_frame") = 0,
             py::arg("outage_frames") = 0,
             py::arg("outage_fill") = "zeros",
             py::arg("phase_bits") = 0,
             py::arg("seed") = 0,
             py::arg("tamper_probability") = 0.0)
        .def("set_drop_probability",
             &line_fault_injector::set_drop_probability,
             py::arg("p"))
        .def("set_bursts",
             &line_fault_injector::set_bursts,
             py::arg("bursts_per_frame"),
             py::arg("burst_bits"))
        .def("set_int_loss_probability",
             &line_fault_injector::set_int_loss_probability,
             py::arg("p"))
        .def("set_tamper_probability",
             &line_fault_injector::set_tamper_probability,
             py::arg("p"))
        .def("set_active_window",
             &line_fault_injector::set_active_window,
             py::arg("active_from_frame"),
             py::arg("active_frames"))
        .def("set_outage",
             &line_fault_injector::set_outage,
             py::arg("outage_start_frame"),
             py::arg("outage_frames"),
             py::arg("outage_fill"))
        .def("frames", &line_fault_injector::frames)
        .def("frames_dropped", &line_fault_injector::frames_dropped)
        .def("bursts", &line_fault_injector::bursts)
        .def("bit_errors", &line_fault_injector::bit_errors)
        .def("outage_frames", &line_fault_injector::outage_frames)
        .def("int_corrupted", &line_fault_injector::int_corrupted)
        .def("frames_tampered", &line_fault_injector::frames_tampered)
        .def("tampered_bits", &line_fault_injector::tampered_bits)
        .def("test_seeded", &line_fault_injector::test_seeded);
}
