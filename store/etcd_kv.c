/* The etcd v3 datastore backend: store.h over etcd's JSON gateway.
 *
 * Every write is a transaction whose compare repeats the check the write
 * was made under: create compares create_revision == 0 (the key is
 * absent), update and delete compare the mod_revision read just before
 * (so a concurrent writer makes the transaction fail instead of being
 * overwritten). Writes are queued and sent by flush(): at once outside a
 * batch, in transactions of up to STORE_ETCD_TXN_OPS writes inside one
 * (see store.h for what a batch guarantees on etcd). */
#include "store/etcd_kv.h"
#include "store/store_int.h"
#include "lib/jsonfast.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Kinds and their etcd directory names (libcalico-go's plurals). */
static const struct {
	const char *kind, *plural;
} kinds[] = {
    {"BGPConfiguration", "bgpconfigurations"},
    {"BGPPeer", "bgppeers"},
    {"CalicoNodeStatus", "caliconodestatuses"},
    {"ClusterInformation", "clusterinformations"},
    {"IPPool", "ippools"},
    {"Node", "nodes"},
};
#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))

#define CMP_EXISTS (-1)

/* One queued write. */
struct op {
	char *key;
	char *kind, *name;
	json_t *obj;	 /* the caller's object (a reference), NULL for a delete */
	char *value;	 /* stored text for a put */
	int64_t cmp_mod; /* 0: compare create_revision == 0 (absent); CMP_EXISTS:
			  * create_revision > 0; else mod_revision == cmp_mod */
};

struct etcd_store {
	struct store base; /* first: store.c sees this */
	struct etcd_client *cl;
	bool batch;
	struct op *ops;
	size_t n_ops, cap_ops;
	size_t queued_bytes; /* keys and values queued, for etcd's request size cap */
	/* Inside a batch: kind -> {name: true} of the resources that exist
	 * (read once per kind, kept up to date with the batch's own creates
	 * and deletes), so that a create costs no read of its own. A create
	 * racing another writer is still caught by its transaction's
	 * compare. NULL outside a batch or after a failed transaction. */
	json_t *names;
	/* Inside a batch: key -> the resource as last read, so that the
	 * get-then-update of apply/replace reads once (the transaction's
	 * mod_revision compare still catches another writer). A write drops
	 * its key. NULL outside a batch. */
	json_t *seen;
	unsigned batch_reads; /* reads in this batch; at BATCH_PREFETCH the
			       * whole kind is read at once */
};

/* A batch that reads this many resources one by one (apply or replace of
 * a file) reads the rest of their kind in one range instead. */
#define BATCH_PREFETCH 16

/* etcd refuses requests over --max-request-bytes (1.5 MiB by default);
 * base64 makes a value 4/3 its size, so a batch's transaction is sent
 * before its keys and values pass 1 MiB. */
#define TXN_MAX_BYTES (1u << 20)

static struct etcd_store *es(struct store *st)
{
	return (struct etcd_store *)st;
}

struct etcd_client *etcd_store_client(struct store *st)
{
	return es(st)->cl;
}

/* ---- keys ---- */

char *etcd_key(const char *kind, const char *name)
{
	char plural[128], *key;
	size_t n = 0;

	for (size_t i = 0; i < N_KINDS; i++)
		if (strcmp(kinds[i].kind, kind) == 0)
			n = (size_t)snprintf(plural, sizeof(plural), "%s", kinds[i].plural);
	if (!n) {
		/* A kind this table does not know: libcalico-go's rule. */
		for (; kind[n] && n < sizeof(plural) - 3; n++)
			plural[n] = (char)tolower((unsigned char)kind[n]);
		plural[n] = '\0';
		strcat(plural, n && plural[n - 1] == 's' ? "es" : "s");
	}
	if (asprintf(&key, ETCD_RESOURCE_ROOT "%s/%s", plural, name ? name : "") < 0)
		return NULL;
	return key;
}

