/* etc_services — the port names of Debian's /etc/services that a class
 * meets (smtp, pop3, imap2, ftp, …), for the programs that print or read
 * them (nc -v, ss without -n, telnet HOST smtp).  TCP only. */
#ifndef MN_ETC_SERVICES_H
#define MN_ETC_SERVICES_H

#include <stdbool.h>
#include <stdint.h>

/* The name of a port, or NULL when /etc/services has none we know. */
const char *etc_service_name(uint16_t port);
/* The port of a name; false when unknown. */
bool etc_service_port(const char *name, uint16_t *port);

#endif
