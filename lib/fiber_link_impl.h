/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_FIBER_LINK_IMPL_H
#define INCLUDED_FIBERKEY_FIBER_LINK_IMPL_H

#include <fiberkey/eve_tap.h>
#include <fiberkey/fiber_link.h>
#include <gnuradio/fiberkey/fiber_link.h>

#include <atomic>
#include <memory>
#include <vector>

namespace gr {
namespace fiberkey {

class fiber_link_impl : public fiber_link
{
public:
    fiber_link_impl(const ::fiberkey::fiber_link_config& link,
                    const ::fiberkey::receiver_config& receiver,
                    bool eve_tap,
                    const ::fiberkey::eve_tap_config& tap,
                    uint64_t seed);

    double transmission() const override;
    double eve_transmission() const override;
    std::vector<double> levels(double p1_w, double p0_w, bool eve) const override;
    double expected_ber(double p1_w, double p0_w, bool eve) const override;
    double optimum_threshold(double p1_w, double p0_w, bool eve) const override;
    bool test_seeded() const override { return d_test_seeded; }
    void set_tap_active(bool active) override;
    bool tap_active() const override { return d_tap && d_tap_active; }
    void set_extra_loss_db(double db) override;
    double extra_loss_db() const override { return d_extra_loss_db; }

    int work(int noutput_items,
             gr_vector_const_void_star& input_items,
             gr_vector_void_star& output_items) override;

private:
    ::fiberkey::link_levels link_levels_of(double p1_w, double p0_w, bool eve) const;

    const bool d_test_seeded;
    ::fiberkey::fiber_link d_fiber;
    ::fiberkey::optical_receiver d_receiver;
    std::unique_ptr<::fiberkey::eve_tap> d_tap; // null without a tap
    std::vector<float> d_scratch;               // Eve's output when not connected
    std::atomic<bool> d_tap_active{ true };
    std::atomic<double> d_extra_loss_db{ 0.0 }, d_extra_transmission{ 1.0 };
};

} // namespace fiberkey
} // namespace gr

#endif
