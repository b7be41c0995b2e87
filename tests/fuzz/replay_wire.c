/* Runs every file of a corpus directory through the fuzz target without
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

int main(int argc, char **argv)
{
	static uint8_t buf[1 << 20];
	char *names[4096];
	size_t count = 0;
	int failed = 0;
	struct dirent *d;
	DIR *dir;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS-DIR\n", argv[0]);
		return 2;
	}
	dir = opendir(argv[1]);
	if (!dir) {
		fprintf(stderr, "replay: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	while ((d = readdir(dir)) && count < sizeof(names) / sizeof(names[0]))
		if (d->d_name[0] != '.')
			names[count++] = strdup(d->d_name);
	closedir(dir);
	qsort(names, count, sizeof(names[0]), by_name);
	for (size_t i = 0; i < count; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", argv[1], names[i]);
		FILE *f = fopen(path, "rb");
		if (!f) {
			printf("not ok %zu - %s: %s\n", i + 1, names[i], strerror(errno));
			failed = 1;
			free(names[i]);
			continue;
		}
		size_t n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, n);
		printf("ok %zu - %s (%zu octets)\n", i + 1, names[i], n);
		free(names[i]);
	}
	printf("1..%zu\n", count);
	return count && !failed ? 0 : 1;
}
