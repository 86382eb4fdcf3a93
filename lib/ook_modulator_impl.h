/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_OOK_MODULATOR_IMPL_H
#define INCLUDED_FIBERKEY_OOK_MODULATOR_IMPL_H

#include <fiberkey/ook_modulator.h>
#include <gnuradio/fiberkey/ook_modulator.h>

namespace gr {
namespace fiberkey {

class ook_modulator_impl : public ook_modulator
{
public:
    ook_modulator_impl(int samples_per_bit,
                       double launch_power_dbm,
                       double extinction_ratio_db,
                       double rise_time_bits);

    void set_launch_power_dbm(double dbm) override;
    double launch_power_dbm() const override;
    void set_extinction_ratio_db(double db) override;
    double extinction_ratio_db() const override;
    double power_one_w() const override;
    double power_zero_w() const override;
    int delay_bits() const override;

    int work(int noutput_items,
             gr_vector_const_void_star& input_items,
             gr_vector_void_star& output_items) override;

private:
    //! Rebuilds the core for new settings (throws for bad ones, keeping the old core).
    void reconfigure(const ::fiberkey::ook_modulator_config& config);

    ::fiberkey::ook_modulator_config d_config; // guarded by d_setlock, with d_core
    ::fiberkey::ook_modulator d_core;
};

} // namespace fiberkey
} // namespace gr

#endif
