/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/frame_layout.h>
#include <fiberkey/sigmf.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

namespace fiberkey {

namespace {

constexpr std::size_t max_meta_bytes = 16 << 20;
constexpr std::size_t max_json_depth = 32;
constexpr unsigned max_samples_per_bit = 1024;
// A segment is at most 2^30 samples; its first bit within ten frames of the frame start.
constexpr std::uint64_t max_segment_samples = std::uint64_t{ 1 } << 30;
constexpr double max_segment_first_bit = 10.0 * frame_layout::frame_bytes * 8;
constexpr std::string_view meta_suffix = ".sigmf-meta";
constexpr std::string_view data_suffix = ".sigmf-data";

// Read with std::map objects: key lookups and the duplicate-key check stay logarithmic
// however many keys a hostile object holds. Written with the keys in SigMF's order.
using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

// ---- Reading: nlohmann's SAX parser builds the document, with two limits of our own. ----

[[noreturn]] void json_error(const std::string& what)
{
    throw sigmf_error("sigmf-meta: invalid JSON" + what);
}

// Text from the input made fit for a one-line message: printable ASCII, 200 bytes at most.
std::string printable(std::string s)
{
    if (s.size() > 200)
        s.resize(200);
    for (auto& c : s)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e)
            c = '?';
    return s;
}

/*
 * nlohmann's parse error as one short printable line: its prefix
 * ("[json.exception.parse_error.101] parse error at line 1, column 3: "), the token it
 * quotes (raw input, up to the whole file) and the parser state left out, the common
 * cases in our own words.
 */
std::string describe_parse_error(std::string what, const std::string& token)
{
    if (const auto bracket = what.find("] "); bracket != std::string::npos)
        what.erase(0, bracket + 2);
    if (what.rfind("parse error", 0) == 0)
        if (const auto colon = what.find(": "); colon != std::string::npos)
            what.erase(0, colon + 2);
    const std::string quoted = "; last read: '" + token + "'";
    if (const auto at = what.find(quoted); at != std::string::npos)
        what.erase(at, quoted.size());
    static const std::pair<std::string_view, std::string_view> ours[] = {
        { "; expected end of input", "unexpected text after the document" },
        { "number overflow", "number out of range" },
        { "forbidden character after backslash", "unknown escape" },
        { "invalid literal", "unknown literal" },
        { "expected digit after '.'", "expected digits after the decimal point" },
        { "after exponent", "expected digits in the exponent" },
        { "missing closing quote", "unterminated string" },
        { "ill-formed UTF-8", "a string is not valid UTF-8" },
    };
    for (const auto& [theirs, mine] : ours)
        if (what.find(theirs) != std::string::npos)
            return std::string(mine);
    constexpr std::string_view value_prefix = "syntax error while parsing value - ";
    if (what.rfind(value_prefix, 0) == 0)
        what.erase(0, value_prefix.size());
    return printable(std::move(what));
}

// Builds the document like nlohmann's own DOM parser, but refuses duplicate keys (the
// DOM parser keeps the last) and nesting deeper than max_json_depth.
class document_builder final : public nlohmann::json_sax<json>
{
public:
    json document;

    //! Why parsing stopped, when it did.
    const std::string& error() const { return d_error; }

    bool null() override { return add(nullptr); }
    bool boolean(bool b) override { return add(b); }
    bool number_integer(number_integer_t x) override { return add(x); }
    bool number_unsigned(number_unsigned_t x) override { return add(x); }
    bool number_float(number_float_t x, const string_t&) override
    {
        // nlohmann reports an overflow as a parse error; this is the belt to its braces.
        if (!std::isfinite(x))
            return fail(": number out of range");
        return add(x);
    }
    bool string(string_t& s) override { return add(std::move(s)); }
    bool binary(binary_t&) override { return fail(": binary value"); } // not in JSON text
    bool start_object(std::size_t) override { return open(json::value_t::object); }
    bool key(string_t& k) override
    {
        if (d_open.back()->contains(k))
            return fail(": duplicate key \"" + printable(k) + "\"");
        d_key = std::move(k);
        return true;
    }
    bool end_object() override { return close(); }
    bool start_array(std::size_t) override { return open(json::value_t::array); }
    bool end_array() override { return close(); }
    bool parse_error(std::size_t byte,
                     const std::string& token,
                     const json::exception& e) override
    {
        return fail(" at byte " + std::to_string(byte) + ": " +
                    describe_parse_error(e.what(), token));
    }

private:
    bool fail(const std::string& what)
    {
        if (d_error.empty())
            d_error = what;
        return false;
    }

