/* Large arrays in reserved ranges, grown in place; see bigmem.h. */
#define _DEFAULT_SOURCE
#include "speaker/bigmem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Reservations and commits go in 2 MiB steps: fewer mprotect() calls, and
 * the kernel may still back aligned ranges with huge pages by itself. */
#define HUGE_SZ ((size_t)2 << 20)

static size_t round_huge(size_t n)
{
	return (n + HUGE_SZ - 1) & ~(HUGE_SZ - 1);
}

/* Reserves BIGMEM_RESERVE bytes of address space at a 2 MiB boundary, with
 * nothing behind them yet. */
static void *reserve(void)
{
	size_t len = BIGMEM_RESERVE + HUGE_SZ;
	uint8_t *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uintptr_t a;
	size_t head;

	if (p == MAP_FAILED)
		return NULL;
	a = ((uintptr_t)p + HUGE_SZ - 1) & ~(uintptr_t)(HUGE_SZ - 1);
	head = a - (uintptr_t)p;
	if (head)
		munmap(p, head);
	munmap((uint8_t *)a + BIGMEM_RESERVE, HUGE_SZ - head);
	return (void *)a;
}

/* Makes [p, p + bytes rounded up to 2 MiB) usable. Pages never touched
 * before read as zeros. */
static int commit(void *p, size_t bytes)
{
	return mprotect(p, round_huge(bytes), PROT_READ | PROT_WRITE) < 0 ? -1 : 0;
}

void *bigmem_grow(void *p, size_t old_bytes, size_t new_bytes)
{
	void *n;

	if (new_bytes > BIGMEM_RESERVE)
		return NULL;
	if (new_bytes < BIGMEM_MIN) {
		n = realloc(p, new_bytes ? new_bytes : 1);
		if (n && new_bytes > old_bytes)
			memset((uint8_t *)n + old_bytes, 0, new_bytes - old_bytes);
		return n;
	}
	if (old_bytes >= BIGMEM_MIN) /* already reserved: grow in place */
		return commit(p, new_bytes) < 0 ? NULL : p;
	n = reserve();
	if (!n)
		return NULL;
	if (commit(n, new_bytes) < 0) {
		munmap(n, BIGMEM_RESERVE);
		return NULL;
	}
	if (old_bytes)
		memcpy(n, p, old_bytes);
	free(p);
	return n;
}

void bigmem_populate(void *p, size_t bytes)
{
#ifdef MADV_POPULATE_WRITE
	if (p && bytes >= BIGMEM_MIN)
		(void)madvise(p, round_huge(bytes), MADV_POPULATE_WRITE);
#else
	(void)p;
	(void)bytes;
#endif
}

void bigmem_free(void *p, size_t bytes)
{
	if (!p)
		return;
	if (bytes >= BIGMEM_MIN)
		munmap(p, BIGMEM_RESERVE);
	else
		free(p);
}
