/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// fiberkey-replay: runs the receiver over a recorded photodetector capture (SigMF or a
// raw float32 / int16 / int8 file): above one sample per bit the level normalizer, a DC
// blocker and GNU Radio's symbol_sync (Gardner timing recovery at any oversampling),
// then soft frame sync -> slicer -> G.709 line decoder, and with a key zuc_crypt ->
// otu_demux; prints the frames found, the lock events and the FEC counts.
#include "command_line.h"

#include <fiberkey/frame_layout.h>
#include <fiberkey/hex.h>
#include <fiberkey/lab_pattern.h>
#include <fiberkey/level_normalizer.h>
#include <fiberkey/neg_segment.h>
#include <fiberkey/noise_injector.h>
#include <fiberkey/secure_memory.h>
#include <fiberkey/sigmf.h>
#include <gnuradio/blocks/head.h>
#include <gnuradio/blocks/message_debug.h>
#include <gnuradio/blocks/null_sink.h>
#include <gnuradio/blocks/vector_sink.h>
#include <gnuradio/digital/symbol_sync_ff.h>
#include <gnuradio/fiberkey/level_normalizer.h>
#include <gnuradio/fiberkey/line_decoder.h>
#include <gnuradio/fiberkey/noise_injector.h>
#include <gnuradio/fiberkey/otu_demux.h>
#include <gnuradio/fiberkey/sigmf_source.h>
#include <gnuradio/fiberkey/slicer.h>
#include <gnuradio/fiberkey/soft_frame_sync.h>
#include <gnuradio/fiberkey/zuc_crypt.h>
#include <gnuradio/filter/dc_blocker_ff.h>
#include <gnuradio/logger.h>
#include <gnuradio/top_block.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fk = gr::fiberkey;

namespace {

const char* const usage_text =
    "usage: fiberkey-replay FILE [--format sigmf|f32|i16|i8] [--rate SAMPLES_PER_S]\n"
    "                       [--samples-per-bit X | --bit-rate BITS_PER_S] [--scale X]\n"
    "                       [--fec on|off]\n"
    "                       [--key HEX | --key-file FILE] [--direction 0|1 [--epoch 0..3]]\n"
    "                       [--integrity on|off]\n"
    "                       [--payload-out FILE] [--neg-out FILE] [--json FILE]\n"
    "                       [--noise-law LAW [--noise-low X] [--noise-high Y]]\n"
    "                       [--segment-samples N --segment-first-bit B\n"
    "                        [--segment-search BITS] --pattern-counters FIRST:COUNT]\n"
    "                       [--progress]\n"
    "  Decodes a capture: soft frame sync, slicer, G.709 line decoder; with a key also\n"
    "  ZUC decryption, the frames' integrity tags (--integrity off for captures of links\n"
    "  that ran without them) and the demux. FILE is BASE[.sigmf-meta|.sigmf-data] for sigmf, the\n"
    "  sample file otherwise (int16 and int8 samples are multiplied by --scale, default\n"
    "  1/32768 and 1/128).\n"
    "  SigMF data may be rf32_le, ri16_le, ri8 or complex (cf32_le, ci16_le, ci8: the\n"
    "  real part).\n"
    "  Samples per bit: --samples-per-bit (any real >= 1, e.g. 4.527 for 50 GS/s on an\n"
    "  11.04 Gbit/s line), or the sample rate (--rate, or the recording's) over --bit-rate\n"
    "  or the recording's fiberkey:bit_rate (default: the link's, 11.043846 Gbit/s); raw\n"
    "  files without --rate: 1. Above 1 sample per bit the levels are taken from the\n"
    "  capture itself and the bit clock is recovered (clock offsets of hundreds of ppm,\n"
    "  jitter).\n"
    "  --key-file reads the key's hex digits from the file's first line (a command line\n"
    "  is visible to every user of the machine).\n"
    "  --noise-law adds the receiver's local noise on the NEG samples before the\n"
    "  decision (the noise injector: LAW ber_log_uniform, ber_uniform, ...; --noise-low\n"
    "  and --noise-high its range, default 1e-3 and 0.2), as a node's receiver does.\n"
    "  --neg-out (needs --key) writes each decrypted frame's NEG block as decided: records\n"
    "  of 259 bytes, the frame counter (4 bytes, big-endian) then the 255-byte block; it\n"
    "  is secret material (mode 0600). --json writes the figures below as one object.\n"
    "  --progress prints the share of the capture read, every 2 s, on stderr.\n"
    "  Segmented captures (a scope's segmented memory, one trigger per frame, each\n"
    "  segment holding at least the frame's NEG block): --segment-samples, the samples of\n"
    "  every segment, back to back in the file; --segment-first-bit, the frame's line\n"
    "  bit (0: the first FAS bit; NEG is bits 130560..132599) at each segment's first\n"
    "  sample, as the trigger puts it; --segment-search, how many bits either side the\n"
    "  NEG block is looked for (default 64). A SigMF recording may say them in its global\n"
    "  object (fiberkey:segment_samples, fiberkey:segment_first_bit), or give only\n"
    "  fiberkey:segment_first_bit with one captures entry per segment. The segments must be\n"
    "  frames of a fiberkey-lab pattern, --pattern-counters FIRST:COUNT (frame i: counter\n"
    "  FIRST + i, sequence numbers i % 65535 + 1), played in a loop from any frame; they\n"
    "  need --key, and write --neg-out and --json. 1 or at least 2 samples per bit.\n"
    "  Prints frames found, lock events and FEC counts; exit status 3 when no frame was\n"
    "  found, with the likely cause.\n";

struct options {
    std::string file;
    std::string format = "sigmf";
    std::optional<double> rate;
    std::optional<double> samples_per_bit;
    std::optional<double> bit_rate;
    std::optional<double> scale;
    bool fec = true;
    std::vector<uint8_t> key;
    std::optional<int> direction;
    int epoch = 0;
    bool integrity = true;
    std::string payload_out;
    std::string neg_out;
    std::string json_out;
    std::string noise_law;
    double noise_low = 1e-3;
    double noise_high = 0.2;
    bool noise_range_given = false;
    uint64_t noise_seed = 0; // tests only
    bool progress = false;
    std::optional<uint64_t> segment_samples;
    std::optional<double> segment_first_bit;
    unsigned segment_search = 64;
    std::optional<std::pair<uint32_t, uint32_t>> pattern_counters; // first, count
};

using fiberkey_apps::number;
using fiberkey_apps::usage_error;

int integer(const std::string& flag, const std::string& v, int lo, int hi)
{
    char* end = nullptr;
    const long x = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || x < lo || x > hi)
        usage_error(flag + " must be an integer in " + std::to_string(lo) + ".." +
                    std::to_string(hi));
    return static_cast<int>(x);
}