json_t *etcd_prefix_end(const char *prefix)
{
	size_t n = strlen(prefix);
	char *end = strdup(prefix);
	json_t *j;

	if (!end)
		return NULL;
	/* Increment the last byte that is not 0xff; drop the ones after. */
	while (n > 0 && (unsigned char)end[n - 1] == 0xff)
		n--;
	if (n == 0) {
		free(end);
		return etcd_b64("\0", 1); /* every key */
	}
	end[n - 1] = (char)((unsigned char)end[n - 1] + 1);
	j = etcd_b64(end, n);
	free(end);
	return j;
}

bool etcd_key_parse(const char *key, const char **kind, const char **name)
{
	size_t root = strlen(ETCD_RESOURCE_ROOT);
	const char *rest, *slash;

	if (strncmp(key, ETCD_RESOURCE_ROOT, root) != 0)
		return false;
	rest = key + root;
	slash = strchr(rest, '/');
	if (!slash || !slash[1] || strchr(slash + 1, '/'))
		return false;
	for (size_t i = 0; i < N_KINDS; i++)
		if (strlen(kinds[i].plural) == (size_t)(slash - rest) &&
		    strncmp(kinds[i].plural, rest, (size_t)(slash - rest)) == 0) {
			*kind = kinds[i].kind;
			*name = slash + 1;
			return true;
		}
	return false;
}

json_t *etcd_change(const char *key, bool deleted, int64_t revision)
{
	const char *kind, *name;

	if (!etcd_key_parse(key, &kind, &name))
		return NULL;
	return json_pack("{s:s, s:s, s:s, s:I}", "type", deleted ? "delete" : "put", "kind", kind,
			 "name", name, "revision", (json_int_t)revision);
}

/* ---- reading ---- */

static int oom(struct err *e)
{
	return err_set(e, -ENOMEM, "out of memory talking to etcd");
}

/* A kv of a range answer as a resource with its resourceVersion. */
static int kv_object(const json_t *kv, json_t **out, struct err *e)
{
	struct err perr = {"not base64"};
	size_t len = 0;
	char *key = etcd_unb64(json_object_get(kv, "key"), NULL);
	char *text = etcd_unb64(json_object_get(kv, "value"), &len);
	json_t *obj = text ? json_fast_parse(text, len, &perr) : NULL;
	int rc = 0;

	if (!obj || !json_is_object(obj) || !json_is_object(json_object_get(obj, "metadata")))
		rc = err_set(e, -EIO, "etcd holds a damaged resource at %s: %s",
			     key ? key : "(bad key)", obj ? "not a resource object" : perr.msg);
	else if (store_set_revision(obj, etcd_int(kv, "mod_revision"), false) < 0)
		rc = oom(e);
	free(key);
	free(text);
	if (rc < 0) {
		json_decref(obj);
		return rc;
	}
	*out = obj;
	return 0;
}

/* Range over [key, range_end) (range_end NULL: the one key). */
static int range(struct etcd_store *st, const char *key, json_t *range_end, json_t **resp,
		 struct err *e)
{
	json_t *req = json_pack("{s:o}", "key", etcd_b64(key, strlen(key)));
	int rc;

	if (!req) {
		json_decref(range_end);
		return oom(e);
	}
	if (range_end)
		json_object_set_new(req, "range_end", range_end);
	rc = etcd_call(st->cl, "/v3/kv/range", req, ETCD_READ, resp, e);
	json_decref(req);
	return rc;
}

/* The stored resource at key: 0 with *out, or -ENOENT. */
static int lookup(struct etcd_store *st, const char *kind, const char *name, json_t **out,
		  struct err *e)
{
	char *key = etcd_key(kind, name);
	json_t *resp = NULL, *kv;
	int rc;

	*out = NULL;
	if (!key)
		return oom(e);
	rc = range(st, key, NULL, &resp, e);
	free(key);
	if (rc < 0)
		return rc;
	kv = json_array_get(json_object_get(resp, "kvs"), 0);
	rc = kv ? kv_object(kv, out, e) : store_err_not_found(kind, name, e);
	json_decref(resp);
	return rc;
}

