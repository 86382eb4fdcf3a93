/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/frame_tag.h>
#include <gnuradio/fiberkey/frame_tags.h>
#include <gnuradio/fiberkey/zuc_crypt.h>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <span>
#include <stdexcept>
#include <string>
#include <utility>

namespace py = pybind11;
using namespace gr::fiberkey;

namespace {
namespace fl = ::fiberkey::frame_layout;

std::string bytes_of(const py::bytes& b, std::size_t size, const char* what)
{
    std::string s = b;
    if (s.size() != size)
        throw std::invalid_argument(std::string(what) + " is " + std::to_string(size) +
                                    " bytes, got " + std::to_string(s.size()));
    return s;
}

std::span<const uint8_t, 16> key_of(const std::string& k)
{
    return std::span<const uint8_t, 16>(reinterpret_cast<const uint8_t*>(k.data()), 16);
}

::fiberkey::otu_frame::frame_ref frame_of(std::string& f)
{
    return ::fiberkey::otu_frame::frame_ref(reinterpret_cast<uint8_t*>(f.data()),
                                            fl::frame_bytes);
}

// A frame and a session key from Python, their lengths checked.
std::pair<std::string, std::string> frame_and_key(const py::bytes& frame,
                                                  const py::bytes& key)
{
    return { bytes_of(frame, fl::frame_bytes, "a frame"),
             bytes_of(key, 16, "a session key") };
}

py::bytes to_bytes(const uint8_t* p, std::size_t n)
{
    return py::bytes(reinterpret_cast<const char*>(p), n);
}

// The frame integrity tag (frame_tag.h), for research and for checking captures.
void bind_frame_tag(py::module& m)
{
    using ::fiberkey::frame_tag;
    auto layout = py::module(m.attr("frame_layout"));
    layout.attr("tag_offset") = fl::tag.offset;
    layout.attr("tag_bytes") = fl::tag.length;
    layout.attr("authenticated_bytes") = fl::authenticated_bytes();
    py::class_<frame_tag>(
        m,
        "frame_tag",
        "The 64-bit ZUC-256 integrity tag of a plaintext frame: seal before encryption, "
        "verify after decryption.")
        .def(py::init<>())
        .def_static(
            "mac_key",
            [](const py::bytes& key, unsigned direction) {
                const auto k = bytes_of(key, 16, "a session key");
                const auto mk = frame_tag::mac_key(key_of(k), direction);
                return to_bytes(mk.data(), mk.size());
            },
            py::arg("session_key"),
            py::arg("direction"),
            "The 32-byte MAC key of a session key and direction.")
        .def(
            "seal",
            [](frame_tag& t,
               const py::bytes& frame,
               const py::bytes& key,
               uint32_t counter,
               unsigned direction) {
                auto [f, k] = frame_and_key(frame, key);
                t.seal(frame_of(f), key_of(k), counter, direction);
                return py::bytes(f);
            },
            py::arg("frame"),
            py::arg("session_key"),
            py::arg("counter"),
            py::arg("direction"),
            "The plaintext frame with its tag written into the tag field.")
        .def(
            "verify",
            [](frame_tag& t,
               const py::bytes& frame,
               const py::bytes& key,
               uint32_t counter,
               unsigned direction) {
                auto [f, k] = frame_and_key(frame, key);
                const auto info = ::fiberkey::otu_frame::decode_int(frame_of(f));
                if (!info.ok())
                    throw std::invalid_argument("the INT block is beyond its RS code");
                return t.verify(frame_of(f), info.info, key_of(k), counter, direction);
            },
            py::arg("frame"),
            py::arg("session_key"),
            py::arg("counter"),
            py::arg("direction"),
            "Whether decrypted frame's tag holds (INT RS-checked first; ValueError when it "
            "cannot be).");
}
} // namespace

void bind_zuc_crypt(py::module& m)
{
    bind_frame_tag(m);
    py::class_<zuc_crypt, gr::block, gr::basic_block, std::shared_ptr<zuc_crypt>>(
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
