/* libcurl through dlopen (see curl_dl.h). */
#include "store/curl_dl.h"

#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

const struct curl_fns *curl_dl;

/* Each table entry and the symbol that fills it. */
#define CURL_DL_SYM(field, sym) { offsetof(struct curl_fns, field), #sym }
static const struct {
	size_t offset;
	const char *name;
} curl_syms[] = {
	CURL_DL_SYM(easy_init, curl_easy_init),
	CURL_DL_SYM(easy_setopt, curl_easy_setopt),
	CURL_DL_SYM(easy_getinfo, curl_easy_getinfo),
	CURL_DL_SYM(easy_perform, curl_easy_perform),
	CURL_DL_SYM(easy_reset, curl_easy_reset),
	CURL_DL_SYM(easy_cleanup, curl_easy_cleanup),
	CURL_DL_SYM(easy_strerror, curl_easy_strerror),
	CURL_DL_SYM(multi_init, curl_multi_init),
	CURL_DL_SYM(multi_setopt, curl_multi_setopt),
	CURL_DL_SYM(multi_add_handle, curl_multi_add_handle),
	CURL_DL_SYM(multi_remove_handle, curl_multi_remove_handle),
	CURL_DL_SYM(multi_assign, curl_multi_assign),
	CURL_DL_SYM(multi_socket_action, curl_multi_socket_action),
	CURL_DL_SYM(multi_info_read, curl_multi_info_read),
	CURL_DL_SYM(multi_cleanup, curl_multi_cleanup),
	CURL_DL_SYM(slist_append, curl_slist_append),
	CURL_DL_SYM(slist_free_all, curl_slist_free_all),
};

int curl_dl_load_from(const char *soname, struct curl_fns *fns, struct err *e)
{
	void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (!lib)
		return err_set(e, -ENOENT,
			       "the etcd datastore needs libcurl, which could not be loaded: %s "
			       "(install the libcurl4 package)",
			       dlerror());
	for (size_t i = 0; i < sizeof(curl_syms) / sizeof(curl_syms[0]); i++) {
		void *sym = dlsym(lib, curl_syms[i].name);

		if (!sym) {
			/* Not closed: dlclose of a library that failed half-way
			 * gains nothing and upsets leak checkers' stacks. */
			return err_set(e, -ENOENT, "%s has no %s: not a usable libcurl", soname,
				       curl_syms[i].name);
		}
		/* POSIX guarantees object and function pointers convert. */
		memcpy((char *)fns + curl_syms[i].offset, &sym, sizeof(sym));
	}
	return 0;
}

int curl_dl_load(struct err *e)
{
	static struct curl_fns fns;
	int rc;

	if (curl_dl)
		return 0;
	rc = curl_dl_load_from(CURL_DL_SONAME, &fns, e);
	if (rc == 0)
		curl_dl = &fns;
	return rc;
}
