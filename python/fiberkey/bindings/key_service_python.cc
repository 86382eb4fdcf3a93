/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// Keys for applications: the Key Delivery block (ETSI GS QKD 014), and for researchers
// the rules both ends follow to split and name the keys without a message.
#include <fiberkey/application_keys.h>
#include <gnuradio/fiberkey/key_delivery.h>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "bytes_conversions.h"

namespace py = pybind11;

void bind_key_service(py::module& m)
{
    using namespace gr::fiberkey;

    py::class_<::fiberkey::key_split>(
        m,
        "key_split",
        "Which seed keys re-key the link (every period-th) and which go to applications.")
        .def(py::init<std::uint32_t>(), py::arg("period"))
        .def("period", &::fiberkey::key_split::period)
        .def("for_link", &::fiberkey::key_split::for_link, py::arg("key_index"))
        .def("link_key_of", &::fiberkey::key_split::link_key_of, py::arg("key_index"))
        .def("link_epoch", &::fiberkey::key_split::link_epoch, py::arg("key_index"));

    m.def(
        "application_key_id",
        [](const py::bytes& link_key,
           std::uint8_t direction,
           std::uint32_t key_index,
           std::uint64_t stream_position) {
            return ::fiberkey::uuid_text(
                ::fiberkey::application_key_id(fiberkey_bindings::seed_key_view(link_key),
                                               direction,
                                               key_index,
                                               stream_position));
        },
        py::arg("link_key"),
        py::arg("direction"),
        py::arg("key_index"),
        py::arg("stream_position"),
        "The UUID both ends give application key key_index of direction, whose bits start "
        "at stream_position of the committed stream, named after the 32-byte link seed key "
        "before it.");

    py::class_<key_delivery,
               gr::block,
               gr::basic_block,
               message_counters,
               std::shared_ptr<key_delivery>>(
        m,
        "key_delivery",
        "Key Delivery (ETSI GS QKD 014): a KME serving application keys.")
        .def(py::init(&key_delivery::make),
             py::arg("kme_id"),
             py::arg("peer_kme_id"),
             py::arg("sae_id"),
             py::arg("peer_sae_id"),
             py::arg("master_direction"),
             py::arg("listen_address"),
             py::arg("ca_file"),
             py::arg("cert_file"),
             py::arg("key_file"),
             py::arg("store_path"),
             py::arg("kek_file"),
             py::arg("store_capacity") = 65536,
             py::arg("key_size") = 256,
             py::arg("max_key_size") = 4096,
             py::arg("max_keys_per_request") = 128)
        .def("port", &key_delivery::port)
        .def("keys_available", &key_delivery::keys_available, py::arg("direction"))
        .def("keys_delivered_as_master", &key_delivery::keys_delivered_as_master)
        .def("keys_delivered_as_slave", &key_delivery::keys_delivered_as_slave)
        .def("requests", &key_delivery::requests)
        .def("requests_refused", &key_delivery::requests_refused)
        .def("notices_received", &key_delivery::notices_received)
        .def("reservations_refused", &key_delivery::reservations_refused)
        .def("keys_dropped_full", &key_delivery::keys_dropped_full);
}
