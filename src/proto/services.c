#include "proto/services.h"

#include "core/util.h"
#include "proto/dns/dns_resolver.h"
#include "proto/dns/dns_server.h"
#include "proto/dns/dns_stub.h"
#include "proto/mail/mail_server.h"
#include "proto/ftp/ftp_server.h"
#include "proto/vfs.h"

static const Service services[SVC_COUNT] = {
    [SVC_FILES] = {"files", vfs_service_start, vfs_service_stop},
    [SVC_DNS_SERVER] = {"dns-server", dns_servers_start, dns_servers_stop},
    [SVC_DNS_RESOLVER] = {"dns-resolver", dns_resolvers_start, dns_resolvers_stop},
    [SVC_DNS_STUB] = {"dns-stub", NULL, dns_stubs_stop},
    [SVC_MAIL] = {"mail", mail_servers_start, mail_servers_stop},
    [SVC_FTP_SERVER] = {"ftp-server", ftp_servers_start, ftp_servers_stop},
};

const Service *services_table(size_t *n)
{
    *n = MN_ARRAY_LEN(services);
    return services;
}
