/* Arrays of the RIB that grow large (prefix table, paths), grown in place.
 *
 * A full table is ~45 MB of arrays grown as routes arrive. realloc() of such
 * an array copies it or moves it with mremap(), and every move also leaves
 * the old range's page-table work behind. So an array of BIGMEM_MIN bytes or
 * more lives in an address range reserved once (BIGMEM_RESERVE bytes of
 * address space, no memory behind it) and is made usable as it grows: it
 * never moves again. Smaller arrays use malloc, so idle tables stay small
 * and sanitizer builds still check them.
 *
 * Transparent huge pages (MADV_HUGEPAGE on these ranges) were tried: the
 * best ingest runs got faster (0.08 s of CPU for 1M prefixes instead of
 * 0.11 s), but on a busy machine the page faults then wait for the kernel to
 * compact memory into 2 MiB pages, and the same run took anywhere from 0.08
 * to 0.21 s; with 4 KiB pages it held 0.10-0.15 s. So no hint is given.
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
/* Backs the first `bytes` bytes of an array with writable memory now, in
 * one call, for an array about to be written all over at random (a hash
 * table's slots): touching it page by page costs a read fault that maps the
 * zero page and then a copy-on-write fault for each page, a quarter of an
 * ingest's CPU. No-op for small arrays (malloc'd and zeroed already) and
 * where the kernel lacks MADV_POPULATE_WRITE (before 5.14). */
void bigmem_populate(void *p, size_t bytes);
/* Frees an array of `bytes` bytes (its size as last grown); NULL is ignored. */
void bigmem_free(void *p, size_t bytes);

#endif
