/* shell.c: the site layout around a page served from the page cache,
 * remembered per request thread (see shell.h). */
#include "shell.h"

#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>

#include "lw.h"

/* A thread answers a handful of users at a time; 32 layouts of ~3 KB
 * each are ~100 KB per thread. */
#define SHELL_SLOTS 32

struct shell {
    char          *key;      /* the page data written out (hdf_write_string) */
    char          *out;      /* the layout rendered from it */
    size_t         len;
    unsigned long  used;     /* the thread's tick of its last use */
};

static __thread struct shell shells[SHELL_SLOTS];
static __thread unsigned long ticks;

static struct shell *
find(const char *key)
{
    int i;

    for (i = 0; i < SHELL_SLOTS; i++)
        if (shells[i].key != NULL && strcmp(shells[i].key, key) == 0)
            return &shells[i];
    return NULL;
}

static void
slot_clear(struct shell *s)
{
    free(s->key);
    free(s->out);
    memset(s, 0, sizeof(*s));
}

/* The empty slot, else the least recently used one (emptied). */
static struct shell *
victim(void)
{
    struct shell *v = &shells[0];
    int i;

    for (i = 0; i < SHELL_SLOTS; i++) {
        if (shells[i].key == NULL)
            return &shells[i];
        if (shells[i].used < v->used)
            v = &shells[i];
    }
    slot_clear(v);
    return v;
}

int
lw_shell_render(lw_hdf *h, lw_buf *out, lw_err *err)
{
    struct shell *s;
    lw_buf fresh = { 0 };
    char *key = NULL;
    NEOERR *e;
    int rc;

    if (!h->failed) {
        e = hdf_write_string(h->hdf, &key);
        if (e != STATUS_OK) {
            nerr_ignore(&e);
            key = NULL;             /* rendered, not remembered */
        }
    }
    s = key ? find(key) : NULL;
    if (s != NULL) {
        free(key);
        s->used = ++ticks;
        return lw_buf_append(out, s->out, s->len);
    }
    /* a failed h: lw_render says why */
    rc = lw_render(h, "cached_page", "layout", &fresh, err);
    if (rc == LW_OK) {
        lw_render_strip(&fresh, 0);
        rc = lw_buf_append(out, fresh.data ? fresh.data : "", fresh.len);
    }
    if (rc == LW_OK && key != NULL) {
        s = victim();
        s->len = fresh.len;
        s->out = lw_buf_steal(&fresh);
        if (s->out != NULL) {
            s->key = key;
            s->used = ++ticks;
            key = NULL;
        }
    }
    free(key);
    lw_buf_free(&fresh);
    return rc;
}

void
lw_shell_thread_free(void)
{
    int i;

    for (i = 0; i < SHELL_SLOTS; i++)
        slot_clear(&shells[i]);
}
