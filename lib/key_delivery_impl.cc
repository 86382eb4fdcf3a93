/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "key_delivery_impl.h"

#include "blocks_pdu.h"

#include <gnuradio/io_signature.h>

#include <limits>
#include <stdexcept>

namespace gr {
namespace fiberkey {

namespace fk = ::fiberkey;

namespace {
// The KME's notices to its peer (docs/protocol-choices.md, INT streams).
constexpr long notice_stream = 5;

int checked(int value, int low, int high, const char* name)
{
    if (value < low || value > high)
        throw std::invalid_argument(std::string("key_delivery: ") + name + " must be " +
                                    std::to_string(low) + ".." + std::to_string(high) +
                                    ", not " + std::to_string(value));
    return value;
}
} // namespace

key_delivery::sptr key_delivery::make(const std::string& kme_id,
                                      const std::string& peer_kme_id,
                                      const std::string& sae_id,
                                      const std::string& peer_sae_id,
                                      int master_direction,
                                      const std::string& listen_address,
                                      const std::string& ca_file,
                                      const std::string& cert_file,
                                      const std::string& key_file,
                                      const std::string& store_path,
                                      const std::string& kek_file,
                                      int store_capacity,
                                      int key_size,
                                      int max_key_size,
                                      int max_keys_per_request)
{
    fk::kme_config c;
    c.kme_id = kme_id;
    c.peer_kme_id = peer_kme_id;
    c.sae_id = sae_id;
    c.peer_sae_id = peer_sae_id;
    c.master_direction =
        static_cast<uint8_t>(checked(master_direction, 0, 1, "master_direction"));
    c.key_size = static_cast<unsigned>(checked(key_size, 8, 16384, "key_size"));
    c.max_key_size =
        static_cast<unsigned>(checked(max_key_size, 8, 16384, "max_key_size"));
    c.max_keys_per_request = static_cast<unsigned>(
        checked(max_keys_per_request, 1, 1024, "max_keys_per_request"));
    c.min_key_size = std::min(c.min_key_size, c.key_size);
    fk::validate(c);
    fk::key_store::options store;
    store.path = store_path;
    store.kek_path = kek_file;
    store.capacity = static_cast<std::size_t>(
        checked(store_capacity, 1, 10'000'000, "store_capacity"));
    return gnuradio::make_block_sptr<key_delivery_impl>(
        c, listen_address, fk::kme_tls_files{ ca_file, cert_file, key_file }, store);
}

key_delivery_impl::key_delivery_impl(const fk::kme_config& config,
                                     const std::string& listen_address,
                                     const fk::kme_tls_files& tls,
                                     const fk::key_store::options& store)
    : gr::block("key_delivery",
                gr::io_signature::make(0, 0, 0),
                gr::io_signature::make(0, 0, 0)),
      d_send_port(pmt::mp("send")),
      d_stream_key(pmt::mp("stream")),
      d_direction_key(pmt::mp("direction")),
      d_index_key(pmt::mp("key_index")),
      d_id_key(pmt::mp("key_id")),
      d_store(store),
      d_kme(config,
            d_store,
            [this](std::vector<uint8_t> notice) {
                const pmt::pmt_t meta = pmt::dict_add(
                    pmt::make_dict(), d_stream_key, pmt::from_long(notice_stream));
                message_port_pub(
                    d_send_port,
                    pmt::cons(meta, pmt::init_u8vector(notice.size(), notice)));
            }),
      d_tls(tls)
{
    d_inputs.add("keys", [this](const pmt::pmt_t& m) { on_keys(m); });
    d_inputs.add("recv", [this](const pmt::pmt_t& m) { on_recv(m); });
    message_port_register_out(d_send_port);
    const auto [host, port] = fk::parse_listen_address(listen_address);
    d_host = host;
    d_port = port;
    bind();
    d_logger->info("{} serves {} (ETSI GS QKD 014) on https://{}:{}/api/v1/keys/ while "
                   "the flowgraph runs; key store {}",
                   config.kme_id,
                   config.sae_id,
                   host,
                   d_port,
                   store.path);
}

void key_delivery_impl::bind()
{
    d_server = std::make_unique<fk::kme_server>(
        d_kme, d_tls, d_host, d_port, [this](const std::string& line) {
            d_logger->info("{}", line);
        });
    d_port = d_server->port(); // the one taken for port 0, kept for a restart
}

bool key_delivery_impl::start()
{
    if (!d_server)
        bind();
    d_server->start();
    return block::start();
}

bool key_delivery_impl::stop()
{
    d_server.reset();
    return block::stop();
}

// The HTTP threads stop before the KME and the store they use are destroyed.
key_delivery_impl::~key_delivery_impl() { d_server.reset(); }

void key_delivery_impl::on_keys(const pmt::pmt_t& msg)
{
    if (!is_byte_pdu(msg))
        throw message_refused("keys: expected an application key PDU (meta, u8vector)");
    const pmt::pmt_t meta = pmt::car(msg);
    const auto direction = meta_long(meta, d_direction_key);
    const auto index = meta_long(meta, d_index_key);
    const pmt::pmt_t id = pmt::dict_ref(meta, d_id_key, pmt::PMT_NIL);
    if (!direction.ok() || direction.value < 0 || direction.value > 1)
        throw message_refused("keys: meta 'direction' must be 0 or 1");
    if (!index.ok() || index.value < 0 ||
        index.value > std::numeric_limits<uint32_t>::max())
        throw message_refused("keys: meta 'key_index' must be a 32-bit key index");
    const auto uuid =
        pmt::is_symbol(id) ? fk::parse_uuid(pmt::symbol_to_string(id)) : std::nullopt;
    if (!uuid)
        throw message_refused("keys: meta 'key_id' must be a UUID (an application key)");
    size_t length = 0;
    const auto* key = pmt::u8vector_elements(pmt::cdr(msg), length);
    if (length != 32)
        throw message_refused("keys: the key must be 32 bytes");
    d_kme.add_key(*uuid,
                  static_cast<uint8_t>(direction.value),
                  static_cast<uint32_t>(index.value),
                  std::span<const uint8_t, 32>(key, 32));
}

void key_delivery_impl::on_recv(const pmt::pmt_t& msg)
{
    const auto data = int_stream_message(msg, d_stream_key, notice_stream);
    if (!data)
        return; // another user of the channel
    if (!d_kme.on_notice(*data))
        throw message_refused("recv: a malformed key delivery notice");
}

uint64_t key_delivery_impl::keys_available(int direction) const
{
    if (direction < 0 || direction > 1)
        throw std::invalid_argument("key_delivery: direction is 0 (AB) or 1 (BA)");
    return d_kme.keys_available(static_cast<uint8_t>(direction));
}

uint64_t key_delivery_impl::keys_delivered_as_master() const
{
    return d_kme.stats().keys_delivered_as_master;
}

uint64_t key_delivery_impl::keys_delivered_as_slave() const
{
    return d_kme.stats().keys_delivered_as_slave;
}

uint64_t key_delivery_impl::requests() const { return d_kme.stats().requests; }

uint64_t key_delivery_impl::requests_refused() const
{
    return d_kme.stats().requests_refused;
}

uint64_t key_delivery_impl::notices_received() const
{
    return d_kme.stats().notices_received;
}

uint64_t key_delivery_impl::reservations_refused() const
{
    return d_kme.stats().reservations_refused;
}

uint64_t key_delivery_impl::keys_dropped_full() const
{
    return d_kme.store_stats().dropped_full;
}

} // namespace fiberkey
} // namespace gr