/* Forgets what a batch learnt about the datastore. */
static void forget_batch_reads(struct etcd_store *st)
{
	st->batch_reads = 0;
	json_decref(st->names);
	st->names = NULL;
	json_decref(st->seen);
	st->seen = NULL;
}

/* ---- the write queue ---- */

static void op_free(struct op *op)
{
	free(op->key);
	free(op->kind);
	free(op->name);
	free(op->value);
	json_decref(op->obj);
}

static void drop_queue(struct etcd_store *st)
{
	for (size_t i = 0; i < st->n_ops; i++)
		op_free(&st->ops[i]);
	st->n_ops = 0;
	st->queued_bytes = 0;
}

static bool queued(const struct etcd_store *st, const char *prefix, bool exact)
{
	for (size_t i = 0; i < st->n_ops; i++)
		if (exact ? strcmp(st->ops[i].key, prefix) == 0
			  : strncmp(st->ops[i].key, prefix, strlen(prefix)) == 0)
			return true;
	return false;
}

static json_t *compare_of(const struct op *op)
{
	json_t *key = etcd_b64(op->key, strlen(op->key));
	char rev[32];

	snprintf(rev, sizeof(rev), "%lld", (long long)op->cmp_mod);
	if (op->cmp_mod == CMP_EXISTS)
		return json_pack("{s:o, s:s, s:s, s:s}", "key", key, "target", "CREATE", "result",
				 "GREATER", "create_revision", "0");
	if (op->cmp_mod == 0)
		return json_pack("{s:o, s:s, s:s, s:s}", "key", key, "target", "CREATE", "result",
				 "EQUAL", "create_revision", "0");
	return json_pack("{s:o, s:s, s:s, s:s}", "key", key, "target", "MOD", "result", "EQUAL",
			 "mod_revision", rev);
}

static json_t *request_of(const struct op *op)
{
	json_t *key = etcd_b64(op->key, strlen(op->key));

	if (!op->obj)
		return json_pack("{s:{s:o}}", "request_delete_range", "key", key);
	return json_pack("{s:{s:o, s:o}}", "request_put", "key", key, "value",
			 etcd_b64(op->value, strlen(op->value)));
}

/* After a failed transaction: which write's check no longer holds, from
 * the failure branch's reads (one per write, in order). */
static int explain_failure(struct etcd_store *st, const json_t *resp, struct err *e)
{
	const json_t *answers = json_object_get(resp, "responses");

	for (size_t i = 0; i < st->n_ops; i++) {
		const struct op *op = &st->ops[i];
		const json_t *kv = json_array_get(
		    json_object_get(json_object_get(json_array_get(answers, i), "response_range"),
				    "kvs"),
		    0);

		if (op->cmp_mod == 0 && kv)
			return store_err_exists(op->kind, op->name, e);
		if (op->cmp_mod != 0 && !kv)
			return store_err_not_found(op->kind, op->name, e);
		if (op->cmp_mod > 0 && etcd_int(kv, "mod_revision") != op->cmp_mod)
			return store_err_conflict(op->kind, op->name, e);
	}
	/* Every key is as expected again (it changed and changed back). */
	return store_err_conflict(st->ops[0].kind, st->ops[0].name, e);
}

/* Sends the queued writes as one transaction. On success every written
 * object gets the transaction's revision as its resourceVersion. The queue
 * is empty afterwards either way. */
