/* etcd v3 JSON gateway client: endpoints with failover, TLS, auth. */
#include "store/etcd_http.h"
#include "store/store.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Milliseconds: a connect that takes longer than this moves to the next
 * endpoint; a whole request longer than the total is an error. */
#define CONNECT_TIMEOUT_MS 3000L
#define REQUEST_TIMEOUT_MS 15000L

/* gRPC status codes the gateway puts in "code". */
enum {
	GRPC_INVALID_ARGUMENT = 3,
	GRPC_NOT_FOUND = 5,
	GRPC_PERMISSION_DENIED = 7,
	GRPC_FAILED_PRECONDITION = 9,
	GRPC_OUT_OF_RANGE = 11,
	GRPC_UNAVAILABLE = 14,
	GRPC_UNAUTHENTICATED = 16,
};

struct etcd_client {
	char **endpoints;
	size_t n_endpoints, cur;
	char *user, *password;
	char *token;	     /* NULL: not authenticated (yet) */
	bool auth_disabled;  /* the cluster said auth is not enabled */
	char *ca_file, *cert_file, *key_file;
	char *ca_pem, *cert_pem, *key_pem;
	CURL *h; /* reused: keeps the connection alive between calls */
};

struct buf {
	char *data;
	size_t len, cap;
};

static size_t collect(char *ptr, size_t size, size_t n, void *ud)
{
	struct buf *b = ud;
	size_t add = size * n;

	if (b->len + add + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		char *p;

		while (cap < b->len + add + 1)
			cap *= 2;
		if (!(p = realloc(b->data, cap)))
			return 0;
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, ptr, add);
	b->len += add;
	b->data[b->len] = '\0';
	return add;
}

/* ---- base64 and numbers ---- */

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

json_t *etcd_b64(const char *data, size_t n)
{
	char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;
	const unsigned char *p = (const unsigned char *)data;
	json_t *j;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;

		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		*o++ = b64chars[(v >> 18) & 63];
		*o++ = b64chars[(v >> 12) & 63];
		*o++ = i + 1 < n ? b64chars[(v >> 6) & 63] : '=';
		*o++ = i + 2 < n ? b64chars[v & 63] : '=';
	}
	*o = '\0';
	j = json_string(out);
	free(out);
	return j;
}

static int b64val(char c)
{
	const char *p = c ? strchr(b64chars, c) : NULL;

	return p ? (int)(p - b64chars) : -1;
}

char *etcd_unb64(const json_t *v, size_t *len)
{
	const char *s = json_string_value(v);
	size_t n, o = 0;
	unsigned acc = 0;
	int bits = 0;
	char *out;

	if (!s)
		return NULL;
	n = strlen(s);
	if (!(out = malloc(n / 4 * 3 + 4)))
		return NULL;
	for (size_t i = 0; i < n && s[i] != '='; i++) {
		int d = b64val(s[i]);

		if (d < 0) {
			free(out);
			return NULL;
		}
		acc = (acc << 6) | (unsigned)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[o] = '\0';
	if (len)
		*len = o;
	return out;
}

int64_t etcd_int(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_string(v))
		return strtoll(json_string_value(v), NULL, 10);
	return 0;
}

/* ---- setup ---- */

static char *trimmed(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return strndup(s, n);
}

static bool has_tls(const struct etcd_client *c)
{
	return c->ca_file || c->cert_file || c->key_file || c->ca_pem || c->cert_pem ||
	       c->key_pem;
}

static int add_endpoint(struct etcd_client *c, const char *s, size_t n, struct err *e)
{
	char *ep = trimmed(s, n), **grown;

	if (!ep)
		return err_set(e, -ENOMEM, "out of memory");
	if (!*ep) {
		free(ep);
		return 0;
	}
	if (!strstr(ep, "://")) {
		char *full;

		if (asprintf(&full, "%s://%s", has_tls(c) ? "https" : "http", ep) < 0) {
			free(ep);
			return err_set(e, -ENOMEM, "out of memory");
		}
		free(ep);
		ep = full;
	} else if (strncmp(ep, "http://", 7) != 0 && strncmp(ep, "https://", 8) != 0) {
		err_set(e, -EINVAL,
			"etcdEndpoints: invalid endpoint %s: the scheme must be http or https", ep);
		free(ep);
		return -EINVAL;
	}
	/* "http://host:2379/" and "http://host:2379" are the same endpoint. */
	while (strlen(ep) > 8 && ep[strlen(ep) - 1] == '/')
		ep[strlen(ep) - 1] = '\0';
	if (!(grown = realloc(c->endpoints, (c->n_endpoints + 1) * sizeof(*grown)))) {
		free(ep);
		return err_set(e, -ENOMEM, "out of memory");
	}
	c->endpoints = grown;
	c->endpoints[c->n_endpoints++] = ep;
	return 0;
}