    // Puts v where the text has it: the document, the next array element or the value of
    // the last key. Containers on d_open only ever grow at their end, and only while
    // nothing inside them is open, so the pointers stay valid.
    json* place(json v)
    {
        if (d_open.empty()) {
            document = std::move(v);
            return &document;
        }
        json& parent = *d_open.back();
        if (parent.is_array()) {
            parent.push_back(std::move(v));
            return &parent.back();
        }
        return &parent.get_ref<json::object_t&>()
                    .emplace(std::move(d_key), std::move(v))
                    .first->second;
    }

    bool within_depth() const { return d_open.size() <= max_json_depth; }

    bool add(json v)
    {
        if (!within_depth())
            return fail(": nested deeper than " + std::to_string(max_json_depth) +
                        " levels");
        place(std::move(v));
        return true;
    }

    bool open(json::value_t kind)
    {
        if (!within_depth())
            return fail(": nested deeper than " + std::to_string(max_json_depth) +
                        " levels");
        d_open.push_back(place(json(kind)));
        return true;
    }

    bool close()
    {
        d_open.pop_back();
        return true;
    }

    std::vector<json*> d_open; // the containers open at this point of the text
    std::string d_key;
    std::string d_error;
};

json parse_document(std::string_view text)
{
    document_builder builder;
    bool parsed = false;
    try {
        parsed = json::sax_parse(text.begin(), text.end(), &builder);
    } catch (const json::exception& e) { // the SAX interface reports errors, not throws
        json_error(": " + describe_parse_error(e.what(), {}));
    }
    if (!parsed || !builder.error().empty())
        json_error(builder.error().empty() ? std::string(": cannot parse")
                                           : builder.error());
    return std::move(builder.document);
}

// ---- The SigMF fields. ----

[[noreturn]] void field_error(const std::string& field, const std::string& what)
{
    throw sigmf_error("sigmf-meta: " + field + " " + what);
}

const char* type_name(const json& v)
{
    switch (v.type()) {
    case json::value_t::null:
        return "null";
    case json::value_t::boolean:
        return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
        return "a number";
    case json::value_t::string:
        return "a string";
    case json::value_t::array:
        return "an array";
    case json::value_t::object:
        return "an object";
    default:
        return "not JSON";
    }
}

const json* find(const json& object, const char* key)
{
    const auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
}

const json& require_type(const json* v, const std::string& field, json::value_t kind)
{
    if (v == nullptr)
        field_error(field, "is missing");
    const bool number_wanted = kind == json::value_t::number_float;
    if (number_wanted ? !v->is_number() : v->type() != kind)
        field_error(field,
                    std::string("must be ") + type_name(json(kind)) + ", not " +
                        type_name(*v));
    return *v;
}

const std::string& require_string(const json* v, const std::string& field)
{
    return require_type(v, field, json::value_t::string).get_ref<const std::string&>();
}

double positive_number(const json* v, const std::string& field)
{
    const double x = require_type(v, field, json::value_t::number_float).get<double>();
    if (!(x > 0.0))
        field_error(field, "must be positive, got " + v->dump());
    return x;
}

// JSON has one number type; nlohmann reads text without a fraction or an exponent as an
// integer when it fits 64 bits, and anything else as a double.
std::uint64_t unsigned_integer(const json* v, const std::string& field, std::uint64_t max)
{
    const json& x = require_type(v, field, json::value_t::number_float);
    const std::string too_large = "must be at most " + std::to_string(max) + ", got ";
    if (x.is_number_unsigned()) {
        const auto u = x.get<std::uint64_t>();
        if (u > max)
            field_error(field, too_large + x.dump());
        return u;
    }
    if (x.is_number_float() && x.get<double>() >= 0x1p64) // an integer beyond 64 bits
        field_error(field, too_large + x.dump());
    // "-0" is read as a signed integer 0.
    const bool minus_zero = x.is_number_integer() && x.get<std::int64_t>() == 0;
    field_error(field,
                "must be a non-negative integer, got " + (minus_zero ? "-0" : x.dump()));
}

// ---- Writing: nlohmann's values in a layout for people, one annotation a line. ----

bool has_containers(const ordered_json& v)
{
    return std::any_of(v.begin(), v.end(), [](const ordered_json& item) {
        return item.is_structured();
    });
}

void append_value(std::string& out, const ordered_json& v, std::size_t indent)
{
    if (!v.is_structured() || v.empty()) {
        out += v.dump();
        return;
    }
    const bool object = v.is_object();
    const bool multiline = has_containers(v);
    const std::string inner(indent + 4, ' ');
    out += object ? '{' : '[';
    bool first = true;
    for (auto it = v.begin(); it != v.end(); ++it) {
        out += first ? "" : ",";
        first = false;
        out += multiline ? "\n" + inner : std::string(" ");
        if (object)
            out += ordered_json(it.key()).dump() + ": ";
        append_value(out, it.value(), indent + 4);
    }
    out += multiline ? "\n" + std::string(indent, ' ') : std::string(" ");
    out += object ? '}' : ']';
}

void check_for_writing(const sigmf_metadata& m)
{
    if (!(std::isfinite(m.sample_rate) && m.sample_rate > 0.0))
        throw std::invalid_argument("sigmf: sample_rate must be positive and finite");
    if (!(std::isfinite(m.bit_rate) && m.bit_rate > 0.0))
        throw std::invalid_argument("sigmf: bit_rate must be positive and finite");
    if (m.samples_per_bit < 1 || m.samples_per_bit > max_samples_per_bit)
        throw std::invalid_argument("sigmf: samples_per_bit must be in 1.." +
                                    std::to_string(max_samples_per_bit));
    if (!std::is_sorted(m.capture_starts.begin(), m.capture_starts.end()) ||
        std::adjacent_find(m.capture_starts.begin(), m.capture_starts.end()) !=
            m.capture_starts.end())
        throw std::invalid_argument("sigmf: capture starts must increase");
    if (m.segment_samples > max_segment_samples ||
        !(std::fabs(m.segment_first_bit) <= max_segment_first_bit))
        throw std::invalid_argument("sigmf: segment_samples or segment_first_bit out of "
                                    "range");
    if (m.datatype != "rf32_le")
        throw std::invalid_argument("sigmf: recordings are written as rf32_le");
    try {
        (void)json(m.description).dump(); // JSON text is UTF-8; the reader checks it
    } catch (const json::exception&) {
        throw std::invalid_argument("sigmf: description must be valid UTF-8");
    }
}

using file_ptr = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

file_ptr open_file(const std::string& path, const char* mode)
{
    file_ptr f(std::fopen(path.c_str(), mode), &std::fclose);
    if (!f)
        throw sigmf_error("cannot open " + path + ": " + std::strerror(errno));
    return f;
}

// For reading: a regular file only, checked on the opened descriptor (opened without
// blocking, so that a FIFO without a writer is refused instead of waited on).
file_ptr open_regular_file(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        throw sigmf_error("cannot open " + path + ": " + std::strerror(errno));
    struct stat st {
    };
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw sigmf_error(path + " is not a regular file (a directory, FIFO or device)");
    }
    std::FILE* f = ::fdopen(fd, "rb");
    if (f == nullptr) {
        const int error = errno;
        ::close(fd);
        throw sigmf_error("cannot open " + path + ": " + std::strerror(error));
    }
    return file_ptr(f, &std::fclose);
}

