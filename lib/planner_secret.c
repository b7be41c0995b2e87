/* Password secrets. There is no Kubernetes here: a secretKeyRef {name, key}
 * names the file <dir>/<name>/<key> (spec README decision). */
#include "lib/planner_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* TCP_MD5SIG_MAXKEYLEN; a longer key cannot be configured at all. */
#define PL_PASSWORD_MAX 80

/* Names are path components: refuse anything that could leave the
 * directory. */
static bool component_ok(const char *s)
{
	return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

char *pl_secret_read(const char *dir, const struct pl_secret *s, bool *missing, char *why,
		     size_t why_len)
{
	char path[4096], buf[PL_PASSWORD_MAX + 3];
	size_t n;
	FILE *f;
	int err;

	*missing = false;
	if (!component_ok(s->name) || !component_ok(s->key)) {
		snprintf(why, why_len, "password secret name '%s' key '%s': not a file name",
			 s->name, s->key);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s/%s", dir, s->name, s->key);
	f = fopen(path, "rb");
	if (!f) {
		err = errno;
		*missing = err == ENOENT;
		snprintf(why, why_len, "password secret %s: %s", path, strerror(err));
		return NULL;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	err = ferror(f) ? errno : 0;
	fclose(f);
	if (err) {
		snprintf(why, why_len, "password secret %s: %s", path, strerror(err));
		return NULL;
	}
	buf[n] = '\0';
	/* files written by `echo` end in a newline that is not part of the key */
	if (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (n && buf[n - 1] == '\r')
		buf[--n] = '\0';
	if (strlen(buf) != n) {
		snprintf(why, why_len, "password secret %s: contains a NUL byte", path);
		return NULL;
	}
	if (n > PL_PASSWORD_MAX) {
		snprintf(why, why_len, "password secret %s: longer than %d bytes (TCP MD5 limit)",
			 path, PL_PASSWORD_MAX);
		return NULL;
	}
	if (!n) {
		snprintf(why, why_len, "password secret %s: empty", path);
		return NULL;
	}
	return strdup(buf);
}
