/* libcurl loaded on demand (store/curl_dl.c): the real library fills the
 * table, a missing or wrong library gives an error naming it. */
#include <errno.h>
#include <string.h>

#include "store/curl_dl.h"
#include "tests/unit/check.h"

int main(void)
{
	struct curl_fns fns;
	struct err e = { "" };
	CURL *h;

	memset(&fns, 0, sizeof(fns));
	CHECK_INT(curl_dl_load_from("libcalico-no-such-curl.so.4", &fns, &e), -ENOENT);
	CHECK(strstr(e.msg, "the etcd datastore needs libcurl") != NULL);
	CHECK(strstr(e.msg, "libcalico-no-such-curl.so.4") != NULL);
	CHECK(strstr(e.msg, "install the libcurl4 package") != NULL);

	/* A library that loads but is not libcurl. */
	e.msg[0] = '\0';
	CHECK_INT(curl_dl_load_from("libc.so.6", &fns, &e), -ENOENT);
	CHECK_STR(e.msg, "libc.so.6 has no curl_easy_init: not a usable libcurl");

	/* Nothing loaded before the first etcd use. */
	CHECK(curl_dl == NULL);
	CHECK_INT(curl_dl_load(&e), 0);
	CHECK(curl_dl != NULL);
	CHECK_INT(curl_dl_load(&e), 0); /* idempotent */

	/* The table works: an easy handle, an option, a list, an error text. */
	h = curl_dl->easy_init();
	CHECK(h != NULL);
	CHECK_INT(curl_dl->easy_setopt(h, CURLOPT_NOSIGNAL, 1L), CURLE_OK);
	{
		struct curl_slist *l = curl_dl->slist_append(NULL, "X-Test: 1");

		CHECK(l != NULL && strcmp(l->data, "X-Test: 1") == 0);
		curl_dl->slist_free_all(l);
	}
	CHECK_STR(curl_dl->easy_strerror(CURLE_COULDNT_CONNECT), "Couldn't connect to server");
	curl_dl->easy_cleanup(h);
	return check_done();
}
