/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// The key post-processing messages (pp_messages.h): what travels in INT, for tools that
// read a recorded exchange (Eve's replay in fiberkey-sim) and for researchers.
#include <fiberkey/pp_messages.h>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string_view>

namespace py = pybind11;
using namespace fiberkey;

void bind_pp_messages(py::module& m)
{
    namespace pm = pp_messages;
    auto sub = m.def_submodule(
        "pp_messages", "The key post-processing messages: typed, encoded, decoded.");
    py::enum_<pm::type>(sub, "type")
        .value("bitmap", pm::type::bitmap)
        .value("bitmap_reply", pm::type::bitmap_reply)
        .value("syndrome", pm::type::syndrome)
        .value("result", pm::type::result)
        .value("commit", pm::type::commit)
        .value("key_ack", pm::type::key_ack);
    py::enum_<pm::result_code>(sub, "result_code")
        .value("ok", pm::result_code::ok)
        .value("decoding_failed", pm::result_code::decoding_failed)
        .value("tag_mismatch", pm::result_code::tag_mismatch)
        .value("unknown_batch", pm::result_code::unknown_batch)
        .value("invalid_request", pm::result_code::invalid_request)
        .value("blocks_dropped", pm::result_code::blocks_dropped);

    py::class_<pm::header>(sub, "header")
        .def(py::init<>())
        .def_readwrite("kind", &pm::header::kind)
        .def_readwrite("direction", &pm::header::direction)
        .def_readwrite("instance", &pm::header::instance)
        .def_readwrite("batch", &pm::header::batch);
    py::class_<pm::claim>(sub, "claim")
        .def(py::init<>())
        .def_readwrite("committed_batch", &pm::claim::committed_batch)
        .def_readwrite("committed_bits", &pm::claim::committed_bits)
        .def_readwrite("next_key_index", &pm::claim::next_key_index);
    py::class_<pm::key_ack_entry>(sub, "key_ack_entry")
        .def(py::init<>())
        .def_readwrite("index", &pm::key_ack_entry::index)
        .def_readwrite("position", &pm::key_ack_entry::position);
    py::class_<pm::bitmap>(sub, "bitmap", "BITMAP: the leader's kept rounds of a batch.")
        .def(py::init<>())
        .def_readwrite("leader", &pm::bitmap::leader)
        .def_readwrite("mode", &pm::bitmap::mode)
        .def_readwrite("bits_per_round", &pm::bitmap::bits_per_round)
        .def_readwrite("alpha_code", &pm::bitmap::alpha_code)
        .def_readwrite("first_sequence", &pm::bitmap::first_sequence)
        .def_readwrite("kept", &pm::bitmap::kept);
    py::class_<pm::bitmap_reply>(
        sub, "bitmap_reply", "BITMAP_REPLY: the follower's kept rounds.")
        .def(py::init<>())
        .def_readwrite("kept", &pm::bitmap_reply::kept)
        .def_readwrite("acks", &pm::bitmap_reply::acks);
    py::class_<pm::soft_reference_wire>(sub, "soft_reference_wire")
        .def(py::init<>())
        .def_readwrite("boundaries_x2", &pm::soft_reference_wire::boundaries_x2)
        .def_readwrite("mean", &pm::soft_reference_wire::mean)
        .def_readwrite("deviation", &pm::soft_reference_wire::deviation);
    py::class_<pm::syndrome>(
        sub, "syndrome", "SYNDROME: codes, syndrome, tag and hash seed.")
        .def(py::init<>())
        .def_readwrite("leader", &pm::syndrome::leader)
        .def_readwrite("key_bits", &pm::syndrome::key_bits)
        .def_readwrite("disagreement", &pm::syndrome::disagreement)
        .def_readwrite("syndrome_bits", &pm::syndrome::syndrome_bits)
        .def_readwrite("nonce", &pm::syndrome::nonce)
        .def_readwrite("tag", &pm::syndrome::tag)
        .def_readwrite("output_bits", &pm::syndrome::output_bits)
        .def_readwrite("soft", &pm::syndrome::soft)
        .def_readwrite("disclosed", &pm::syndrome::disclosed)
        .def_readwrite("seed", &pm::syndrome::seed)
        .def_readwrite("syndrome", &pm::syndrome::syndrome);
    py::class_<pm::result>(sub, "result", "RESULT: the follower's outcome and errors.")
        .def(py::init<>())
        .def_readwrite("outcome", &pm::result::outcome)
        .def_readwrite("errors", &pm::result::errors)
        .def_readwrite("entropy", &pm::result::entropy)
        .def_readwrite("dispersion", &pm::result::dispersion)
        .def_readwrite("dropped_blocks", &pm::result::dropped_blocks)
        .def_readwrite("tag", &pm::result::tag);
    py::class_<pm::commit>(sub, "commit", "COMMIT: the batch committed or dropped.")
        .def(py::init<>())
        .def_readwrite("leader", &pm::commit::leader)
        .def_readwrite("committed", &pm::commit::committed);
    py::class_<pm::key_ack>(sub, "key_ack", "KEY_ACK: keys the follower holds.")
        .def(py::init<>())
        .def_readwrite("acks", &pm::key_ack::acks);
    py::class_<pm::message>(sub, "message")
        .def(py::init<>())
        .def_readwrite("head", &pm::message::head)
        .def_readwrite("content", &pm::message::content);

    sub.def(
        "encode",
        [](const pm::message& msg) {
            const auto b = pm::encode(msg);
            return py::bytes(reinterpret_cast<const char*>(b.data()), b.size());
        },
        py::arg("message"),
        "The bytes of a message (its kind taken from its content).");
    sub.def(
        "decode",
        [](const py::bytes& data, bool soft, unsigned disclosed_levels) -> py::object {
            const std::string_view v(data);
            const auto d = pm::decode(
                std::span(reinterpret_cast<const std::uint8_t*>(v.data()), v.size()),
                { soft, disclosed_levels });
            if (!d.msg)
                throw std::invalid_argument("pp_messages: " + d.error);
            return py::cast(*d.msg);
        },
        py::arg("data"),
        py::arg("soft"),
        py::arg("disclosed_levels") = 0u,
        "A message from its bytes (soft: whether the ends run the soft or multilevel "
        "mode; disclosed_levels: the multilevel mode's q - 2 at q = 3 and 4, 2 at q = 5, as "
        "post_processor_config.disclosed_levels gives it); ValueError with the reason "
        "when it is malformed.");
    sub.def(
        "reseal",
        [](const py::bytes& data) {
            const std::string_view v(data);
            std::vector<std::uint8_t> b(v.begin(), v.end());
            pm::reseal(b);
            return py::bytes(reinterpret_cast<const char*>(b.data()), b.size());
        },
        py::arg("data"),
        "The bytes with their CRC-32C trailer rewritten: to change a message on purpose "
        "(tests) and have its body parsed.");
    sub.attr("checksum_bytes") = pm::checksum_bytes;
}
