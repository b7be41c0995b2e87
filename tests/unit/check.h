/* A tiny TAP producer for C unit tests: each CHECK is one numbered result,
 * so scripts/test counts individual assertions, not files. */
#ifndef CALICO_CHECK_H
#define CALICO_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_count, check_failed;

static inline void check_report(int ok, const char *what, const char *file, int line)
{
	check_count++;
	if (!ok)
		check_failed++;
	printf("%sok %d - %s\n", ok ? "" : "not ", check_count, what);
	if (!ok)
		printf("#   failed at %s:%d\n", file, line);
}

#define CHECK(cond) check_report(!!(cond), #cond, __FILE__, __LINE__)
#define CHECK_MSG(cond, msg) check_report(!!(cond), msg, __FILE__, __LINE__)

/* Compares two strings and shows both when they differ. */
#define CHECK_STR(got, want)                                                                       \
	do {                                                                                       \
		const char *g_ = (got), *w_ = (want);                                              \
		int ok_ = g_ && w_ && strcmp(g_, w_) == 0;                                         \
		check_report(ok_, #got " == " #want, __FILE__, __LINE__);                          \
		if (!ok_)                                                                          \
			printf("#   got:  '%s'\n#   want: '%s'\n", g_ ? g_ : "(null)",               \
			       w_ ? w_ : "(null)");                                                \
	} while (0)

#define CHECK_INT(got, want)                                                                       \
	do {                                                                                       \
		long long g_ = (long long)(got), w_ = (long long)(want);                           \
		check_report(g_ == w_, #got " == " #want, __FILE__, __LINE__);                     \
		if (g_ != w_)                                                                      \
			printf("#   got:  %lld\n#   want: %lld\n", g_, w_);                         \
	} while (0)

/* Call last in main(): prints the plan line and returns the exit status. */
static inline int check_done(void)
{
	printf("1..%d\n", check_count);
	return check_failed ? 1 : 0;
}

#endif
