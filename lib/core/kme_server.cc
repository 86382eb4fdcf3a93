/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/key_files.h>
#include <fiberkey/kme_server.h>
#include <fiberkey/openssl_util.h>
#include <fiberkey/secure_memory.h>

#include <httplib.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>

namespace fiberkey {

namespace {

constexpr const char* json_type = "application/json";
// Key requests and key ID lists are small: 1,024 IDs are about 60 kB.
constexpr std::size_t max_body_bytes = 256 * 1024;
constexpr std::size_t worker_threads = 4;


// Every PEM certificate of a file, at least one.
std::vector<x509_ptr> read_certificates(const std::string& path, const char* what)
{
    bio_ptr bio(BIO_new_file(path.c_str(), "r"));
    if (!bio)
        throw std::runtime_error(std::string("KME: cannot read the ") + what + " " +
                                 path + " (" + openssl_reason() + ")");
    std::vector<x509_ptr> certificates;
    while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr))
        certificates.emplace_back(x);
    ERR_clear_error();
    if (certificates.empty())
        throw std::runtime_error("KME: " + path + " holds no PEM certificate");
    return certificates;
}

// Refuses an encrypted key instead of prompting on the terminal.
int no_passphrase(char*, int, int, void*) { return 0; }

// The CN of the client's certificate when it verified against the CA; empty otherwise.
std::string verified_client(const httplib::Request& req)
{
    if (req.ssl == nullptr || SSL_get_verify_result(req.ssl) != X509_V_OK)
        return {};
    X509* cert = SSL_get0_peer_certificate(req.ssl);
    if (cert == nullptr)
        return {};
    X509_NAME* subject = X509_get_subject_name(cert);
    const int at = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
    if (at < 0 || X509_NAME_get_index_by_NID(subject, NID_commonName, at) >= 0)
        return {}; // none, or more than one
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at));
    unsigned char* utf8 = nullptr;
    const int length = ASN1_STRING_to_UTF8(&utf8, data);
    if (length < 0)
        return {};
    std::string cn(reinterpret_cast<char*>(utf8), std::size_t(length));
    OPENSSL_free(utf8);
    return valid_entity_id(cn) ? cn : std::string();
}

// A query parameter that must be a small non-negative integer.
std::optional<kme_reply>
query_number(const httplib::Request& req, const char* name, std::optional<long long>& out)
{
    if (!req.has_param(name))
        return std::nullopt;
    const std::string text = req.get_param_value(name);
    if (text.empty() || text.size() > 9 ||
        text.find_first_not_of("0123456789") != std::string::npos)
        return kme::error(400, std::string(name) + " must be a positive integer");
    out = std::stoll(text);
    return std::nullopt;
}

void answer(httplib::Response& res, kme_reply reply)
{
    res.status = reply.status;
    if (reply.status != 200) {
        res.set_content(reply.body, json_type);
        return;
    }
    // A Key container: handed to the connection in place and wiped once it is written.
    auto body = std::make_shared<std::string>(std::move(reply.body));
    res.set_content_provider(
        body->size(),
        json_type,
        [body](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
            return sink.write(body->data() + offset, length);
        },
        [body](bool) { secure_wipe(*body); });
}

} // namespace

struct kme_server::impl {
    kme& api;
    std::unique_ptr<httplib::SSLServer> server;
    std::thread thread;
    int port = 0;

    impl(kme& a) : api(a) {}
    void routes(const access_log& log);
};

std::pair<std::string, int> parse_listen_address(const std::string& address)
{
    const auto colon = address.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == address.size())
        throw std::invalid_argument("listen address \"" + address +
                                    "\" must be HOST:PORT (or [IPv6]:PORT)");
    std::string host = address.substr(0, colon);
    const std::string port = address.substr(colon + 1);
    if (host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(port) > 65535 || host.empty())
        throw std::invalid_argument("listen address \"" + address +
                                    "\": the port must be 0..65535");
    return { host, std::stoi(port) };
}

