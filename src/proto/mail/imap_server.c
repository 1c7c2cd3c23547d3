#include "proto/mail/mail_access.h"
void imap_session_accept(MailServer *s, TcpConn *c)
{
    (void)s;
    tcp_abort(c);
}
void imap_sessions_free(MailServer *s)
{
    (void)s;
}