static char *opt_dup(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

/* A configured file must be readable now: a typo is reported when the
 * client is made, not as a TLS failure on every endpoint later. */
static int check_file(const char *setting, const char *path, struct err *e)
{
	if (path && access(path, R_OK) < 0)
		return err_set(e, -errno, "%s: cannot read %s: %s", setting, path,
			       strerror(errno));
	return 0;
}

int etcd_client_new(const struct store_config *cfg, struct etcd_client **out, struct err *e)
{
	struct etcd_client *c = calloc(1, sizeof(*c));
	const char *s;
	int rc = 0;

	*out = NULL;
	if (!c)
		return err_set(e, -ENOMEM, "out of memory");
	c->user = opt_dup(cfg->etcd_username);
	c->password = strdup(cfg->etcd_password ? cfg->etcd_password : "");
	c->ca_file = opt_dup(cfg->etcd_ca_cert_file);
	c->cert_file = opt_dup(cfg->etcd_cert_file);
	c->key_file = opt_dup(cfg->etcd_key_file);
	c->ca_pem = opt_dup(cfg->etcd_ca_cert);
	c->cert_pem = opt_dup(cfg->etcd_cert);
	c->key_pem = opt_dup(cfg->etcd_key);
	if (!c->password)
		rc = err_set(e, -ENOMEM, "out of memory");
	if (rc == 0)
		rc = check_file("etcdCACertFile", c->ca_file, e);
	if (rc == 0)
		rc = check_file("etcdCertFile", c->cert_file, e);
	if (rc == 0)
		rc = check_file("etcdKeyFile", c->key_file, e);
	if (rc == 0 && (!!(c->cert_file || c->cert_pem) != !!(c->key_file || c->key_pem)))
		rc = err_set(e, -EINVAL,
			     "etcd client certificate and key must be given together (etcdCertFile "
			     "and etcdKeyFile)");
	if (rc == 0 && cfg->etcd_discovery_srv && *cfg->etcd_discovery_srv &&
	    !(cfg->etcd_endpoints && *cfg->etcd_endpoints))
		rc = err_set(e, -ENOTSUP,
			     "etcdDiscoverySrv %s: DNS SRV discovery is not supported; list the "
			     "members in etcdEndpoints",
			     cfg->etcd_discovery_srv);
	for (s = cfg->etcd_endpoints ? cfg->etcd_endpoints : ""; rc == 0 && *s;) {
		size_t n = strcspn(s, ",");

		rc = add_endpoint(c, s, n, e);
		s += n + (s[n] == ',');
	}
	if (rc == 0 && c->n_endpoints == 0)
		rc = err_set(e, -EINVAL,
			     "no etcd endpoints specified: set etcdEndpoints (ETCD_ENDPOINTS), e.g. "
			     "http://127.0.0.1:2379");
	if (rc == 0)
		rc = curl_dl_load(e);
	if (rc == 0 && !(c->h = curl_dl->easy_init()))
		rc = err_set(e, -ENOMEM, "cannot initialise libcurl");
	if (rc < 0) {
		etcd_client_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void etcd_client_free(struct etcd_client *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_endpoints; i++)
		free(c->endpoints[i]);
	free(c->endpoints);
	free(c->user);
	if (c->password)
		explicit_bzero(c->password, strlen(c->password));
	free(c->password);
	free(c->token);
	free(c->ca_file);
	free(c->cert_file);
	free(c->key_file);
	free(c->ca_pem);
	free(c->cert_pem);
	free(c->key_pem);
	if (c->h)
		curl_dl->easy_cleanup(c->h);
	free(c);
}

const char *etcd_endpoint(const struct etcd_client *c)
{
	return c->endpoints[c->cur];
}

void etcd_failover(struct etcd_client *c)
{
	c->cur = (c->cur + 1) % c->n_endpoints;
}

void etcd_drop_token(struct etcd_client *c)
{
	free(c->token);
	c->token = NULL;
}

static void set_blob(CURL *h, CURLoption opt, const char *pem)
{
	struct curl_blob blob = {(void *)pem, strlen(pem), CURL_BLOB_COPY};

	curl_dl->easy_setopt(h, opt, &blob);
}

static void apply_tls(const struct etcd_client *c, CURL *h)
{
	if (c->ca_file)
		curl_dl->easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
	else if (c->ca_pem)
		set_blob(h, CURLOPT_CAINFO_BLOB, c->ca_pem);
	if (c->cert_file)
		curl_dl->easy_setopt(h, CURLOPT_SSLCERT, c->cert_file);
	else if (c->cert_pem)
		set_blob(h, CURLOPT_SSLCERT_BLOB, c->cert_pem);
	if (c->key_file)
		curl_dl->easy_setopt(h, CURLOPT_SSLKEY, c->key_file);
	else if (c->key_pem)
		set_blob(h, CURLOPT_SSLKEY_BLOB, c->key_pem);
}

/* Options every request shares. */
static int base_setup(struct etcd_client *c, CURL *h, const char *path, const char *body,
		      struct curl_slist **hdrs, struct err *e)
{
	char url[2048], auth[4096];

	snprintf(url, sizeof(url), "%s%s", c->endpoints[c->cur], path);
	*hdrs = curl_dl->slist_append(NULL, "Content-Type: application/json");
	if (*hdrs && c->token) {
		snprintf(auth, sizeof(auth), "Authorization: %s", c->token);
		*hdrs = curl_dl->slist_append(*hdrs, auth);
	}
	if (!*hdrs)
		return err_set(e, -ENOMEM, "out of memory");
	curl_dl->easy_setopt(h, CURLOPT_URL, url);
	curl_dl->easy_setopt(h, CURLOPT_HTTPHEADER, *hdrs);
	curl_dl->easy_setopt(h, CURLOPT_COPYPOSTFIELDS, body);
	curl_dl->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_dl->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
	curl_dl->easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_dl->easy_setopt(h, CURLOPT_TCP_KEEPIDLE, 5L);
	curl_dl->easy_setopt(h, CURLOPT_TCP_KEEPINTVL, 2L);
	apply_tls(c, h);
	return 0;
}

/* One HTTP exchange with the current endpoint. Returns the curl code;
 * *status and *out (parsed JSON, NULL if the body is not JSON) on
 * CURLE_OK. */
static CURLcode post(struct etcd_client *c, const char *path, const char *body, long *status,
		     json_t **out, char *why, struct err *e)
{
	struct curl_slist *hdrs = NULL;
	struct buf b = {0};
	CURLcode cc;

	*out = NULL;
	why[0] = '\0';
	curl_dl->easy_reset(c->h);
	if (base_setup(c, c->h, path, body, &hdrs, e) < 0)
		return CURLE_OUT_OF_MEMORY;
	/* curl's detail ("SSL certificate problem: ...") says more than
	 * its error code's text. */
	curl_dl->easy_setopt(c->h, CURLOPT_ERRORBUFFER, why);
	curl_dl->easy_setopt(c->h, CURLOPT_TIMEOUT_MS, REQUEST_TIMEOUT_MS);
	curl_dl->easy_setopt(c->h, CURLOPT_WRITEFUNCTION, collect);
	curl_dl->easy_setopt(c->h, CURLOPT_WRITEDATA, &b);
	cc = curl_dl->easy_perform(c->h);
	curl_dl->slist_free_all(hdrs);
	if (cc == CURLE_OK) {
		curl_dl->easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, status);
		*out = b.data ? json_loadb(b.data, b.len, 0, NULL) : NULL;
		if (!*out)
			err_set(e, -EIO, "etcd %s%s: HTTP %ld with a body that is not JSON: %.200s",
				c->endpoints[c->cur], path, *status, b.data ? b.data : "");
	}
	curl_dl->easy_setopt(c->h, CURLOPT_ERRORBUFFER, NULL);
	if (cc != CURLE_OK && !why[0])
		snprintf(why, CURL_ERROR_SIZE, "%s", curl_dl->easy_strerror(cc));
	free(b.data);
	return cc;
}

/* Failures where the request cannot have reached etcd: any request may
 * go to the next endpoint. */
static bool connect_failure(CURLcode cc)
{
	return cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST ||
	       cc == CURLE_COULDNT_RESOLVE_PROXY || cc == CURLE_SSL_CONNECT_ERROR ||
	       cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_CERTPROBLEM ||
	       cc == CURLE_SSL_CACERT_BADFILE || cc == CURLE_UNSUPPORTED_PROTOCOL;
}

static const char *gw_message(const json_t *resp)
{
	const char *m = json_string_value(json_object_get(resp, "message"));

	if (!m)
		m = json_string_value(json_object_get(resp, "error"));
	return m ? m : "unknown error";
}

static int authenticate(struct etcd_client *c, struct err *e);

/* Appends "endpoint (reason)" to the list of failures for the final
 * message. */
static void note_failure(char *tried, size_t len, const char *ep, const char *why)
{
	size_t n = strlen(tried);

	snprintf(tried + n, len - n, "%s%s (%s)", n ? ", " : "", ep, why);
}

static int call_once(struct etcd_client *c, const char *path, const char *body, int flags,
		     json_t **resp, struct err *e)
{
	char tried[2048] = "";
	bool reauthed = false;
	size_t attempts = 0;

	while (attempts < c->n_endpoints) {
		const char *ep = c->endpoints[c->cur];
		char why[CURL_ERROR_SIZE];
		long status = 0;
		json_t *r = NULL;
		CURLcode cc = post(c, path, body, &status, &r, why, e);
		int64_t code;

		if (cc == CURLE_OUT_OF_MEMORY)
			return -ENOMEM;
		if (cc != CURLE_OK) {
			note_failure(tried, sizeof(tried), ep, why);
			if (!connect_failure(cc) && !(flags & ETCD_READ))
				return err_set(e, -EIO,
					       "etcd %s: %s (the write may or may not have been "
					       "applied)",
					       ep, why);
			etcd_failover(c);
			attempts++;
			continue;
		}
		if (!r)
			return -EIO;
		if (status == 200 && !json_object_get(r, "error")) {
			*resp = r;
			return 0;
		}
		code = etcd_int(r, "code");
		if (code == GRPC_UNAUTHENTICATED && c->user && !reauthed) {
			/* Token expired (or the member restarted): once more. */
			json_decref(r);
			etcd_drop_token(c);
			reauthed = true;
			if (authenticate(c, e) < 0)
				return -EPERM;
			continue;
		}
		if (code == GRPC_UNAVAILABLE) {
			/* "no leader", "too many requests", a member that is
			 * shutting down: rejected before it was applied. */
			note_failure(tried, sizeof(tried), ep, gw_message(r));
			json_decref(r);
			etcd_failover(c);
			attempts++;
			continue;
		}
		if (code == GRPC_OUT_OF_RANGE && strstr(gw_message(r), "compacted")) {
			err_set(e, STORE_ECOMPACTED, "etcd %s: %s", ep, gw_message(r));
			json_decref(r);
			return STORE_ECOMPACTED;
		}
		if (code == GRPC_PERMISSION_DENIED || code == GRPC_UNAUTHENTICATED ||
		    (code == GRPC_INVALID_ARGUMENT && strstr(gw_message(r), "user name is empty"))) {
			err_set(e, -EPERM, "etcd %s: %s%s", ep, gw_message(r),
				c->user ? "" : " (no etcdUsername is configured)");
			json_decref(r);
			return -EPERM;
		}
		err_set(e, -EIO, "etcd %s: %s", ep, gw_message(r));
		json_decref(r);
		return -EIO;
	}
	return err_set(e, -EIO, "cannot reach the etcd cluster at any endpoint: %s", tried);
}

/* Gets a token for the configured user. Auth disabled on the cluster is
 * not an error: calls go on without a token. */
static int authenticate(struct etcd_client *c, struct err *e)
{
	json_t *req = json_pack("{s:s, s:s}", "name", c->user, "password", c->password);
	char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_t *resp = NULL;
	int rc;

	json_decref(req);
	if (!body)
		return err_set(e, -ENOMEM, "out of memory");
	/* Authenticating is idempotent: any endpoint will do. */
	rc = call_once(c, "/v3/auth/authenticate", body, ETCD_READ, &resp, e);
	explicit_bzero(body, strlen(body));
	free(body);
	if (rc == -EIO && strstr(e->msg, "authentication is not enabled")) {
		c->auth_disabled = true;
		return 0;
	}
	if (rc < 0) {
		if (rc == -EIO && strstr(e->msg, "authentication failed"))
			rc = -EPERM;
		err_prefix(e, "etcd authentication as user %s failed: ", c->user);
		return rc;
	}
	free(c->token);
	c->token = strdup(json_string_value(json_object_get(resp, "token"))
			      ? json_string_value(json_object_get(resp, "token"))
			      : "");
	json_decref(resp);
	return c->token ? 0 : err_set(e, -ENOMEM, "out of memory");
}

static int ensure_token(struct etcd_client *c, struct err *e)
{
	if (!c->user || c->token || c->auth_disabled)
		return 0;
	return authenticate(c, e);
}

int etcd_call(struct etcd_client *c, const char *path, const json_t *req, int flags,
	      json_t **resp, struct err *e)
{
	char *body = json_dumps(req, JSON_COMPACT);
	int rc;

	*resp = NULL;
	if (!body)
		return err_set(e, -ENOMEM, "out of memory");
	rc = ensure_token(c, e);
	if (rc == 0)
		rc = call_once(c, path, body, flags, resp, e);
	free(body);
	return rc;
}

int etcd_stream_setup(struct etcd_client *c, CURL *h, const char *path, const char *body,
		      struct curl_slist **hdrs, struct err *e)
{
	int rc = ensure_token(c, e);

	*hdrs = NULL;
	if (rc < 0)
		return rc;
	return base_setup(c, h, path, body, hdrs, e);
}