static int flush(struct etcd_store *st, struct err *e)
{
	json_t *cmp = json_array(), *succ = json_array(), *fail = json_array(), *req, *resp = NULL;
	int64_t rev;
	int rc = 0;

	if (st->n_ops == 0 || !cmp || !succ || !fail) {
		json_decref(cmp);
		json_decref(succ);
		json_decref(fail);
		return st->n_ops == 0 ? 0 : oom(e);
	}
	for (size_t i = 0; i < st->n_ops && rc == 0; i++) {
		const struct op *op = &st->ops[i];

		if (json_array_append_new(cmp, compare_of(op)) < 0 ||
		    json_array_append_new(succ, request_of(op)) < 0 ||
		    json_array_append_new(fail, json_pack("{s:{s:o}}", "request_range", "key",
							  etcd_b64(op->key, strlen(op->key)))) <
			0)
			rc = oom(e);
	}
	req = rc == 0 ? json_pack("{s:o, s:o, s:o}", "compare", cmp, "success", succ, "failure",
				  fail)
		      : NULL;
	if (rc < 0 || !req) {
		if (!req && rc == 0) {
			json_decref(cmp);
			json_decref(succ);
			json_decref(fail);
		}
		drop_queue(st);
		return rc < 0 ? rc : oom(e);
	}
	rc = etcd_call(st->cl, "/v3/kv/txn", req, 0, &resp, e);
	json_decref(req);
	if (rc == 0 && !json_is_true(json_object_get(resp, "succeeded")))
		rc = explain_failure(st, resp, e);
	if (rc < 0)
		forget_batch_reads(st); /* what exists is no longer known */
	rev = etcd_int(json_object_get(resp, "header"), "revision");
	for (size_t i = 0; rc == 0 && i < st->n_ops; i++)
		if (st->ops[i].obj && store_set_revision(st->ops[i].obj, rev, true) < 0)
			rc = oom(e);
	json_decref(resp);
	drop_queue(st);
	return rc;
}

/* Queues a write (taking a reference to obj) and sends it unless a batch
 * is open and not full yet. */
static int enqueue(struct etcd_store *st, const char *kind, const char *name, json_t *obj,
		   int64_t cmp_mod, struct err *e)
{
	struct op op = {0};

	if (st->n_ops == st->cap_ops) {
		size_t cap = st->cap_ops ? st->cap_ops * 2 : 16;
		struct op *p = realloc(st->ops, cap * sizeof(*p));

		if (!p)
			return oom(e);
		st->ops = p;
		st->cap_ops = cap;
	}
	op.key = etcd_key(kind, name);
	op.kind = strdup(kind);
	op.name = strdup(name);
	op.cmp_mod = cmp_mod;
	if (obj) {
		op.value = store_stored_text(obj);
		op.obj = json_incref(obj);
	}
	if (!op.key || !op.kind || !op.name || (obj && !op.value)) {
		op_free(&op);
		return oom(e);
	}
	st->ops[st->n_ops++] = op;
	if (st->seen)
		json_object_del(st->seen, op.key);
	st->queued_bytes += strlen(op.key) + (op.value ? strlen(op.value) : 0);
	if (st->batch && st->n_ops < STORE_ETCD_TXN_OPS && st->queued_bytes < TXN_MAX_BYTES)
		return 0;
	return flush(st, e);
}

/* A read or write of key inside a batch first sends what is queued for
 * it, so that the batch sees its own writes. */
static int settle(struct etcd_store *st, const char *key, bool exact, struct err *e)
{
	return queued(st, key, exact) ? flush(st, e) : 0;
}

static int settle_resource(struct etcd_store *st, const char *kind, const char *name,
			   struct err *e)
{
	char *key = etcd_key(kind, name);
	int rc;

	if (!key)
		return oom(e);
	rc = settle(st, key, true, e);
	free(key);
	return rc;
}

/* ---- the interface ---- */

/* Reads which resources of kind exist into st->names (and, with values,
 * every one of them into st->seen), for a batch. */