//! FIRST:COUNT of --pattern-counters: a lab pattern's counters, all within 32 bits.
std::pair<uint32_t, uint32_t> pattern_counters(const std::string& flag,
                                               const std::string& v)
{
    const auto colon = v.find(':');
    char* end = nullptr;
    errno = 0;
    const unsigned long long first = std::strtoull(v.c_str(), &end, 10);
    const bool first_ok = colon != std::string::npos && end == v.c_str() + colon &&
                          colon > 0 && v[0] != '-' && errno == 0;
    const unsigned long long count =
        first_ok ? std::strtoull(v.c_str() + colon + 1, &end, 10) : 0;
    if (!first_ok || errno != 0 || *end != '\0' || v[colon + 1] == '-' || count < 1 ||
        count > 65535 || first > (1ull << 32) - count)
        usage_error(flag +
                    " must be FIRST:COUNT, a pattern's first frame counter and its "
                    "1..65535 frames, within 32 bits");
    return { static_cast<uint32_t>(first), static_cast<uint32_t>(count) };
}

// The hex key of --key-file: its first line (what a command line would show to every
// user of the machine stays in a file only its owner reads).
std::string read_key_file(const std::string& path)
{
    struct stat st;
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        usage_error("--key-file " + path + ": not a regular file");
    std::FILE* f = std::fopen(path.c_str(), "r");
    if (!f)
        usage_error("--key-file " + path + ": " + std::strerror(errno));
    char line[128] = {};
    const bool got = std::fgets(line, sizeof line, f) != nullptr;
    std::fclose(f);
    std::string hex = got ? std::string(line) : std::string();
    fiberkey::secure_wipe(line, sizeof line);
    while (!hex.empty() &&
           (hex.back() == '\n' || hex.back() == '\r' || hex.back() == ' '))
        hex.pop_back();
    return hex;
}

options parse(int argc, char** argv)
{
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "-h" || a == "--help") {
            std::fputs(usage_text, stdout);
            std::exit(0);
        }
        if (a.rfind("--", 0) != 0) {
            if (!o.file.empty())
                usage_error("one input file only, got " + o.file + " and " + a);
            o.file = a;
            continue;
        }
        if (a == "--progress") {
            o.progress = true;
            continue;
        }
        if (i + 1 >= argc)
            usage_error("option " + a + " needs a value");
        const std::string v = argv[++i];
        if (a == "--format" && (v == "sigmf" || v == "f32" || v == "i16" || v == "i8"))
            o.format = v;
        else if (a == "--rate")
            o.rate = number(a, v, 1, 1e13);
        else if (a == "--samples-per-bit")
            o.samples_per_bit = number(a, v, 1, 1024);
        else if (a == "--bit-rate")
            o.bit_rate = number(a, v, 1, 1e13);
        else if (a == "--scale")
            o.scale = number(a, v, -1e30, 1e30);
        else if (a == "--fec" && (v == "on" || v == "off"))
            o.fec = v == "on";
        else if (a == "--integrity" && (v == "on" || v == "off"))
            o.integrity = v == "on";
        else if (a == "--direction")
            o.direction = integer(a, v, 0, 1);
        else if (a == "--epoch")
            o.epoch = integer(a, v, 0, 3);
        else if (a == "--payload-out")
            o.payload_out = v;
        else if (a == "--neg-out")
            o.neg_out = v;
        else if (a == "--json")
            o.json_out = v;
        else if (a == "--noise-law")
            o.noise_law = v;
        else if (a == "--noise-low" || a == "--noise-high") {
            (a == "--noise-low" ? o.noise_low : o.noise_high) = number(a, v, 0, 1);
            o.noise_range_given = true;
        } else if (a == "--segment-samples")
            o.segment_samples = static_cast<uint64_t>(integer(a, v, 1, 1 << 30));
        else if (a == "--segment-first-bit")
            o.segment_first_bit = number(a, v, -1.4e6, 1.4e6);
        else if (a == "--segment-search")
            o.segment_search = static_cast<unsigned>(integer(a, v, 0, 100000));
        else if (a == "--pattern-counters")
            o.pattern_counters = pattern_counters(a, v);
        else if (a == "--noise-seed")
            o.noise_seed = static_cast<uint64_t>(integer(a, v, 1, 1 << 30));
        else if (a == "--key" || a == "--key-file") {
            if (!o.key.empty())
                usage_error("--key and --key-file: give one");
            std::string hex = a == "--key" ? v : read_key_file(v);
            try {
                o.key = fiberkey::from_hex(hex);
            } catch (const std::exception&) {
                usage_error(a + " must hold hex digits");
            }
            fiberkey::secure_wipe(hex);
            if (o.key.size() != 16)
                usage_error(a + " must hold 16 bytes (32 hex digits)");
        } else
            usage_error("bad option or value: " + a + " " + v);
    }
    if (o.file.empty())
        usage_error("no input file");
    if (o.key.empty() != !o.direction.has_value())
        usage_error("--key (or --key-file) and --direction go together");
    if (!o.payload_out.empty() && o.key.empty())
        usage_error("--payload-out needs --key");
    if ((o.noise_range_given || o.noise_seed) && o.noise_law.empty())
        usage_error("--noise-low, --noise-high and --noise-seed go with --noise-law");
    if (!o.neg_out.empty() && o.key.empty())
        usage_error("--neg-out needs --key: NEG is encrypted");
    if (o.format == "sigmf" && o.rate)
        usage_error("--rate is for raw files; a SigMF recording has its own");
    if (o.samples_per_bit && o.bit_rate)
        usage_error("--samples-per-bit and --bit-rate say the same thing: give one");
    if (o.bit_rate && o.format != "sigmf" && !o.rate)
        usage_error("--bit-rate needs --rate, the samples per second of the raw file");
    if (o.segment_samples.has_value() != o.segment_first_bit.has_value())
        usage_error("--segment-samples and --segment-first-bit go together");
    if (o.segment_samples && !o.payload_out.empty())
        usage_error("--payload-out: a segmented capture holds no payload");
    return o;
}

