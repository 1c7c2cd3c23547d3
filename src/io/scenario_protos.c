/* scenario_protos — the protocol table of the scenario loader: one row per
 * protocol that has scenario keys of its own, each in its own
 * scenario_<proto>.c.  Adding a protocol adds a row here (and an SP_ id in
 * scenario_int.h); the core of the loader does not change. */
#include "io/scenario_int.h"

static const ScenarioProto *const rows[SP_COUNT] = {
    [SP_DNS] = &scenario_dns_proto,
    [SP_TCP] = &scenario_tcp_proto,
    [SP_FILES] = &scenario_files_proto,
    [SP_MAIL] = &scenario_mail_proto,
    [SP_FTP] = &scenario_ftp_proto,
};

const ScenarioProto *const *scenario_protos(void)
{
    return rows;
}