static int load_kind(struct etcd_store *st, const char *kind, bool values, struct err *e)
{
	char *prefix;
	json_t *req, *resp = NULL, *kv, *names;
	size_t i, root;
	int rc;

	if (!st->names && !(st->names = json_object()))
		return oom(e);
	if (values && !st->seen && !(st->seen = json_object()))
		return oom(e);
	if (!(prefix = etcd_key(kind, NULL)))
		return oom(e);
	/* The read must see the batch's queued writes of this kind. */
	if ((rc = settle(st, prefix, false, e)) < 0) {
		free(prefix);
		return rc;
	}
	root = strlen(prefix);
	req = json_pack("{s:o, s:o, s:b}", "key", etcd_b64(prefix, root), "range_end",
			etcd_prefix_end(prefix), "keys_only", !values);
	free(prefix);
	if (!req)
		return oom(e);
	rc = etcd_call(st->cl, "/v3/kv/range", req, ETCD_READ, &resp, e);
	json_decref(req);
	if (rc < 0)
		return rc;
	if (!(names = json_object())) {
		json_decref(resp);
		return oom(e);
	}
	json_array_foreach(json_object_get(resp, "kvs"), i, kv)
	{
		char *key = etcd_unb64(json_object_get(kv, "key"), NULL);
		json_t *obj = NULL;

		if (!key || json_object_set_new(names, key + root, json_true()) < 0)
			rc = oom(e);
		else if (values && (rc = kv_object(kv, &obj, e)) == 0 &&
			 json_object_set_new(st->seen, key, obj) < 0)
			rc = oom(e);
		free(key);
		if (rc < 0)
			break;
	}
	json_decref(resp);
	if (rc == 0 && json_object_set_new(st->names, kind, names) < 0)
		rc = oom(e);
	else if (rc < 0)
		json_decref(names);
	return rc;
}

/* The names of kind that exist, for a batch (see struct etcd_store). */
static int known_names(struct etcd_store *st, const char *kind, json_t **set, struct err *e)
{
	int rc = 0;

	*set = st->names ? json_object_get(st->names, kind) : NULL;
	if (!*set && (rc = load_kind(st, kind, false, e)) == 0)
		*set = json_object_get(st->names, kind);
	return rc;
}

/* Inside a batch: does (kind, name) exist? One read per kind. */
static int exists_in_batch(struct etcd_store *st, const char *kind, const char *name,
			   bool *exists, struct err *e)
{
	json_t *set = NULL;
	int rc = known_names(st, kind, &set, e);

	*exists = rc == 0 && json_object_get(set, name);
	return rc;
}

static void note_existence(struct etcd_store *st, const char *kind, const char *name, bool exists)
{
	json_t *set = st->names ? json_object_get(st->names, kind) : NULL;

	if (!set)
		return;
	if (exists)
		json_object_set_new(set, name, json_true());
	else
		json_object_del(set, name);
}

/* lookup() inside a batch answers from what the batch already read. */
static int batch_lookup(struct etcd_store *st, const char *kind, const char *name, json_t **out,
			struct err *e)
{
	json_t *set = st->names ? json_object_get(st->names, kind) : NULL, *hit;
	char *key;
	int rc;

	if (!st->batch)
		return lookup(st, kind, name, out, e);
	if (set && !json_object_get(set, name))
		return store_err_not_found(kind, name, e);
	if (!(key = etcd_key(kind, name)))
		return oom(e);
	if (++st->batch_reads == BATCH_PREFETCH && (rc = load_kind(st, kind, true, e)) < 0) {
		free(key);
		return rc;
	}
	if ((hit = st->seen ? json_object_get(st->seen, key) : NULL)) {
		free(key);
		*out = json_deep_copy(hit);
		return *out ? 0 : oom(e);
	}
	set = st->names ? json_object_get(st->names, kind) : NULL;
	if (set && !json_object_get(set, name)) {
		free(key);
		return store_err_not_found(kind, name, e);
	}
	rc = lookup(st, kind, name, out, e);
	if (rc == 0 && (st->seen || (st->seen = json_object())))
		json_object_set_new(st->seen, key, json_deep_copy(*out));
	free(key);
	return rc;
}

static int ed_get(struct store *base, const char *kind, const char *name, json_t **out,
		  struct err *e)
{
	struct etcd_store *st = es(base);
	int rc;

	*out = NULL;
	if ((rc = settle_resource(st, kind, name, e)) < 0)
		return rc;
	return batch_lookup(st, kind, name, out, e);
}