std::string event_text(const pmt::pmt_t& msg)
{
    if (!pmt::is_dict(msg))
        return pmt::write_string(msg);
    std::string s;
    for (pmt::pmt_t items = pmt::dict_items(msg); !pmt::is_null(items);
         items = pmt::cdr(items)) {
        const pmt::pmt_t kv = pmt::car(items);
        if (!s.empty())
            s += ' ';
        s += pmt::symbol_to_string(pmt::car(kv)) + '=' + pmt::write_string(pmt::cdr(kv));
    }
    return s;
}

//! Whether \p a and \p b are the same file (device and inode).
bool same_file(const struct stat& a, const struct stat& b)
{
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*!
 * An output file (payload, NEG decisions, figures). Opened before any work (a path that
 * cannot be written must not cost the run) and refused when it is the capture itself; a
 * regular file is emptied only when the output is written, so a run that fails leaves an
 * existing file as it was and removes one it created. Pipes, FIFOs with a reader and
 * /dev/null take the output too. \p mode: 0600 for what is secret.
 */
class output_file
{
public:
    output_file(const std::string& flag,
                const std::string& path,
                const std::string& capture,
                mode_t mode)
        : d_path(path)
    {
        struct stat out;
        const bool existed = ::stat(path.c_str(), &out) == 0;
        std::string base = capture;
        for (const char* suffix : { ".sigmf-data", ".sigmf-meta", ".sigmf" })
            if (base.ends_with(suffix))
                base.resize(base.size() - std::strlen(suffix));
        for (const auto& input :
             { capture, base + ".sigmf-data", base + ".sigmf-meta" }) {
            struct stat in;
            if (existed && ::stat(input.c_str(), &in) == 0 && same_file(out, in))
                usage_error(flag + " " + path + " is the capture " + input);
        }
        // Non-blocking open: a FIFO with no reader is an error now, not a hang.
        d_fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_NONBLOCK | O_CLOEXEC, mode);
        if (d_fd < 0)
            usage_error(flag + ": cannot write " + path + ": " + std::strerror(errno));
        d_created = !existed;
        ::fcntl(d_fd, F_SETFL, ::fcntl(d_fd, F_GETFL) & ~O_NONBLOCK);
    }

    output_file(const output_file&) = delete;
    output_file& operator=(const output_file&) = delete;

    ~output_file()
    {
        if (d_fd >= 0)
            ::close(d_fd);
        if (d_created && !d_written)
            ::unlink(d_path.c_str());
    }

    //! Throws std::runtime_error when the bytes cannot all be written.
    void write(std::span<const uint8_t> data)
    {
        struct stat st;
        if (::fstat(d_fd, &st) == 0 && S_ISREG(st.st_mode) && ::ftruncate(d_fd, 0) != 0)
            fail();
        for (std::size_t done = 0; done < data.size();) {
            const ssize_t n = ::write(d_fd, data.data() + done, data.size() - done);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                fail();
            done += static_cast<std::size_t>(n);
        }
        const int fd = std::exchange(d_fd, -1);
        if (::close(fd) != 0)
            fail();
        d_written = true;
    }

private:
    [[noreturn]] void fail() const
    {
        throw std::runtime_error("cannot write " + d_path + ": " + std::strerror(errno));
    }

    std::string d_path;
    int d_fd = -1;
    bool d_created = false;
    bool d_written = false;
};

/*!
 * What the first samples of a capture say about it, whatever its units, when no frame
 * was found: whether it has two levels at all, and how often it crosses between them
 * (with hysteresis, so that noise on a level does not count).
 */
struct capture_survey {
    std::size_t samples = 0;
    bool two_levels = false;
    double crossings_per_sample = 0.0;

    //! Scrambled NRZ changes level every other bit on average.
    double suggested_samples_per_bit() const
    {
        return crossings_per_sample > 0 ? 0.5 / crossings_per_sample : 0.0;
    }
};

//! The factor for integer samples: --scale, or full scale to +-1.
double sample_scale(const options& o)
{
    return o.scale.value_or(o.format == "i8" ? 1.0 / 128 : 1.0 / 32768);
}

capture_survey survey(const options& o)
{
    constexpr uint64_t survey_samples = uint64_t{ 1 } << 20;
    auto tb = gr::make_top_block("fiberkey_replay_survey");
    auto source = fk::sigmf_source::make(o.file, o.format, false, sample_scale(o));
    auto head = gr::blocks::head::make(sizeof(float), survey_samples);
    auto sink = gr::blocks::vector_sink_f::make();
    tb->connect(source, 0, head, 0);
    tb->connect(head, 0, sink, 0);
    tb->run();
    const std::vector<float> x = sink->data();
    capture_survey s;
    s.samples = x.size();
    if (x.size() < 16)
        return s;
    fiberkey::level_normalizer normalise(
        { .learn_samples = std::min<std::size_t>(x.size(), 65536),
          .tracking_samples = 0 });
    std::vector<float> y(x.size());
    y.resize(normalise.process(x, y).written);
    s.two_levels = normalise.low() < normalise.high();
    std::size_t crossings = 0;
    int side = 0;
    for (const float v : y) {
        const int now = v > 0.5f ? 1 : v < -0.5f ? -1 : side;
        crossings += side != 0 && now != side;
        side = now;
    }
    s.crossings_per_sample = static_cast<double>(crossings) / y.size();
    return s;
}

