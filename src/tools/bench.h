/* What bench.c shares with the sections of make bench kept in other files. */
#ifndef MINET_TOOLS_BENCH_H
#define MINET_TOOLS_BENCH_H

/* Wall-clock seconds, for timing a section. */
double now_s(void);
/* The median of v[0..n-1] (v is sorted in place). */
double median(double *v, int n);

void bench_mail(void);   /* 9: messages delivered end to end per second */
void bench_ftp(void);    /* 10: a big get, and many small sessions */
void bench_access(void); /* 11: POP3 and IMAP sessions per second */

#endif
