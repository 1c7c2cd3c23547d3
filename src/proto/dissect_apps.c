/* The application table: one row per protocol that rides on UDP or TCP
 * (proto/dissect.h).  Names are Wireshark's Protocol column, so a capture
 * opened in Wireshark reads the same as minet's trace. */
#include "proto/dissect.h"

#include "net/ipv4.h"
#include <string.h>

#include "proto/dissect_ftp.h"
#include "proto/dissect_text.h"
#include "proto/dns/dns_dissect.h"

static const DissectApp apps[] = {
    {"DNS",
     IP_PROTO_UDP,
     {53, 0},
     "Domain Name System",
     dns_dissect_summary,
     dns_dissect_tree,
     dns_dissect_label},
    {"DNS",
     IP_PROTO_TCP,
     {53, 0},
     "Domain Name System",
     dns_tcp_dissect_summary,
     dns_tcp_dissect_tree,
     dns_tcp_dissect_label},
    {"SMTP",
     IP_PROTO_TCP,
     {25, 587},
     "Simple Mail Transfer Protocol",
     dissect_text_smtp,
     dissect_text_tree,
     dissect_text_label},
    {"POP",
     IP_PROTO_TCP,
     {110, 0},
     "Post Office Protocol",
     dissect_text_pop,
     dissect_text_tree,
     dissect_text_label},
    {"IMAP",
     IP_PROTO_TCP,
     {143, 0},
     "Internet Message Access Protocol",
     dissect_text_imap,
     dissect_text_tree,
     dissect_text_label},
    {"FTP",
     IP_PROTO_TCP,
     {21, 0},
     "File Transfer Protocol (FTP)",
     dissect_text_reqresp,
     dissect_text_tree,
     dissect_text_label},
    {"FTP-DATA",
     IP_PROTO_TCP,
     {20, 0},
     "FTP Data",
     dissect_ftp_data_summary,
     dissect_ftp_data_tree,
     dissect_ftp_data_label},
    {"HTTP",
     IP_PROTO_TCP,
     {80, 0},
     "Hypertext Transfer Protocol",
     dissect_text_http,
     dissect_text_tree,
     dissect_text_label},
};

const DissectApp *dissect_apps(size_t *n)
{
    *n = MN_ARRAY_LEN(apps);
    return apps;
}

const DissectApp *dissect_app_named(uint8_t transport, const char *name)
{
    for (size_t i = 0; i < MN_ARRAY_LEN(apps); i++)
        if (apps[i].transport == transport && strcmp(apps[i].name, name) == 0)
            return &apps[i];
    return NULL;
}

const DissectApp *dissect_app_find(uint8_t transport, uint16_t port)
{
    if (port == 0)
        return NULL;
    for (size_t i = 0; i < MN_ARRAY_LEN(apps); i++)
        if (apps[i].transport == transport &&
            (apps[i].ports[0] == port || apps[i].ports[1] == port))
            return &apps[i];
    return NULL;
}

const DissectApp *dissect_app_for(uint8_t transport, uint16_t sport, uint16_t dport,
                                  bool *to_server)
{
    uint16_t lo = sport < dport ? sport : dport, hi = sport < dport ? dport : sport;
    const DissectApp *app = dissect_app_find(transport, lo);
    uint16_t port = lo;
    if (!app) {
        app = dissect_app_find(transport, hi);
        port = hi;
    }
    *to_server = app && dport == port;
    return app;
}
