/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_APPS_COMMAND_LINE_H
#define FIBERKEY_APPS_COMMAND_LINE_H

// The apps' shared command-line contract: a bad argument prints one line on stderr and
// exits with status 2.
#include <cstdio>
#include <cstdlib>
#include <string>

namespace fiberkey_apps {

//! The program's name for messages; set once in main().
inline const char*& program_name()
{
    static const char* name = "fiberkey";
    return name;
}

[[noreturn]] inline void usage_error(const std::string& what)
{
    std::fprintf(
        stderr, "%s: %s (see %s --help)\n", program_name(), what.c_str(), program_name());
    std::exit(2);
}

//! \p v as a number in [lo, hi], or a usage error naming \p flag.
inline double number(const std::string& flag, const std::string& v, double lo, double hi)
{
    char* end = nullptr;
    const double x = std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0' || !(x >= lo && x <= hi)) {
        char range[64];
        std::snprintf(range, sizeof range, "%g..%g", lo, hi);
        usage_error(flag + " must be a number in " + range);
    }
    return x;
}

} // namespace fiberkey_apps

#endif