static int ed_list(struct store *base, const char *kind, const char *name_prefix,
		   json_t **items, int64_t *revision, struct err *e)
{
	struct etcd_store *st = es(base);
	char *prefix = etcd_key(kind, name_prefix);
	json_t *resp = NULL, *list = NULL, *kv;
	size_t i;
	int rc;

	*items = NULL;
	if (!prefix)
		return oom(e);
	rc = settle(st, prefix, false, e);
	if (rc == 0)
		rc = range(st, prefix, etcd_prefix_end(prefix), &resp, e);
	free(prefix);
	if (rc < 0)
		return rc;
	/* etcd returns keys in byte order: by name, as SQLite sorts. */
	if (!(list = json_array()))
		rc = oom(e);
	json_array_foreach(json_object_get(resp, "kvs"), i, kv)
	{
		json_t *obj;

		if (rc < 0)
			break;
		if ((rc = kv_object(kv, &obj, e)) == 0 && json_array_append_new(list, obj) < 0)
			rc = oom(e);
	}
	if (rc == 0 && revision)
		*revision = etcd_int(json_object_get(resp, "header"), "revision");
	json_decref(resp);
	if (rc < 0) {
		json_decref(list);
		return rc;
	}
	*items = list;
	return 0;
}

static int ed_create(struct store *base, json_t *obj, struct err *e)
{
	struct etcd_store *st = es(base);
	const char *kind, *name;
	json_t *old = NULL;
	int rc;

	if ((rc = store_check_object(obj, &kind, &name, e)) < 0 ||
	    (rc = store_check_create_rv(obj, e)) < 0)
		return rc;
	if ((rc = settle_resource(st, kind, name, e)) < 0)
		return rc;
	if (st->batch) {
		bool exists;

		if ((rc = exists_in_batch(st, kind, name, &exists, e)) < 0)
			return rc;
		rc = exists ? 0 : -ENOENT;
	} else {
		rc = lookup(st, kind, name, &old, e);
		json_decref(old);
	}
	if (rc == 0)
		return store_err_exists(kind, name, e);
	if (rc != -ENOENT)
		return rc;
	if ((rc = store_stamp_new(obj, e)) < 0)
		return rc;
	/* Noted before the send: a full batch sends at once. */
	note_existence(st, kind, name, true);
	return enqueue(st, kind, name, obj, 0, e);
}

static int ed_update(struct store *base, json_t *obj, struct err *e)
{
	struct etcd_store *st = es(base);
	const char *kind, *name;
	json_t *old = NULL;
	int64_t mod;
	int rc;

	if ((rc = store_check_object(obj, &kind, &name, e)) < 0 ||
	    (rc = store_check_update_rv(obj, e)) < 0)
		return rc;
	if ((rc = settle_resource(st, kind, name, e)) < 0)
		return rc;
	if ((rc = batch_lookup(st, kind, name, &old, e)) < 0)
		return rc;
	if (strcmp(store_meta_string(obj, "resourceVersion"),
		   store_meta_string(old, "resourceVersion")) != 0) {
		json_decref(old);
		return store_err_conflict(kind, name, e);
	}
	mod = strtoll(store_meta_string(old, "resourceVersion"), NULL, 10);
	rc = store_keep_identity(obj, old, e);
	json_decref(old);
	return rc < 0 ? rc : enqueue(st, kind, name, obj, mod, e);
}

static int ed_delete(struct store *base, const char *kind, const char *name,
		     const char *expected_rv, json_t **old, struct err *e)
{
	struct etcd_store *st = es(base);
	json_t *cur = NULL;
	int rc;

	if (old)
		*old = NULL;
	if ((rc = settle_resource(st, kind, name, e)) < 0)
		return rc;
	if (st->batch && !old && !(expected_rv && *expected_rv)) {
		/* Nothing to return or compare: the kind's names say whether
		 * it exists, the transaction checks it still does. */
		bool exists;

		if ((rc = exists_in_batch(st, kind, name, &exists, e)) < 0)
			return rc;
		if (!exists)
			return store_err_not_found(kind, name, e);
		note_existence(st, kind, name, false);
		return enqueue(st, kind, name, NULL, CMP_EXISTS, e);
	}
	if ((rc = batch_lookup(st, kind, name, &cur, e)) < 0)
		return rc;
	if (expected_rv && *expected_rv &&
	    strcmp(expected_rv, store_meta_string(cur, "resourceVersion")) != 0) {
		json_decref(cur);
		return store_err_conflict(kind, name, e);
	}
	note_existence(st, kind, name, false);
	rc = enqueue(st, kind, name, NULL,
		     strtoll(store_meta_string(cur, "resourceVersion"), NULL, 10), e);
	if (rc == 0 && old)
		*old = cur;
	else
		json_decref(cur);
	return rc;
}

