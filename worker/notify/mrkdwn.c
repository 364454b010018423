/* mrkdwn.c: Markdown runbooks to Slack's mrkdwn (through libcmark's tree:
 * raw HTML dropped, links only http(s) and mailto), with Slack's escaping
 * of & < >. */
#include "notify/channel.h"

#include <string.h>
#include <strings.h>

#include <cmark.h>

/* ---- Markdown to Slack mrkdwn ---- */

void
lw_channel_slack_escape(lw_buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': lw_buf_puts(b, "&amp;"); break;
        case '<': lw_buf_puts(b, "&lt;"); break;
        case '>': lw_buf_puts(b, "&gt;"); break;
        default:  lw_buf_putc(b, *s);
        }
    }
}

/* A code node's text, escaped, between its fences. */
static void
literal(lw_buf *b, const char *open, cmark_node *n, const char *close)
{
    lw_buf_puts(b, open);
    lw_channel_slack_escape(b, cmark_node_get_literal(n));
    lw_buf_puts(b, close);
}

static int
slack_link_ok(const char *u)
{
    return (lw_channel_is_http_url(u) || (u && strncasecmp(u, "mailto:", 7) == 0))
        && strpbrk(u, "|<> \t\r\n") == NULL;
}

char *
lw_channel_markdown_mrkdwn(const char *md)
{
    cmark_node *doc = cmark_parse_document(md, strlen(md), CMARK_OPT_VALIDATE_UTF8);
    cmark_iter *it;
    cmark_event_type ev;
    cmark_node *n, *parent, *sib;
    lw_buf b = { 0 };
    int depth, i, enter;

    if (doc == NULL)
        return NULL;
    it = cmark_iter_new(doc);
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        n = cmark_iter_get_node(it);
        enter = ev == CMARK_EVENT_ENTER;
        switch (cmark_node_get_type(n)) {
        case CMARK_NODE_PARAGRAPH:
            parent = cmark_node_parent(n);
            if (!enter && !(parent && cmark_node_get_type(parent) == CMARK_NODE_ITEM
                            && cmark_node_get_list_tight(cmark_node_parent(parent))))
                lw_buf_puts(&b, "\n");
            if (!enter)
                lw_buf_puts(&b, "\n");
            break;
        case CMARK_NODE_HEADING:
            lw_buf_puts(&b, enter ? "*" : "*\n\n");
            break;
        case CMARK_NODE_BLOCK_QUOTE:
            if (enter)
                lw_buf_puts(&b, "> ");
            break;
        case CMARK_NODE_ITEM:
            if (enter) {
                depth = 0;
                for (parent = cmark_node_parent(n); parent; parent = cmark_node_parent(parent))
                    if (cmark_node_get_type(parent) == CMARK_NODE_LIST)
                        depth++;
                for (i = 1; i < depth; i++)
                    lw_buf_puts(&b, "    ");
                parent = cmark_node_parent(n);
                if (cmark_node_get_list_type(parent) == CMARK_ORDERED_LIST) {
                    i = cmark_node_get_list_start(parent);
                    for (sib = cmark_node_previous(n); sib; sib = cmark_node_previous(sib))
                        i++;
                    lw_buf_printf(&b, "%d. ", i);
                } else {
                    lw_buf_puts(&b, "\xe2\x80\xa2 ");   /* bullet */
                }
            }
            break;
        case CMARK_NODE_LIST:
            if (!enter && cmark_node_get_list_tight(n))
                lw_buf_puts(&b, "\n");
            break;
        case CMARK_NODE_CODE_BLOCK:
            literal(&b, "```\n", n, "```\n\n");
            break;
        case CMARK_NODE_THEMATIC_BREAK:
            lw_buf_puts(&b, "----\n\n");
            break;
        case CMARK_NODE_TEXT:
            lw_channel_slack_escape(&b, cmark_node_get_literal(n));
            break;
        case CMARK_NODE_CODE:
            literal(&b, "`", n, "`");
            break;
        case CMARK_NODE_SOFTBREAK:
        case CMARK_NODE_LINEBREAK:
            lw_buf_puts(&b, "\n");
            break;
        case CMARK_NODE_EMPH:
            lw_buf_puts(&b, "_");
            break;
        case CMARK_NODE_STRONG:
            lw_buf_puts(&b, "*");
            break;
        case CMARK_NODE_LINK:
        case CMARK_NODE_IMAGE:
            if (slack_link_ok(cmark_node_get_url(n))) {
                if (enter) {
                    lw_buf_putc(&b, '<');
                    lw_channel_slack_escape(&b, cmark_node_get_url(n));
                    lw_buf_putc(&b, '|');
                } else
                    lw_buf_puts(&b, ">");
            }
            break;
        default:
            /* raw HTML is dropped, as in the HTML rendering */
            break;
        }
    }
    cmark_iter_free(it);
    cmark_node_free(doc);
    /* trim trailing blank lines */
    while (b.len > 0 && b.data[b.len - 1] == '\n')
        b.data[--b.len] = '\0';
    if (b.data == NULL)
        lw_buf_puts(&b, "");
    return lw_buf_steal(&b);
}

