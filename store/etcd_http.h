/* A small etcd v3 client over etcd's HTTP/JSON gateway (libcurl), shared by
 * the etcd backend (etcd_kv.c) and its watch (etcd_watch.c).
 *
 * Endpoints: calicoctl's etcdEndpoints, comma-separated URLs; one without a
 * scheme gets https:// when TLS files are configured, else http://. Calls
 * go to the current endpoint and move on to the next one when it cannot be
 * reached (connection refused, no route, TLS handshake failure, etcd
 * "unavailable"/"no leader"); the endpoint that answered stays current.
 * Writes are retried on another endpoint only when the request cannot
 * have reached etcd (connect-time failures), so a write is never applied
 * twice.
 * TLS: etcdCACertFile / etcdCertFile / etcdKeyFile, or the inline PEM forms
 * etcdCACert / etcdCert / etcdKey (calicoctl.cfg only).
 * Auth: etcdUsername / etcdPassword: POST /v3/auth/authenticate gives a
 * token sent in the Authorization header; when etcd says the token is
 * invalid or expired the client authenticates again and retries once. If
 * the cluster has auth disabled the credentials are not needed and calls
 * go on without a token (as etcd's Go client does). */
#ifndef CALICO_STORE_ETCD_HTTP_H
#define CALICO_STORE_ETCD_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"
#include "store/config.h"
#include "store/curl_dl.h"

struct etcd_client;

/* Checks the settings (endpoints present and well formed, TLS files
 * readable) without connecting; errors name the setting and value. */
int etcd_client_new(const struct store_config *cfg, struct etcd_client **out, struct err *e);
void etcd_client_free(struct etcd_client *c);

enum etcd_call_flags {
	ETCD_READ = 1, /* safe to resend to another endpoint after any failure */
};

/* POSTs req (compact JSON) to path ("/v3/kv/range") and parses the answer
 * into *resp. etcd errors: -EPERM for auth and permission refusals,
 * STORE_ECOMPACTED for a revision etcd has compacted, -EIO otherwise (and
 * when no endpoint answers), with etcd's message and the endpoint. */
int etcd_call(struct etcd_client *c, const char *path, const json_t *req, int flags,
	      json_t **resp, struct err *e);

/* Prepares h for a streaming POST (the watch) to the current endpoint:
 * URL, body, TLS, auth header (authenticating first when needed, which
 * blocks for one request). *hdrs receives the header list to free with
 * curl_dl->slist_free_all after the transfer. */
int etcd_stream_setup(struct etcd_client *c, CURL *h, const char *path, const char *body,
		      struct curl_slist **hdrs, struct err *e);
/* Moves to the next endpoint (after a stream broke). */
void etcd_failover(struct etcd_client *c);
/* Forgets the auth token (etcd said it is invalid); the next call or
 * stream setup authenticates again. */
void etcd_drop_token(struct etcd_client *c);
const char *etcd_endpoint(const struct etcd_client *c);

/* An int64 field of a gateway answer: the gateway writes int64 as JSON
 * strings ("42") and omits zero values, so a missing field is 0. */
int64_t etcd_int(const json_t *obj, const char *key);
/* Base64 (standard alphabet, padded) of n bytes as a new JSON string. */
json_t *etcd_b64(const char *data, size_t n);
/* Decodes a base64 JSON string into a malloc'd NUL-terminated buffer
 * (*len without the NUL); NULL when absent or malformed. */
char *etcd_unb64(const json_t *v, size_t *len);

#endif
