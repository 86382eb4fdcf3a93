/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// The SigMF reader: parse_sigmf_json on the .sigmf-meta text, then sigmf_reader over a
// recording made of that text and of samples.
//
// Input: the .sigmf-meta text, then optionally a NUL byte and the .sigmf-data bytes (a
// JSON document holds no raw NUL, so the seeds stay readable text).
// Checks, besides the sanitizers: bad input throws sigmf_error and nothing else; what
// parses and the writer takes (rf32_le with the fiberkey fields; recordings made
// elsewhere are read, not written) writes back (to_sigmf_json) to text that parses to the
// same metadata; the reader serves exactly the samples of the data file in its datatype.
#include "fuzz_input.h"

#include <fiberkey/sigmf.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>

using namespace fiberkey;

namespace {

bool same(const sigmf_metadata& a, const sigmf_metadata& b)
{
    return a.datatype == b.datatype && a.sample_rate == b.sample_rate &&
           a.bit_rate == b.bit_rate && a.samples_per_bit == b.samples_per_bit &&
           a.description == b.description && a.frames == b.frames &&
           a.segmented == b.segmented && a.segment_samples == b.segment_samples &&
           a.segment_first_bit == b.segment_first_bit;
}

void write_file(const std::string& path, const std::uint8_t* data, std::size_t n)
{
    std::FILE* f = std::fopen(path.c_str(), "wb");
    FUZZ_CHECK(f != nullptr);
    FUZZ_CHECK(std::fwrite(data, 1, n, f) == n);
    FUZZ_CHECK(std::fclose(f) == 0);
}

//! A directory of this process for the recording, removed at exit.
const std::string& base_path()
{
    static const std::string base = [] {
        char dir[] = "/tmp/fiberkey-fuzz-sigmf-XXXXXX";
        FUZZ_CHECK(mkdtemp(dir) != nullptr);
        static std::string d = dir;
        std::atexit([] {
            std::remove((d + "/r.sigmf-meta").c_str());
            std::remove((d + "/r.sigmf-data").c_str());
            rmdir(d.c_str());
        });
        return d + "/r";
    }();
    return base;
}

//! Sample \p i of \p data as the reader must serve it; false for a non-finite float,
//! which the reader replaces.
bool expected_sample(sample_file_reader::format fmt,
                     const std::uint8_t* data,
                     std::size_t i,
                     float& value)
{
    using f = sample_file_reader::format;
    const std::uint8_t* b = data + i * sample_file_reader::sample_bytes(fmt);
    switch (fmt) {
    case f::f32_le:
    case f::cf32_le: {
        const std::uint32_t raw =
            b[0] | b[1] << 8 | b[2] << 16 | static_cast<std::uint32_t>(b[3]) << 24;
        std::memcpy(&value, &raw, 4);
        return std::isfinite(value);
    }
    case f::i16_le:
    case f::ci16_le:
        value = static_cast<float>(static_cast<std::int16_t>(b[0] | b[1] << 8)) / 32768;
        return true;
    default:
        value = static_cast<float>(static_cast<std::int8_t>(b[0])) / 128;
        return true;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto* nul = std::find(data, data + size, 0);
    const std::string_view meta_text(reinterpret_cast<const char*>(data), nul - data);
    const std::uint8_t* samples = nul == data + size ? nul : nul + 1;
    const std::size_t sample_bytes = data + size - samples;

    bool meta_ok = false;
    try {
        const sigmf_metadata meta = parse_sigmf_json(meta_text);
        meta_ok = true;
        if (meta.datatype == "rf32_le" && meta.samples_per_bit > 0) {
            const sigmf_metadata again = parse_sigmf_json(to_sigmf_json(meta));
            FUZZ_CHECK(same(meta, again));
        }
    } catch (const sigmf_error&) {
        FUZZ_CHECK(!meta_ok); // the written text must parse
    }

    const std::string& base = base_path();
    write_file(base + ".sigmf-meta", data, meta_text.size());
    write_file(base + ".sigmf-data", samples, sample_bytes);
    try {
        sigmf_reader reader(base);
        FUZZ_CHECK(meta_ok);
        const auto fmt = data_format(reader.metadata().datatype);
        FUZZ_CHECK(fmt.has_value());
        const std::size_t size = sample_file_reader::sample_bytes(*fmt);
        FUZZ_CHECK(sample_bytes % size == 0);
        FUZZ_CHECK(reader.total_samples() == sample_bytes / size);
        for (const auto& f : reader.metadata().frames)
            FUZZ_CHECK(f.sample_start < reader.total_samples());
        float buf[64];
        std::uint64_t total = 0;
        while (const std::size_t n = reader.read(buf, 1 + total % 64)) {
            for (std::size_t i = 0; i < n; ++i) {
                float want;
                FUZZ_CHECK(std::isfinite(buf[i]));
                if (expected_sample(*fmt, samples, total + i, want))
                    FUZZ_CHECK(std::memcmp(&want, &buf[i], 4) == 0);
            }
            total += n;
        }
        FUZZ_CHECK(total == reader.total_samples());
    } catch (const sigmf_error&) {
    }
    return 0;
}
