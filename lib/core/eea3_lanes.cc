/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/eea3_lanes.h>
#include <fiberkey/secure_memory.h>
#include <fiberkey/zuc.h>

#include <algorithm>
#include <stdexcept>

#ifdef FIBERKEY_HAVE_IPSEC_MB
#include <intel-ipsec-mb.h>
#endif

namespace fiberkey {

std::string to_string(zuc_backend b)
{
    switch (b) {
    case zuc_backend::automatic:
        return "auto";
    case zuc_backend::portable:
        return "portable";
    case zuc_backend::ipsec_mb:
        return "ipsec-mb";
    }
    return "unknown";
}

zuc_backend parse_zuc_backend(const std::string& name)
{
    for (auto b :
         { zuc_backend::automatic, zuc_backend::portable, zuc_backend::ipsec_mb })
        if (name == to_string(b))
            return b;
    throw std::invalid_argument("unknown ZUC backend '" + name +
                                "' (expected auto, portable or ipsec-mb)");
}

std::vector<zuc_backend> available_zuc_backends()
{
    std::vector<zuc_backend> v{ zuc_backend::automatic, zuc_backend::portable };
#ifdef FIBERKEY_HAVE_IPSEC_MB
    v.push_back(zuc_backend::ipsec_mb);
#endif
    return v;
}

void eea3_lanes::check_arguments(unsigned direction, std::span<const lane> lanes)
{
    if (direction > 1)
        throw std::invalid_argument("eea3_lanes: DIRECTION must be 0 or 1");
    if (lanes.size() > max_lanes)
        throw std::invalid_argument("eea3_lanes: at most 32 lanes (BEARER is 5 bits)");
    for (const auto& l : lanes) {
        if (l.bytes > max_lane_bytes)
            throw std::invalid_argument("eea3_lanes: a lane exceeds one EEA3 message");
        if (l.bytes != 0 && (l.in == nullptr || l.out == nullptr))
            throw std::invalid_argument("eea3_lanes: a lane without a buffer");
    }
}

namespace {

class portable_lanes final : public eea3_lanes
{
public:
    void crypt(std::span<const std::uint8_t, 16> key,
               std::uint32_t count,
               unsigned direction,
               std::span<const lane> lanes) override
    {
        check_arguments(direction, lanes);
        for (unsigned i = 0; i < lanes.size(); ++i) {
            const lane& l = lanes[i];
            if (l.out != l.in)
                std::copy_n(l.in, l.bytes, l.out);
            zuc z = zuc::zuc128(key, eea3::iv(count, i, direction));
            z.apply(std::span<std::uint8_t>(l.out, l.bytes));
        }
    }
    zuc_backend backend() const override { return zuc_backend::portable; }
};

#ifdef FIBERKEY_HAVE_IPSEC_MB
/*
 * libipsec-mb 1.3 (Debian 12) miscomputes the LFSR initialisation in a rare case (the
 * "corner case" vector) in its single-buffer entry point, and its N-buffer entry point
 * hands the last N mod 4 buffers to that same single-buffer code. Groups of four lanes
 * through the N-buffer entry point are correct (checked by the tests on every backend),
 * so lanes go to ipsec-mb four at a time and any remainder to the portable code.
 */
class ipsec_mb_lanes final : public eea3_lanes
{
public:
    ipsec_mb_lanes() : d_mgr(alloc_mb_mgr(0))
    {
        if (d_mgr == nullptr)
            throw std::runtime_error("ipsec-mb: cannot allocate a multi-buffer manager");
        init_mb_mgr_auto(d_mgr, &d_arch);
        if (imb_get_errno(d_mgr) != 0) {
            free_mb_mgr(d_mgr);
            throw std::runtime_error("ipsec-mb: no usable architecture on this CPU");
        }
    }
    ~ipsec_mb_lanes() override
    {
        imb_clear_mem(d_ivs.data(), sizeof(d_ivs));
        free_mb_mgr(d_mgr);
    }

    void crypt(std::span<const std::uint8_t, 16> key,
               std::uint32_t count,
               unsigned direction,
               std::span<const lane> lanes) override
    {
        check_arguments(direction, lanes);
        // ipsec-mb refuses a whole call that contains an empty buffer: empty lanes are
        // left out, the rest go four at a time, the remainder to the portable code.
        const void* keys[max_lanes];
        const void* ivs[max_lanes];
        const void* in[max_lanes];
        void* out[max_lanes];
        std::uint32_t len[max_lanes];
        unsigned n = 0;
        for (unsigned i = 0; i < lanes.size(); ++i) {
            if (lanes[i].bytes == 0)
                continue;
            d_ivs[n] = eea3::iv(count, i, direction);
            keys[n] = key.data();
            ivs[n] = d_ivs[n].data();
            in[n] = lanes[i].in;
            out[n] = lanes[i].out;
            len[n] = lanes[i].bytes;
            ++n;
        }
        const unsigned grouped = n - n % 4;
        if (grouped > 0) {
            IMB_ZUC_EEA3_N_BUFFER(d_mgr, keys, ivs, in, out, len, grouped);
            if (const int err = imb_get_errno(d_mgr); err != 0)
                throw std::runtime_error(std::string("ipsec-mb: ") +
                                         imb_get_strerror(err));
        }
        for (unsigned i = grouped; i < n; ++i) {
            auto* dst = static_cast<std::uint8_t*>(out[i]);
            if (in[i] != dst)
                std::copy_n(static_cast<const std::uint8_t*>(in[i]), len[i], dst);
            zuc z = zuc::zuc128(key, d_ivs[i]);
            z.apply(std::span<std::uint8_t>(dst, len[i]));
        }
    }
    zuc_backend backend() const override { return zuc_backend::ipsec_mb; }

private:
    IMB_MGR* d_mgr;
    IMB_ARCH d_arch{};
    std::array<std::array<std::uint8_t, 16>, max_lanes> d_ivs{};
};
#endif

} // namespace

std::unique_ptr<eea3_lanes> eea3_lanes::make(zuc_backend backend)
{
    switch (backend) {
    case zuc_backend::portable:
        return std::make_unique<portable_lanes>();
    case zuc_backend::ipsec_mb:
#ifdef FIBERKEY_HAVE_IPSEC_MB
        return std::make_unique<ipsec_mb_lanes>();
#else
        throw std::invalid_argument("this build has no ipsec-mb ZUC backend");
#endif
    case zuc_backend::automatic:
#ifdef FIBERKEY_HAVE_IPSEC_MB
        try {
            return std::make_unique<ipsec_mb_lanes>();
        } catch (const std::runtime_error&) {
            // A CPU without the instructions ipsec-mb needs: stay portable.
        }
#endif
        return std::make_unique<portable_lanes>();
    }
    throw std::invalid_argument("unknown ZUC backend");
}

} // namespace fiberkey
