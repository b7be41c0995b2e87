/* Error reporting for library code: functions return 0 or a negative
 * errno-style code and describe the failure in a caller-owned buffer, so
 * that only main() decides what to print and how to exit. */
#ifndef CALICO_ERR_H
#define CALICO_ERR_H

#include <stddef.h>

/* Size callers use for error buffers. Messages longer than this are cut.
 * 4096: a multi-field validation error (several apimachinery reasons of
 * ~250 bytes each) must reach the user whole. */
#define ERR_LEN 4096

struct err {
	char msg[ERR_LEN];
};

/* Formats into e (if non-NULL) and returns code, so that a failure can be
 * reported and returned in one statement: return err_set(e, -EINVAL, ...). */
int err_set(struct err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prepends "prefix" to the message already in e. */
void err_prefix(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
