/* mail.c: a stored report by mail (see reporting.h), through the alert
 * mail code (worker/notify/channel_email.c: libcurl SMTP, STARTTLS, MIME
 * alternatives and attachments) and the SMTP server of the
 * configuration's first email channel. */
#include "report/reporting.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify/channel.h"

int
lw_report_mail(const lw_config *cfg, const lw_strlist *recipients, long long id,
               const char *subject, const char *text, const char *html,
               const char *pdf, size_t pdf_len, const char *filename, lw_err *err)
{
    const lw_config_channel *ch = NULL;
    lw_channel_attachment att;
    lw_channel_result res;
    lw_channel_mail mail;
    char msgid[96];
    const char *env = getenv("LLMWATCH_SMTP_URL");
    size_t i;

    if (recipients == NULL || recipients->n == 0) {
        lw_err_set(err, "no recipients");
        return LW_EINVAL;
    }
    for (i = 0; cfg != NULL && i < cfg->n_channels; i++)
        if (cfg->channels[i].type == LW_CHANNEL_EMAIL && cfg->channels[i].enabled) {
            ch = &cfg->channels[i];
            break;
        }
    if (lw_channel_global_init(err) != LW_OK)
        return LW_EIO;
    memset(&mail, 0, sizeof(mail));
    memset(&res, 0, sizeof(res));
    mail.smtp_url = ch != NULL && ch->smtp_url != NULL ? ch->smtp_url
                  : env != NULL && env[0] != '\0' ? env : "smtp://localhost:25";
    mail.from = ch != NULL && ch->from != NULL ? ch->from : "llmwatch@localhost";
    mail.username = ch != NULL ? ch->username : NULL;
    mail.password = ch == NULL ? NULL : ch->password_env != NULL ? getenv(ch->password_env)
                  : ch->password.value;
    mail.to = recipients->v;
    mail.n_to = recipients->n;
    mail.subject = subject;
    /* the same Message-ID for the same report: a mail sent again is known */
    snprintf(msgid, sizeof(msgid), "report-%lld@llmwatch", id);
    mail.message_id = msgid;
    mail.text = text;
    mail.html = html;
    mail.timeout_s = 60;
    if (pdf != NULL) {
        att.filename = filename;
        att.content_type = "application/pdf";
        att.data = pdf;
        att.len = pdf_len;
        mail.attachments = &att;
        mail.n_attachments = 1;
    }
    if (lw_channel_mail_send(&mail, &res) != LW_OK) {
        lw_err_set(err, "out of memory");
        return LW_ENOMEM;
    }
    if (res.outcome != LW_CHANNEL_SENT) {
        lw_err_set(err, "%s", res.error);
        return LW_EIO;
    }
    return LW_OK;
}