// The levels are learned from the first samples and then follow drift.
constexpr int level_learn_samples = 65536;
constexpr double level_tracking_samples = 65536;
// Timing recovery: a narrow loop (0.5 % of the bit rate) holds a clock offset of
// hundreds of ppm and averages jitter out; the levels arrive at about +-1.
constexpr float clock_loop_bandwidth = 0.005f;
constexpr float clock_damping = 1.0f;
constexpr float gardner_gain = 1.0f;
constexpr float clock_max_deviation = 1.5f; // samples per bit
// The DC blocker tracks baseline wander (AC coupling, drift) over this many bits.
constexpr double dc_window_bits = 256;

//! Why a run found no frame, as far as the capture shows.
void explain_no_frames(const capture_survey& seen,
                       double sps,
                       uint64_t total_samples,
                       bool frame_sync_found)
{
    constexpr double frame_bits = fiberkey::frame_layout::frame_bytes * 8;
    const double bits = static_cast<double>(total_samples) / sps;
    std::fprintf(stderr, "fiberkey-replay: no frame decoded. ");
    if (bits < 2 * frame_bits) {
        std::fprintf(stderr,
                     "The capture holds about %.0f bits at %.6g samples per bit; finding "
                     "a frame takes two frame alignment words, %.0f bits apart.\n",
                     bits,
                     sps,
                     frame_bits);
        return;
    }
    const double suggested = seen.suggested_samples_per_bit();
    if (!seen.two_levels)
        std::fprintf(stderr,
                     "The capture's first samples all have the same value: there is no "
                     "signal.\n");
    else if (frame_sync_found)
        std::fprintf(stderr,
                     "The frame sync found frames but the line decoder could not hold "
                     "them: too many bit errors (try --fec on|off as the link ran).\n");
    else if (suggested > 0 && std::abs(suggested / sps - 1.0) > 0.25)
        std::fprintf(
            stderr,
            "The capture's level changes suggest about %.3g samples per bit; this "
            "run assumed %.6g (set --samples-per-bit, or --rate and "
            "--bit-rate).\n",
            suggested,
            sps);
    else
        std::fprintf(stderr,
                     "No frame alignment word in the capture at %.6g samples per bit: "
                     "not a fiberkey line signal, or too noisy to slice.\n",
                     sps);
}

std::span<const uint8_t> as_bytes(const std::string& text)
{
    return { reinterpret_cast<const uint8_t*>(text.data()), text.size() };
}

// Runs the flowgraph; with \p progress, says every 2 s how much of the capture was read.
void run_flowgraph(gr::top_block& tb, fk::sigmf_source& source, bool progress)
{
    if (!progress) {
        tb.run();
        return;
    }
    std::atomic<bool> done{ false };
    tb.start();
    std::thread waiter([&] {
        tb.wait();
        done = true;
    });
    const double total =
        static_cast<double>(std::max<uint64_t>(source.total_samples(), 1));
    for (int tick = 0; !done; ++tick) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (tick % 20 == 19 && !done)
            std::fprintf(stderr,
                         "progress: %.0f %% of the capture\n",
                         100.0 * static_cast<double>(source.nitems_written(0)) / total);
    }
    waiter.join();
}

// The NEG blocks the demux published, as --neg-out records: counter (big-endian), block.
std::vector<uint8_t> neg_records(gr::blocks::message_debug& store)
{
    constexpr std::size_t block = fiberkey::frame_layout::block_bytes;
    std::vector<uint8_t> out;
    out.reserve(store.num_messages() * (4 + block));
    for (std::size_t i = 0; i < store.num_messages(); ++i) {
        const pmt::pmt_t msg = store.get_message(static_cast<int>(i));
        const pmt::pmt_t counter =
            pmt::dict_ref(pmt::car(msg), pmt::mp("frame_counter"), pmt::PMT_NIL);
        if (!pmt::is_uint64(counter) || pmt::length(pmt::cdr(msg)) != block)
            continue;
        const auto c = static_cast<uint32_t>(pmt::to_uint64(counter));
        for (int shift = 24; shift >= 0; shift -= 8)
            out.push_back(static_cast<uint8_t>(c >> shift));
        size_t len = 0;
        const uint8_t* data = pmt::u8vector_elements(pmt::cdr(msg), len);
        out.insert(out.end(), data, data + len);
    }
    return out;
}

//! The capture's samples through the core readers (the segmented path needs no
//! flowgraph): a SigMF recording or a raw file, as sigmf_source reads them.
class sample_input
{
public:
    explicit sample_input(const options& o)
    {
        using format = fiberkey::sample_file_reader::format;
        if (o.format == "sigmf")
            d_sigmf.emplace(o.file);
        else
            d_raw.emplace(o.file,
                          o.format == "f32"   ? format::f32_le
                          : o.format == "i16" ? format::i16_le
                                              : format::i8,
                          static_cast<float>(sample_scale(o)));
    }
    std::size_t read(float* out, std::size_t n)
    {
        return d_sigmf ? d_sigmf->read(out, n) : d_raw->read(out, n);
    }
    uint64_t total_samples() const
    {
        return d_sigmf ? d_sigmf->total_samples() : d_raw->total_samples();
    }
    uint64_t nonfinite_samples() const
    {
        return d_sigmf ? d_sigmf->nonfinite_samples() : d_raw->nonfinite_samples();
    }
    const fiberkey::sigmf_metadata* metadata() const
    {
        return d_sigmf ? &d_sigmf->metadata() : nullptr;
    }

private:
    std::optional<fiberkey::sigmf_reader> d_sigmf;
    std::optional<fiberkey::sample_file_reader> d_raw;
};

//! Where the segments of a segmented capture sit.
struct segment_layout {
    double first_bit = 0.0;
    uint64_t samples = 0;         //!< every segment's length; 0: the captures' starts say
    std::vector<uint64_t> starts; //!< SigMF captures, one per segment
    std::string source;           //!< where the layout comes from, for messages
};