bool ends_with(const std::string& s, std::string_view suffix)
{
    return s.size() >= suffix.size() &&
           std::string_view(s).substr(s.size() - suffix.size()) == suffix;
}

sigmf_metadata read_meta_file(const std::string& base)
{
    const std::string path = base + std::string(meta_suffix);
    auto f = open_regular_file(path);
    std::string text;
    char buf[1 << 16];
    std::size_t got;
    while ((got = std::fread(buf, 1, sizeof buf, f.get())) > 0) {
        text.append(buf, got);
        if (text.size() > max_meta_bytes)
            throw sigmf_error(path + " is larger than " +
                              std::to_string(max_meta_bytes >> 20) + " MiB");
    }
    if (std::ferror(f.get()))
        throw sigmf_error("cannot read " + path);
    return parse_sigmf_json(text);
}

} // namespace

std::string sigmf_base_path(const std::string& path)
{
    for (auto suffix : { meta_suffix, data_suffix })
        if (ends_with(path, suffix))
            return path.substr(0, path.size() - suffix.size());
    return path;
}

std::string to_sigmf_json(const sigmf_metadata& meta)
{
    check_for_writing(meta);
    auto frames = meta.frames;
    std::stable_sort(frames.begin(), frames.end(), [](const auto& a, const auto& b) {
        return a.sample_start < b.sample_start;
    });
    ordered_json global = ordered_json::object();
    global["core:datatype"] = "rf32_le";
    global["core:sample_rate"] = meta.sample_rate;
    global["core:version"] = "1.0.0";
    if (!meta.description.empty())
        global["core:description"] = meta.description;
    ordered_json extension = ordered_json::object();
    extension["name"] = "fiberkey";
    extension["version"] = "1.0.0";
    extension["optional"] = true;
    global["core:extensions"] = ordered_json::array({ extension });
    global["fiberkey:bit_rate"] = meta.bit_rate;
    global["fiberkey:samples_per_bit"] = meta.samples_per_bit;
    if (meta.segmented) {
        if (meta.segment_samples > 0)
            global["fiberkey:segment_samples"] = meta.segment_samples;
        global["fiberkey:segment_first_bit"] = meta.segment_first_bit;
    }

    ordered_json captures = ordered_json::array();
    for (const std::uint64_t start : meta.capture_starts.empty()
                                         ? std::vector<std::uint64_t>{ 0 }
                                         : meta.capture_starts) {
        ordered_json capture = ordered_json::object();
        capture["core:sample_start"] = start;
        captures.push_back(std::move(capture));
    }
    ordered_json annotations = ordered_json::array();
    for (const auto& f : frames) {
        ordered_json a = ordered_json::object();
        a["core:sample_start"] = f.sample_start;
        a["fiberkey:frame_counter"] = f.frame_counter;
        annotations.push_back(std::move(a));
    }

    ordered_json doc = ordered_json::object();
    doc["global"] = std::move(global);
    doc["captures"] = std::move(captures);
    doc["annotations"] = std::move(annotations);
    std::string out;
    append_value(out, doc, 0);
    out += '\n';
    return out;
}

