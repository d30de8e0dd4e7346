/*
 * A TFTP transfer's UDP endpoint for the Node event loop, without Node's per-datagram
 * costs (a 64 KiB allocation per receive plus an empty one, an address object and an
 * EventEmitter dispatch per datagram, a JavaScript send path and a syscall per packet).
 *
 * It is plumbing, not protocol: the TFTP state machines stay in TypeScript
 * (src/tftp/sender.ts, transfer.ts). This file only
 *   - owns one unconnected, non-blocking UDP socket bound to an ephemeral port (the
 *     transfer ID), polled by the Node event loop (uv_poll);
 *   - reads with recvmmsg and routes each datagram: a 4-byte ACK from the transfer's
 *     peer → onAck(block, 0) (no Buffer, no address string), anything else from the
 *     peer → onPeer(buffer), anything from elsewhere → onForeign(buffer, address, port);
 *   - in lock-step, answers each expected ACK with the next block of a chain the sender
 *     armed, telling JS in batches (onAck(lastAck, n)): no JS round trip per packet;
 *   - sends a run of DATA packets (header + payload, from the sender's ring) as one UDP
 *     GSO datagram that the kernel splits (one trip down the stack for the run), or with
 *     one sendmmsg where GSO does not apply (a single packet, blocks too large, or a
 *     kernel that refuses UDP_SEGMENT).
 *
 * Loaded by src/tftp/native_endpoint.ts; built by scripts/build_native.mjs (Linux only:
 * recvmmsg/sendmmsg). Without it the server uses node:dgram with the same behaviour.
 */
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

/* Datagrams read per recvmmsg call, and per readable event at most RECV_ROUNDS times. */
#define RECV_BATCH 8
#define RECV_ROUNDS 8
/* Larger than any UDP payload (65,507 over IPv4): nothing is truncated. */
#define RECV_SLOT 65536
#define SEND_BATCH 64
/* Segments per UDP GSO send (the kernel's limit is 64 or more). */
#define GSO_MAX_SEGMENTS 64
#define SOCKET_BUFFER (1 << 20)

typedef struct endpoint endpoint;

/* Per Node environment (thread): receive buffers shared by its endpoints, the list of
 * open endpoints (closed at environment teardown) and the class constructor. */
typedef struct {
  struct mmsghdr msgs[RECV_BATCH];
  struct iovec iov[RECV_BATCH];
  struct sockaddr_storage from[RECV_BATCH];
  uint8_t *bufs;
  endpoint *open;
  /* Endpoints whose uv handle is not closed yet: the environment's teardown waits for
   * them (async cleanup hook), else a close callback could run after Node unloads this
   * library (a terminated worker crashed so). */
  size_t handles;
  napi_async_cleanup_hook_handle teardown; /* set while tearing down */
} env_state;

struct endpoint {
  napi_env env;
  env_state *st;
  uv_poll_t poll;
  int fd;
  int closing;       /* close() called (or wrapper finalized, or env teardown) */
  int handle_closed; /* uv_close callback ran */
  int finalized;     /* JS wrapper collected */
  int env_gone;      /* environment torn down: no N-API calls from the close callback */
  struct sockaddr_storage peer;
  socklen_t peer_len;
  int has_peer;
  int gso_off; /* UDP_SEGMENT refused once: plain sendmmsg from then on */
  /* Lock-step answers (arm): the sender's ring, and a chain "on ACK armed_ack send slot
   * armed_slot, then expect the next ACK and send the next slot", armed_left times. */
  napi_ref ring_refs[2];
  uint8_t *ring_headers;
  uint8_t *ring_payloads;
  uint32_t ring_slots;
  uint32_t ring_blksize;
  int armed;
  uint32_t armed_ack;
  uint32_t armed_slot;
  uint32_t armed_left;
  uint32_t armed_last_len; /* payload bytes of the chain's final block */
  /* Answers sent since JS last heard (reported as onAck(lastAck, fired)); JS hears at
   * least every notify_every answers and every notify_ms (its retransmission timer). */
  uint32_t fired;
  uint32_t fired_ack;
  uint32_t notify_every;
  uint64_t notify_ms;
  uint64_t notified_at;
  uint64_t fired_at; /* loop time of the last answer */
  napi_ref on_ack;     /* (block: number) => void, or NULL: ACKs go to on_peer */
  napi_ref on_peer;    /* (packet: Buffer) => void */
  napi_ref on_foreign; /* (packet: Buffer, address: string, port: number) => void */
  napi_ref on_error;   /* (message: string) => void */
  napi_async_context async;
  endpoint *next;
  endpoint *prev;
};