//! The segmented layout the options or the recording give; nullopt for a continuous one.
std::optional<segment_layout> segments_of(const options& o, const sample_input& in)
{
    if (o.segment_samples)
        return segment_layout{ *o.segment_first_bit, *o.segment_samples, {}, "options" };
    if (const auto* meta = in.metadata(); meta && meta->segmented)
        return segment_layout{ meta->segment_first_bit,
                               meta->segment_samples,
                               meta->segment_samples ? std::vector<uint64_t>{}
                                                     : meta->capture_starts,
                               "the recording" };
    return std::nullopt;
}

/*!
 * The segments of a capture, one at a time and in order: (start, length) spans of its
 * samples, read sequentially (what lies between them is skipped).
 */
class segment_reader
{
public:
    //! A segment is one frame's NEG window: longer ones are a layout error.
    static constexpr uint64_t max_segment_samples = uint64_t{ 1 } << 24;

    segment_reader(const options& o, const segment_layout& layout) : d_options(o)
    {
        rewind();
        const uint64_t total = d_in->total_samples();
        if (layout.samples > 0) {
            for (uint64_t start = 0; start + layout.samples <= total;
                 start += layout.samples)
                d_spans.emplace_back(start, layout.samples);
            d_left_out = total % layout.samples;
        } else {
            for (std::size_t k = 0; k < layout.starts.size(); ++k) {
                const uint64_t end =
                    k + 1 < layout.starts.size() ? layout.starts[k + 1] : total;
                d_spans.emplace_back(layout.starts[k], end - layout.starts[k]);
            }
        }
        for (const auto& [start, length] : d_spans)
            if (length > max_segment_samples)
                usage_error("the segment at sample " + std::to_string(start) + " (" +
                            layout.source + ") holds " + std::to_string(length) +
                            " samples; a segment holds one frame's NEG window, at most " +
                            std::to_string(max_segment_samples));
    }

    std::size_t count() const { return d_spans.size(); }
    //! Samples in no segment: a partial last one of a fixed layout.
    uint64_t left_out() const { return d_left_out; }
    uint64_t nonfinite_samples() const { return d_in->nonfinite_samples(); }

    void rewind()
    {
        d_in = std::make_unique<sample_input>(d_options);
        d_position = 0;
        d_next = 0;
    }

    //! The next segment into \p out (shorter at a truncated end); false after the last.
    bool next(std::vector<float>& out)
    {
        if (d_next == d_spans.size())
            return false;
        const auto [start, length] = d_spans[d_next++];
        std::vector<float> skipped(
            start > d_position ? std::min<uint64_t>(start - d_position, 1 << 16) : 0);
        while (d_position < start) {
            const auto n = d_in->read(
                skipped.data(), std::min<uint64_t>(skipped.size(), start - d_position));
            if (n == 0)
                break;
            d_position += n;
        }
        out.resize(length);
        out.resize(d_in->read(out.data(), out.size()));
        d_position += out.size();
        return true;
    }

private:
    const options& d_options;
    std::unique_ptr<sample_input> d_in;
    std::vector<std::pair<uint64_t, uint64_t>> d_spans;
    uint64_t d_left_out = 0;
    uint64_t d_position = 0;
    std::size_t d_next = 0;
};

/*!
 * A segmented capture: every segment's NEG block found by its known bits and decided
 * (neg_segment_receiver), after the scope's clock offset is measured over the first
 * segments. Writes what the continuous path writes: --neg-out records and --json.
 */