void kme_server::impl::routes(const access_log& log)
{
    const std::string keys = R"(/api/v1/keys/([^/]+)/)";
    server->Get(keys + "status",
                [this](const httplib::Request& req, httplib::Response& res) {
                    answer(res, api.status(verified_client(req), req.matches[1]));
                });
    server->Get(
        keys + "enc_keys", [this](const httplib::Request& req, httplib::Response& res) {
            key_request r;
            const std::string caller = verified_client(req);
            // An unknown client learns nothing, not even that its query was bad.
            std::optional<kme_reply> bad;
            if (!caller.empty()) {
                bad = query_number(req, "number", r.number);
                if (!bad)
                    bad = query_number(req, "size", r.size);
            }
            answer(res,
                   bad ? api.refused(*bad) : api.enc_keys(caller, req.matches[1], r));
        });
    server->Post(
        keys + "enc_keys", [this](const httplib::Request& req, httplib::Response& res) {
            key_request r;
            const std::string caller = verified_client(req);
            // An unknown client learns nothing, not even that its body was bad.
            auto bad =
                caller.empty() ? std::nullopt : kme::parse_key_request(req.body, r);
            answer(res,
                   bad ? api.refused(*bad) : api.enc_keys(caller, req.matches[1], r));
        });
    server->Get(keys + "dec_keys",
                [this](const httplib::Request& req, httplib::Response& res) {
                    std::vector<std::string> ids;
                    if (req.has_param("key_ID"))
                        ids.push_back(req.get_param_value("key_ID"));
                    answer(res, api.dec_keys(verified_client(req), req.matches[1], ids));
                });
    server->Post(
        keys + "dec_keys", [this](const httplib::Request& req, httplib::Response& res) {
            std::vector<std::string> ids;
            const std::string caller = verified_client(req);
            auto bad = caller.empty() ? std::nullopt : kme::parse_key_ids(req.body, ids);
            answer(res,
                   bad ? api.refused(*bad) : api.dec_keys(caller, req.matches[1], ids));
        });
    // Unknown paths and methods, and bodies over the limit, get an Error object too.
    server->set_error_handler([](const httplib::Request&, httplib::Response& res) {
        if (res.body.empty())
            answer(res,
                   kme::error(res.status,
                              res.status == 404 ? "no such method of ETSI GS QKD 014"
                                                : "request refused"));
    });
    // A store that fails (a full disk, an I/O error): the spec's server-side error. The
    // failed operation took nothing (each is one transaction).
    server->set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr e) {
            std::string what = "unknown error";
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& x) {
                what = x.what();
            } catch (...) {
            }
            answer(res, kme::error(503, "the KME failed: " + what));
        });
    if (log)
        server->set_logger(
            [log](const httplib::Request& req, const httplib::Response& res) {
                const std::string caller = verified_client(req);
                log(req.method + " " + req.path + " " + std::to_string(res.status) + " " +
                    (caller.empty() ? "(no verified certificate)" : caller));
            });
}

kme_server::kme_server(
    kme& api, const kme_tls_files& tls, const std::string& host, int port, access_log log)
    : d(std::make_unique<impl>(api))
{
    // Load everything first, so that each failure names its file.
    const auto chain = read_certificates(tls.certificate, "certificate");
    const auto cas = read_certificates(tls.ca, "CA certificate");
    pkey_ptr key;
    {
        auto pem = read_owner_only(tls.private_key, "KME: private key file", 64 * 1024);
        bio_ptr bio(BIO_new_mem_buf(pem.data(), int(pem.size())));
        key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
        secure_wipe(pem);
        if (!key)
            throw std::runtime_error("KME: " + tls.private_key +
                                     " holds no unencrypted PEM private key (" +
                                     openssl_reason() + ")");
    }
    std::string problem;
    d->server = std::make_unique<httplib::SSLServer>([&](SSL_CTX& ctx) {
        SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
        // Resumed sessions keep the verified client's result: without a context a server
        // that asks for certificates refuses every resumption.
        static constexpr unsigned char session_context[] = "fiberkey-kme";
        SSL_CTX_set_session_id_context(&ctx, session_context, sizeof session_context - 1);
        SSL_CTX_set_options(&ctx, SSL_OP_NO_RENEGOTIATION);
        if (SSL_CTX_use_certificate(&ctx, chain.front().get()) != 1 ||
            SSL_CTX_use_PrivateKey(&ctx, key.get()) != 1 ||
            SSL_CTX_check_private_key(&ctx) != 1) {
            problem = tls.private_key + " is not the key of " + tls.certificate + " (" +
                      openssl_reason() + ")";
            return false;
        }
        for (std::size_t i = 1; i < chain.size(); ++i)
            SSL_CTX_add1_chain_cert(&ctx, chain[i].get());
        X509_STORE* store = SSL_CTX_get_cert_store(&ctx);
        for (const auto& ca : cas)
            if (X509_STORE_add_cert(store, ca.get()) != 1 ||
                SSL_CTX_add_client_CA(&ctx, ca.get()) != 1) {
                problem = "cannot use the CA certificate " + tls.ca;
                return false;
            }
        // Ask for a certificate but finish the handshake without one, or with one that
        // fails: the handler then answers 401 in JSON, as the spec has it, instead of a
        // bare TLS alert. Every handler checks the verification result.
        SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 1; });
        return true;
    });
    if (!d->server->is_valid())
        throw std::runtime_error("KME: " +
                                 (problem.empty() ? "TLS setup failed" : problem));
    d->server->set_payload_max_length(max_body_bytes);
    d->server->set_read_timeout(5, 0);
    d->server->set_write_timeout(5, 0);
    d->server->set_keep_alive_max_count(100);
    // Small answers: without it Nagle and the client's delayed ACK add 40 ms to each.
    d->server->set_tcp_nodelay(true);
    d->server->new_task_queue = [] { return new httplib::ThreadPool(worker_threads); };
    d->routes(log);
    if (port == 0)
        d->port = d->server->bind_to_any_port(host);
    else if (d->server->bind_to_port(host, port))
        d->port = port;
    else
        d->port = -1;
    if (d->port <= 0)
        throw std::runtime_error("KME: cannot listen on " + host + ":" +
                                 std::to_string(port) +
                                 " (in use, or not an address of this host)");
}

void kme_server::start()
{
    if (d->thread.joinable())
        return;
    d->thread = std::thread([this] { d->server->listen_after_bind(); });
    // stop() before the loop runs would be lost, and the destructor's join would wait
    // for ever.
    for (int waited = 0; !d->server->is_running() && waited < 5000; ++waited)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

kme_server::~kme_server()
{
    d->server->stop();
    if (d->thread.joinable())
        d->thread.join();
}

int kme_server::port() const { return d->port; }

} // namespace fiberkey