std::optional<sample_file_reader::format> data_format(std::string_view datatype)
{
    using f = sample_file_reader::format;
    static constexpr std::pair<std::string_view, f> names[] = {
        { "rf32_le", f::f32_le },  { "ri16_le", f::i16_le },  { "ri8", f::i8 },
        { "cf32_le", f::cf32_le }, { "ci16_le", f::ci16_le }, { "ci8", f::ci8 },
    };
    for (const auto& [name, fmt] : names)
        if (name == datatype)
            return fmt;
    return std::nullopt;
}

sigmf_metadata parse_sigmf_json(std::string_view text)
{
    if (text.size() > max_meta_bytes)
        throw sigmf_error("sigmf-meta: larger than " +
                          std::to_string(max_meta_bytes >> 20) + " MiB");
    const json doc = parse_document(text);
    if (!doc.is_object())
        throw sigmf_error("sigmf-meta: the document must be a JSON object");

    const auto& global =
        require_type(find(doc, "global"), "global", json::value_t::object);
    sigmf_metadata meta;
    const std::string& datatype =
        require_string(find(global, "core:datatype"), "core:datatype");
    if (!data_format(datatype))
        field_error("core:datatype",
                    "must be one of rf32_le ri16_le ri8 cf32_le ci16_le ci8, got \"" +
                        printable(datatype) + "\"");
    meta.datatype = datatype;
    const std::string& version =
        require_string(find(global, "core:version"), "core:version");
    if (version.rfind("1.", 0) != 0)
        field_error("core:version", "must be 1.x.x, got \"" + printable(version) + "\"");
    meta.sample_rate =
        positive_number(find(global, "core:sample_rate"), "core:sample_rate");
    // The fiberkey fields are optional: a scope's own recording has neither.
    meta.bit_rate = 0.0;
    meta.samples_per_bit = 0;
    if (const json* b = find(global, "fiberkey:bit_rate"))
        meta.bit_rate = positive_number(b, "fiberkey:bit_rate");
    if (const json* s = find(global, "fiberkey:samples_per_bit")) {
        const std::uint64_t sps =
            unsigned_integer(s, "fiberkey:samples_per_bit", max_samples_per_bit);
        if (sps == 0)
            field_error("fiberkey:samples_per_bit", "must be at least 1");
        meta.samples_per_bit = static_cast<unsigned>(sps);
    }
    if (meta.samples_per_bit > 0 && meta.bit_rate == 0.0)
        meta.bit_rate = meta.sample_rate / meta.samples_per_bit;
    // A rate that disagrees would put the receiver's bit grid off by the difference.
    const double implied = meta.bit_rate * meta.samples_per_bit;
    if (meta.samples_per_bit > 0 &&
        std::fabs(meta.sample_rate - implied) > 1e-6 * implied)
        field_error(
            "core:sample_rate",
            "is " + std::to_string(meta.sample_rate) + " Hz, but fiberkey:bit_rate " +
                std::to_string(meta.bit_rate) + " times fiberkey:samples_per_bit " +
                std::to_string(meta.samples_per_bit) + " is " + std::to_string(implied));
    if (const json* d = find(global, "core:description"))
        meta.description = require_string(d, "core:description");
    // A segmented recording: the first bit, with fixed segments or the captures'.
    const json* segment_samples = find(global, "fiberkey:segment_samples");
    const json* segment_first_bit = find(global, "fiberkey:segment_first_bit");
    if (segment_samples && !segment_first_bit)
        field_error("fiberkey:segment_first_bit",
                    "is missing (a segmented recording says where its segments start)");
    if (segment_samples) {
        meta.segment_samples = unsigned_integer(
            segment_samples, "fiberkey:segment_samples", max_segment_samples);
        if (meta.segment_samples == 0)
            field_error("fiberkey:segment_samples", "must be at least 1");
    }
    if (segment_first_bit) {
        meta.segmented = true;
        meta.segment_first_bit = require_type(segment_first_bit,
                                              "fiberkey:segment_first_bit",
                                              json::value_t::number_float)
                                     .get<double>();
        if (!(std::fabs(meta.segment_first_bit) <= max_segment_first_bit))
            field_error("fiberkey:segment_first_bit",
                        "must be a bit position within +-" +
                            std::to_string(static_cast<long>(max_segment_first_bit)) +
                            ", got " + segment_first_bit->dump());
    }

    const auto& captures =
        require_type(find(doc, "captures"), "captures", json::value_t::array);
    for (std::size_t i = 0; i < captures.size(); ++i) {
        const std::string name = "captures[" + std::to_string(i) + "]";
        const auto& c = require_type(&captures[i], name, json::value_t::object);
        const json* s = find(c, "core:sample_start");
        if (!s) {
            // Only a recording whose captures are its segments needs every start.
            if (meta.segmented && meta.segment_samples == 0)
                field_error(name + ".core:sample_start",
                            "is missing (the captures are the segments)");
            continue;
        }
        const std::uint64_t start = unsigned_integer(
            s, name + ".core:sample_start", std::numeric_limits<std::uint64_t>::max());
        if (!meta.capture_starts.empty() && start <= meta.capture_starts.back())
            field_error(name + ".core:sample_start", "breaks the order by sample_start");
        meta.capture_starts.push_back(start);
    }
    if (meta.segmented && meta.segment_samples == 0 && meta.capture_starts.empty())
        field_error("captures", "is empty (the captures are the segments)");

    const auto& annotations =
        require_type(find(doc, "annotations"), "annotations", json::value_t::array);
    std::uint64_t previous = 0;
    for (std::size_t i = 0; i < annotations.size(); ++i) {
        const std::string name = "annotations[" + std::to_string(i) + "]";
        const auto& a = require_type(&annotations[i], name, json::value_t::object);
        const std::uint64_t start =
            unsigned_integer(find(a, "core:sample_start"),
                             name + ".core:sample_start",
                             std::numeric_limits<std::uint64_t>::max());
        if (start < previous)
            field_error(name + ".core:sample_start", "breaks the order by sample_start");
        previous = start;
        if (const json* count = find(a, "core:sample_count"))
            unsigned_integer(count,
                             name + ".core:sample_count",
                             std::numeric_limits<std::uint64_t>::max());
        if (const json* fc = find(a, "fiberkey:frame_counter"))
            meta.frames.push_back(
                { start,
                  static_cast<std::uint32_t>(unsigned_integer(
                      fc, name + ".fiberkey:frame_counter", 0xffffffffu)) });
    }
    return meta;
}