#define CHECK(env, call)                                                       \
  do {                                                                         \
    if ((call) != napi_ok) {                                                   \
      const napi_extended_error_info *info_;                                   \
      napi_get_last_error_info((env), &info_);                                 \
      bool pending_;                                                           \
      napi_is_exception_pending((env), &pending_);                             \
      if (!pending_)                                                           \
        napi_throw_error((env), NULL,                                          \
                         info_ && info_->error_message ? info_->error_message  \
                                                       : "native call failed"); \
      return NULL;                                                             \
    }                                                                          \
  } while (0)

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char message[256];
  snprintf(message, sizeof message, "%s: %s", what, strerror(err));
  napi_throw_error(env, uv_err_name(-err), message);
  return NULL;
}

/* ---- addresses ---------------------------------------------------------------- */

/* Parses an IP literal (IPv6 may carry "%scope", as node:dgram reports link-local
 * senders) into a sockaddr for `family` (AF_INET or AF_INET6). */
static int parse_address(int family, const char *text, uint16_t port,
                         struct sockaddr_storage *out, socklen_t *len) {
  memset(out, 0, sizeof *out);
  if (family == AF_INET) {
    struct sockaddr_in *a = (struct sockaddr_in *)out;
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    if (inet_pton(AF_INET, text, &a->sin_addr) != 1) return -1;
    *len = sizeof *a;
    return 0;
  }
  struct sockaddr_in6 *a = (struct sockaddr_in6 *)out;
  char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
  if (strlen(text) >= sizeof host) return -1;
  strcpy(host, text);
  char *scope = strchr(host, '%');
  if (scope) {
    *scope++ = '\0';
    char *end;
    unsigned long n = strtoul(scope, &end, 10);
    a->sin6_scope_id = (*scope && !*end) ? (uint32_t)n : if_nametoindex(scope);
    if (a->sin6_scope_id == 0) return -1;
  }
  a->sin6_family = AF_INET6;
  a->sin6_port = htons(port);
  if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1) return -1;
  *len = sizeof *a;
  return 0;
}

static int same_address(const struct sockaddr_storage *a, const struct sockaddr_storage *b) {
  if (a->ss_family != b->ss_family) return 0;
  if (a->ss_family == AF_INET) {
    const struct sockaddr_in *x = (const struct sockaddr_in *)a;
    const struct sockaddr_in *y = (const struct sockaddr_in *)b;
    return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
  }
  if (a->ss_family == AF_INET6) {
    const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)a;
    const struct sockaddr_in6 *y = (const struct sockaddr_in6 *)b;
    return x->sin6_port == y->sin6_port &&
           memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0 &&
           (!IN6_IS_ADDR_LINKLOCAL(&x->sin6_addr) || x->sin6_scope_id == y->sin6_scope_id);
  }
  return 0;
}

/* Formats like node:dgram's rinfo.address (link-local IPv6 gets "%ifname"). */
static void format_address(const struct sockaddr_storage *a, char *out, size_t size,
                           uint16_t *port) {
  out[0] = '\0';
  if (a->ss_family == AF_INET) {
    const struct sockaddr_in *x = (const struct sockaddr_in *)a;
    inet_ntop(AF_INET, &x->sin_addr, out, (socklen_t)size);
    *port = ntohs(x->sin_port);
    return;
  }
  const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)a;
  inet_ntop(AF_INET6, &x->sin6_addr, out, (socklen_t)size);
  *port = ntohs(x->sin6_port);
  if (IN6_IS_ADDR_LINKLOCAL(&x->sin6_addr) && x->sin6_scope_id > 0) {
    char name[IF_NAMESIZE];
    size_t used = strlen(out);
    if (if_indextoname(x->sin6_scope_id, name))
      snprintf(out + used, size - used, "%%%s", name);
    else
      snprintf(out + used, size - used, "%%%u", x->sin6_scope_id);
  }
}

/* ---- lifetime ----------------------------------------------------------------- */

static void unlink_endpoint(endpoint *ep) {
  if (ep->prev) ep->prev->next = ep->next;
  else if (ep->st->open == ep) ep->st->open = ep->next;
  if (ep->next) ep->next->prev = ep->prev;
  ep->next = ep->prev = NULL;
}

static void release_refs(endpoint *ep) {
  napi_env env = ep->env;
  napi_ref *refs[] = {&ep->on_ack,       &ep->on_peer,      &ep->on_foreign,
                      &ep->on_error,     &ep->ring_refs[0], &ep->ring_refs[1]};
  ep->armed = 0;
  for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
    if (*refs[i]) {
      napi_delete_reference(env, *refs[i]);
      *refs[i] = NULL;
    }
  }
}

static void destroy_async(endpoint *ep) {
  if (ep->async) {
    napi_async_destroy(ep->env, ep->async);
    ep->async = NULL;
  }
}