int run_segments(const options& o,
                 double sps,
                 double rate,
                 uint64_t total_samples,
                 const segment_layout& layout,
                 std::optional<output_file>& neg_file,
                 std::optional<output_file>& json_file)
{
    using fiberkey::neg_segment_status;
    if (o.key.empty())
        usage_error("a segmented capture needs --key (or --key-file) and --direction: "
                    "its NEG blocks are found by their encrypted known bits");
    if (!o.pattern_counters)
        usage_error("a segmented capture needs --pattern-counters FIRST:COUNT (the lab "
                    "pattern it recorded): segments carry no frame counter");
    const auto [first_counter, count] = *o.pattern_counters;
    std::vector<fiberkey::neg_frame_id> frames;
    for (uint32_t i = 0; i < count; ++i) {
        const auto seq = fiberkey::lab_pattern::sequence(i);
        frames.push_back({ first_counter + i, seq, seq });
    }
    fiberkey::neg_segment_config config{ .samples_per_bit = sps,
                                         .first_bit = layout.first_bit,
                                         .search_bits = o.segment_search,
                                         .local_noise = !o.noise_law.empty(),
                                         .noise = {} };
    std::optional<fiberkey::neg_segment_receiver> rx;
    try {
        if (config.local_noise)
            config.noise = { fiberkey::parse_noise_law(o.noise_law),
                             o.noise_low,
                             o.noise_high };
        rx.emplace(config,
                   std::span<const uint8_t, 16>(o.key.data(), 16),
                   static_cast<unsigned>(*o.direction),
                   frames,
                   o.noise_seed ? fiberkey::gaussian_source::from_test_seed(o.noise_seed)
                                : fiberkey::gaussian_source());
    } catch (const std::invalid_argument& e) {
        usage_error(std::string("segmented capture: ") + e.what());
    }
    if (layout.samples > 0 && layout.samples < rx->min_segment_samples())
        usage_error("segments of " + std::to_string(layout.samples) +
                    " samples cannot hold a NEG block (2040 bits at " +
                    std::to_string(sps) + " samples per bit need " +
                    std::to_string(rx->min_segment_samples()) + ")");

    segment_reader in(o, layout);
    const uint64_t segments = in.count();
    if (layout.samples > 0)
        std::printf(
            "segmented: %llu segments of %llu samples, the first at frame bit %.6g%s\n",
            static_cast<unsigned long long>(segments),
            static_cast<unsigned long long>(layout.samples),
            layout.first_bit,
            in.left_out() ? " (a partial last segment left out)" : "");
    else
        std::printf("segmented: %llu segments (the recording's captures), the first at "
                    "frame bit %.6g\n",
                    static_cast<unsigned long long>(segments),
                    layout.first_bit);
    std::vector<float> segment;

    // The scope's clock against the generator's, over the first segments.
    constexpr uint64_t clock_segments = 256;
    double found_sps = sps;
    if (sps >= 2.0) {
        std::vector<double> measured;
        for (uint64_t k = 0; k < clock_segments && in.next(segment); ++k)
            if (const auto m =
                    fiberkey::neg_segment_receiver::measure_samples_per_bit(segment, sps))
                measured.push_back(*m);
        if (measured.size() >= 5) {
            std::nth_element(
                measured.begin(), measured.begin() + measured.size() / 2, measured.end());
            const double median = measured[measured.size() / 2];
            // The receiver takes 2..1024; a median just outside keeps the nominal.
            if (median >= 2.0 && median <= 1024.0) {
                found_sps = median;
                rx->set_samples_per_bit(found_sps);
            }
        }
        in.rewind();
    }

    std::array<uint64_t, 4> by_status{};
    uint64_t skipped = 0, searched = 0, known_errors = 0;
    std::vector<uint8_t> records;
    std::size_t expected = 0;
    auto last_progress = std::chrono::steady_clock::now();
    // The decided NEG blocks are secret: no reallocation may leave a copy behind.
    records.reserve(segments * (4 + fiberkey::frame_layout::block_bytes));
    for (uint64_t k = 0; in.next(segment); ++k) {
        auto r = rx->decide(segment, expected);
        ++by_status[static_cast<std::size_t>(r.status)];
        if (r.status == neg_segment_status::decided) {
            if (r.searched)
                ++searched;
            else
                skipped += (r.frame + count - expected) % count;
            known_errors += r.known_bit_errors;
            const uint32_t c = first_counter + static_cast<uint32_t>(r.frame);
            for (int shift = 24; shift >= 0; shift -= 8)
                records.push_back(static_cast<uint8_t>(c >> shift));
            records.insert(records.end(), r.neg.begin(), r.neg.end());
            fiberkey::secure_wipe(r.neg);
            expected = (r.frame + 1) % count;
        } else {
            expected = (expected + 1) % count;
        }
        if (o.progress &&
            std::chrono::steady_clock::now() - last_progress > std::chrono::seconds(2)) {
            last_progress = std::chrono::steady_clock::now();
            std::fprintf(stderr,
                         "progress: %.0f %% of the capture\n",
                         100.0 * static_cast<double>(k + 1) /
                             static_cast<double>(segments));
        }
    }
    const uint64_t decided =
        by_status[static_cast<std::size_t>(neg_segment_status::decided)];
    const double clock_offset_ppm =
        sps >= 2.0 ? (sps / found_sps - 1.0) * 1e6 : std::nan("");
    const double ber_estimate =
        decided ? static_cast<double>(known_errors) /
                      static_cast<double>(decided *
                                          fiberkey::neg_segment_receiver::known_bits)
                : std::nan("");
    std::printf(
        "segments: %llu decided, %llu too short, %llu without signal, %llu not "
        "aligned; %llu frames skipped (missed triggers), %llu found by a search of "
        "the pattern\n",
        static_cast<unsigned long long>(decided),
        static_cast<unsigned long long>(by_status[1]),
        static_cast<unsigned long long>(by_status[2]),
        static_cast<unsigned long long>(by_status[3]),
        static_cast<unsigned long long>(skipped),
        static_cast<unsigned long long>(searched));
    if (std::isfinite(clock_offset_ppm))
        std::printf("bit clock: %.6g samples per bit, %+.0f ppm from the nominal\n",
                    found_sps,
                    clock_offset_ppm);
    if (decided)
        std::printf("known NEG bits wrong: %llu of %llu (line BER estimate %.3g)\n",
                    static_cast<unsigned long long>(known_errors),
                    static_cast<unsigned long long>(
                        decided * fiberkey::neg_segment_receiver::known_bits),
                    ber_estimate);
    const auto optional_number = [](double x) {
        return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json();
    };
    const nlohmann::json figures = {
        { "file", o.file },
        { "format", o.format },
        { "samples", total_samples },
        { "sample_rate", rate > 0 ? nlohmann::json(rate) : nlohmann::json() },
        { "samples_per_bit_nominal", sps },
        { "samples_per_bit_found", found_sps },
        { "clock_offset_ppm", optional_number(clock_offset_ppm) },
        { "nonfinite_samples", in.nonfinite_samples() },
        { "segmented", true },
        { "segment_samples",
          layout.samples ? nlohmann::json(layout.samples) : nlohmann::json() },
        { "segment_first_bit", layout.first_bit },
        { "segments", segments },
        { "segments_decided", decided },
        { "segments_too_short", by_status[1] },
        { "segments_no_signal", by_status[2] },
        { "segments_not_aligned", by_status[3] },
        { "frames_skipped", skipped },
        { "frames_searched", searched },
        { "known_bit_errors", known_errors },
        { "line_ber_estimate", optional_number(ber_estimate) },
        { "local_noise_frames", config.local_noise ? decided : 0 },
        // What the continuous path counts, for tools that read either.
        { "frames_found", decided },
        { "frames_decoded", decided },
    };
    if (decided == 0) {
        const auto worst = static_cast<neg_segment_status>(
            std::max_element(by_status.begin() + 1, by_status.end()) - by_status.begin());
        std::fprintf(stderr, "fiberkey-replay: no NEG block decided. ");
        if (segments == 0)
            std::fprintf(stderr, "The capture holds no whole segment.\n");
        else if (worst == neg_segment_status::too_short)
            std::fprintf(stderr,
                         "The segments cannot hold NEG where the trigger puts it (check "
                         "--segment-first-bit and --segment-search).\n");
        else if (worst == neg_segment_status::no_signal)
            std::fprintf(
                stderr,
                "The segments show no bit clock or no two levels at %.6g samples "
                "per bit (check --samples-per-bit, or --rate and --bit-rate).\n",
                sps);
        else
            std::fprintf(stderr,
                         "No segment shows the known NEG bits of a frame of the pattern: "
                         "a capture of another pattern, key or direction, or a trigger "
                         "more than %u bits from --segment-first-bit.\n",
                         o.segment_search);
        if (json_file)
            json_file->write(as_bytes(figures.dump(2) + "\n"));
        return 3;
    }
    try {
        if (neg_file)
            neg_file->write(records);
    } catch (...) {
        fiberkey::secure_wipe(records);
        throw;
    }
    fiberkey::secure_wipe(records);
    if (json_file)
        json_file->write(as_bytes(figures.dump(2) + "\n"));
    return 0;
}