sigmf_writer::sigmf_writer(const std::string& base_path, const sigmf_metadata& meta)
    : d_base(sigmf_base_path(base_path)), d_meta(meta), d_data(nullptr, &std::fclose)
{
    check_for_writing(meta);
    d_data = open_file(d_base + std::string(data_suffix), "wb");
}

sigmf_writer::~sigmf_writer()
{
    try {
        close();
    } catch (const std::exception&) {
        // A destructor must not throw; call close() to see the error.
    }
}

void sigmf_writer::write(const float* samples, std::size_t n)
{
    if (!d_data)
        throw sigmf_error("sigmf_writer: write after close");
    bool ok = true;
    if constexpr (std::endian::native == std::endian::little) {
        ok = std::fwrite(samples, sizeof(float), n, d_data.get()) == n;
    } else {
        for (std::size_t i = 0; i < n && ok; ++i) {
            const auto v = std::bit_cast<std::uint32_t>(samples[i]);
            const unsigned char b[4] = { static_cast<unsigned char>(v),
                                         static_cast<unsigned char>(v >> 8),
                                         static_cast<unsigned char>(v >> 16),
                                         static_cast<unsigned char>(v >> 24) };
            ok = std::fwrite(b, 1, 4, d_data.get()) == 4;
        }
    }
    if (!ok)
        throw sigmf_error("cannot write " + d_base + std::string(data_suffix));
    d_samples += n;
}

