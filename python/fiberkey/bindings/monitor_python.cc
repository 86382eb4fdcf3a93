/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// The Link Monitor block, and its cores for researchers: performance windows and G.798
// defects, the tap detector, and the fast model of a drifting link that feeds them for
// hours.
#include <fiberkey/monitor_model.h>
#include <fiberkey/performance_monitor.h>
#include <fiberkey/tap_detector.h>
#include <gnuradio/fiberkey/link_monitor.h>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>

namespace py = pybind11;
using namespace fiberkey;

namespace {

//! A nested config field as a read-write property of the outer config.
template <typename Outer, typename Inner, typename T>
void nested(py::class_<Outer>& cls,
            const char* name,
            Inner Outer::*inner,
            T Inner::*field)
{
    cls.def_property(
        name,
        [inner, field](const Outer& o) { return o.*inner.*field; },
        [inner, field](Outer& o, T v) { o.*inner.*field = v; });
}

} // namespace

void bind_monitor(py::module& m)
{
    py::class_<performance_monitor_config>(
        m,
        "performance_monitor_config",
        "Settings of a receiver's performance monitoring.")
        .def(py::init<>())
        .def_readwrite("window_frames", &performance_monitor_config::window_frames)
        .def_readwrite("responsivity_a_per_w",
                       &performance_monitor_config::responsivity_a_per_w)
        .def_readwrite("samples_per_ampere",
                       &performance_monitor_config::samples_per_ampere)
        .def_readwrite("los_threshold_dbm",
                       &performance_monitor_config::los_threshold_dbm)
        .def_readwrite("deg_threshold_ber",
                       &performance_monitor_config::deg_threshold_ber)
        .def_readwrite("deg_windows", &performance_monitor_config::deg_windows)
        .def_readwrite("lom_frames", &performance_monitor_config::lom_frames);

    py::class_<performance_window>(
        m,
        "performance_window",
        "One monitoring window: figures (NaN where unmeasured) and defects at its end.")
        .def(py::init<>())
        .def_readwrite("index", &performance_window::index)
        .def_readwrite("frame_periods", &performance_window::frame_periods)
        .def_readwrite("frames", &performance_window::frames)
        .def_readwrite("corrected_symbols", &performance_window::corrected_symbols)
        .def_readwrite("uncorrectable_codewords",
                       &performance_window::uncorrectable_codewords)
        .def_readwrite("fec_bits", &performance_window::fec_bits)
        .def_readwrite("pre_fec_ber", &performance_window::pre_fec_ber)
        .def_readwrite("power_dbm", &performance_window::power_dbm)
        .def_readwrite("level_power_dbm", &performance_window::level_power_dbm)
        .def_readwrite("extinction_ratio_db", &performance_window::extinction_ratio_db)
        .def_readwrite("q_factor", &performance_window::q_factor)
        .def_readwrite("q_ber", &performance_window::q_ber)
        .def_readwrite("bad", &performance_window::bad)
        .def_readwrite("dlos", &performance_window::dlos)
        .def_readwrite("dlof", &performance_window::dlof)
        .def_readwrite("dlom", &performance_window::dlom)
        .def_readwrite("ddeg", &performance_window::ddeg);

    py::class_<performance_monitor>(
        m,
        "performance_monitor",
        "G.798 defects and G.806 degradation of one receiver, window by window.")
        .def(py::init<const performance_monitor_config&>(),
             py::arg("config") = performance_monitor_config())
        .def(
            "add_levels",
            [](performance_monitor& mon, double one, double zero, double s1, double s0) {
                signal_levels l;
                l.one = one;
                l.zero = zero;
                l.sigma_one = s1;
                l.sigma_zero = s0;
                mon.add_levels(l);
            },
            py::arg("one"),
            py::arg("zero"),
            py::arg("sigma_one"),
            py::arg("sigma_zero"),
            "One frame's levels and noise from the frame sync, in sample units.")
        .def("add_photocurrent",
             &performance_monitor::add_photocurrent,
             py::arg("sum"),
             py::arg("count"))
        .def("add_frame",
             &performance_monitor::add_frame,
             py::arg("fec"),
             py::arg("corrected_symbols"),
             py::arg("uncorrectable_codewords"),
             py::arg("mfas"))
        .def("set_loss_of_frame", &performance_monitor::set_loss_of_frame, py::arg("lof"))
        .def(
            "advance",
            [](performance_monitor& mon, std::uint64_t periods) {
                std::vector<performance_window> closed;
                mon.advance(periods, closed);
                return closed;
            },
            py::arg("frame_periods"),
            "Moves the clock on; returns the windows that closed.")
        .def("flush",
             [](performance_monitor& mon) {
                 std::vector<performance_window> closed;
                 mon.flush(closed);
                 return closed;
             })
        .def_property_readonly("dlos", &performance_monitor::dlos)
        .def_property_readonly("dlof", &performance_monitor::dlof)
        .def_property_readonly("dlom", &performance_monitor::dlom)
        .def_property_readonly("ddeg", &performance_monitor::ddeg);

    py::class_<tap_detector_config>(m, "tap_detector_config")
        .def(py::init<>())
        .def_readwrite("learn_windows", &tap_detector_config::learn_windows)
        .def_readwrite("baseline_windows", &tap_detector_config::baseline_windows)
        .def_readwrite("step_db", &tap_detector_config::step_db)
        .def_readwrite("decision", &tap_detector_config::decision)
        .def_readwrite("min_sigma_db", &tap_detector_config::min_sigma_db)
        .def_readwrite("level_margin_db", &tap_detector_config::level_margin_db)
        .def_readwrite("alarm_on_outage", &tap_detector_config::alarm_on_outage);

    py::class_<tap_alarm>(m, "tap_alarm")
        .def_readonly("window", &tap_alarm::window)
        .def_property_readonly(
            "cause", [](const tap_alarm& a) { return std::string(to_string(a.cause)); })
        .def_readonly("drop_db", &tap_alarm::drop_db)
        .def("__repr__", [](const tap_alarm& a) {
            return "tap_alarm(window=" + std::to_string(a.window) +
                   ", cause=" + std::string(to_string(a.cause)) +
                   ", drop_db=" + py::repr(py::float_(a.drop_db)).cast<std::string>() +
                   ")";
        });

    py::class_<tap_detector::channel_state>(m, "tap_channel_state")
        .def_readonly("learned", &tap_detector::channel_state::learned)
        .def_readonly("baseline_db", &tap_detector::channel_state::baseline_db)
        .def_readonly("commissioned_db", &tap_detector::channel_state::commissioned_db)
        .def_readonly("sigma_db", &tap_detector::channel_state::sigma_db)
        .def_readonly("cusum", &tap_detector::channel_state::cusum);

    py::class_<tap_detector>(
        m,
        "tap_detector",
        "Change detection (CUSUM) on received power and Q against a learned baseline.")
        .def(py::init<const tap_detector_config&>(),
             py::arg("config") = tap_detector_config())
        .def("observe",
             &tap_detector::observe,
             py::arg("window"),
             "Feeds a window; the alarm it raised, else None.")
        .def_property_readonly("learning", &tap_detector::learning)
        .def_property_readonly("alarmed", &tap_detector::alarmed)
        .def_property_readonly("alarm", &tap_detector::alarm)
        .def("clear", &tap_detector::clear, "Accepts the link as it is now.")
        .def("relearn", &tap_detector::relearn, "Learns a new baseline from scratch.")
        .def_property_readonly("power", &tap_detector::power)
        .def_property_readonly("q", &tap_detector::q);

    m.def("q_db_from_ber",
          &q_db_from_ber,
          py::arg("ber"),
          "10 log10 Q of the Gaussian BER; None outside (0, 0.5).");

    py::class_<link_drift_config>(m, "link_drift_config")
        .def(py::init<>())
        .def_readwrite("random_walk_db_per_rthour",
                       &link_drift_config::random_walk_db_per_rthour)
        .def_readwrite("thermal_steps_per_hour",
                       &link_drift_config::thermal_steps_per_hour)
        .def_readwrite("thermal_step_sigma_db", &link_drift_config::thermal_step_sigma_db)
        .def_readwrite("thermal_step_seconds", &link_drift_config::thermal_step_seconds);

    py::class_<link_drift>(
        m, "link_drift", "The extra loss of a drifting link over time.")
        .def(py::init<const link_drift_config&, std::uint64_t>(),
             py::arg("config") = link_drift_config(),
             py::arg("seed") = 0)
        .def("advance", &link_drift::advance, py::arg("seconds"))
        .def_property_readonly("loss_db", &link_drift::loss_db);

    py::class_<monitor_model_config> cfg(
        m,
        "monitor_model_config",
        "The fast monitor model's link (the defaults of fiberkey-sim's), drift and monitor.");
    cfg.def(py::init<>())
        .def_readwrite("drift", &monitor_model_config::drift)
        .def_readwrite("monitor", &monitor_model_config::monitor)
        .def_readwrite("power_reading_sigma_db",
                       &monitor_model_config::power_reading_sigma_db);
    using mmc = monitor_model_config;
    nested(
        cfg, "launch_dbm", &mmc::transmitter, &ook_modulator_config::average_power_dbm);
    nested(cfg,
           "extinction_db",
           &mmc::transmitter,
           &ook_modulator_config::extinction_ratio_db);
    nested(cfg, "length_km", &mmc::fiber, &fiber_link_config::length_km);
    nested(cfg,
           "attenuation_db_per_km",
           &mmc::fiber,
           &fiber_link_config::attenuation_db_per_km);
    nested(cfg, "connector_loss_db", &mmc::fiber, &fiber_link_config::connector_loss_db);
    nested(
        cfg, "thermal_pa", &mmc::receiver, &receiver_config::thermal_noise_pa_per_rthz);

    py::class_<monitor_model>(
        m,
        "monitor_model",
        "What one receiver's monitor sees, window by window, of a drifting link with an "
        "optional tap; seed 0 draws from OS entropy.")
        .def(py::init<const monitor_model_config&, std::uint64_t>(),
             py::arg("config") = monitor_model_config(),
             py::arg("seed") = 0)
        .def("set_tap", &monitor_model::set_tap, py::arg("fraction"))
        .def_property_readonly("tap", &monitor_model::tap)
        .def("next", &monitor_model::next)
        .def_property_readonly("drift_db", &monitor_model::drift_db)
        .def("expected_ber", &monitor_model::expected_ber);

    using block = gr::fiberkey::link_monitor;
    py::class_<block,
               gr::block,
               gr::basic_block,
               gr::fiberkey::message_counters,
               std::shared_ptr<block>>(
        m,
        "link_monitor",
        "Performance monitoring (G.798 defects, G.806 dDEG) and a tap detector of one "
        "receiver.")
        .def(py::init(&block::make),
             py::arg("window_frames") = 82025,
             py::arg("responsivity_a_per_w") = 0.8,
             py::arg("samples_per_ampere") = 1.0,
             py::arg("los_threshold_dbm") = -30.0,
             py::arg("deg_threshold_ber") = 1e-4,
             py::arg("deg_windows") = 7,
             py::arg("detect") = true,
             py::arg("step_db") = 0.1,
             py::arg("learn_windows") = 60,
             py::arg("baseline_windows") = 10.0,
             py::arg("decision") = 20.0,
             py::arg("level_margin_db") = 1.0,
             py::arg("alarm_on_outage") = true,
             py::arg("auto_relearn") = false)
        .def("clear_alarm", &block::clear_alarm)
        .def("relearn", &block::relearn)
        .def("set_detect", &block::set_detect, py::arg("detect"))
        .def("detect", &block::detect)
        .def("set_auto_relearn", &block::set_auto_relearn, py::arg("on"))
        .def("auto_relearn", &block::auto_relearn)
        .def("alarmed", &block::alarmed)
        .def("learning", &block::learning)
        .def("alarms", &block::alarms)
        .def("windows", &block::windows)
        .def("frame_periods", &block::frame_periods)
        .def("last_window", &block::last_window, "The last window's pm dict (a PMT).")
        .def("windows_dropped", &block::windows_dropped)
        .def("glitches", &block::glitches);
}
