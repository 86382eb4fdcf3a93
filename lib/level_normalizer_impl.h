/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_LEVEL_NORMALIZER_IMPL_H
#define INCLUDED_FIBERKEY_LEVEL_NORMALIZER_IMPL_H

#include <fiberkey/level_normalizer.h>
#include <gnuradio/fiberkey/level_normalizer.h>

#include <type_traits>

namespace gr {
namespace fiberkey {

class level_normalizer_impl : public level_normalizer
{
public:
    level_normalizer_impl(int learn_samples, double tracking_samples);

    bool learned() const override
    {
        return locked([](const auto& c) { return c.learned(); });
    }
    double low() const override
    {
        return locked([](const auto& c) { return c.low(); });
    }
    double high() const override
    {
        return locked([](const auto& c) { return c.high(); });
    }
    uint64_t nonfinite_samples() const override
    {
        return locked([](const auto& c) { return c.nonfinite_samples(); });
    }

    void forecast(int noutput_items, gr_vector_int& ninput_items_required) override;
    int general_work(int noutput_items,
                     gr_vector_int& ninput_items,
                     gr_vector_const_void_star& input_items,
                     gr_vector_void_star& output_items) override;

private:
    //! \p read of the core, under d_setlock (the getters run on other threads).
    template <class Read>
    std::invoke_result_t<Read, const ::fiberkey::level_normalizer&>
    locked(Read read) const
    {
        gr::thread::scoped_lock guard(const_cast<gr::thread::mutex&>(d_setlock));
        return read(d_core);
    }

    ::fiberkey::level_normalizer d_core; // guarded by d_setlock
};

} // namespace fiberkey
} // namespace gr

#endif