static int ed_begin(struct store *base, struct err *e)
{
	struct etcd_store *st = es(base);

	if (st->batch)
		return err_set(e, -EINVAL, "a datastore batch is already open");
	st->batch = true;
	return 0;
}

static int ed_commit(struct store *base, struct err *e)
{
	struct etcd_store *st = es(base);

	if (!st->batch)
		return err_set(e, -EINVAL, "no datastore batch is open");
	st->batch = false;
	forget_batch_reads(st);
	return flush(st, e);
}

static void ed_rollback(struct store *base)
{
	struct etcd_store *st = es(base);

	st->batch = false;
	forget_batch_reads(st);
	drop_queue(st);
}

/* The cluster's revision at the time of a one-key read. */
static int cluster_revision(struct etcd_store *st, int64_t *rev, struct err *e)
{
	json_t *req = json_pack("{s:o, s:b}", "key",
				etcd_b64(ETCD_RESOURCE_ROOT, strlen(ETCD_RESOURCE_ROOT)),
				"count_only", 1);
	json_t *resp = NULL;
	int rc;

	if (!req)
		return oom(e);
	rc = etcd_call(st->cl, "/v3/kv/range", req, ETCD_READ, &resp, e);
	json_decref(req);
	if (rc == 0)
		*rev = etcd_int(json_object_get(resp, "header"), "revision");
	json_decref(resp);
	return rc;
}

static int64_t ed_revision(struct store *base)
{
	int64_t rev = 0;
	int rc = cluster_revision(es(base), &rev, NULL);

	return rc < 0 ? rc : rev;
}

/* Keys and mod_revisions of every resource as of revision `at` (0: now),
 * decoded, in key order (etcd answers in byte order). */
struct keyrev {
	char *key;
	int64_t mod;
};

static void keyrevs_free(struct keyrev *k, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(k[i].key);
	free(k);
}

static int keys_at(struct etcd_store *st, int64_t at, struct keyrev **out, size_t *n,
		   struct err *e)
{
	json_t *req = json_pack("{s:o, s:o, s:b}", "key",
				etcd_b64(ETCD_RESOURCE_ROOT, strlen(ETCD_RESOURCE_ROOT)),
				"range_end", etcd_prefix_end(ETCD_RESOURCE_ROOT), "keys_only", 1);
	json_t *resp = NULL, *kvs, *kv;
	struct keyrev *k = NULL;
	size_t i;
	int rc;

	*out = NULL;
	*n = 0;
	if (!req)
		return oom(e);
	if (at > 0)
		json_object_set_new(req, "revision", json_integer(at));
	rc = etcd_call(st->cl, "/v3/kv/range", req, ETCD_READ, &resp, e);
	json_decref(req);
	if (rc < 0)
		return rc;
	kvs = json_object_get(resp, "kvs");
	if (json_array_size(kvs) && !(k = calloc(json_array_size(kvs), sizeof(*k))))
		rc = oom(e);
	json_array_foreach(kvs, i, kv)
	{
		if (rc < 0)
			break;
		k[i].mod = etcd_int(kv, "mod_revision");
		if (!(k[i].key = etcd_unb64(json_object_get(kv, "key"), NULL)))
			rc = oom(e);
	}
	json_decref(resp);
	if (rc < 0) {
		keyrevs_free(k, json_array_size(kvs));
		return rc;
	}
	*out = k;
	*n = i;
	return 0;
}

static int cmp_revision(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "revision"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "revision"));

	return (x > y) - (x < y);
}