static void finish_teardown(env_state *st) {
  napi_async_cleanup_hook_handle h = st->teardown;
  free(st->bufs);
  free(st);
  napi_remove_async_cleanup_hook(h);
}

static void on_handle_closed(uv_handle_t *handle) {
  endpoint *ep = handle->data;
  env_state *st = ep->st;
  ep->handle_closed = 1;
  /* Not in begin_close: close() usually runs inside one of this endpoint's callbacks,
   * while napi_make_callback still holds the async context. */
  if (!ep->env_gone) destroy_async(ep);
  if (ep->finalized) free(ep);
  if (--st->handles == 0 && st->teardown) finish_teardown(st);
}

/* Stops polling and closes the socket now; frees once the JS wrapper is gone too. The
 * callbacks are released here, so a closed endpoint never keeps its owner alive. */
static void begin_close(endpoint *ep) {
  if (ep->closing) return;
  ep->closing = 1;
  unlink_endpoint(ep);
  /* uv_close stops polling and drops the fd from epoll (and from any batch of events
   * not yet dispatched) before the descriptor is closed and its number can be reused. */
  uv_close((uv_handle_t *)&ep->poll, on_handle_closed);
  if (ep->fd >= 0) {
    close(ep->fd);
    ep->fd = -1;
  }
  release_refs(ep);
}

static void finalize_endpoint(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  endpoint *ep = data;
  ep->finalized = 1;
  if (!ep->closing) begin_close(ep);
  else if (ep->handle_closed) free(ep);
}

/* Environment teardown (process exit, worker termination): closes what is open and
 * lets Node continue once every close callback has run. */
static void env_teardown(napi_async_cleanup_hook_handle handle, void *arg) {
  env_state *st = arg;
  st->teardown = handle;
  while (st->open) {
    endpoint *ep = st->open;
    ep->env_gone = 1;
    begin_close(ep);
    destroy_async(ep);
  }
  if (st->handles == 0) finish_teardown(st);
}

/* ---- receiving ---------------------------------------------------------------- */

static void call_js(endpoint *ep, napi_ref fn_ref, size_t argc, napi_value *argv) {
  napi_env env = ep->env;
  napi_value fn, recv, result;
  if (!fn_ref || napi_get_reference_value(env, fn_ref, &fn) != napi_ok || !fn) return;
  napi_get_global(env, &recv); /* napi_make_callback wants an object receiver */
  if (napi_make_callback(env, ep->async, recv, fn, argc, argv, &result) != napi_ok) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) {
      napi_value error;
      napi_get_and_clear_last_exception(env, &error);
      napi_fatal_exception(env, error);
    }
  }
}

static void report_error(endpoint *ep, const char *what, int err) {
  char message[256];
  snprintf(message, sizeof message, "%s: %s", what, strerror(err));
  napi_value arg;
  if (napi_create_string_utf8(ep->env, message, NAPI_AUTO_LENGTH, &arg) != napi_ok) return;
  call_js(ep, ep->on_error, 1, &arg);
}

/* The two iovecs of the DATA packet in `slot`: its header, then `len` payload bytes. */
static void data_iov(struct iovec iov[2], uint8_t *headers, uint8_t *payloads, uint32_t slot,
                     uint32_t blksize, size_t len) {
  iov[0].iov_base = headers + (size_t)slot * 4;
  iov[0].iov_len = 4;
  iov[1].iov_base = payloads + (size_t)slot * blksize;
  iov[1].iov_len = len;
}

/* The ring's memory is JS-owned: a detached ArrayBuffer (transferred away) would leave
 * stale pointers, so each answer re-reads both buffers and sends only if unchanged. */
static bool ring_still_valid(endpoint *ep) {
  for (int i = 0; i < 2; i++) {
    napi_value v;
    void *data = NULL;
    size_t len = 0;
    if (!ep->ring_refs[i] || napi_get_reference_value(ep->env, ep->ring_refs[i], &v) != napi_ok ||
        !v || napi_get_buffer_info(ep->env, v, &data, &len) != napi_ok)
      return false;
    uint8_t *expected = i == 0 ? ep->ring_headers : ep->ring_payloads;
    size_t need = i == 0 ? (size_t)ep->ring_slots * 4 : (size_t)ep->ring_slots * ep->ring_blksize;
    if (data != expected || len < need) return false;
  }
  return true;
}

/* Reports the answers sent since JS last heard: onAck(last ACK answered, how many). */
static void notify_fired(endpoint *ep) {
  if (ep->fired == 0 || ep->closing) return;
  napi_value argv[2];
  napi_create_uint32(ep->env, ep->fired_ack, &argv[0]);
  napi_create_uint32(ep->env, ep->fired, &argv[1]);
  ep->fired = 0;
  ep->notified_at = uv_now(ep->poll.loop);
  call_js(ep, ep->on_ack, 2, argv);
}

