/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gnuradio/fiberkey/frame_tags.h>
#include <gnuradio/fiberkey/zuc_crypt.h>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>


namespace py = pybind11;
using namespace gr::fiberkey;

void bind_zuc_crypt(py::module& m)
{
    py::class_<zuc_crypt,
               gr::block,
               gr::basic_block,
               message_counters,
               std::shared_ptr<zuc_crypt>>(
        m, "zuc_crypt", "ZUC-128 (128-EEA3) encryption of an extended OTU2 frame stream.")
        .def(py::init(&zuc_crypt::make),
             py::arg("direction"),
             py::arg("transmit"),
             py::arg("key") = std::vector<uint8_t>{},
             py::arg("epoch") = 0,
             py::arg("backend") = "auto",
             py::arg("allow_clear") = false,
             py::arg("integrity") = true,
             py::arg("tag_alarm_threshold") = 0.001)
        .def("set_key",
             &zuc_crypt::set_key,
             py::arg("key"),
             py::arg("epoch"),
             py::arg("start_counter"))
        .def("frames_processed", &zuc_crypt::frames_processed)
        .def("frames_dropped", &zuc_crypt::frames_dropped)
        .def("frames_clear", &zuc_crypt::frames_clear)
        .def("frames_left", &zuc_crypt::frames_left)
        .def("backend", &zuc_crypt::backend)
        .def("integrity", &zuc_crypt::integrity)
        .def("frames_rejected_by_tag", &zuc_crypt::frames_rejected_by_tag)
        .def("frames_damaged", &zuc_crypt::frames_damaged)
        .def("tag_alarm", &zuc_crypt::tag_alarm)
        .def("set_tag_alarm_threshold",
             &zuc_crypt::set_tag_alarm_threshold,
             py::arg("fraction"))
        .def("tag_alarm_threshold", &zuc_crypt::tag_alarm_threshold);
}
