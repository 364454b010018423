/* output.c: a response onto its FastCGI connection.
 *
 * libfcgi copies what it is given into an 8 KB buffer and writes one
 * record per buffer: a 170 KB dashboard took 22 copies and 22 writes, and
 * the page cache had already paid for the page once. A large response is
 * therefore written here as records of up to 64 KB, one writev each,
 * straight from where its pieces are (the cache entry, the request's
 * buffers). This needs the connection's descriptor, a field fcgiapp.h
 * marks as internal (FCGX_Request.ipcFd) but which has not changed since
 * libfcgi 2.4.0; the records themselves are the FastCGI specification's.
 * libfcgi's stream is flushed before and untouched after, so
 * FCGX_Finish_r writes the end of the stream and FCGI_END_REQUEST behind
 * our records, in order. */
#include "output.h"

#include <errno.h>
#include <fastcgi.h>
#include <string.h>
#include <sys/uio.h>

/* Below this libfcgi's own buffer costs nothing worth avoiding. */
#define DIRECT_MIN (16 * 1024)
/* The largest content length of a record that keeps 8-byte alignment. */
#define RECORD_MAX 65528

static int
writev_all(int fd, struct iovec *iov, int n)
{
    ssize_t w;

    while (n > 0) {
        w = writev(fd, iov, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        while (n > 0 && (size_t) w >= iov->iov_len) {
            w -= (ssize_t) iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (char *) iov->iov_base + w;
            iov->iov_len -= (size_t) w;
        }
    }
    return 0;
}

int
lw_output_write(FCGX_Request *fr, const lw_req *r)
{
    struct lw_piece p[1 + sizeof(r->tail) / sizeof(r->tail[0])];
    struct iovec iov[1 + sizeof(p) / sizeof(p[0])];
    FCGI_Header h;
    size_t total = 0, take, rec;
    int np = 0, i, n;

    p[np].data = r->out.data ? r->out.data : "";
    p[np++].len = r->out.len;
    for (i = 0; i < r->ntail; i++)
        if (r->tail[i].len > 0)
            p[np++] = r->tail[i];
    for (i = 0; i < np; i++)
        total += p[i].len;
    if (total < DIRECT_MIN || fr->ipcFd < 0) {
        for (i = 0; i < np; i++)
            if (FCGX_PutStr(p[i].data, (int) p[i].len, fr->out) < 0)
                return -1;
        return 0;
    }
    if (FCGX_FFlush(fr->out) < 0)
        return -1;
    i = 0;
    while (total > 0) {
        rec = total < RECORD_MAX ? total : RECORD_MAX;
        memset(&h, 0, sizeof(h));
        h.version = FCGI_VERSION_1;
        h.type = FCGI_STDOUT;
        h.requestIdB1 = (unsigned char) ((fr->requestId >> 8) & 0xff);
        h.requestIdB0 = (unsigned char) (fr->requestId & 0xff);
        h.contentLengthB1 = (unsigned char) ((rec >> 8) & 0xff);
        h.contentLengthB0 = (unsigned char) (rec & 0xff);
        iov[0].iov_base = &h;
        iov[0].iov_len = sizeof(h);
        n = 1;
        total -= rec;
        while (rec > 0) {
            take = p[i].len < rec ? p[i].len : rec;
            iov[n].iov_base = (void *) p[i].data;
            iov[n++].iov_len = take;
            p[i].data += take;
            p[i].len -= take;
            rec -= take;
            if (p[i].len == 0)
                i++;
        }
        if (writev_all(fr->ipcFd, iov, n) < 0)
            return -1;
    }
    return 0;
}