static void dispatch(endpoint *ep, const uint8_t *data, size_t len,
                     const struct sockaddr_storage *from) {
  napi_env env = ep->env;
  if (ep->has_peer && same_address(from, &ep->peer)) {
    if (ep->on_ack && len == 4 && data[0] == 0 && data[1] == 4) {
      uint32_t wire = ((uint32_t)data[2] << 8) | data[3];
      if (ep->armed && wire == ep->armed_ack && !ring_still_valid(ep)) ep->armed = 0;
      if (ep->armed && wire == ep->armed_ack) {
        /* The expected ACK: the next block leaves now; JS hears of it in a batch. A
         * failed send is a lost datagram (the sender's timer resends). */
        uint32_t length = ep->armed_left == 1 ? ep->armed_last_len : ep->ring_blksize;
        struct iovec iov[2];
        data_iov(iov, ep->ring_headers, ep->ring_payloads, ep->armed_slot, ep->ring_blksize,
                 length);
        struct msghdr msg = {.msg_name = &ep->peer,
                             .msg_namelen = ep->peer_len,
                             .msg_iov = iov,
                             .msg_iovlen = 2};
        (void)sendmsg(ep->fd, &msg, MSG_DONTWAIT);
        ep->fired++;
        ep->fired_ack = wire;
        ep->fired_at = uv_now(ep->poll.loop);
        ep->armed_ack = (wire + 1) & 0xffff;
        ep->armed_slot = (ep->armed_slot + 1) % ep->ring_slots;
        if (--ep->armed_left == 0) ep->armed = 0;
        uint64_t now = uv_now(ep->poll.loop);
        if (!ep->armed || ep->fired >= ep->notify_every || now - ep->notified_at >= ep->notify_ms)
          notify_fired(ep);
        return;
      }
      notify_fired(ep); /* JS learns of earlier answers before this ACK */
      if (ep->closing) return;
      napi_value argv[2];
      napi_create_uint32(env, wire, &argv[0]);
      napi_create_uint32(env, 0, &argv[1]);
      call_js(ep, ep->on_ack, 2, argv);
      return;
    }
    notify_fired(ep);
    if (ep->closing) return;
    napi_value buffer;
    void *copy;
    if (napi_create_buffer_copy(env, len, data, &copy, &buffer) != napi_ok) return;
    call_js(ep, ep->on_peer, 1, &buffer);
    return;
  }
  char text[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
  uint16_t port = 0;
  format_address(from, text, sizeof text, &port);
  napi_value argv[3];
  void *copy;
  if (napi_create_buffer_copy(env, len, data, &copy, &argv[0]) != napi_ok) return;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &argv[1]);
  napi_create_uint32(env, port, &argv[2]);
  call_js(ep, ep->on_foreign, 3, argv);
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  (void)events;
  endpoint *ep = handle->data;
  if (ep->closing) return;
  napi_env env = ep->env;
  env_state *st = ep->st;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  if (status < 0) {
    report_error(ep, "poll", -status);
    napi_close_handle_scope(env, scope);
    return;
  }
  for (int round = 0; round < RECV_ROUNDS && !ep->closing; round++) {
    for (int i = 0; i < RECV_BATCH; i++) {
      st->iov[i].iov_base = st->bufs + (size_t)i * RECV_SLOT;
      st->iov[i].iov_len = RECV_SLOT;
      memset(&st->msgs[i].msg_hdr, 0, sizeof st->msgs[i].msg_hdr);
      st->msgs[i].msg_hdr.msg_name = &st->from[i];
      st->msgs[i].msg_hdr.msg_namelen = sizeof st->from[i];
      st->msgs[i].msg_hdr.msg_iov = &st->iov[i];
      st->msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int n = recvmmsg(ep->fd, st->msgs, RECV_BATCH, MSG_DONTWAIT, NULL);
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        report_error(ep, "recvmmsg", errno);
      break;
    }
    /* A callback may close this endpoint or another; the buffers stay valid (they
     * belong to the environment) and a closed endpoint stops dispatching. */
    for (int i = 0; i < n && !ep->closing; i++)
      dispatch(ep, st->bufs + (size_t)i * RECV_SLOT, st->msgs[i].msg_len, &st->from[i]);
    if (n < RECV_BATCH) break;
  }
  napi_close_handle_scope(env, scope);
}

/* ---- JavaScript API ----------------------------------------------------------- */

static endpoint *unwrap(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  napi_value self;
  void *data = NULL;
  if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok) return NULL;
  if (napi_unwrap(env, self, &data) != napi_ok || !data) {
    napi_throw_error(env, NULL, "not an Endpoint");
    return NULL;
  }
  return data;
}

