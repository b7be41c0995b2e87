/* Runs every file of corpus directories through the fuzz target without
 * libFuzzer, so the corpus is exercised by every build (and under the
 * ASan/UBSan build). Prints one TAP result per file; an invariant failure
 * aborts, which the test harness reports as a failure. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays the files of one directory; numbers TAP results from *n. */
static int replay_dir(const char *dirname, size_t *n)
{
	static uint8_t buf[1 << 20];
	char *names[8192];
	size_t count = 0;
	int failed = 0;
	struct dirent *d;
	DIR *dir = opendir(dirname);

	if (!dir) {
		printf("not ok %zu - %s: %s\n", ++*n, dirname, strerror(errno));
		return 1;
	}
	while ((d = readdir(dir)) && count < sizeof(names) / sizeof(names[0]))
		if (d->d_name[0] != '.')
			names[count++] = strdup(d->d_name);
	closedir(dir);
	qsort(names, count, sizeof(names[0]), by_name);
	for (size_t i = 0; i < count; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dirname, names[i]);
		FILE *f = fopen(path, "rb");
		if (!f) {
			printf("not ok %zu - %s: %s\n", ++*n, names[i], strerror(errno));
			failed = 1;
			free(names[i]);
			continue;
		}
		size_t len = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, len);
		printf("ok %zu - %s (%zu octets)\n", ++*n, names[i], len);
		free(names[i]);
	}
	if (!count) {
		printf("not ok %zu - %s is empty\n", ++*n, dirname);
		failed = 1;
	}
	return failed;
}

int main(int argc, char **argv)
{
	size_t n = 0;
	int failed = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS-DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		failed |= replay_dir(argv[i], &n);
	printf("1..%zu\n", n);
	return failed;
}
