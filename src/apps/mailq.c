/* mailq and postqueue -p — Postfix 3.7's queue listing (showq's output as
 * postqueue formats it), run on a mail server:
 *
 *   -Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------
 *   0E1FEA74663     306 Thu Dec  3 12:08:22  alice@crepes.fr
 *                   (connect to mail.gone.edu[10.2.0.99]:25: No route to host)
 *                                            bob@gone.edu
 *
 *   -- 0 Kbytes in 1 Request.
 *
 * A '*' after the id marks a message in the active queue; a bounce's
 * sender shows as MAILER-DAEMON; the reason of a deferral stands above the
 * recipients it applies to, in parentheses that end at column 78 (a longer
 * reason starts at column 1 and runs on); recipients without a reason
 * after one with a reason get "(reason unavailable)".  On a node that is no mail server Postfix is
 * not running: "postqueue: fatal: Queue report unavailable - mail system
 * is down", status 69.
 *
 * postqueue's other options (-f, -i, -s, -j) are not modelled: they print
 * its usage message. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "apps/apps.h"
#include "proto/mail/mail_server.h"

#define EX_UNAVAILABLE 69

static void arrival(const Sim *sim, SimTime t, char out[32])
{
    time_t when = (time_t)((sim->world->start_us + t) / 1000000);
    struct tm tm;
    gmtime_r(&when, &tm);
    strftime(out, 32, "%a %b %e %H:%M:%S", &tm);
}

static void list_one(Proc *p, const MailQueued *q)
{
    char when[32];
    arrival(p->sim, q->arrived, when);
    proc_printf(p, CON_STDOUT, "%-11s%c%7zu %s  %s\n", q->id, q->queue == MAILQ_ACTIVE ? '*' : ' ',
                q->size, when, *q->sender ? q->sender : "MAILER-DAEMON");
    /* Recipients grouped under their reason, in order of first use. */
    const char *said = "";
    for (size_t i = 0; i < q->n_rcpts; i++) {
        const MailRcpt *r = &q->rcpts[i];
        if (r->done)
            continue;
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen =
                !q->rcpts[k].done &&
                ((!r->reason && !q->rcpts[k].reason) ||
                 (r->reason && q->rcpts[k].reason && strcmp(r->reason, q->rcpts[k].reason) == 0));
        if (seen)
            continue;
        /* postqueue says a reason whenever it changes from the previous
         * recipient's, right-aligned so that ")" is in column 78. */
        const char *now = r->reason ? r->reason : "";
        if (strcmp(now, said) != 0) {
            const char *show = *now ? now : "reason unavailable";
            int pad = 76 - (int)strlen(show);
            proc_printf(p, CON_STDOUT, "%*s(%s)\n", pad < 0 ? 0 : pad, "", show);
            said = now;
        }
        for (size_t k = i; k < q->n_rcpts; k++) {
            const MailRcpt *o = &q->rcpts[k];
            bool same = (!r->reason && !o->reason) ||
                        (r->reason && o->reason && strcmp(r->reason, o->reason) == 0);
            if (!o->done && same)
                proc_printf(p, CON_STDOUT, "%41s%s\n", "", o->addr);
        }
    }
    proc_printf(p, CON_STDOUT, "\n");
}

static void list(Proc *p)
{
    MailServer *s = mail_server_of(p->sim, p->node);
    if (!s) {
        proc_printf(p, CON_STDERR,
                    "postqueue: fatal: Queue report unavailable - mail system is down\n");
        proc_exit(p, EX_UNAVAILABLE);
        return;
    }
    size_t n;
    MailQueued *const *q = mail_server_queue(s, &n);
    if (n == 0) {
        proc_printf(p, CON_STDOUT, "Mail queue is empty\n");
        proc_exit(p, 0);
        return;
    }
    proc_printf(p, CON_STDOUT,
                "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n");
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++) {
        list_one(p, q[i]);
        bytes += q[i]->size;
    }
    proc_printf(p, CON_STDOUT, "-- %zu Kbytes in %zu Request%s.\n", bytes / 1024, n,
                n == 1 ? "" : "s");
    proc_exit(p, 0);
}

void mailq_main(Proc *p, int argc, char **argv)
{
    (void)argc; /* sendmail's options (-v, -Ac, …) change nothing here */
    (void)argv;
    list(p);
}

void postqueue_main(Proc *p, int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "-p") == 0) {
        list(p);
        return;
    }
    for (int i = 1; i < argc; i++)
        if (argv[i][0] == '-' && argv[i][1] && !strchr("fijps", argv[i][1])) {
            proc_printf(p, CON_STDERR, "postqueue: invalid option -- '%c'\n", argv[i][1]);
            break;
        }
    proc_printf(p, CON_STDERR,
                "postqueue: fatal: usage: postqueue -f | postqueue -i queueid | postqueue -j | "
                "postqueue -p | postqueue -s site\n");
    proc_exit(p, EX_UNAVAILABLE);
}
