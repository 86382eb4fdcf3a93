/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// Files that hold secrets: private keys, key-encryption keys, key stores.
#ifndef FIBERKEY_KEY_FILES_H
#define FIBERKEY_KEY_FILES_H

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace fiberkey {

//! What writing a key file does when the file already exists.
enum class existing_file {
    refuse,  //!< throw std::system_error (EEXIST): nothing is changed
    replace, //!< replace it (a symbolic link is replaced, never followed)
};

/*!
 * Writes \p data to \p path: to a new temporary file in the same directory (created
 * exclusively, mode 0600, never through a link; 0644 unless \p owner_only), synced, then
 * renamed into place. An existing file is never opened, truncated or half-written, and
 * with existing_file::refuse it is left alone. Errors are std::system_error whose message
 * begins with \p who.
 */
void write_key_file(const std::filesystem::path& path,
                    std::span<const std::uint8_t> data,
                    bool owner_only,
                    existing_file existing,
                    const std::string& who);

/*!
 * Opens \p path for reading as a file only its owner may use: a regular file with no
 * group or other permission bits (checked on the opened descriptor, so a swap after the
 * check changes nothing). Returns the descriptor (O_CLOEXEC); throws std::runtime_error
 * "<what> <path>: <problem>" otherwise.
 */
int open_owner_only(const std::filesystem::path& path, const std::string& what);

//! The whole of such a file, at most \p max_bytes (more is an error).
std::vector<std::uint8_t> read_owner_only(const std::filesystem::path& path,
                                          const std::string& what,
                                          std::size_t max_bytes);

} // namespace fiberkey

#endif
