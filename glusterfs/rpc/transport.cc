// SPDX-License-Identifier: GPL-3.0-or-later
// tcp and unix stream transports on Boost.Asio.
#include "glusterfs/rpc/transport.h"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <vector>

#include "glusterfs/rpc/asio_await.h"

namespace gf::rpc {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

Status toStatus(const error_code& ec) {
  if (!ec) return {};
  if (ec == asio::error::eof || ec == asio::error::connection_reset ||
      ec == asio::error::broken_pipe || ec == asio::error::operation_aborted)
    return fail(ENOTCONN);
  return fail(ec.category() == boost::system::system_category() ? ec.value() : EIO);
}

template <class Socket>
class SocketStream : public Stream {
 public:
  SocketStream(Socket s, std::string peerAddr, std::string desc)
      : socket_(std::move(s)), peer_(std::move(peerAddr)), desc_(std::move(desc)) {}
  ~SocketStream() override {
    error_code ignored;
    socket_.shutdown(Socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  Task<Status> readExact(char* buf, size_t n) override {
    auto [ec, got] = co_await asioOp<size_t>(
        [&](auto h) { asio::async_read(socket_, asio::buffer(buf, n), std::move(h)); });
    (void)got;
    co_return toStatus(ec);
  }

  Task<Result<size_t>> readSome(char* buf, size_t n) override {
    auto [ec, got] = co_await asioOp<size_t>(
        [&](auto h) { socket_.async_read_some(asio::buffer(buf, n), std::move(h)); });
    if (ec) co_return fail(toStatus(ec).error());
    co_return got;
  }

  Task<Status> writeAll(std::span<const iovec> bufs) override {
    std::vector<asio::const_buffer> v;
    v.reserve(bufs.size());
    for (const auto& b : bufs) v.emplace_back(b.iov_base, b.iov_len);
    auto [ec, n] = co_await asioOp<size_t>(
        [&](auto h) { asio::async_write(socket_, v, std::move(h)); });
    (void)n;
    co_return toStatus(ec);
  }

  // Any thread may call this while another starts a read or write: shutdown(2) wakes pending
  // operations (they end with EOF or EPIPE) and leaves Asio's per-socket state alone; the
  // descriptor itself is closed by the destructor, once nothing can use the socket any more.
  void close() override {
    error_code ignored;
    socket_.shutdown(Socket::shutdown_both, ignored);
  }
  const std::string& peerAddress() const override { return peer_; }
  const std::string& describe() const override { return desc_; }

 private:
  Socket socket_;
  std::string peer_, desc_;
};

using TcpStream = SocketStream<asio::ip::tcp::socket>;
using UnixStream = SocketStream<asio::local::stream_protocol::socket>;

std::unique_ptr<Stream> wrapTcp(asio::ip::tcp::socket s) {
  error_code ec;
  s.set_option(asio::ip::tcp::no_delay(true), ec);
  auto ep = s.remote_endpoint(ec);
  std::string addr = ec ? "?" : ep.address().to_string();
  // IPv4 clients of a dual-stack listener appear as ::ffff:a.b.c.d; auth rules name a.b.c.d.
  if (!ec && ep.address().is_v6() && ep.address().to_v6().is_v4_mapped())
    addr = asio::ip::make_address_v4(asio::ip::v4_mapped, ep.address().to_v6()).to_string();
  std::string desc = ec ? "?" : addr + ":" + std::to_string(ep.port());
  return std::make_unique<TcpStream>(std::move(s), addr, desc);
}

template <class Acceptor, class Wrap>
class SocketListener : public Listener {
 public:
  SocketListener(Acceptor a, std::string desc, Wrap wrap)
      : acceptor_(std::move(a)), desc_(std::move(desc)), wrap_(wrap) {}
  Task<Result<std::unique_ptr<Stream>>> accept() override {
    auto [ec, sock] = co_await asioOp<typename Acceptor::protocol_type::socket>(
        [&](auto h) { acceptor_.async_accept(std::move(h)); });
    if (ec) co_return fail(toStatus(ec).error());
    co_return wrap_(std::move(sock));
  }
  void close() override {
    error_code ignored;
    acceptor_.close(ignored);
  }
  const std::string& describe() const override { return desc_; }

 private:
  Acceptor acceptor_;
  std::string desc_;
  Wrap wrap_;
};

}  // namespace

bool transportSupported(const std::string& type, std::string* why) {
  if (type == "tcp" || type == "socket" || type == "unix") return true;
  if (why) {
    if (type == "ib-verbs")
      *why = "transport-type ib-verbs is not available in this build (no RDMA transport); use tcp";
    else
      *why = "unknown transport-type '" + type + "' (tcp, unix)";
  }
  return false;
}

Task<Result<std::unique_ptr<Stream>>> connectStream(EventLoop& loop, TransportConfig cfg,
                                                     std::string* why) {
  if (!transportSupported(cfg.type, why)) co_return fail(EPROTONOSUPPORT);
  if (cfg.type == "unix") {
    asio::local::stream_protocol::socket s(loop.io());
    asio::local::stream_protocol::endpoint ep(cfg.path);
    auto ec = co_await asioOp([&](auto h) { s.async_connect(ep, std::move(h)); });
    if (ec) {
      if (why) *why = "cannot connect to " + cfg.path + ": " + ec.message();
      co_return fail(toStatus(ec).error());
    }
    co_return std::make_unique<UnixStream>(std::move(s), "unix", "unix:" + cfg.path);
  }
  asio::ip::tcp::resolver resolver(loop.io());
  auto [rec, results] = co_await asioOp<asio::ip::tcp::resolver::results_type>([&](auto h) {
    resolver.async_resolve(cfg.host, std::to_string(cfg.port), std::move(h));
  });
  if (rec) {
    if (why) *why = "cannot resolve " + cfg.host + ": " + rec.message();
    co_return fail(EHOSTUNREACH);
  }
  // Try every address the name has, in order.
  error_code last;
  for (const auto& entry : results) {
    asio::ip::tcp::socket s(loop.io());
    auto ec = co_await asioOp([&](auto h) { s.async_connect(entry.endpoint(), std::move(h)); });
    if (!ec) co_return wrapTcp(std::move(s));
    last = ec;
  }
  if (why)
    *why = "cannot connect to " + cfg.host + ":" + std::to_string(cfg.port) + ": " +
           (last ? last.message() : std::string("no address"));
  co_return fail(last ? toStatus(last).error() : std::error_code(EHOSTUNREACH, std::generic_category()));
}

Result<std::unique_ptr<Listener>> listenStream(EventLoop& loop, const TransportConfig& cfg,
                                               std::string* why) {
  if (!transportSupported(cfg.type, why)) return fail(EPROTONOSUPPORT);
  error_code ec;
  if (cfg.type == "unix") {
    ::unlink(cfg.path.c_str());  // a stale socket from a previous run
    asio::local::stream_protocol::acceptor a(loop.io());
    asio::local::stream_protocol::endpoint ep(cfg.path);
    a.open(ep.protocol(), ec);
    if (!ec) a.bind(ep, ec);
    if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      if (why) *why = "cannot listen on " + cfg.path + ": " + ec.message();
      return fail(toStatus(ec).error());
    }
    auto wrap = [path = cfg.path](asio::local::stream_protocol::socket s) -> std::unique_ptr<Stream> {
      return std::make_unique<UnixStream>(std::move(s), "unix", "unix:" + path);
    };
    return std::unique_ptr<Listener>(
        new SocketListener<asio::local::stream_protocol::acceptor, decltype(wrap)>(
            std::move(a), "unix:" + cfg.path, wrap));
  }
  asio::ip::address addr = cfg.bindAddress.empty() ? asio::ip::address(asio::ip::address_v6::any())
                                                   : asio::ip::make_address(cfg.bindAddress, ec);
  if (ec) {
    if (why) *why = "invalid bind-address '" + cfg.bindAddress + "': " + ec.message();
    return fail(EINVAL);
  }
  asio::ip::tcp::endpoint ep(addr, cfg.port);
  asio::ip::tcp::acceptor a(loop.io());
  a.open(ep.protocol(), ec);
  if (!ec && addr.is_v6() && cfg.bindAddress.empty()) a.set_option(asio::ip::v6_only(false), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    if (why)
      *why = "cannot listen on " + (cfg.bindAddress.empty() ? std::string("*") : cfg.bindAddress) +
             ":" + std::to_string(cfg.port) + ": " + ec.message();
    return fail(toStatus(ec).error());
  }
  auto wrap = [](asio::ip::tcp::socket s) { return wrapTcp(std::move(s)); };
  std::string desc = (cfg.bindAddress.empty() ? std::string("*") : cfg.bindAddress) + ":" +
                     std::to_string(cfg.port);
  return std::unique_ptr<Listener>(
      new SocketListener<asio::ip::tcp::acceptor, decltype(wrap)>(std::move(a), desc, wrap));
}

}  // namespace gf::rpc