void sigmf_writer::annotate_frame(std::uint64_t sample_start, std::uint32_t frame_counter)
{
    d_meta.frames.push_back({ sample_start, frame_counter });
}

void sigmf_writer::close()
{
    if (!d_data)
        return;
    const std::string data_path = d_base + std::string(data_suffix);
    auto data = std::move(d_data);
    if (std::fflush(data.get()) != 0 || std::fclose(data.release()) != 0)
        throw sigmf_error("cannot write " + data_path);
    const std::string json = to_sigmf_json(d_meta);
    const std::string meta_path = d_base + std::string(meta_suffix);
    auto meta = open_file(meta_path, "wb");
    if (std::fwrite(json.data(), 1, json.size(), meta.get()) != json.size() ||
        std::fclose(meta.release()) != 0)
        throw sigmf_error("cannot write " + meta_path);
}

namespace {
//! The format of one component (I) of a sample of \p fmt.
sample_file_reader::format component_format(sample_file_reader::format fmt)
{
    using f = sample_file_reader::format;
    switch (fmt) {
    case f::cf32_le:
        return f::f32_le;
    case f::ci16_le:
        return f::i16_le;
    case f::ci8:
        return f::i8;
    default:
        return fmt;
    }
}

//! SigMF's integer samples are fractions of full scale.
float full_scale(sample_file_reader::format fmt)
{
    using f = sample_file_reader::format;
    switch (component_format(fmt)) {
    case f::i16_le:
        return 1.0f / 32768;
    case f::i8:
        return 1.0f / 128;
    default:
        return 1.0f;
    }
}
} // namespace

