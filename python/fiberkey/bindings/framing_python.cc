/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "bytes_conversions.h"

#include <gnuradio/fiberkey/line_decoder.h>
#include <gnuradio/fiberkey/line_encoder.h>
#include <gnuradio/fiberkey/otu_demux.h>
#include <gnuradio/fiberkey/otu_mux.h>
#include <gnuradio/fiberkey/payload_check.h>
#include <gnuradio/fiberkey/payload_source.h>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

namespace py = pybind11;
using namespace gr::fiberkey;

using fiberkey_bindings::as_vector;

void bind_framing(py::module& m)
{
    py::class_<otu_mux,
               gr::block,
               gr::basic_block,
               message_counters,
               std::shared_ptr<otu_mux>>(
        m, "otu_mux", "Builds extended OTU2 frames from client bytes, NEG and INT.")
        .def(py::init(&otu_mux::make),
             py::arg("first_counter") = 0,
             py::arg("queue_depth") = 64,
             py::arg("wait_for_neg") = false)
        .def("frames", &otu_mux::frames)
        .def("neg_dropped", &otu_mux::neg_dropped)
        .def("int_dropped", &otu_mux::int_dropped)
        .def("empty_neg_frames", &otu_mux::empty_neg_frames)
        .def("set_wait_for_neg", &otu_mux::set_wait_for_neg, py::arg("wait"))
        .def("unpaced_frames", &otu_mux::unpaced_frames);

    py::class_<otu_demux, gr::block, gr::basic_block, std::shared_ptr<otu_demux>>(
        m, "otu_demux", "Takes decrypted frames apart: payload, NEG and INT.")
        .def(py::init(&otu_demux::make))
        .def("frames", &otu_demux::frames)
        .def("int_accepted", &otu_demux::int_accepted)
        .def("int_uncorrectable", &otu_demux::int_uncorrectable)
        .def("int_rejected", &otu_demux::int_rejected)
        .def("frames_with_uncorrectable_codewords",
             &otu_demux::frames_with_uncorrectable_codewords);

    py::class_<payload_check,
               gr::sync_block,
               gr::block,
               gr::basic_block,
               std::shared_ptr<payload_check>>(
        m,
        "payload_check",
        "Client bytes in, compared with the pattern the sender repeats (a BER tester).")
        .def(py::init([](const py::bytes& pattern) {
                 return payload_check::make(as_vector(pattern));
             }),
             py::arg("pattern"))
        .def(py::init(&payload_check::make), py::arg("pattern"))
        .def("idle_bytes", &payload_check::idle_bytes)
        .def("bytes_checked", &payload_check::bytes_checked)
        .def("bytes_wrong", &payload_check::bytes_wrong)
        .def("bits_wrong", &payload_check::bits_wrong)
        .def("started", &payload_check::started);

    py::class_<payload_source,
               gr::sync_block,
               gr::block,
               gr::basic_block,
               std::shared_ptr<payload_source>>(
        m,
        "payload_source",
        "Client bytes out: a pattern repeated without end (for the payload check).")
        .def(py::init([](const py::bytes& pattern) {
                 return payload_source::make(as_vector(pattern));
             }),
             py::arg("pattern"))
        .def(py::init(&payload_source::make), py::arg("pattern"));

    py::class_<line_encoder,
               gr::sync_interpolator,
               gr::sync_block,
               gr::block,
               gr::basic_block,
               std::shared_ptr<line_encoder>>(
        m, "line_encoder", "G.709 FEC, scrambler and bits, MSB first.")
        .def(py::init(&line_encoder::make),
             py::arg("fec") = true,
             py::arg("packed") = false)
        .def("set_fec", &line_encoder::set_fec, py::arg("fec"))
        .def("fec", &line_encoder::fec);

    py::class_<line_decoder, gr::block, gr::basic_block, std::shared_ptr<line_decoder>>(
        m,
        "line_decoder",
        "Frame alignment (G.798), descrambling and G.709 FEC decoding.")
        .def(py::init(&line_decoder::make),
             py::arg("fec") = true,
             py::arg("lof_frames") = 246,
             py::arg("packed") = false)
        .def("set_fec", &line_decoder::set_fec, py::arg("fec"))
        .def("fec", &line_decoder::fec)
        .def("in_frame", &line_decoder::in_frame)
        .def("packed", &line_decoder::packed)
        .def("frames", &line_decoder::frames)
        .def("corrected_symbols", &line_decoder::corrected_symbols)
        .def("uncorrectable_codewords", &line_decoder::uncorrectable_codewords)
        .def("unconfirmed_frames", &line_decoder::unconfirmed_frames);
}
