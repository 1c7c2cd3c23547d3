#include "apps/etc_services.h"

#include <string.h>

#include "core/util.h"

/* In port order; the first name of a port is the one tools print. */
static const struct {
    uint16_t port;
    const char *name;
} services[] = {
    {7, "echo"},          {13, "daytime"},     {20, "ftp-data"},   {21, "ftp"},    {22, "ssh"},
    {23, "telnet"},       {25, "smtp"},        {53, "domain"},     {79, "finger"}, {80, "http"},
    {80, "www"},          {110, "pop3"},       {143, "imap2"},     {143, "imap"},  {443, "https"},
    {465, "submissions"}, {587, "submission"}, {993, "imaps"},     {995, "pop3s"}, {3306, "mysql"},
    {5432, "postgresql"}, {7000, "bbs"},       {8080, "http-alt"},
};

const char *etc_service_name(uint16_t port)
{
    for (size_t i = 0; i < MN_ARRAY_LEN(services); i++)
        if (services[i].port == port)
            return services[i].name;
    return NULL;
}

bool etc_service_port(const char *name, uint16_t *port)
{
    for (size_t i = 0; i < MN_ARRAY_LEN(services); i++)
        if (strcmp(services[i].name, name) == 0) {
            *port = services[i].port;
            return true;
        }
    return false;
}