/* Methods without arguments. */
static endpoint *unwrap_self(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  return unwrap(env, info, &argc, NULL);
}

/* argv[0..n) as unsigned 32-bit integers; false if any is not a number. */
static bool get_u32s(napi_env env, const napi_value *argv, size_t n, uint32_t *out) {
  for (size_t i = 0; i < n; i++)
    if (napi_get_value_uint32(env, argv[i], &out[i]) != napi_ok) return false;
  return true;
}

/* A sender's ring as passed from JS: header and payload Buffers. */
typedef struct {
  uint8_t *headers;
  uint8_t *payloads;
  size_t headers_len;
  size_t payloads_len;
} ring_args;

static bool get_ring(napi_env env, const napi_value *argv, ring_args *r) {
  void *h, *p;
  if (napi_get_buffer_info(env, argv[0], &h, &r->headers_len) != napi_ok ||
      napi_get_buffer_info(env, argv[1], &p, &r->payloads_len) != napi_ok)
    return false;
  r->headers = h;
  r->payloads = p;
  return true;
}

/* Whether `slots` headers of 4 bytes and payloads of `blksize` fit the buffers. */
static bool ring_holds(const ring_args *r, uint32_t slots, uint32_t blksize) {
  return slots > 0 && blksize > 0 && (uint64_t)slots * 4 <= r->headers_len &&
         (uint64_t)slots * blksize <= r->payloads_len;
}

static int get_string(napi_env env, napi_value v, char *out, size_t size) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, out, size, &len) != napi_ok) return -1;
  return len + 1 < size ? 0 : -1;
}

static napi_ref optional_function(napi_env env, napi_value v) {
  napi_valuetype type;
  napi_ref ref = NULL;
  if (napi_typeof(env, v, &type) == napi_ok && type == napi_function)
    napi_create_reference(env, v, 1, &ref);
  return ref;
}

/* new Endpoint(family: 4 | 6, bindAddress, onAck | null, onPeer, onForeign, onError) */
static napi_value endpoint_new(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6], self;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  if (argc < 6) {
    napi_throw_type_error(env, NULL, "Endpoint(family, bindAddress, onAck, onPeer, onForeign, onError)");
    return NULL;
  }
  uint32_t fam = 0;
  char bind_text[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
  CHECK(env, napi_get_value_uint32(env, argv[0], &fam));
  if ((fam != 4 && fam != 6) || get_string(env, argv[1], bind_text, sizeof bind_text) != 0) {
    napi_throw_type_error(env, NULL, "family must be 4 or 6 and bindAddress an IP literal");
    return NULL;
  }
  int family = fam == 6 ? AF_INET6 : AF_INET;
  struct sockaddr_storage local;
  socklen_t local_len;
  if (parse_address(family, bind_text, 0, &local, &local_len) != 0) {
    napi_throw_type_error(env, NULL, "bindAddress is not an IP literal of that family");
    return NULL;
  }
  env_state *st = NULL;
  CHECK(env, napi_get_instance_data(env, (void **)&st));
  uv_loop_t *loop;
  CHECK(env, napi_get_uv_event_loop(env, &loop));

  int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket", errno);
  int size = SOCKET_BUFFER;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  if (bind(fd, (struct sockaddr *)&local, local_len) != 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "bind", err);
  }
  struct sockaddr_storage bound;
  socklen_t bound_len = sizeof bound;
  if (getsockname(fd, (struct sockaddr *)&bound, &bound_len) != 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "getsockname", err);
  }
  uint16_t port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&bound)->sin_port
                                          : ((struct sockaddr_in6 *)&bound)->sin6_port);

  endpoint *ep = calloc(1, sizeof *ep);
  if (!ep) {
    close(fd);
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  ep->env = env;
  ep->st = st;
  ep->fd = fd;
  ep->poll.data = ep;
  int r = uv_poll_init(loop, &ep->poll, fd);
  if (r != 0) {
    close(fd);
    free(ep);
    return throw_errno(env, "uv_poll_init", -r);
  }
  st->handles++;
  ep->on_ack = optional_function(env, argv[2]);
  ep->on_peer = optional_function(env, argv[3]);
  ep->on_foreign = optional_function(env, argv[4]);
  ep->on_error = optional_function(env, argv[5]);
  napi_value name;
  napi_create_string_utf8(env, "ProvisioTftpEndpoint", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &ep->async);
  ep->next = st->open;
  if (st->open) st->open->prev = ep;
  st->open = ep;
  if (napi_wrap(env, self, ep, finalize_endpoint, NULL, NULL) != napi_ok) {
    ep->finalized = 1; /* nothing will finalize it: free on close */
    begin_close(ep);
    napi_throw_error(env, NULL, "napi_wrap failed");
    return NULL;
  }
  r = uv_poll_start(&ep->poll, UV_READABLE, on_readable);
  if (r != 0) {
    begin_close(ep);
    return throw_errno(env, "uv_poll_start", -r);
  }
  napi_value port_value;
  napi_create_uint32(env, port, &port_value);
  napi_set_named_property(env, self, "localPort", port_value);
  return self;
}