int run(const options& o)
{
    std::optional<output_file> payload_file, neg_file, json_file;
    if (!o.payload_out.empty())
        payload_file.emplace("--payload-out", o.payload_out, o.file, 0644);
    if (!o.neg_out.empty())
        neg_file.emplace("--neg-out", o.neg_out, o.file, 0600);
    if (!o.json_out.empty())
        json_file.emplace("--json", o.json_out, o.file, 0644);
    fk::noise_injector::sptr noise;
    if (!o.noise_law.empty()) {
        try {
            noise = fk::noise_injector::make(
                1, o.noise_law, o.noise_low, o.noise_high, o.noise_seed);
        } catch (const std::invalid_argument& e) {
            usage_error(std::string("local noise: ") + e.what());
        }
    }
    auto source = fk::sigmf_source::make(o.file, o.format, false, sample_scale(o));
    const double rate =
        o.format == "sigmf" ? source->sample_rate() : o.rate.value_or(0.0);
    double sps = 1.0;
    if (o.samples_per_bit)
        sps = *o.samples_per_bit;
    else if (o.bit_rate || (o.format != "sigmf" && o.rate))
        sps = rate / o.bit_rate.value_or(fiberkey::frame_layout::line_bit_rate);
    else if (o.format == "sigmf" && source->samples_per_bit() > 0)
        sps = source->samples_per_bit();
    else if (o.format == "sigmf") // a recording made elsewhere: its rate, our bit rate
        sps = rate / (source->bit_rate() > 0 ? source->bit_rate()
                                             : fiberkey::frame_layout::line_bit_rate);
    if (!(sps >= 1.0 && sps <= 1024.0))
        usage_error("the sample rate and bit rate give " + std::to_string(sps) +
                    " samples per bit; 1 to 1024 can be decoded");
    std::printf("input: %s (%s), %llu samples, %.6g samples per bit",
                o.file.c_str(),
                o.format.c_str(),
                static_cast<unsigned long long>(source->total_samples()),
                sps);
    if (rate > 0)
        std::printf(", %.6g samples/s, %.6g s",
                    rate,
                    static_cast<double>(source->total_samples()) / rate);
    std::printf("\n");
    if (const auto layout = segments_of(o, sample_input(o))) {
        if (!o.payload_out.empty())
            usage_error("--payload-out: a segmented capture holds no payload");
        return run_segments(
            o, sps, rate, source->total_samples(), *layout, neg_file, json_file);
    }
    if (o.pattern_counters)
        usage_error("--pattern-counters is for segmented captures (--segment-samples)");

    auto tb = gr::make_top_block("fiberkey_replay");
    auto sync = fk::soft_frame_sync::make();
    auto slice = fk::slicer::make(1, 0, "tag");
    auto decoder = fk::line_decoder::make(o.fec, 246);
    auto sync_events = gr::blocks::message_debug::make();
    auto decoder_events = gr::blocks::message_debug::make();
    gr::block_sptr recovered_clock;
    if (sps > 1.0) {
        // One sample per bit for the frame sync, at the eye's centre: the levels brought
        // to about +-1 from the capture itself (no scale setting can starve the loop),
        // baseline wander removed, then GNU Radio's Gardner symbol synchroniser.
        auto level =
            fk::level_normalizer::make(level_learn_samples, level_tracking_samples);
        auto dc = gr::filter::dc_blocker_ff::make(
            static_cast<int>(std::ceil(dc_window_bits * sps)), true);
        auto clock = gr::digital::symbol_sync_ff::make(gr::digital::TED_GARDNER,
                                                       static_cast<float>(sps),
                                                       clock_loop_bandwidth,
                                                       clock_damping,
                                                       gardner_gain,
                                                       clock_max_deviation);
        tb->connect(source, 0, level, 0);
        tb->connect(level, 0, dc, 0);
        tb->connect(dc, 0, clock, 0);
        tb->connect(clock, 0, sync, 0);
        recovered_clock = clock;
    } else {
        tb->connect(source, 0, sync, 0);
    }
    if (noise) {
        tb->connect(sync, 0, noise, 0);
        tb->connect(noise, 0, slice, 0);
    } else {
        tb->connect(sync, 0, slice, 0);
    }
    tb->connect(slice, 0, decoder, 0);
    tb->msg_connect(sync, "status", sync_events, "store");
    tb->msg_connect(decoder, "status", decoder_events, "store");

    fk::zuc_crypt::sptr crypt;
    fk::otu_demux::sptr demux;
    gr::blocks::vector_sink_b::sptr payload;
    auto neg_store = gr::blocks::message_debug::make();
    if (!o.key.empty()) {
        crypt = fk::zuc_crypt::make(
            *o.direction, false, o.key, o.epoch, "auto", false, o.integrity);
        demux = fk::otu_demux::make();
        payload = gr::blocks::vector_sink_b::make();
        tb->connect(decoder, 0, crypt, 0);
        tb->connect(crypt, 0, demux, 0);
        tb->connect(demux, 0, payload, 0);
        if (neg_file)
            tb->msg_connect(demux, "neg", neg_store, "store");
    } else {
        tb->connect(decoder,
                    0,
                    gr::blocks::null_sink::make(fiberkey::frame_layout::frame_item_bytes),
                    0);
    }
    run_flowgraph(*tb, *source, o.progress);

    if (source->nonfinite_samples() > 0)
        std::printf(
            "non-finite samples (NaN, infinity) replaced by the sample before: %llu\n",
            static_cast<unsigned long long>(source->nonfinite_samples()));
    std::printf("frames found (soft frame sync): %llu, missed FAS %llu\n",
                static_cast<unsigned long long>(sync->frames()),
                static_cast<unsigned long long>(sync->missed_fas()));
    for (std::size_t i = 0; i < sync_events->num_messages(); ++i)
        std::printf("lock event (frame sync): %s\n",
                    event_text(sync_events->get_message(i)).c_str());
    for (std::size_t i = 0; i < decoder_events->num_messages(); ++i)
        std::printf("lock event (line decoder): %s\n",
                    event_text(decoder_events->get_message(i)).c_str());
    std::printf("frames decoded: %llu, unconfirmed %llu\n",
                static_cast<unsigned long long>(decoder->frames()),
                static_cast<unsigned long long>(decoder->unconfirmed_frames()));
    std::printf("FEC: %s, corrected symbols %llu, uncorrectable codewords %llu\n",
                o.fec ? "on" : "off",
                static_cast<unsigned long long>(decoder->corrected_symbols()),
                static_cast<unsigned long long>(decoder->uncorrectable_codewords()));
    // Corrected bytes per line bit: the pre-FEC bit error rate while errors are sparse
    // (one wrong bit per wrong byte), a lower bound beyond.
    const double line_bits = static_cast<double>(decoder->frames()) *
                             static_cast<double>(fiberkey::frame_layout::frame_bytes * 8);
    const double ber_estimate =
        o.fec && line_bits > 0
            ? static_cast<double>(decoder->corrected_symbols()) / line_bits
            : std::nan("");
    if (o.fec && line_bits > 0)
        std::printf("line BER estimate (corrected bytes per bit): %.3g\n", ber_estimate);
    // The bit clock found: samples taken per bit decided, against the nominal.
    double found_sps = sps, clock_offset_ppm = std::nan("");
    if (recovered_clock && recovered_clock->nitems_written(0) > 0) {
        found_sps = static_cast<double>(recovered_clock->nitems_read(0)) /
                    static_cast<double>(recovered_clock->nitems_written(0));
        clock_offset_ppm = (sps / found_sps - 1.0) * 1e6;
        std::printf("bit clock: %.6g samples per bit, %+.0f ppm from the nominal\n",
                    found_sps,
                    clock_offset_ppm);
    }
    nlohmann::json figures = {
        { "file", o.file },
        { "format", o.format },
        { "samples", source->total_samples() },
        { "sample_rate", rate > 0 ? nlohmann::json(rate) : nlohmann::json() },
        { "samples_per_bit_nominal", sps },
        { "samples_per_bit_found", found_sps },
        { "clock_offset_ppm",
          std::isfinite(clock_offset_ppm) ? nlohmann::json(clock_offset_ppm)
                                          : nlohmann::json() },
        { "nonfinite_samples", source->nonfinite_samples() },
        { "frames_found", sync->frames() },
        { "missed_fas", sync->missed_fas() },
        { "frames_decoded", decoder->frames() },
        { "frames_unconfirmed", decoder->unconfirmed_frames() },
        { "fec", o.fec },
        { "corrected_symbols", decoder->corrected_symbols() },
        { "uncorrectable_codewords", decoder->uncorrectable_codewords() },
        { "line_ber_estimate",
          std::isfinite(ber_estimate) ? nlohmann::json(ber_estimate) : nlohmann::json() },
        { "local_noise_frames",
          noise ? nlohmann::json(noise->frames()) : nlohmann::json() },
    };
    if (crypt) {
        std::printf(
            "frames decrypted: %llu, dropped %llu (integrity tag failed %llu, damaged "
            "beyond the codes %llu); payload bytes %zu, of frames with uncorrectable "
            "codewords %llu; INT accepted %llu, uncorrectable %llu\n",
            static_cast<unsigned long long>(crypt->frames_processed()),
            static_cast<unsigned long long>(crypt->frames_dropped()),
            static_cast<unsigned long long>(crypt->frames_rejected_by_tag()),
            static_cast<unsigned long long>(crypt->frames_damaged()),
            payload->data().size(),
            static_cast<unsigned long long>(demux->frames_with_uncorrectable_codewords()),
            static_cast<unsigned long long>(demux->int_accepted()),
            static_cast<unsigned long long>(demux->int_uncorrectable()));
        figures["frames_decrypted"] = crypt->frames_processed();
        figures["frames_dropped"] = crypt->frames_dropped();
        figures["frames_rejected_by_tag"] = crypt->frames_rejected_by_tag();
        figures["frames_damaged"] = crypt->frames_damaged();
        figures["payload_bytes"] = payload->data().size();
        figures["frames_with_uncorrectable_codewords"] =
            demux->frames_with_uncorrectable_codewords();
        figures["int_accepted"] = demux->int_accepted();
        figures["int_uncorrectable"] = demux->int_uncorrectable();
    }
    if (decoder->frames() == 0) {
        explain_no_frames(survey(o), sps, source->total_samples(), sync->frames() > 0);
        if (json_file)
            json_file->write(as_bytes(figures.dump(2) + "\n"));
        return 3;
    }
    if (payload_file)
        payload_file->write(payload->data());
    if (neg_file) {
        auto records = neg_records(*neg_store);
        neg_file->write(records);
        fiberkey::secure_wipe(records);
    }
    if (json_file)
        json_file->write(as_bytes(figures.dump(2) + "\n"));
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    fiberkey_apps::program_name() = "fiberkey-replay";
    options o = parse(argc, argv);
    // The report says what the blocks' info and debug lines would: warnings only.
    gr::logging::singleton().set_default_level(spdlog::level::warn);
    try {
        const int rc = run(o);
        fiberkey::secure_wipe(o.key);
        return rc;
    } catch (const fiberkey::sigmf_error& e) {
        std::fprintf(stderr, "fiberkey-replay: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fiberkey-replay: %s\n", e.what());
        return 1;
    }
}
