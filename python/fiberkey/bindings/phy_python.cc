/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gnuradio/fiberkey/fiber_link.h>
#include <gnuradio/fiberkey/level_normalizer.h>
#include <gnuradio/fiberkey/noise_injector.h>
#include <gnuradio/fiberkey/ook_modulator.h>
#include <gnuradio/fiberkey/sigmf_sink.h>
#include <gnuradio/fiberkey/sigmf_source.h>
#include <gnuradio/fiberkey/slicer.h>
#include <gnuradio/fiberkey/soft_frame_sync.h>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

namespace py = pybind11;
using namespace gr::fiberkey;

void bind_phy(py::module& m)
{
    py::class_<ook_modulator,
               gr::sync_interpolator,
               gr::sync_block,
               gr::block,
               gr::basic_block,
               std::shared_ptr<ook_modulator>>(
        m, "ook_modulator", "OOK intensity modulation: bits in, optical power (W) out.")
        .def(py::init(&ook_modulator::make),
             py::arg("samples_per_bit") = 1,
             py::arg("launch_power_dbm") = -14.9,
             py::arg("extinction_ratio_db") = 10.0,
             py::arg("rise_time_bits") = 0.3)
        .def("set_launch_power_dbm", &ook_modulator::set_launch_power_dbm, py::arg("dbm"))
        .def("launch_power_dbm", &ook_modulator::launch_power_dbm)
        .def("set_extinction_ratio_db",
             &ook_modulator::set_extinction_ratio_db,
             py::arg("db"))
        .def("extinction_ratio_db", &ook_modulator::extinction_ratio_db)
        .def("power_one_w", &ook_modulator::power_one_w)
        .def("power_zero_w", &ook_modulator::power_zero_w)
        .def("delay_bits", &ook_modulator::delay_bits);

    py::class_<fiber_link,
               gr::sync_block,
               gr::block,
               gr::basic_block,
               std::shared_ptr<fiber_link>>(
        m, "fiber_link", "Fiber loss and B's receiver, optionally an Eve tap.")
        .def(py::init(&fiber_link::make),
             py::arg("length_km") = 10.0,
             py::arg("attenuation_db_per_km") = 0.35,
             py::arg("connector_loss_db") = 1.0,
             py::arg("responsivity_a_per_w") = 0.8,
             py::arg("thermal_noise_pa_per_rthz") = 20.0,
             py::arg("bandwidth_ghz") = 7.7,
             py::arg("amplifier") = false,
             py::arg("amplifier_gain_db") = 20.0,
             py::arg("amplifier_noise_figure_db") = 5.0,
             py::arg("optical_bandwidth_ghz") = 50.0,
             py::arg("eve_tap") = false,
             py::arg("eve_tap_fraction") = 0.1,
             py::arg("eve_position_km") = 5.0,
             py::arg("eve_thermal_noise_pa_per_rthz") = 20.0,
             py::arg("seed") = 0)
        .def("transmission", &fiber_link::transmission)
        .def("eve_transmission", &fiber_link::eve_transmission)
        .def("levels",
             &fiber_link::levels,
             py::arg("p1_w"),
             py::arg("p0_w"),
             py::arg("eve") = false)
        .def("expected_ber",
             &fiber_link::expected_ber,
             py::arg("p1_w"),
             py::arg("p0_w"),
             py::arg("eve") = false)
        .def("optimum_threshold",
             &fiber_link::optimum_threshold,
             py::arg("p1_w"),
             py::arg("p0_w"),
             py::arg("eve") = false)
        .def("test_seeded", &fiber_link::test_seeded)
        .def("set_tap_active", &fiber_link::set_tap_active, py::arg("active"))
        .def("tap_active", &fiber_link::tap_active)
        .def("set_extra_loss_db", &fiber_link::set_extra_loss_db, py::arg("db"))
        .def("extra_loss_db", &fiber_link::extra_loss_db);

    py::class_<level_normalizer,
               gr::block,
               gr::basic_block,
               std::shared_ptr<level_normalizer>>(
        m,
        "level_normalizer",
        "A two-level signal of any units, offset and polarity to about +-1.")
        .def(py::init(&level_normalizer::make),
             py::arg("learn_samples") = 65536,
             py::arg("tracking_samples") = 65536)
        .def("learned", &level_normalizer::learned)
        .def("low", &level_normalizer::low)
        .def("high", &level_normalizer::high)
        .def("nonfinite_samples", &level_normalizer::nonfinite_samples);

    py::class_<soft_frame_sync,
               gr::block,
               gr::basic_block,
               std::shared_ptr<soft_frame_sync>>(
        m, "soft_frame_sync", "G.798 frame alignment on soft samples; tags frame_start.")
        .def(py::init(&soft_frame_sync::make),
             py::arg("max_hunt_bit_errors") = 4,
             py::arg("min_correlation") = 0.6,
             py::arg("level_smoothing") = 0.25)
        .def("in_frame", &soft_frame_sync::in_frame)
        .def("frames", &soft_frame_sync::frames)
        .def("missed_fas", &soft_frame_sync::missed_fas)
        .def("in_frame_events", &soft_frame_sync::in_frame_events)
        .def("out_of_frame_events", &soft_frame_sync::out_of_frame_events)
        .def("delay", &soft_frame_sync::delay);

    py::class_<noise_injector,
               gr::sync_block,
               gr::block,
               gr::basic_block,
               std::shared_ptr<noise_injector>>(
        m, "noise_injector", "Local Gaussian noise on the ND1 and ND2 samples only.")
        .def(py::init(&noise_injector::make),
             py::arg("samples_per_bit") = 1,
             py::arg("law") = "ber_log_uniform",
             py::arg("low") = 1e-3,
             py::arg("high") = 0.2,
             py::arg("seed") = 0)
        .def("frames", &noise_injector::frames)
        .def("skipped_frames", &noise_injector::skipped_frames)
        .def("test_seeded", &noise_injector::test_seeded);

    py::class_<slicer,
               gr::sync_decimator,
               gr::sync_block,
               gr::block,
               gr::basic_block,
               std::shared_ptr<slicer>>(
        m, "slicer", "Hard decisions: float samples in, unpacked bits out.")
        .def(py::init(&slicer::make),
             py::arg("samples_per_bit") = 1,
             py::arg("sample_phase") = 0,
             py::arg("mode") = "tag",
             py::arg("threshold") = 0.0,
             py::arg("inverted") = false,
             py::arg("adaptation_rate") = 1.0 / 16)
        .def("set_threshold", &slicer::set_threshold, py::arg("threshold"))
        .def("threshold", &slicer::threshold)
        .def("set_inverted", &slicer::set_inverted, py::arg("inverted"))
        .def("inverted", &slicer::inverted)
        .def("mode", &slicer::mode);

    py::class_<sigmf_sink,
               gr::sync_block,
               gr::block,
               gr::basic_block,
               std::shared_ptr<sigmf_sink>>(
        m, "sigmf_sink", "Records float samples as SigMF with frame annotations.")
        .def(py::init(&sigmf_sink::make),
             py::arg("filename") = "",
             py::arg("bit_rate") = 11.043846e9,
             py::arg("samples_per_bit") = 1,
             py::arg("description") = "")
        .def("samples_written", &sigmf_sink::samples_written)
        .def("frames_annotated", &sigmf_sink::frames_annotated)
        .def("close", &sigmf_sink::close);

    py::class_<sigmf_source,
               gr::sync_block,
               gr::block,
               gr::basic_block,
               std::shared_ptr<sigmf_source>>(
        m, "sigmf_source", "Plays a SigMF recording or a raw float32 / int16 file.")
        .def(py::init(&sigmf_source::make),
             py::arg("filename") = "",
             py::arg("format") = "sigmf",
             py::arg("frame_tags") = false,
             py::arg("scale") = 1.0 / 32768)
        .def("total_samples", &sigmf_source::total_samples)
        .def("sample_rate", &sigmf_source::sample_rate)
        .def("bit_rate", &sigmf_source::bit_rate)
        .def("samples_per_bit", &sigmf_source::samples_per_bit)
        .def("frame_annotations", &sigmf_source::frame_annotations)
        .def("nonfinite_samples", &sigmf_source::nonfinite_samples);
}
