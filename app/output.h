/* output.h: a response onto its FastCGI connection. */
#ifndef LW_OUTPUT_H
#define LW_OUTPUT_H

#include <fcgiapp.h>

#include "request.h"

/* Writes r->out and its borrowed pieces (r->tail) as FCGI_STDOUT records
 * of fr; FCGX_Finish_r then ends the stream and the request. 0, or -1
 * when the connection failed (nginx gave up on the request). */
int lw_output_write(FCGX_Request *fr, const lw_req *r);

#endif