/* A new array with list's records ordered by revision. */
static json_t *by_revision(json_t *list)
{
	size_t n = json_array_size(list);
	json_t **v = malloc((n ? n : 1) * sizeof(*v)), *out = json_array();

	if (!v || !out) {
		free(v);
		json_decref(out);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = json_array_get(list, i);
	qsort(v, n, sizeof(*v), cmp_revision);
	for (size_t i = 0; i < n; i++)
		json_array_append(out, v[i]);
	free(v);
	return out;
}

static int add_change(json_t *list, const char *key, bool deleted, int64_t rev, struct err *e)
{
	json_t *c = etcd_change(key, deleted, rev);

	/* NULL: a key under the root that is not one of our kinds. */
	if (c && json_array_append_new(list, c) < 0)
		return oom(e);
	return 0;
}

/* etcd keeps no tombstones we can range over, so deletions come from
 * comparing two snapshots: keys that existed at `rev` and do not exist at
 * `now` were deleted. Both reads are pinned to a revision, so the answer
 * is consistent; a key created and deleted between the two never shows,
 * which a poller cannot tell from no change at all. A delete is reported
 * at `now` (etcd does not say when it happened without a watch). */
static int ed_changes_since(struct store *base, int64_t rev, json_t **changes, int64_t *now,
			    struct err *e)
{
	struct etcd_store *st = es(base);
	struct keyrev *cur = NULL, *old = NULL;
	size_t n_cur = 0, n_old = 0, i = 0, j = 0;
	json_t *list, *ordered;
	int64_t at = 0;
	int rc;

	*changes = NULL;
	if ((rc = cluster_revision(st, &at, e)) < 0)
		return rc;
	if (!(list = json_array()))
		return oom(e);
	if (at > rev) {
		rc = keys_at(st, at, &cur, &n_cur, e);
		/* Revision 0 is the empty datastore (etcd starts at 1). */
		if (rc == 0 && rev > 0)
			rc = keys_at(st, rev, &old, &n_old, e);
		if (rc == STORE_ECOMPACTED)
			err_set(e, STORE_ECOMPACTED,
				"etcd has compacted its history past revision %lld: re-read "
				"everything",
				(long long)rev);
	}
	/* Merge the two key-ordered lists. */
	while (rc == 0 && (i < n_cur || j < n_old)) {
		int c = i == n_cur ? 1 : j == n_old ? -1 : strcmp(cur[i].key, old[j].key);

		if (c <= 0 && cur[i].mod > rev)
			rc = add_change(list, cur[i].key, false, cur[i].mod, e);
		else if (c > 0)
			rc = add_change(list, old[j].key, true, at, e);
		i += c <= 0;
		j += c >= 0;
	}
	keyrevs_free(cur, n_cur);
	keyrevs_free(old, n_old);
	ordered = rc == 0 ? by_revision(list) : NULL;
	json_decref(list);
	if (rc < 0)
		return rc;
	if (!ordered)
		return oom(e);
	*changes = ordered;
	if (now)
		*now = at > rev ? at : rev;
	return 0;
}

static void ed_close(struct store *base)
{
	struct etcd_store *st = es(base);

	drop_queue(st);
	forget_batch_reads(st);
	free(st->ops);
	etcd_client_free(st->cl);
	free(st);
}

static const struct store_ops etcd_ops = {
    .close = ed_close,
    .get = ed_get,
    .list = ed_list,
    .create = ed_create,
    .update = ed_update,
    .del = ed_delete,
    .begin = ed_begin,
    .commit = ed_commit,
    .rollback = ed_rollback,
    .revision = ed_revision,
    .changes_since = ed_changes_since,
    .watch_start = etcd_watch_start,
};

int store_etcd_open(const struct store_config *cfg, struct store **out, struct err *e)
{
	struct etcd_store *st = calloc(1, sizeof(*st));
	int rc;

	*out = NULL;
	if (!st)
		return oom(e);
	if ((rc = etcd_client_new(cfg, &st->cl, e)) < 0) {
		free(st);
		return rc;
	}
	st->base.ops = &etcd_ops;
	*out = &st->base;
	return 0;
}
