/* Arrays of the RIB that grow large (prefix table, paths), backed by
 * transparent huge pages and grown in place.
 *
 * A full table is ~45 MB of arrays touched at random (hash slots) or grown
 * as routes arrive. With 4 KiB pages that is a page fault per 4 KiB on first
 * touch (most of the kernel time of an ingest) and a TLB miss on most random
 * accesses, and realloc() moves a grown array to an address that no longer
 * lines up with 2 MiB pages. So an array of BIGMEM_MIN bytes or more lives in
 * an address range reserved once (BIGMEM_RESERVE bytes, no memory behind it,
 * aligned to 2 MiB), made usable as it grows and marked MADV_HUGEPAGE (the
 * kernel's default is THP "madvise": only regions that ask get huge pages).
 * Smaller arrays use malloc, so idle tables stay small and sanitizer builds
 * still check them.
 *
 * Callers pass the current size in bytes to every call: it decides which of
 * the two kinds an array is. */
#ifndef CALICO_BIGMEM_H
#define CALICO_BIGMEM_H

#include <stddef.h>

#define BIGMEM_MIN ((size_t)4 << 20)
#define BIGMEM_RESERVE ((size_t)16 << 30)

/* Resizes p (old_bytes in use, 0 with p NULL) to new_bytes >= old_bytes,
 * keeping the contents; the new tail is zeroed. Returns the array (possibly
 * moved) or NULL with p unchanged when memory (or address space) runs out
 * or new_bytes exceeds BIGMEM_RESERVE. */
void *bigmem_grow(void *p, size_t old_bytes, size_t new_bytes);
/* Frees an array of `bytes` bytes (its size as last grown); NULL is ignored. */
void bigmem_free(void *p, size_t bytes);

#endif
