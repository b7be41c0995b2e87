/* The etcd backend's key layout, shared by etcd_kv.c and etcd_watch.c.
 *
 * As libcalico-go's etcdv3 backend: a cluster-scoped resource lives at
 *   /calico/resources/v3/projectcalico.org/<plural lowercase kind>/<name>
 * (bgpconfigurations, bgppeers, caliconodestatuses, clusterinformations,
 * ippools, nodes), its value the resource's JSON without
 * metadata.resourceVersion (the key's mod_revision is the version). */
#ifndef CALICO_STORE_ETCD_KV_H
#define CALICO_STORE_ETCD_KV_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"
#include "store/etcd_http.h"
#include "store/store.h"

#define ETCD_RESOURCE_ROOT "/calico/resources/v3/projectcalico.org/"

/* The key of (kind, name); name NULL gives the kind's directory with its
 * trailing slash. malloc'd. */
char *etcd_key(const char *kind, const char *name);
/* The first key after every key starting with prefix (etcd's range_end
 * for a prefix), as a new base64 JSON string. */
json_t *etcd_prefix_end(const char *prefix);
/* Splits a resource key into its kind and name (pointers into static
 * storage / into key); false for keys that are not one of our kinds. */
bool etcd_key_parse(const char *key, const char **kind, const char **name);

/* A change record {"type","kind","name","revision"} from a watch event or
 * NULL when the key is not one of our resources. */
json_t *etcd_change(const char *key, bool deleted, int64_t revision);

/* The etcd client of an etcd store (for its watch). */
struct etcd_client *etcd_store_client(struct store *st);

int etcd_watch_start(struct store *st, struct ev_loop *loop, int64_t from_rev,
		     store_watch_fn fn, void *ctx, struct store_watch **out, struct err *e);

#endif
