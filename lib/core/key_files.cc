/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/key_files.h>
#include <fiberkey/secure_memory.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace fiberkey {

// A new file in the key's directory (mkostemp: exclusive, mode 0600, never through a
// link), written and synced, then renamed into place: without replace the rename fails
// when the name exists (RENAME_NOREPLACE), with it the name is replaced, a symbolic link
// included, never followed. Whatever fails, the temporary file is removed and the
// destination is as it was.
void write_key_file(const std::filesystem::path& path,
                    std::span<const std::uint8_t> data,
                    bool owner_only,
                    existing_file existing,
                    const std::string& who)
{
    const auto dir = path.has_parent_path() ? path.parent_path() : ".";
    std::string name = ".";
    name.append(path.filename().string()).append(".XXXXXX");
    std::string temp = (dir / name).string();
    const int fd = ::mkostemp(temp.data(), O_CLOEXEC);
    if (fd < 0)
        throw std::system_error(
            errno, std::generic_category(), who + ": creating a file in " + dir.string());
    auto fail = [&](const std::string& action, int error) {
        ::unlink(temp.c_str());
        throw std::system_error(error, std::generic_category(), who + ": " + action);
    };
    if (!owner_only && ::fchmod(fd, 0644) != 0) {
        const int error = errno;
        ::close(fd);
        fail("setting the mode of " + temp, error);
    }
    for (std::size_t done = 0; done < data.size();) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            const int error = n < 0 ? errno : EIO;
            ::close(fd);
            fail("writing " + temp, error);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
        const int error = errno;
        ::close(fd);
        fail("writing " + temp, error);
    }
    if (::close(fd) != 0)
        fail("closing " + temp, errno);
    const bool replace = existing == existing_file::replace;
    int result = ::renameat2(AT_FDCWD,
                             temp.c_str(),
                             AT_FDCWD,
                             path.c_str(),
                             replace ? 0u : unsigned(RENAME_NOREPLACE));
    if (result != 0 && errno == EINVAL && !replace) {
        // A file system without RENAME_NOREPLACE: a hard link fails as well on an
        // existing name (a link included) and is atomic too.
        result = ::link(temp.c_str(), path.c_str());
        if (result == 0)
            ::unlink(temp.c_str());
    }
    if (result != 0) {
        const int error = errno;
        fail(error == EEXIST ? path.string() + " exists (not replaced)"
                             : "renaming " + temp + " to " + path.string(),
             error);
    }
}

int open_owner_only(const std::filesystem::path& path, const std::string& what)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        throw std::runtime_error(what + " " + path.string() +
                                 ": cannot read it: " + std::strerror(errno));
    struct stat st {
    };
    std::string problem;
    if (::fstat(fd, &st) != 0)
        problem = std::string("cannot read it: ") + std::strerror(errno);
    else if (!S_ISREG(st.st_mode))
        problem = "it is not a regular file";
    else if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", unsigned(st.st_mode & 07777));
        problem = std::string("its mode ") + mode +
                  " lets its group or others at it; a secret must be its owner's alone "
                  "(chmod 600 " +
                  path.string() + ")";
    }
    if (!problem.empty()) {
        ::close(fd);
        throw std::runtime_error(what + " " + path.string() + ": " + problem);
    }
    return fd;
}

std::vector<std::uint8_t> read_owner_only(const std::filesystem::path& path,
                                          const std::string& what,
                                          std::size_t max_bytes)
{
    const int fd = open_owner_only(path, what);
    std::vector<std::uint8_t> data(max_bytes + 1);
    std::size_t size = 0;
    while (size < data.size()) {
        const ssize_t n = ::read(fd, data.data() + size, data.size() - size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            const int error = errno;
            ::close(fd);
            secure_wipe(data);
            throw std::runtime_error(what + " " + path.string() +
                                     ": cannot read it: " + std::strerror(error));
        }
        if (n == 0)
            break;
        size += static_cast<std::size_t>(n);
    }
    ::close(fd);
    if (size > max_bytes) {
        secure_wipe(data);
        throw std::runtime_error(what + " " + path.string() + ": longer than " +
                                 std::to_string(max_bytes) + " bytes");
    }
    data.resize(size);
    return data;
}

} // namespace fiberkey
