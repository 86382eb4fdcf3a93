/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// The HTTPS transport of a KME (ETSI GS QKD 014 V1.1.1 section 5): TLS 1.2 or later with
// client certificates; a client is the SAE its verified certificate's CN names.
#ifndef FIBERKEY_CORE_KME_SERVER_H
#define FIBERKEY_CORE_KME_SERVER_H

#include <fiberkey/kme.h>

#include <functional>
#include <memory>
#include <string>

namespace fiberkey {

struct kme_tls_files {
    std::string ca;          //!< PEM: the CA that signs the SAEs' certificates
    std::string certificate; //!< PEM: this KME's certificate (chain)
    std::string private_key; //!< PEM: its key, a file only its owner may read
};

class kme_server
{
public:
    //! One line per request: method, path, status, SAE, for the block's log.
    using access_log = std::function<void(const std::string&)>;

    /*!
     * Loads the TLS files and binds \p host : \p port (port 0: a free one, see port());
     * clients wait in the listen queue until start(). Throws std::runtime_error naming
     * the file or address at fault.
     */
    kme_server(kme& api,
               const kme_tls_files& tls,
               const std::string& host,
               int port,
               access_log log = {});
    ~kme_server();
    kme_server(const kme_server&) = delete;
    kme_server& operator=(const kme_server&) = delete;

    //! Serves \p api on its own threads until destroyed.
    void start();
    int port() const;

private:
    struct impl;
    std::unique_ptr<impl> d;
};

//! "HOST:PORT" or "[V6]:PORT" (port 0..65535); throws std::invalid_argument.
std::pair<std::string, int> parse_listen_address(const std::string& address);

} // namespace fiberkey

#endif