std::size_t sample_file_reader::sample_bytes(format fmt)
{
    const std::size_t components = component_format(fmt) == fmt ? 1 : 2;
    switch (component_format(fmt)) {
    case format::f32_le:
        return 4 * components;
    case format::i16_le:
        return 2 * components;
    case format::i8:
        return components;
    default:
        throw std::invalid_argument("sample_file_reader: unknown format");
    }
}

sample_file_reader::sample_file_reader(const std::string& path, format fmt, float scale)
    : d_file(open_regular_file(path)), d_format(fmt), d_scale(scale)
{
    const std::size_t size = sample_bytes(fmt);
    if (fseeko(d_file.get(), 0, SEEK_END) != 0)
        throw sigmf_error("cannot seek in " + path);
    const off_t bytes = ftello(d_file.get());
    if (bytes < 0 || fseeko(d_file.get(), 0, SEEK_SET) != 0)
        throw sigmf_error("cannot find the size of " + path);
    if (static_cast<std::uint64_t>(bytes) % size != 0)
        throw sigmf_error(path + " holds " + std::to_string(bytes) +
                          " bytes, not a whole number of " + std::to_string(size) +
                          "-byte samples");
    d_total = static_cast<std::uint64_t>(bytes) / size;
}

std::size_t sample_file_reader::read(float* out, std::size_t n)
{
    const std::size_t size = sample_bytes(d_format);
    n = static_cast<std::size_t>(std::min<std::uint64_t>(n, d_total - d_position));
    d_buffer.resize(n * size);
    const std::size_t got = std::fread(d_buffer.data(), size, n, d_file.get());
    if (got != n)
        throw sigmf_error("sample file ended early or could not be read");
    const unsigned char* b = d_buffer.data();
    const format kind = component_format(d_format);
    for (std::size_t i = 0; i < n; ++i, b += size) {
        if (kind == format::f32_le) {
            const std::uint32_t v = b[0] | (b[1] << 8) | (b[2] << 16) |
                                    (static_cast<std::uint32_t>(b[3]) << 24);
            out[i] = std::bit_cast<float>(v);
        } else if (kind == format::i16_le) {
            const auto v = static_cast<std::int16_t>(b[0] | (b[1] << 8));
            out[i] = static_cast<float>(v) * d_scale;
        } else {
            out[i] = static_cast<float>(static_cast<std::int8_t>(b[0])) * d_scale;
        }
        if (std::isfinite(out[i])) {
            d_last_finite = out[i];
        } else {
            out[i] = d_last_finite;
            ++d_nonfinite;
        }
    }
    d_position += n;
    return n;
}

sigmf_reader::sigmf_reader(const std::string& base_path)
    : d_meta(read_meta_file(sigmf_base_path(base_path))),
      d_data(sigmf_base_path(base_path) + std::string(data_suffix),
             *data_format(d_meta.datatype),
             full_scale(*data_format(d_meta.datatype)))
{
    for (const std::uint64_t start : d_meta.capture_starts)
        if (d_meta.segmented && d_meta.segment_samples == 0 &&
            start >= d_data.total_samples())
            throw sigmf_error("sigmf-meta: a capture segment at sample " +
                              std::to_string(start) + " lies beyond the " +
                              std::to_string(d_data.total_samples()) +
                              " samples of the data");
    for (const auto& f : d_meta.frames)
        if (f.sample_start >= d_data.total_samples())
            throw sigmf_error("sigmf-meta: frame annotation at sample " +
                              std::to_string(f.sample_start) + " lies beyond the " +
                              std::to_string(d_data.total_samples()) +
                              " samples of the data");
}

} // namespace fiberkey