/* setPeer(address, port): the transfer's client. Returns false for an unusable address. */
static napi_value endpoint_set_peer(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  endpoint *ep = unwrap(env, info, &argc, argv);
  if (!ep) return NULL;
  char text[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
  uint32_t port = 0;
  napi_value result;
  bool ok = argc == 2 && get_string(env, argv[0], text, sizeof text) == 0 &&
            napi_get_value_uint32(env, argv[1], &port) == napi_ok && port > 0 && port < 65536;
  int family = AF_INET;
  if (ok && ep->fd >= 0) {
    struct sockaddr_storage local;
    socklen_t len = sizeof local;
    if (getsockname(ep->fd, (struct sockaddr *)&local, &len) == 0) family = local.ss_family;
    else ok = false;
  }
  ok = ok && parse_address(family, text, (uint16_t)port, &ep->peer, &ep->peer_len) == 0;
  ep->has_peer = ok;
  napi_get_boolean(env, ok, &result);
  return result;
}

static napi_value number(napi_env env, int64_t n) {
  napi_value v;
  napi_create_int64(env, n, &v);
  return v;
}

/* send(packet): one datagram to the peer. Returns bytes sent or -errno (dropped: UDP). */
static napi_value endpoint_send(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  endpoint *ep = unwrap(env, info, &argc, argv);
  if (!ep) return NULL;
  void *data;
  size_t len;
  if (argc < 1 || napi_get_buffer_info(env, argv[0], &data, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "send(packet: Buffer)");
    return NULL;
  }
  if (ep->closing || !ep->has_peer) return number(env, -EBADF);
  ssize_t n = sendto(ep->fd, data, len, MSG_DONTWAIT, (struct sockaddr *)&ep->peer, ep->peer_len);
  return number(env, n < 0 ? -errno : n);
}

/* sendTo(packet, address, port): one datagram elsewhere (ERROR 5 to a stranger). */
static napi_value endpoint_send_to(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  endpoint *ep = unwrap(env, info, &argc, argv);
  if (!ep) return NULL;
  void *data;
  size_t len;
  char text[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
  uint32_t port = 0;
  if (argc < 3 || napi_get_buffer_info(env, argv[0], &data, &len) != napi_ok ||
      get_string(env, argv[1], text, sizeof text) != 0 ||
      napi_get_value_uint32(env, argv[2], &port) != napi_ok || port == 0 || port > 65535) {
    napi_throw_type_error(env, NULL, "sendTo(packet: Buffer, address: string, port: number)");
    return NULL;
  }
  if (ep->closing) return number(env, -EBADF);
  struct sockaddr_storage local, to;
  socklen_t local_len = sizeof local, to_len;
  if (getsockname(ep->fd, (struct sockaddr *)&local, &local_len) != 0) return number(env, -errno);
  if (parse_address(local.ss_family, text, (uint16_t)port, &to, &to_len) != 0)
    return number(env, -EINVAL);
  ssize_t n = sendto(ep->fd, data, len, MSG_DONTWAIT, (struct sockaddr *)&to, to_len);
  return number(env, n < 0 ? -errno : n);
}

/* sendSlots(headers, payloads, first, count, slots, blksize, tail): sends `count` DATA
 * packets to the peer with sendmmsg, packet k being header slot × 4 (4 bytes) followed by
 * payload slot × blksize (blksize bytes, `tail` for the last), slot = (first + k) % slots.
 * Returns how many left; the rest count as lost (the TFTP retransmission timer resends
 * them, as after any UDP loss). */
static napi_value endpoint_send_slots(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  endpoint *ep = unwrap(env, info, &argc, argv);
  if (!ep) return NULL;
  ring_args ring;
  uint32_t a[5];
  if (argc < 7 || !get_ring(env, argv, &ring) || !get_u32s(env, argv + 2, 5, a)) {
    napi_throw_type_error(env, NULL,
                          "sendSlots(headers, payloads, first, count, slots, blksize, tail)");
    return NULL;
  }
  uint32_t first = a[0], count = a[1], slots = a[2], blksize = a[3], tail = a[4];
  uint8_t *headers = ring.headers, *payloads = ring.payloads;
  if (!ring_holds(&ring, slots, blksize) || first >= slots || count > slots || tail > blksize) {
    napi_throw_range_error(env, NULL, "sendSlots: slots outside the ring");
    return NULL;
  }
  if (ep->closing || !ep->has_peer) return number(env, -EBADF);
  uint32_t done = 0;
  /* UDP GSO: the run leaves as one super-datagram of (4 + blksize)-byte segments, split
   * by the kernel after one trip down the stack instead of one per packet. Every segment
   * but the last must be full, which a run is (only the final block is short). */
  while (!ep->gso_off && count - done >= 2) {
    /* At most 64 segments and a 64 KiB super-datagram. */
    uint32_t fit = 65000 / (4 + blksize);
    uint32_t n = count - done;
    if (n > GSO_MAX_SEGMENTS) n = GSO_MAX_SEGMENTS;
    if (n > fit) n = fit;
    if (n < 2) break;
    struct iovec gio[2 * GSO_MAX_SEGMENTS];
    for (uint32_t i = 0; i < n; i++) {
      uint32_t k = done + i;
      uint32_t slot = (first + k) % slots;
      data_iov(&gio[2 * i], headers, payloads, slot, blksize, k == count - 1 ? tail : blksize);
    }
    union {
      char buf[CMSG_SPACE(sizeof(uint16_t))];
      struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof control);
    struct msghdr msg = {
        .msg_name = &ep->peer,
        .msg_namelen = ep->peer_len,
        .msg_iov = gio,
        .msg_iovlen = 2 * n,
        .msg_control = control.buf,
        .msg_controllen = sizeof control.buf,
    };
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_UDP;
    cm->cmsg_type = UDP_SEGMENT;
    cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
    uint16_t segment = (uint16_t)(4 + blksize);
    memcpy(CMSG_DATA(cm), &segment, sizeof segment);
    ssize_t r = sendmsg(ep->fd, &msg, MSG_DONTWAIT);
    if (r >= 0) {
      done += n;
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) return number(env, done);
    /* EINVAL/EIO/ENOPROTOOPT…: segments larger than the route's MTU, or no UDP GSO in
     * this kernel. The block size is fixed for the transfer: stop trying. */
    ep->gso_off = 1;
  }
  struct mmsghdr msgs[SEND_BATCH];
  struct iovec iov[SEND_BATCH][2];
  while (done < count) {
    uint32_t n = count - done < SEND_BATCH ? count - done : SEND_BATCH;
    for (uint32_t i = 0; i < n; i++) {
      uint32_t k = done + i;
      uint32_t slot = (first + k) % slots;
      data_iov(iov[i], headers, payloads, slot, blksize, k == count - 1 ? tail : blksize);
      memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
      msgs[i].msg_hdr.msg_name = &ep->peer;
      msgs[i].msg_hdr.msg_namelen = ep->peer_len;
      msgs[i].msg_hdr.msg_iov = iov[i];
      msgs[i].msg_hdr.msg_iovlen = 2;
    }
    int r = sendmmsg(ep->fd, msgs, n, MSG_DONTWAIT);
    if (r < 0) {
      if (errno == EINTR) continue;
      break;
    }
    done += (uint32_t)r;
    if ((uint32_t)r < n) break;
  }
  return number(env, done);
}

/* setRing(headers, payloads, slots, blksize): the sender's ring, for arm(). */
static napi_value endpoint_set_ring(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  endpoint *ep = unwrap(env, info, &argc, argv);
  if (!ep) return NULL;
  ring_args ring;
  uint32_t a[2];
  if (argc < 4 || !get_ring(env, argv, &ring) || !get_u32s(env, argv + 2, 2, a)) {
    napi_throw_type_error(env, NULL, "setRing(headers, payloads, slots, blksize)");
    return NULL;
  }
  uint32_t slots = a[0], blksize = a[1];
  if (!ring_holds(&ring, slots, blksize)) {
    napi_throw_range_error(env, NULL, "setRing: buffers smaller than slots");
    return NULL;
  }
  if (ep->closing) return NULL;
  ep->armed = 0;
  for (int i = 0; i < 2; i++) {
    if (ep->ring_refs[i]) napi_delete_reference(env, ep->ring_refs[i]);
    ep->ring_refs[i] = NULL;
    if (napi_create_reference(env, argv[i], 1, &ep->ring_refs[i]) != napi_ok) return NULL;
  }
  ep->ring_headers = ring.headers;
  ep->ring_payloads = ring.payloads;
  ep->ring_slots = slots;
  ep->ring_blksize = blksize;
  return NULL;
}

/* arm(wireAck, slot, count, lastLength, notifyEvery, notifyMs): a chain of lock-step
 * answers. When the peer acknowledges wireAck, send DATA from `slot`; then expect
 * wireAck + 1 and send slot + 1; `count` times in all (the last one `lastLength` payload
 * bytes, the others blksize). Each ACK is answered at most once. JavaScript hears
 * onAck(lastAck, n) after every `notifyEvery` answers, after `notifyMs`, when the chain
 * ends, and before any other datagram is delivered. The TFTP sender decides what to arm
 * (transfer.ts: blocks it has read, in the order it would send them); a new arm replaces
 * the chain. Returns false (and keeps the current chain) while answers are unreported. */
static napi_value endpoint_arm(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  endpoint *ep = unwrap(env, info, &argc, argv);
  if (!ep) return NULL;
  uint32_t a[6];
  if (argc < 6 || !get_u32s(env, argv, 6, a)) {
    napi_throw_type_error(env, NULL, "arm(wireAck, slot, count, lastLength, notifyEvery, notifyMs)");
    return NULL;
  }
  uint32_t wire = a[0], slot = a[1], count = a[2], last_len = a[3], every = a[4], ms = a[5];
  if (!ep->ring_refs[0] || wire > 0xffff || slot >= ep->ring_slots || count == 0 ||
      count > ep->ring_slots || last_len > ep->ring_blksize || every == 0 || ms == 0) {
    napi_throw_range_error(env, NULL, "arm: no ring, or a chain outside it");
    return NULL;
  }
  napi_value result;
  if (ep->fired) {
    /* Unreported answers: the caller's view is behind this chain's, and arming from it
     * could answer a stale duplicate ACK. Keep the current chain; the caller hears of
     * the answers (next datagram, drain) and arms again then. */
    napi_get_boolean(env, false, &result);
    return result;
  }
  ep->armed = !ep->closing;
  ep->armed_ack = wire;
  ep->armed_slot = slot;
  ep->armed_left = count;
  ep->armed_last_len = last_len;
  ep->notify_every = every;
  ep->notify_ms = ms;
  ep->notified_at = uv_now(ep->poll.loop);
  napi_get_boolean(env, true, &result);
  return result;
}

/* drain(): answers sent since JS last heard, as (count × 65536 + last ACK answered) ×
 * 65536 + milliseconds since that answer (capped at 65535); 0: none. JS accounts for
 * them before it decides anything on its own (timer, read done), and its retransmission
 * timer then counts from that last answer, not from now. */
static napi_value endpoint_drain(napi_env env, napi_callback_info info) {
  endpoint *ep = unwrap_self(env, info);
  if (!ep) return NULL;
  double result = 0;
  if (ep->fired > 0) {
    uv_update_time(ep->poll.loop);
    uint64_t age = uv_now(ep->poll.loop) - ep->fired_at;
    if (age > 65535) age = 65535;
    result = ((double)ep->fired * 65536 + ep->fired_ack) * 65536 + (double)age;
  }
  ep->fired = 0;
  ep->notified_at = uv_now(ep->poll.loop);
  napi_value v;
  napi_create_double(env, result, &v);
  return v;
}

static napi_value endpoint_disarm(napi_env env, napi_callback_info info) {
  endpoint *ep = unwrap_self(env, info);
  if (!ep) return NULL;
  ep->armed = 0;
  return NULL;
}

static napi_value endpoint_close(napi_env env, napi_callback_info info) {
  endpoint *ep = unwrap_self(env, info);
  if (!ep) return NULL;
  begin_close(ep);
  return NULL;
}

NAPI_MODULE_INIT() {
  env_state *st = calloc(1, sizeof *st);
  if (!st || !(st->bufs = malloc((size_t)RECV_BATCH * RECV_SLOT))) {
    free(st);
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  if (napi_set_instance_data(env, st, NULL, NULL) != napi_ok) return NULL;
  if (napi_add_async_cleanup_hook(env, env_teardown, st, NULL) != napi_ok) return NULL;
  napi_property_descriptor methods[] = {
      {"setPeer", NULL, endpoint_set_peer, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, endpoint_send, NULL, NULL, NULL, napi_default, NULL},
      {"sendTo", NULL, endpoint_send_to, NULL, NULL, NULL, napi_default, NULL},
      {"sendSlots", NULL, endpoint_send_slots, NULL, NULL, NULL, napi_default, NULL},
      {"setRing", NULL, endpoint_set_ring, NULL, NULL, NULL, napi_default, NULL},
      {"arm", NULL, endpoint_arm, NULL, NULL, NULL, napi_default, NULL},
      {"disarm", NULL, endpoint_disarm, NULL, NULL, NULL, napi_default, NULL},
      {"drain", NULL, endpoint_drain, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, endpoint_close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_value ctor;
  if (napi_define_class(env, "Endpoint", NAPI_AUTO_LENGTH, endpoint_new, NULL,
                        sizeof methods / sizeof methods[0], methods, &ctor) != napi_ok)
    return NULL;
  napi_set_named_property(env, exports, "Endpoint", ctor);
  return exports;
}
