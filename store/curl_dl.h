/* libcurl, loaded on first use of the etcd datastore.
 *
 * Linking libcurl pulls some forty shared libraries (TLS stacks, Kerberos,
 * LDAP, ...) whose constructors run at every start: 5 ms of a calicoctl
 * call that otherwise takes 2 ms, paid by every SQLite user. So the etcd
 * code calls libcurl through this table, filled by dlopen() the first time
 * an etcd client or watch is made; curl's headers still give the types. */
#ifndef CALICO_STORE_CURL_DL_H
#define CALICO_STORE_CURL_DL_H

#include <curl/curl.h>

#include "lib/err.h"

/* The shared object loaded; libcurl's ABI has kept this name since 7.16. */
#define CURL_DL_SONAME "libcurl.so.4"

struct curl_fns {
	__typeof__(&curl_easy_init) easy_init;
	__typeof__(&curl_easy_setopt) easy_setopt;
	__typeof__(&curl_easy_getinfo) easy_getinfo;
	__typeof__(&curl_easy_perform) easy_perform;
	__typeof__(&curl_easy_reset) easy_reset;
	__typeof__(&curl_easy_cleanup) easy_cleanup;
	__typeof__(&curl_easy_strerror) easy_strerror;
	__typeof__(&curl_multi_init) multi_init;
	__typeof__(&curl_multi_setopt) multi_setopt;
	__typeof__(&curl_multi_add_handle) multi_add_handle;
	__typeof__(&curl_multi_remove_handle) multi_remove_handle;
	__typeof__(&curl_multi_assign) multi_assign;
	__typeof__(&curl_multi_socket_action) multi_socket_action;
	__typeof__(&curl_multi_info_read) multi_info_read;
	__typeof__(&curl_multi_cleanup) multi_cleanup;
	__typeof__(&curl_slist_append) slist_append;
	__typeof__(&curl_slist_free_all) slist_free_all;
};

/* The loaded table (after a successful curl_dl_load), else NULL. */
extern const struct curl_fns *curl_dl;

/* Loads CURL_DL_SONAME once; later calls return at once. 0, or -ENOENT
 * with an error naming the library and what the loader said. */
int curl_dl_load(struct err *e);

/* Loads the table from the named shared object into *fns (for tests and
 * curl_dl_load). The library stays loaded. 0 or -ENOENT with e set. */
int curl_dl_load_from(const char *soname, struct curl_fns *fns, struct err *e);

#endif
