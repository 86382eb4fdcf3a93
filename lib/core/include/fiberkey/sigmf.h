/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_SIGMF_H
#define FIBERKEY_CORE_SIGMF_H

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace fiberkey {

//! A recording that cannot be read or written; what() says which field and why.
class sigmf_error : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

//! A frame start: core:sample_start and fiberkey:frame_counter of one annotation.
struct sigmf_frame_annotation {
    std::uint64_t sample_start = 0;
    std::uint32_t frame_counter = 0;
    bool operator==(const sigmf_frame_annotation&) const = default;
};

/*!
 * What gr-fiberkey keeps in a .sigmf-meta file. It writes core:datatype rf32_le and
 * core:version 1.0.0; it reads the real and complex float32, int16 and int8 datatypes
 * (the real part of complex samples), and recordings made elsewhere, without the
 * fiberkey fields.
 */
struct sigmf_metadata {
    //! core:datatype: rf32_le, ri16_le, ri8, cf32_le, ci16_le or ci8.
    std::string datatype = "rf32_le";
    double sample_rate = 0.0; //!< core:sample_rate, Hz
    //! fiberkey:bit_rate, bit/s; read: 0 when neither it nor samples_per_bit is given.
    double bit_rate = 0.0;
    //! fiberkey:samples_per_bit; read: 0 when not given (a recording made elsewhere, or
    //! a non-integer oversampling: then sample_rate / bit_rate says it).
    unsigned samples_per_bit = 1;
    std::string description; //!< core:description, left out when empty
    /*!
     * A segmented recording (a scope's segmented memory, one trigger per frame):
     * fiberkey:segment_first_bit, the frame's line bit (0: the first FAS bit) at each
     * segment's first sample, where the trigger puts it; with
     * fiberkey:segment_samples, segments of that many samples back to back in the data,
     * else one segment per entry of captures, from its core:sample_start to the next
     * one's (docs/protocol-choices.md, "Segmented captures").
     */
    bool segmented = false;
    std::uint64_t segment_samples = 0; //!< 0: the captures are the segments
    double segment_first_bit = 0.0;
    //! core:sample_start of every entry of captures, in order (when all have one).
    std::vector<std::uint64_t> capture_starts;
    //! Annotations carrying fiberkey:frame_counter, by sample_start.
    std::vector<sigmf_frame_annotation> frames;
};

//! The .sigmf-meta JSON for these metadata. Throws std::invalid_argument for values
//! that the reader would refuse (a description that is not UTF-8 among them).
std::string to_sigmf_json(const sigmf_metadata& meta);

/*!
 * Parses and checks a .sigmf-meta document: JSON syntax (nlohmann-json, UTF-8 strings,
 * nesting depth limited, duplicate keys refused), core:datatype one of those
 * sigmf_metadata names, core:version 1.x.x, positive finite rates, integer fields
 * written as integers and in range, sample rate = bit rate x samples per bit when both
 * fiberkey fields are given, annotations sorted. Annotations without fiberkey:frame_counter and unknown keys are
 * skipped. Throws sigmf_error; never anything else for bad input.
 */
sigmf_metadata parse_sigmf_json(std::string_view json);

/*!
 * \brief Writes BASE.sigmf-data (rf32_le) while samples come, and BASE.sigmf-meta on
 * close(). BASE may also be given with either extension.
 */
class sigmf_writer
{
public:
    //! meta.frames are written too, with those added by annotate_frame(). Throws
    //! std::invalid_argument for bad metadata, sigmf_error when the file cannot be made.
    sigmf_writer(const std::string& base_path, const sigmf_metadata& meta);
    //! Closes if close() was not called; errors are lost then.
    ~sigmf_writer();
    sigmf_writer(const sigmf_writer&) = delete;
    sigmf_writer& operator=(const sigmf_writer&) = delete;

    void write(const float* samples, std::size_t n);
    void annotate_frame(std::uint64_t sample_start, std::uint32_t frame_counter);
    std::uint64_t samples_written() const { return d_samples; }
    //! Flushes the data and writes the metadata; throws sigmf_error on I/O errors.
    void close();

private:
    std::string d_base;
    sigmf_metadata d_meta;
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> d_data;
    std::uint64_t d_samples = 0;
};

/*!
 * \brief Reads little-endian samples of one type from a file, converted to float.
 *
 * A non-finite sample (NaN or infinity: a corrupt capture) is replaced by the last finite
 * one before it (0 at the start) and counted, so that one bad word cannot poison every
 * running estimate downstream; the replacement keeps the sample grid.
 */
class sample_file_reader
{
public:
    //! Real samples, or complex ones (c...: interleaved I and Q) of which I is read.
    enum class format { f32_le, i16_le, i8, cf32_le, ci16_le, ci8 };

    //! Bytes per sample of \p fmt.
    static std::size_t sample_bytes(format fmt);

    //! Integer samples are multiplied by scale. Throws sigmf_error when the file cannot
    //! be opened, is not a regular file (a directory, a FIFO: reading one could hang) or
    //! does not hold a whole number of samples.
    sample_file_reader(const std::string& path, format fmt, float scale = 1.0f);

    //! Up to n samples; fewer only at the end of the file (0 there).
    std::size_t read(float* out, std::size_t n);
    std::uint64_t total_samples() const { return d_total; }
    std::uint64_t position() const { return d_position; }
    //! Non-finite samples replaced so far.
    std::uint64_t nonfinite_samples() const { return d_nonfinite; }

private:
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> d_file;
    format d_format;
    float d_scale;
    std::uint64_t d_total = 0;
    std::uint64_t d_position = 0;
    std::uint64_t d_nonfinite = 0;
    float d_last_finite = 0.0f;
    std::vector<unsigned char> d_buffer;
};

//! Raw float32 little-endian samples.
inline sample_file_reader open_raw_f32(const std::string& path)
{
    return sample_file_reader(path, sample_file_reader::format::f32_le);
}

//! Raw int16 little-endian samples, scaled (1/32768 maps full scale to +-1).
inline sample_file_reader open_raw_i16(const std::string& path,
                                       float scale = 1.0f / 32768)
{
    return sample_file_reader(path, sample_file_reader::format::i16_le, scale);
}

//! Raw int8 samples (a scope's or an 8-bit ADC's native format), scaled (1/128 maps full
//! scale to +-1).
inline sample_file_reader open_raw_i8(const std::string& path, float scale = 1.0f / 128)
{
    return sample_file_reader(path, sample_file_reader::format::i8, scale);
}

//! The sample format of a SigMF core:datatype gr-fiberkey reads; nullopt for others.
std::optional<sample_file_reader::format> data_format(std::string_view datatype);

/*!
 * \brief Reads a recording: checks BASE.sigmf-meta, then serves BASE.sigmf-data as
 * floats (integer datatypes with full scale to +-1, complex ones by their real part).
 * Frame annotations beyond the end of the data are refused, and so is metadata whose
 * sample rate is not its bit rate times its samples per bit.
 */
class sigmf_reader
{
public:
    //! Throws sigmf_error.
    explicit sigmf_reader(const std::string& base_path);

    const sigmf_metadata& metadata() const { return d_meta; }
    std::uint64_t total_samples() const { return d_data.total_samples(); }
    std::size_t read(float* out, std::size_t n) { return d_data.read(out, n); }
    std::uint64_t nonfinite_samples() const { return d_data.nonfinite_samples(); }

private:
    sigmf_metadata d_meta;
    sample_file_reader d_data;
};

//! BASE from BASE, BASE.sigmf-meta or BASE.sigmf-data.
std::string sigmf_base_path(const std::string& path);

} // namespace fiberkey

#endif
